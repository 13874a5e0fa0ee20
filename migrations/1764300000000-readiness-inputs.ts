import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What readiness is computed from: yearly figures, IP assets and the innovation profile of each enterprise. */
export class ReadinessInputs1764300000000 implements MigrationInterface {
  name = 'ReadinessInputs1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE enterprise_financials (
        enterprise_id uuid NOT NULL,
        year integer NOT NULL,
        -- Yuan, exact: numeric, never a float column.
        revenue numeric(16,2),
        total_income numeric(16,2),
        high_tech_revenue numeric(16,2),
        rd_expense numeric(16,2),
        rd_expense_domestic numeric(16,2),
        net_assets numeric(16,2),
        total_assets numeric(16,2),
        total_cost_expense numeric(16,2),
        employees integer,
        tech_staff integer,
        achievements_transformed integer,
        source text NOT NULL DEFAULT 'self_reported',
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT enterprise_financials_pkey PRIMARY KEY (enterprise_id, year),
        CONSTRAINT enterprise_financials_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT enterprise_financials_year_check CHECK (year BETWEEN 1990 AND 2100),
        CONSTRAINT enterprise_financials_source_check CHECK (source IN ('self_reported', 'officer_verified', 'audited')),
        CONSTRAINT enterprise_financials_non_negative_check CHECK (revenue >= 0 AND total_income >= 0 AND high_tech_revenue >= 0
          AND rd_expense >= 0 AND rd_expense_domestic >= 0 AND total_assets >= 0 AND total_cost_expense >= 0
          AND employees >= 0 AND tech_staff >= 0 AND achievements_transformed >= 0),
        CONSTRAINT enterprise_financials_rd_expense_domestic_check CHECK (rd_expense_domestic <= rd_expense),
        CONSTRAINT enterprise_financials_tech_staff_check CHECK (tech_staff <= employees)
      )`);

    await q.query(`
      CREATE TABLE ip_assets (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL,
        kind text NOT NULL,
        number text,
        title text NOT NULL,
        granted_at date,
        expires_at date,
        acquisition text NOT NULL,
        used_in_certification boolean NOT NULL DEFAULT false,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT ip_assets_pkey PRIMARY KEY (id),
        CONSTRAINT ip_assets_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT ip_assets_kind_check CHECK (kind IN ('invention_patent', 'plant_variety', 'new_drug', 'tcm_protected',
          'ic_layout', 'utility_model', 'design_patent', 'software_copyright', 'trademark')),
        CONSTRAINT ip_assets_acquisition_check CHECK (acquisition IN ('self_developed', 'transferred', 'gifted', 'merged', 'licensed')),
        CONSTRAINT ip_assets_expires_at_check CHECK (expires_at >= granted_at)
      )`);
    await q.query(`CREATE INDEX ip_assets_enterprise_id_idx ON ip_assets (enterprise_id, created_at, id)`);

    await q.query(`
      CREATE TABLE innovation_profiles (
        enterprise_id uuid NOT NULL,
        tech_advancement text,
        core_support text,
        standards_participation boolean NOT NULL DEFAULT false,
        project_accounting integer,
        rd_institution integer,
        transformation_incentives integer,
        talent_development integer,
        no_major_incident boolean,
        direct_pass text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT innovation_profiles_pkey PRIMARY KEY (enterprise_id),
        CONSTRAINT innovation_profiles_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT innovation_profiles_tech_advancement_check CHECK (tech_advancement IN ('A', 'B', 'C', 'D', 'E')),
        CONSTRAINT innovation_profiles_core_support_check CHECK (core_support IN ('A', 'B', 'C', 'D', 'E')),
        CONSTRAINT innovation_profiles_project_accounting_check CHECK (project_accounting BETWEEN 0 AND 6),
        CONSTRAINT innovation_profiles_rd_institution_check CHECK (rd_institution BETWEEN 0 AND 6),
        CONSTRAINT innovation_profiles_transformation_incentives_check CHECK (transformation_incentives BETWEEN 0 AND 4),
        CONSTRAINT innovation_profiles_talent_development_check CHECK (talent_development BETWEEN 0 AND 4),
        CONSTRAINT innovation_profiles_direct_pass_check CHECK (direct_pass IN ('hnte_certificate', 'national_award',
          'provincial_rd_institution', 'led_standard'))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE innovation_profiles`);
    await q.query(`DROP TABLE ip_assets`);
    await q.query(`DROP TABLE enterprise_financials`);
  }
}
