import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the reminder sender needs beyond the outbox: who holds a claim (so a dead worker's
 * claims are freed as soon as its heartbeat stops, not after a fixed wait), every delivery
 * attempt, the workers' heartbeats, and the annual development reports marked filed.
 */
export class ReminderDelivery1764360000000 implements MigrationInterface {
  name = 'ReminderDelivery1764360000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reminders ADD COLUMN claimed_by text`);

    await q.query(`
      CREATE TABLE reminder_attempts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        reminder_id uuid NOT NULL,
        attempt integer NOT NULL,
        worker text NOT NULL,
        started_at timestamptz(3) NOT NULL,
        finished_at timestamptz(3),
        outcome text NOT NULL DEFAULT 'sending',
        error text,
        message_id text,
        CONSTRAINT reminder_attempts_pkey PRIMARY KEY (id),
        CONSTRAINT reminder_attempts_reminder_id_fkey FOREIGN KEY (reminder_id) REFERENCES reminders (id) ON DELETE CASCADE,
        CONSTRAINT reminder_attempts_outcome_check CHECK (outcome IN ('sending', 'sent', 'retrying', 'failed', 'interrupted', 'deferred'))
      )`);
    // The sender gathers one address's due rows into a digest.
    await q.query(`CREATE INDEX reminders_recipient_due_idx ON reminders (recipient, due_at) WHERE status = 'scheduled'`);
    await q.query(`CREATE INDEX reminder_attempts_reminder_idx ON reminder_attempts (reminder_id, attempt)`);

    await q.query(`
      CREATE TABLE worker_heartbeats (
        instance_id text NOT NULL,
        hostname text NOT NULL,
        pid integer NOT NULL,
        role text NOT NULL,
        started_at timestamptz(3) NOT NULL,
        beat_at timestamptz(3) NOT NULL,
        CONSTRAINT worker_heartbeats_pkey PRIMARY KEY (instance_id)
      )`);

    await q.query(`
      CREATE TABLE annual_reports (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL,
        year integer NOT NULL,
        filed_on date NOT NULL,
        note text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT annual_reports_pkey PRIMARY KEY (id),
        CONSTRAINT annual_reports_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT annual_reports_year_check CHECK (year BETWEEN 1990 AND 2100)
      )`);
    await q.query(`CREATE UNIQUE INDEX annual_reports_enterprise_year_key ON annual_reports (enterprise_id, year)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE annual_reports`);
    await q.query(`DROP TABLE worker_heartbeats`);
    await q.query(`DROP TABLE reminder_attempts`);
    await q.query(`ALTER TABLE reminders DROP COLUMN claimed_by`);
  }
}
