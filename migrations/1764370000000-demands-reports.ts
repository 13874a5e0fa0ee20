import type { MigrationInterface, QueryRunner } from 'typeorm';

const DOMAINS = `'electronic_information', 'biomedicine', 'aerospace', 'new_materials', 'high_tech_services', 'new_energy', 'resources_environment', 'advanced_manufacturing'`;
const STATUSES = `'open', 'matched', 'resolved', 'closed'`;

/**
 * Enterprise demands (技术难题 / 人才需求) with their status history, the half-year report's
 * frozen snapshots, and the bureau's yearly targets for the overview figures.
 */
export class DemandsReports1764370000000 implements MigrationInterface {
  name = 'DemandsReports1764370000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE demands (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL,
        kind text NOT NULL,
        title text NOT NULL,
        description text,
        tech_domain text,
        headcount integer,
        talent_profile text,
        urgency text NOT NULL DEFAULT 'normal',
        period text NOT NULL,
        status text NOT NULL DEFAULT 'open',
        partner text,
        possible_duplicate_of uuid[] NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT demands_pkey PRIMARY KEY (id),
        CONSTRAINT demands_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT demands_kind_check CHECK (kind IN ('tech_problem', 'talent_need')),
        CONSTRAINT demands_status_check CHECK (status IN (${STATUSES})),
        CONSTRAINT demands_urgency_check CHECK (urgency IN ('low', 'normal', 'high')),
        CONSTRAINT demands_tech_domain_check CHECK (tech_domain IS NULL OR tech_domain IN (${DOMAINS})),
        CONSTRAINT demands_period_check CHECK (period ~ '^[0-9]{4}H[12]$'),
        CONSTRAINT demands_headcount_kind_check CHECK ((kind = 'talent_need') = (headcount IS NOT NULL)),
        CONSTRAINT demands_headcount_check CHECK (headcount BETWEEN 1 AND 10000),
        CONSTRAINT demands_talent_profile_check CHECK (talent_profile IS NULL OR kind = 'talent_need'),
        CONSTRAINT demands_partner_check CHECK (status NOT IN ('matched', 'resolved') OR partner IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX demands_created_at_idx ON demands (created_at, id)`);
    await q.query(`CREATE INDEX demands_updated_at_idx ON demands (updated_at, id)`);
    await q.query(`CREATE INDEX demands_enterprise_idx ON demands (enterprise_id, period)`);
    await q.query(`CREATE INDEX demands_period_idx ON demands (period, kind, status)`);

    await q.query(`
      CREATE TABLE demand_transitions (
        id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        demand_id uuid NOT NULL,
        from_status text,
        to_status text NOT NULL,
        at timestamptz(3) NOT NULL,
        actor_type text NOT NULL,
        actor_id text,
        note text,
        CONSTRAINT demand_transitions_pkey PRIMARY KEY (id),
        CONSTRAINT demand_transitions_demand_id_fkey FOREIGN KEY (demand_id) REFERENCES demands (id) ON DELETE CASCADE,
        CONSTRAINT demand_transitions_from_status_check CHECK (from_status IS NULL OR from_status IN (${STATUSES})),
        CONSTRAINT demand_transitions_to_status_check CHECK (to_status IN (${STATUSES})),
        CONSTRAINT demand_transitions_actor_type_check CHECK (actor_type IN ('user', 'apiKey', 'system'))
      )`);
    await q.query(`CREATE INDEX demand_transitions_demand_id_idx ON demand_transitions (demand_id, at, id)`);

    await q.query(`
      CREATE TABLE demand_report_snapshots (
        period text NOT NULL,
        frozen_at timestamptz(3) NOT NULL,
        frozen_by_type text NOT NULL,
        frozen_by_id text,
        report jsonb NOT NULL,
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT demand_report_snapshots_pkey PRIMARY KEY (period),
        CONSTRAINT demand_report_snapshots_period_check CHECK (period ~ '^[0-9]{4}H[12]$'),
        CONSTRAINT demand_report_snapshots_frozen_by_type_check CHECK (frozen_by_type IN ('user', 'apiKey', 'system'))
      )`);

    await q.query(`
      CREATE TABLE district_targets (
        year integer NOT NULL,
        contracts_signed integer,
        hnte_applicants integer,
        hnte_newly_certified integer,
        hnte_in_force integer,
        tsme_registered integer,
        pool_priority integer,
        pool_medium_term integer,
        tracking integer,
        open_demands integer,
        service_records integer,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT district_targets_pkey PRIMARY KEY (year),
        CONSTRAINT district_targets_year_check CHECK (year BETWEEN 1990 AND 2100),
        CONSTRAINT district_targets_values_check CHECK (COALESCE(contracts_signed, 0) >= 0 AND COALESCE(hnte_applicants, 0) >= 0 AND COALESCE(hnte_newly_certified, 0) >= 0 AND COALESCE(hnte_in_force, 0) >= 0 AND COALESCE(tsme_registered, 0) >= 0 AND COALESCE(pool_priority, 0) >= 0 AND COALESCE(pool_medium_term, 0) >= 0 AND COALESCE(tracking, 0) >= 0 AND COALESCE(open_demands, 0) >= 0 AND COALESCE(service_records, 0) >= 0)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE district_targets`);
    await q.query(`DROP TABLE demand_report_snapshots`);
    await q.query(`DROP TABLE demand_transitions`);
    await q.query(`DROP TABLE demands`);
  }
}
