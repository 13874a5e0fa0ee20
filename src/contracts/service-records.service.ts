import { UUID } from '../common/validators.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { AuditService, diff } from '../audit/audit.service.js';
import { decodeCursor, encodeCursor, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { assertLiveEnterprise, lockEnterpriseForChildWrite } from '../enterprises/enterprise-access.js';
import { defaultOfficer } from './contracts.service.js';
import type { CreateServiceRecordDto, ServiceRecordView } from './dto/service-record.dto.js';
import { assertOfficer } from './officer.js';
import { ServiceRecord } from './service-record.entity.js';

const AUDITED: (keyof ServiceRecord)[] = [
  'enterpriseId',
  'kind',
  'at',
  'officerId',
  'participants',
  'summary',
  'problemsRaised',
  'problemsSolved',
];

/** Exactly the form the cursor was written in (toISOString), so nothing else reaches PostgreSQL. */
const isIssuedInstant = (v: unknown): v is string =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;

export const toServiceRecordView = (r: ServiceRecord): ServiceRecordView => ({
  id: r.id,
  enterpriseId: r.enterpriseId,
  kind: r.kind,
  at: r.at.toISOString(),
  officerId: r.officerId,
  participants: r.participants,
  summary: r.summary,
  problemsRaised: r.problemsRaised,
  problemsSolved: r.problemsSolved,
  version: r.version,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** Visits, calls, trainings and meetings with an enterprise (走访 / 服务记录). */
@Injectable()
export class ServiceRecordsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Newest first. */
  async list(enterpriseId: string, query: PageQuery): Promise<Page<ServiceRecordView>> {
    await assertLiveEnterprise(this.dataSource, enterpriseId);
    const qb = this.dataSource.manager
      .createQueryBuilder(ServiceRecord, 'r')
      .where('r.enterprise_id = :enterpriseId', { enterpriseId })
      .orderBy('r.at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(query.limit + 1);
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 'service-records', 2);
      if (!isIssuedInstant(at) || typeof id !== 'string' || !UUID.test(id)) {
        throw Problem.field('cursor', 'is not a cursor this API issued');
      }
      qb.andWhere('(r.at, r.id) < (:at, :id)', { at, id });
    }
    const rows = await qb.getMany();
    return toPage(rows.map(toServiceRecordView), query.limit, (v) =>
      encodeCursor('service-records', [v.at, v.id]),
    );
  }

  async create(actor: Actor, enterpriseId: string, dto: CreateServiceRecordDto): Promise<ServiceRecordView> {
    return this.dataSource.transaction(async (m) => {
      await lockEnterpriseForChildWrite(m, actor, enterpriseId);
      const officerId = await assertOfficer(m, dto.officerId ?? defaultOfficer(actor));
      const record = await m.save(
        m.create(ServiceRecord, {
          enterpriseId,
          kind: dto.kind,
          at: new Date(dto.at),
          officerId,
          participants: dto.participants ?? [],
          summary: dto.summary,
          problemsRaised: dto.problemsRaised ?? [],
          problemsSolved: dto.problemsSolved ?? [],
        }),
      );
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'serviceRecord',
        entityId: record.id,
        changes: diff(null, record, AUDITED),
      });
      return toServiceRecordView(record);
    });
  }
}
