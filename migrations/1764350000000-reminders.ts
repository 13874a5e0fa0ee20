import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The reminder outbox: one row per mail owed, claimed by the sender, re-queued by the sweeper. */
export class Reminders1764350000000 implements MigrationInterface {
  name = 'Reminders1764350000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reminders (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        enterprise_id uuid,
        recipient text NOT NULL,
        recipient_role text NOT NULL,
        subject text NOT NULL,
        due_at timestamptz(3) NOT NULL,
        mandatory boolean NOT NULL,
        status text NOT NULL DEFAULT 'scheduled',
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        sent_at timestamptz(3),
        message_id text,
        claimed_at timestamptz(3),
        payload jsonb NOT NULL DEFAULT '{}',
        occurrence text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT reminders_pkey PRIMARY KEY (id),
        CONSTRAINT reminders_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT reminders_kind_check CHECK (kind IN ('follow_up_due', 'deadline_approaching', 'certificate_expiring',
          'annual_report_due', 'tsme_renewal', 'contract_item_due')),
        CONSTRAINT reminders_status_check CHECK (status IN ('scheduled', 'sending', 'sent', 'failed', 'cancelled', 'skipped')),
        CONSTRAINT reminders_recipient_role_check CHECK (recipient_role IN ('enterprise', 'officer'))
      )`);
    // Planning twice adds nothing: the planner upserts on this key.
    await q.query(
      `CREATE UNIQUE INDEX reminders_occurrence_key ON reminders (kind, enterprise_id, occurrence, recipient)`,
    );
    await q.query(`CREATE INDEX reminders_due_idx ON reminders (due_at) WHERE status = 'scheduled'`);
    await q.query(`CREATE INDEX reminders_claimed_idx ON reminders (claimed_at) WHERE status = 'sending'`);
    await q.query(`CREATE INDEX reminders_due_at_id_idx ON reminders (due_at, id)`);
    await q.query(`CREATE INDEX reminders_enterprise_idx ON reminders (enterprise_id, due_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reminders`);
  }
}
