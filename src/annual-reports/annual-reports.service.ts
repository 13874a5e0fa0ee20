import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { AuditService, diff } from '../audit/audit.service.js';
import { DomainEvents } from '../common/domain-events.js';
import type { Page } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { assertLiveEnterprise, lockEnterpriseForChildWrite } from '../enterprises/enterprise-access.js';
import { putRow } from '../enterprises/put-row.js';
import { AnnualReport } from './annual-report.entity.js';
import type { AnnualReportView, PutAnnualReportDto } from './annual-report.dto.js';

const AUDITED: (keyof AnnualReport)[] = ['filedOn', 'note'];

const toView = (r: AnnualReport): AnnualReportView => ({
  id: r.id,
  enterpriseId: r.enterpriseId,
  year: r.year,
  filedOn: r.filedOn,
  note: r.note,
  version: r.version,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/**
 * Annual development reports (年度发展情况报表) marked filed. The mark is what stops the May
 * reminders and the officer's escalation after 31 May (reminders listen for the change).
 */
@Injectable()
export class AnnualReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async list(enterpriseId: string): Promise<Page<AnnualReportView>> {
    await assertLiveEnterprise(this.dataSource, enterpriseId);
    const rows = await this.dataSource.manager.find(AnnualReport, {
      where: { enterpriseId },
      order: { year: 'ASC' },
    });
    // One row per year: always one page.
    return { data: rows.map(toView), nextCursor: null };
  }

  async put(
    actor: Actor,
    enterpriseId: string,
    year: number,
    dto: PutAnnualReportDto,
    ifMatch?: number,
  ): Promise<{ created: boolean; report: AnnualReportView }> {
    const outcome = await this.dataSource.transaction(async (m) => {
      await lockEnterpriseForChildWrite(m, actor, enterpriseId);
      const put = await putRow(
        m,
        AnnualReport,
        { enterpriseId, year },
        { filedOn: dto.filedOn, note: dto.note ?? null },
        AUDITED,
        ifMatch,
      );
      if (put.action)
        await this.audit.record(m, actor, {
          action: put.action,
          entity: 'annualReport',
          entityId: `${enterpriseId}:${year}`,
          changes: put.changes,
        });
      return put;
    });
    if (outcome.action) await this.events.publish({ type: 'annualReport.changed', enterpriseId, year });
    return { created: outcome.action === 'create', report: toView(outcome.row) };
  }

  /** Removes a mark set by mistake: the reminders for that year come back if still due. */
  async remove(actor: Actor, enterpriseId: string, year: number, ifMatch?: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await lockEnterpriseForChildWrite(m, actor, enterpriseId);
      const before = await m.findOne(AnnualReport, {
        where: { enterpriseId, year },
        lock: { mode: 'pessimistic_write' },
      });
      if (!before) throw Problem.notFound('annual report', `${enterpriseId}:${year}`);
      if (ifMatch !== undefined && ifMatch !== before.version) throw Problem.stale(before.version);
      await m.delete(AnnualReport, { id: before.id });
      await this.audit.record(m, actor, {
        action: 'delete',
        entity: 'annualReport',
        entityId: `${enterpriseId}:${year}`,
        changes: diff(before, null, AUDITED),
      });
    });
    await this.events.publish({ type: 'annualReport.changed', enterpriseId, year });
  }
}
