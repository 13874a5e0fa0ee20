import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Enterprise imports (with what a revert needs) and reconciliations with official lists. */
export class Imports1764390000000 implements MigrationInterface {
  name = 'Imports1764390000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE imports (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        filename text NOT NULL,
        sha256 text NOT NULL,
        actor_type text NOT NULL,
        actor_id text,
        total integer NOT NULL,
        created integer NOT NULL,
        updated integer NOT NULL,
        errors jsonb NOT NULL,
        at timestamptz(3) NOT NULL,
        reverted_at timestamptz(3),
        reverted_by_type text,
        reverted_by_id text,
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT imports_pkey PRIMARY KEY (id),
        CONSTRAINT imports_actor_type_check CHECK (actor_type IN ('user', 'apiKey', 'system')),
        CONSTRAINT imports_reverted_by_type_check CHECK (reverted_by_type IS NULL OR reverted_by_type IN ('user', 'apiKey', 'system')),
        CONSTRAINT imports_counts_check CHECK (total >= 0 AND created >= 0 AND updated >= 0)
      )`);
    await q.query(`CREATE INDEX imports_at_id_idx ON imports (at, id)`);

    await q.query(`
      CREATE TABLE import_rows (
        import_id uuid NOT NULL,
        enterprise_id uuid NOT NULL,
        row integer NOT NULL,
        action text NOT NULL,
        before jsonb,
        after_version integer NOT NULL,
        CONSTRAINT import_rows_pkey PRIMARY KEY (import_id, enterprise_id),
        CONSTRAINT import_rows_import_id_fkey FOREIGN KEY (import_id) REFERENCES imports (id) ON DELETE CASCADE,
        CONSTRAINT import_rows_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT import_rows_action_check CHECK (action IN ('created', 'updated')),
        CONSTRAINT import_rows_before_check CHECK ((action = 'created') = (before IS NULL))
      )`);
    await q.query(`CREATE INDEX import_rows_enterprise_id_idx ON import_rows (enterprise_id)`);

    await q.query(`
      CREATE TABLE reconciliations (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        program text NOT NULL,
        issued_at date,
        year integer,
        batch_id uuid,
        filename text NOT NULL,
        sha256 text NOT NULL,
        actor_type text NOT NULL,
        actor_id text,
        at timestamptz(3) NOT NULL,
        outcome jsonb NOT NULL,
        CONSTRAINT reconciliations_pkey PRIMARY KEY (id),
        CONSTRAINT reconciliations_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batches (id) ON DELETE SET NULL,
        CONSTRAINT reconciliations_program_check CHECK (program IN ('hnte', 'tech_sme')),
        CONSTRAINT reconciliations_actor_type_check CHECK (actor_type IN ('user', 'apiKey', 'system')),
        CONSTRAINT reconciliations_year_check CHECK (year IS NULL OR year BETWEEN 1990 AND 2100)
      )`);
    await q.query(`CREATE INDEX reconciliations_at_id_idx ON reconciliations (at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reconciliations`);
    await q.query(`DROP TABLE import_rows`);
    await q.query(`DROP TABLE imports`);
  }
}
