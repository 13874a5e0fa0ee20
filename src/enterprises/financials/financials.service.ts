import { COUNT_FIELDS, MONEY_FIELDS } from '../../readiness/rules.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../../auth/actor.js';
import { AuditService } from '../../audit/audit.service.js';
import { DomainEvents } from '../../common/domain-events.js';
import type { Page } from '../../common/pagination.js';
import { assertLiveEnterprise, lockEnterpriseForChildWrite } from '../enterprise-access.js';
import { putRow } from '../put-row.js';
import { EnterpriseFinancials } from './enterprise-financials.entity.js';
import type { FinancialsView, PutFinancialsDto } from './financials.dto.js';

/** The figures a PUT replaces, in the order the bureau's forms list them; also what the audit records. */
const FIGURES = [...MONEY_FIELDS, ...COUNT_FIELDS] as const satisfies readonly (keyof PutFinancialsDto &
  keyof EnterpriseFinancials)[];
const AUDITED: (keyof EnterpriseFinancials)[] = [...FIGURES, 'source'];

export const toFinancialsView = (f: EnterpriseFinancials): FinancialsView => ({
  enterpriseId: f.enterpriseId,
  year: f.year,
  revenue: f.revenue,
  totalIncome: f.totalIncome,
  highTechRevenue: f.highTechRevenue,
  rdExpense: f.rdExpense,
  rdExpenseDomestic: f.rdExpenseDomestic,
  netAssets: f.netAssets,
  totalAssets: f.totalAssets,
  totalCostExpense: f.totalCostExpense,
  employees: f.employees,
  techStaff: f.techStaff,
  achievementsTransformed: f.achievementsTransformed,
  source: f.source,
  version: f.version,
  createdAt: f.createdAt.toISOString(),
  updatedAt: f.updatedAt.toISOString(),
});

/** Yearly figures (年度经营数据): one row per enterprise and accounting year. */
@Injectable()
export class FinancialsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async list(enterpriseId: string): Promise<Page<FinancialsView>> {
    await assertLiveEnterprise(this.dataSource, enterpriseId);
    const rows = await this.dataSource.manager.find(EnterpriseFinancials, {
      where: { enterpriseId },
      order: { year: 'ASC' },
    });
    // At most one row per year since 1990: always one page.
    return { data: rows.map(toFinancialsView), nextCursor: null };
  }

  /** Creates or wholly replaces one year's figures; `created` tells a 201 from a 200. */
  async put(
    actor: Actor,
    enterpriseId: string,
    year: number,
    dto: PutFinancialsDto,
    ifMatch?: number,
  ): Promise<{ created: boolean; figures: FinancialsView }> {
    const values: Partial<EnterpriseFinancials> = { source: dto.source ?? 'self_reported' };
    for (const field of FIGURES) values[field] = dto[field] ?? null;

    const outcome = await this.dataSource.transaction(async (m) => {
      await lockEnterpriseForChildWrite(m, actor, enterpriseId);
      const put = await putRow(m, EnterpriseFinancials, { enterpriseId, year }, values, AUDITED, ifMatch);
      if (put.action) {
        await this.audit.record(m, actor, {
          action: put.action,
          entity: 'financials',
          entityId: `${enterpriseId}:${year}`,
          changes: put.changes,
        });
      }
      return put;
    });
    if (outcome.action)
      await this.events.publish({ type: 'enterprise.readinessInputsChanged', enterpriseId });
    return { created: outcome.action === 'create', figures: toFinancialsView(outcome.row) };
  }
}
