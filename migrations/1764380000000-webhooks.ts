import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks (issue 6): the hooks, their delivery outbox (one row per event owed to a hook, the
 * body fixed at the event) and every attempt; and a per-key rate limit on API keys.
 */
export class Webhooks1764380000000 implements MigrationInterface {
  name = 'Webhooks1764380000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        url text NOT NULL,
        events text[] NOT NULL,
        secret text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        paused_at timestamptz(3),
        paused_reason text,
        failing_since timestamptz(3),
        consecutive_failures integer NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT webhooks_pkey PRIMARY KEY (id),
        CONSTRAINT webhooks_events_check CHECK (cardinality(events) > 0 AND events <@ ARRAY['enterprise.created', 'enterprise.updated', 'application.transitioned', 'application.certified', 'readiness.changed', 'reminder.failed', 'demand.created']::text[]),
        CONSTRAINT webhooks_paused_check CHECK (active OR paused_reason IS NULL OR paused_at IS NOT NULL)
      )`);

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid NOT NULL,
        webhook_id uuid NOT NULL,
        event text NOT NULL,
        body text NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        retry_from integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz(3) NOT NULL,
        claimed_at timestamptz(3),
        claimed_by text,
        last_attempt_at timestamptz(3),
        last_status_code integer,
        last_error text,
        last_duration_ms integer,
        delivered_at timestamptz(3),
        occurred_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id),
        CONSTRAINT webhook_deliveries_webhook_id_fkey FOREIGN KEY (webhook_id) REFERENCES webhooks (id) ON DELETE CASCADE,
        CONSTRAINT webhook_deliveries_event_check CHECK (event IN ('enterprise.created', 'enterprise.updated', 'application.transitioned', 'application.certified', 'readiness.changed', 'reminder.failed', 'demand.created')),
        CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'sending', 'delivered', 'failed'))
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_webhook_created_idx ON webhook_deliveries (webhook_id, created_at, id)`);
    await q.query(`CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX webhook_deliveries_claimed_idx ON webhook_deliveries (claimed_at) WHERE status = 'sending'`);

    await q.query(`
      CREATE TABLE webhook_attempts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        delivery_id uuid NOT NULL,
        attempt integer NOT NULL,
        worker text NOT NULL,
        started_at timestamptz(3) NOT NULL,
        finished_at timestamptz(3),
        outcome text NOT NULL DEFAULT 'sending',
        status_code integer,
        error text,
        duration_ms integer,
        CONSTRAINT webhook_attempts_pkey PRIMARY KEY (id),
        CONSTRAINT webhook_attempts_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        CONSTRAINT webhook_attempts_outcome_check CHECK (outcome IN ('sending', 'delivered', 'failed', 'refused', 'interrupted'))
      )`);
    await q.query(`CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, attempt)`);

    // Requests per minute for this key; NULL means RATE_LIMIT_PER_MINUTE.
    await q.query(`ALTER TABLE api_keys ADD COLUMN rate_limit_per_minute integer`);
    await q.query(
      `ALTER TABLE api_keys ADD CONSTRAINT api_keys_rate_limit_per_minute_check CHECK (rate_limit_per_minute BETWEEN 1 AND 1000000)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_rate_limit_per_minute_check`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN rate_limit_per_minute`);
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhooks`);
  }
}
