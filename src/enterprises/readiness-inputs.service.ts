import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DirectPassGround, Grade, InnovationProfile, IpAsset, YearFigures } from '../readiness/rules.js';
import { MONEY_FIELDS } from '../readiness/rules.js';
import type { TechDomain } from './enterprise.constants.js';
import { toNumber } from './money.js';

/** Everything the readiness rules read about one enterprise, in the rules' own shapes. */
export interface EnterpriseReadinessInputs {
  registeredAt: string | null;
  techDomain: TechDomain | null;
  /** Every recorded year, oldest first; the rules pick the window. */
  years: YearFigures[];
  /** In the order they were recorded. */
  ipAssets: IpAsset[];
  /** Null until an innovation profile is recorded. */
  innovation: InnovationProfile | null;
  noMajorIncident: boolean | null;
  directPass: DirectPassGround | null;
  /** Recorded years whose figures nobody has verified (source `self_reported`), ascending. */
  unverifiedYears: number[];
}

interface EnterpriseRow {
  id: string;
  registeredAt: string | null;
  techDomain: TechDomain | null;
}
type YearRow = Record<keyof YearFigures, unknown> & { enterpriseId: string; year: number; source: string };
type IpRow = Required<IpAsset> & { enterpriseId: string };
interface ProfileRow {
  enterpriseId: string;
  techAdvancement: Grade | null;
  coreSupport: Grade | null;
  standardsParticipation: boolean;
  projectAccounting: number | null;
  rdInstitution: number | null;
  transformationIncentives: number | null;
  talentDevelopment: number | null;
  noMajorIncident: boolean | null;
  directPass: DirectPassGround | null;
}

function toYear(r: YearRow): YearFigures {
  const year: YearFigures = { year: r.year };
  for (const field of MONEY_FIELDS) year[field] = toNumber(r[field]);
  year.employees = r.employees as number | null;
  year.techStaff = r.techStaff as number | null;
  year.achievementsTransformed = r.achievementsTransformed as number | null;
  return year;
}

/**
 * Loads what readiness is computed from, for one enterprise or for many in four set-based
 * queries (enterprises, figures, IP, profiles) read from one snapshot, so a nightly re-score
 * of the whole pool reads it in pages without a query per enterprise.
 */
@Injectable()
export class ReadinessInputsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The inputs of a live enterprise, or null when it does not exist or is deleted. */
  async load(enterpriseId: string): Promise<EnterpriseReadinessInputs | null> {
    return (await this.loadMany([enterpriseId])).get(enterpriseId) ?? null;
  }

  /** By enterprise id, for the live enterprises among `enterpriseIds` (deleted and unknown ones are absent). */
  async loadMany(enterpriseIds: readonly string[]): Promise<Map<string, EnterpriseReadinessInputs>> {
    const result = new Map<string, EnterpriseReadinessInputs>();
    if (enterpriseIds.length === 0) return result;
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const enterprises: EnterpriseRow[] = await m.query(
        `SELECT id, registered_at AS "registeredAt", tech_domain AS "techDomain"
           FROM enterprises WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL`,
        [[...new Set(enterpriseIds)]],
      );
      if (enterprises.length === 0) return result;
      const ids = enterprises.map((e) => e.id);
      for (const e of enterprises) {
        result.set(e.id, {
          registeredAt: e.registeredAt,
          techDomain: e.techDomain,
          years: [],
          ipAssets: [],
          innovation: null,
          noMajorIncident: null,
          directPass: null,
          unverifiedYears: [],
        });
      }

      const years: YearRow[] = await m.query(
        `SELECT enterprise_id AS "enterpriseId", year, revenue, total_income AS "totalIncome",
                high_tech_revenue AS "highTechRevenue", rd_expense AS "rdExpense", rd_expense_domestic AS "rdExpenseDomestic",
                net_assets AS "netAssets", total_assets AS "totalAssets", total_cost_expense AS "totalCostExpense",
                employees, tech_staff AS "techStaff", achievements_transformed AS "achievementsTransformed", source
           FROM enterprise_financials WHERE enterprise_id = ANY($1::uuid[]) ORDER BY enterprise_id, year`,
        [ids],
      );
      for (const r of years) {
        const inputs = result.get(r.enterpriseId)!;
        inputs.years.push(toYear(r));
        if (r.source === 'self_reported') inputs.unverifiedYears.push(r.year);
      }

      const assets: IpRow[] = await m.query(
        `SELECT enterprise_id AS "enterpriseId", kind, granted_at AS "grantedAt", expires_at AS "expiresAt", acquisition,
                used_in_certification AS "usedInCertification"
           FROM ip_assets WHERE enterprise_id = ANY($1::uuid[]) ORDER BY enterprise_id, created_at, id`,
        [ids],
      );
      for (const a of assets) {
        result.get(a.enterpriseId)!.ipAssets.push({
          kind: a.kind,
          grantedAt: a.grantedAt,
          expiresAt: a.expiresAt,
          acquisition: a.acquisition,
          usedInCertification: a.usedInCertification,
        });
      }

      const profiles: ProfileRow[] = await m.query(
        `SELECT enterprise_id AS "enterpriseId", tech_advancement AS "techAdvancement", core_support AS "coreSupport",
                standards_participation AS "standardsParticipation", project_accounting AS "projectAccounting",
                rd_institution AS "rdInstitution", transformation_incentives AS "transformationIncentives",
                talent_development AS "talentDevelopment", no_major_incident AS "noMajorIncident", direct_pass AS "directPass"
           FROM innovation_profiles WHERE enterprise_id = ANY($1::uuid[])`,
        [ids],
      );
      for (const p of profiles) {
        const inputs = result.get(p.enterpriseId)!;
        inputs.innovation = {
          techAdvancement: p.techAdvancement,
          coreSupport: p.coreSupport,
          standardsParticipation: p.standardsParticipation,
          rdManagement: {
            projectAccounting: p.projectAccounting,
            rdInstitution: p.rdInstitution,
            transformationIncentives: p.transformationIncentives,
            talentDevelopment: p.talentDevelopment,
          },
        };
        inputs.noMajorIncident = p.noMajorIncident;
        inputs.directPass = p.directPass;
      }
      return result;
    });
  }
}
