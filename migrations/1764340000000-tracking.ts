import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Follow-up tracking (挂号跟踪) and its contact logs. */
export class Tracking1764340000000 implements MigrationInterface {
  name = 'Tracking1764340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE trackings (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL,
        officer_id uuid NOT NULL,
        reasons text[] NOT NULL,
        criteria text[] NOT NULL DEFAULT '{}',
        cadence_days integer,
        next_follow_up_at timestamptz(3) NOT NULL,
        notify_enterprise boolean NOT NULL DEFAULT true,
        status text NOT NULL DEFAULT 'open',
        closed_reason text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT trackings_pkey PRIMARY KEY (id),
        CONSTRAINT trackings_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT trackings_officer_id_fkey FOREIGN KEY (officer_id) REFERENCES users (id),
        CONSTRAINT trackings_status_check CHECK (status IN ('open', 'closed', 'promoted')),
        CONSTRAINT trackings_criteria_check CHECK (criteria <@ ARRAY['registration_age', 'core_ip', 'tech_domain',
          'tech_staff_ratio', 'rd_expense_ratio', 'domestic_rd_share', 'high_tech_revenue_share', 'innovation_score',
          'no_major_incident']::text[]),
        CONSTRAINT trackings_cadence_days_check CHECK (cadence_days BETWEEN 1 AND 366),
        CONSTRAINT trackings_closed_reason_check CHECK ((status = 'open') = (closed_reason IS NULL))
      )`);
    // One open tracking per enterprise: a second registration is a unique violation (409).
    await q.query(
      `CREATE UNIQUE INDEX trackings_open_enterprise_key ON trackings (enterprise_id) WHERE status = 'open'`,
    );
    await q.query(`CREATE INDEX trackings_next_follow_up_idx ON trackings (next_follow_up_at, id)`);
    await q.query(`CREATE INDEX trackings_officer_idx ON trackings (officer_id, next_follow_up_at, id)`);
    await q.query(
      `CREATE INDEX trackings_enterprise_idx ON trackings (enterprise_id, next_follow_up_at, id)`,
    );
    await q.query(`CREATE INDEX trackings_updated_at_idx ON trackings (updated_at, id)`);

    await q.query(`
      CREATE TABLE tracking_logs (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        tracking_id uuid NOT NULL,
        at timestamptz(3) NOT NULL,
        channel text NOT NULL,
        summary text NOT NULL,
        outcome text,
        next_follow_up_at timestamptz(3),
        actor_type text NOT NULL,
        actor_id text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT tracking_logs_pkey PRIMARY KEY (id),
        CONSTRAINT tracking_logs_tracking_id_fkey FOREIGN KEY (tracking_id) REFERENCES trackings (id) ON DELETE CASCADE,
        CONSTRAINT tracking_logs_channel_check CHECK (channel IN ('visit', 'call', 'email', 'wechat', 'meeting', 'other')),
        CONSTRAINT tracking_logs_actor_type_check CHECK (actor_type IN ('user', 'apiKey', 'system'))
      )`);
    await q.query(`CREATE INDEX tracking_logs_tracking_idx ON tracking_logs (tracking_id, at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tracking_logs`);
    await q.query(`DROP TABLE trackings`);
  }
}
