import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sweeper pages due reminders by (due_at, id): the partial index on scheduled rows carries
 * id too, so a page stays an index scan of due rows only, whatever else the outbox holds.
 */
export class RemindersDuePage1764400000000 implements MigrationInterface {
  name = 'RemindersDuePage1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX reminders_due_idx`);
    await q.query(`CREATE INDEX reminders_due_idx ON reminders (due_at, id) WHERE status = 'scheduled'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX reminders_due_idx`);
    await q.query(`CREATE INDEX reminders_due_idx ON reminders (due_at) WHERE status = 'scheduled'`);
  }
}
