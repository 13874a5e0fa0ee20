import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Service contracts (科技服务合同) with their items, and service records (走访 / 服务记录). */
export class Contracts1764330000000 implements MigrationInterface {
  name = 'Contracts1764330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_contracts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        contract_no text NOT NULL,
        enterprise_id uuid NOT NULL,
        officer_id uuid NOT NULL,
        signed_at date NOT NULL,
        starts_at date NOT NULL,
        ends_at date NOT NULL,
        -- Yuan, exact: numeric, never a float column.
        amount numeric(14,2) NOT NULL,
        status text NOT NULL DEFAULT 'draft',
        acceptance_notes text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT service_contracts_pkey PRIMARY KEY (id),
        CONSTRAINT service_contracts_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT service_contracts_officer_id_fkey FOREIGN KEY (officer_id) REFERENCES users (id),
        CONSTRAINT service_contracts_status_check CHECK (status IN ('draft', 'active', 'completed', 'terminated')),
        CONSTRAINT service_contracts_dates_check CHECK (ends_at >= starts_at),
        CONSTRAINT service_contracts_amount_check CHECK (amount >= 0)
      )`);
    await q.query(`CREATE UNIQUE INDEX service_contracts_contract_no_key ON service_contracts (contract_no)`);
    await q.query(`CREATE INDEX service_contracts_enterprise_idx ON service_contracts (enterprise_id, signed_at, id)`);
    await q.query(`CREATE INDEX service_contracts_officer_idx ON service_contracts (officer_id, signed_at, id)`);
    await q.query(`CREATE INDEX service_contracts_status_idx ON service_contracts (status, signed_at, id)`);
    await q.query(`CREATE INDEX service_contracts_signed_at_idx ON service_contracts (signed_at, id)`);

    await q.query(`
      CREATE TABLE contract_items (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        contract_id uuid NOT NULL,
        position integer NOT NULL,
        description text NOT NULL,
        due_at date NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        criterion text,
        done_at timestamptz(3),
        CONSTRAINT contract_items_pkey PRIMARY KEY (id),
        CONSTRAINT contract_items_contract_id_fkey FOREIGN KEY (contract_id) REFERENCES service_contracts (id) ON DELETE CASCADE,
        CONSTRAINT contract_items_status_check CHECK (status IN ('pending', 'done', 'cancelled')),
        CONSTRAINT contract_items_criterion_check CHECK (criterion IN ('registration_age', 'core_ip', 'tech_domain',
          'tech_staff_ratio', 'rd_expense_ratio', 'domestic_rd_share', 'high_tech_revenue_share', 'innovation_score',
          'no_major_incident')),
        CONSTRAINT contract_items_done_at_check CHECK ((status = 'done') = (done_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX contract_items_contract_idx ON contract_items (contract_id, position)`);

    await q.query(`
      CREATE TABLE service_records (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL,
        kind text NOT NULL,
        at timestamptz(3) NOT NULL,
        officer_id uuid NOT NULL,
        participants text[] NOT NULL DEFAULT '{}',
        summary text NOT NULL,
        problems_raised text[] NOT NULL DEFAULT '{}',
        problems_solved text[] NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT service_records_pkey PRIMARY KEY (id),
        CONSTRAINT service_records_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT service_records_officer_id_fkey FOREIGN KEY (officer_id) REFERENCES users (id),
        CONSTRAINT service_records_kind_check CHECK (kind IN ('visit', 'call', 'training', 'meeting'))
      )`);
    // The enterprise's records and its timeline, newest first.
    await q.query(`CREATE INDEX service_records_enterprise_idx ON service_records (enterprise_id, at, id)`);
    await q.query(`CREATE INDEX service_records_officer_idx ON service_records (officer_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE service_records`);
    await q.query(`DROP TABLE contract_items`);
    await q.query(`DROP TABLE service_contracts`);
  }
}
