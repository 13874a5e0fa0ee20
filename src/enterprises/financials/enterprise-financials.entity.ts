import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
  type ColumnOptions,
} from 'typeorm';
import { Enterprise } from '../enterprise.entity.js';
import { NUMERIC_AS_NUMBER } from '../money.js';
import { FIGURE_SOURCES, FIRST_YEAR, LAST_YEAR, type FigureSource } from './financials.constants.js';

// Yuan, stored exactly (never a float column), read as JS numbers.
const MONEY: ColumnOptions = {
  type: 'numeric',
  precision: 16,
  scale: 2,
  nullable: true,
  transformer: NUMERIC_AS_NUMBER,
};

/** One accounting year's figures of an enterprise (年度经营数据), as the readiness rules read them. */
@Entity('enterprise_financials')
@Check('enterprise_financials_year_check', `year BETWEEN ${FIRST_YEAR} AND ${LAST_YEAR}`)
@Check('enterprise_financials_source_check', `source IN (${FIGURE_SOURCES.map((s) => `'${s}'`).join(', ')})`)
// The rules' own limits (DOMAIN.md, "Edge cases, settled"), held by the database too.
@Check(
  'enterprise_financials_non_negative_check',
  `revenue >= 0 AND total_income >= 0 AND high_tech_revenue >= 0 AND rd_expense >= 0 AND rd_expense_domestic >= 0
   AND total_assets >= 0 AND total_cost_expense >= 0 AND employees >= 0 AND tech_staff >= 0 AND achievements_transformed >= 0`,
)
@Check('enterprise_financials_rd_expense_domestic_check', `rd_expense_domestic <= rd_expense`)
@Check('enterprise_financials_tech_staff_check', `tech_staff <= employees`)
export class EnterpriseFinancials {
  @PrimaryColumn('uuid')
  enterpriseId: string;

  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'enterprise_financials_enterprise_id_fkey' })
  enterprise?: Enterprise;

  @PrimaryColumn('int')
  year: number;

  /** 销售收入 */
  @Column(MONEY) revenue: number | null;
  /** 总收入 */
  @Column(MONEY) totalIncome: number | null;
  /** 高新技术产品（服务）收入 */
  @Column(MONEY) highTechRevenue: number | null;
  /** 研发费用 */
  @Column(MONEY) rdExpense: number | null;
  /** 境内研发费用 */
  @Column(MONEY) rdExpenseDomestic: number | null;
  /** 净资产; may be negative. */
  @Column(MONEY) netAssets: number | null;
  /** 资产总额 */
  @Column(MONEY) totalAssets: number | null;
  /** 成本费用总额 */
  @Column(MONEY) totalCostExpense: number | null;

  /** 职工总数 */
  @Column('int', { nullable: true }) employees: number | null;
  /** 科技人员数 */
  @Column('int', { nullable: true }) techStaff: number | null;
  /** 科技成果转化数 */
  @Column('int', { nullable: true }) achievementsTransformed: number | null;

  @Column('text', { default: 'self_reported' })
  source: FigureSource;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
