import { UUID } from '../../common/validators.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../../auth/actor.js';
import { AuditService, diff } from '../../audit/audit.service.js';
import { DomainEvents } from '../../common/domain-events.js';
import { decodeCursor, encodeCursor, toPage, type Page, type PageQuery } from '../../common/pagination.js';
import { Problem } from '../../common/problem.js';
import { validateIpAsset } from '../../readiness/rules.js';
import {
  assertLiveEnterprise,
  lockChildForWrite,
  lockEnterpriseForChildWrite,
} from '../enterprise-access.js';
import { atRoot } from '../rules-check.js';
import type { CreateIpAssetDto, IpAssetView, UpdateIpAssetDto } from './ip-asset.dto.js';
import { EnterpriseIpAsset } from './ip-asset.entity.js';

const FIELDS = [
  'kind',
  'number',
  'title',
  'grantedAt',
  'expiresAt',
  'acquisition',
  'usedInCertification',
] as const;
const AUDITED: (keyof EnterpriseIpAsset)[] = [...FIELDS];
const ipAssetRules = atRoot(validateIpAsset);

/** Exactly the form the cursor was written in (toISOString), so nothing else reaches PostgreSQL. */
const isIssuedInstant = (v: unknown): v is string =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;

export const toIpAssetView = (a: EnterpriseIpAsset): IpAssetView => ({
  id: a.id,
  enterpriseId: a.enterpriseId,
  kind: a.kind,
  number: a.number,
  title: a.title,
  grantedAt: a.grantedAt,
  expiresAt: a.expiresAt,
  acquisition: a.acquisition,
  usedInCertification: a.usedInCertification,
  version: a.version,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
});

/** An enterprise's IP items (知识产权), each one a row. */
@Injectable()
export class IpAssetsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async list(enterpriseId: string, query: PageQuery): Promise<Page<IpAssetView>> {
    await assertLiveEnterprise(this.dataSource, enterpriseId);
    const qb = this.dataSource.manager
      .createQueryBuilder(EnterpriseIpAsset, 'a')
      .where('a.enterprise_id = :enterpriseId', { enterpriseId })
      .orderBy('a.created_at')
      .addOrderBy('a.id')
      .limit(query.limit + 1);
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 'ip-assets', 2);
      // Checked here, so a tampered cursor is a 400 rather than a failed query.
      if (!isIssuedInstant(at) || typeof id !== 'string' || !UUID.test(id)) {
        throw Problem.field('cursor', 'is not a cursor this API issued');
      }
      qb.andWhere('(a.created_at, a.id) > (:at, :id)', { at, id });
    }
    const rows = await qb.getMany();
    return toPage(rows.map(toIpAssetView), query.limit, (v) =>
      encodeCursor('ip-assets', [v.createdAt, v.id]),
    );
  }

  async create(actor: Actor, enterpriseId: string, dto: CreateIpAssetDto): Promise<IpAssetView> {
    const saved = await this.dataSource.transaction(async (m) => {
      await lockEnterpriseForChildWrite(m, actor, enterpriseId);
      const asset = await m.save(
        m.create(EnterpriseIpAsset, {
          enterpriseId,
          kind: dto.kind,
          number: dto.number ?? null,
          title: dto.title,
          grantedAt: dto.grantedAt ?? null,
          expiresAt: dto.expiresAt ?? null,
          acquisition: dto.acquisition,
          usedInCertification: dto.usedInCertification ?? false,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'ipAsset',
        entityId: asset.id,
        changes: diff(null, asset, AUDITED),
      });
      return asset;
    });
    await this.events.publish({ type: 'enterprise.readinessInputsChanged', enterpriseId });
    return toIpAssetView(saved);
  }

  async update(actor: Actor, id: string, dto: UpdateIpAssetDto, ifMatch?: number): Promise<IpAssetView> {
    const outcome = await this.dataSource.transaction(
      async (m): Promise<{ changed: boolean; asset: EnterpriseIpAsset }> => {
        const before = await lockChildForWrite(
          m,
          actor,
          { entity: EnterpriseIpAsset, table: 'ip_assets', what: 'IP asset' },
          id,
          ifMatch,
        );
        const patch: Partial<EnterpriseIpAsset> = {};
        for (const field of FIELDS) {
          if (dto[field] !== undefined) (patch as Record<string, unknown>)[field] = dto[field];
        }
        const after = m.merge<EnterpriseIpAsset>(
          EnterpriseIpAsset,
          m.create(EnterpriseIpAsset, { ...before }),
          patch,
        );
        // The body alone cannot tell an expiry before a grant date that is only stored.
        const errors = ipAssetRules(after);
        if (errors.length > 0) throw Problem.validation(errors);
        const changes = diff(before, after, AUDITED);
        if (Object.keys(changes).length === 0) return { changed: false, asset: before };
        const saved = await m.save(after);
        await this.audit.record(m, actor, { action: 'update', entity: 'ipAsset', entityId: id, changes });
        return { changed: true, asset: saved };
      },
    );
    if (outcome.changed)
      await this.events.publish({
        type: 'enterprise.readinessInputsChanged',
        enterpriseId: outcome.asset.enterpriseId,
      });
    return toIpAssetView(outcome.asset);
  }

  async remove(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    const before = await this.dataSource.transaction(async (m) => {
      const asset = await lockChildForWrite(
        m,
        actor,
        { entity: EnterpriseIpAsset, table: 'ip_assets', what: 'IP asset' },
        id,
        ifMatch,
      );
      await m.delete(EnterpriseIpAsset, { id });
      await this.audit.record(m, actor, {
        action: 'delete',
        entity: 'ipAsset',
        entityId: id,
        changes: diff(asset, null, AUDITED),
      });
      return asset;
    });
    await this.events.publish({
      type: 'enterprise.readinessInputsChanged',
      enterpriseId: before.enterpriseId,
    });
  }
}
