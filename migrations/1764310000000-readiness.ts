import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Stored readiness assessments, nightly runs, and the verdict kept on each enterprise. */
export class Readiness1764310000000 implements MigrationInterface {
  name = 'Readiness1764310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE readiness_assessments (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL,
        program text NOT NULL,
        rule_set text NOT NULL,
        assessment_date date NOT NULL,
        verdict text NOT NULL,
        eligible boolean NOT NULL,
        score_min integer NOT NULL,
        score_max integer NOT NULL,
        result jsonb NOT NULL,
        inputs jsonb NOT NULL,
        unverified_years integer[] NOT NULL DEFAULT '{}',
        result_hash text NOT NULL,
        previous_verdict text,
        trigger text NOT NULL,
        assessed_at timestamptz(3) NOT NULL DEFAULT now(),
        checked_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT readiness_assessments_pkey PRIMARY KEY (id),
        CONSTRAINT readiness_assessments_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT readiness_assessments_program_check CHECK (program IN ('hnte', 'tech_sme')),
        CONSTRAINT readiness_assessments_verdict_check CHECK (verdict IN ('ready', 'borderline', 'not_ready'))
      )`);
    await q.query(
      `CREATE INDEX readiness_assessments_enterprise_idx ON readiness_assessments (enterprise_id, program, assessed_at)`,
    );
    await q.query(`
      CREATE TABLE readiness_runs (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        started_at timestamptz(3) NOT NULL,
        finished_at timestamptz(3),
        enterprises integer NOT NULL DEFAULT 0,
        changed integer NOT NULL DEFAULT 0,
        verdicts_changed integer NOT NULL DEFAULT 0,
        ms_per10k integer[] NOT NULL DEFAULT '{}',
        error text,
        CONSTRAINT readiness_runs_pkey PRIMARY KEY (id)
      )`);
    await q.query(
      `ALTER TABLE enterprises ADD readiness_verdict text, ADD readiness_score_min integer, ADD readiness_score_max integer`,
    );
    await q.query(`CREATE INDEX enterprises_readiness_verdict_id_idx ON enterprises (readiness_verdict, id)`);
    // sort=-scoreMin walks this: unassessed enterprises (null) sort after every score.
    await q.query(
      `CREATE INDEX enterprises_readiness_score_idx ON enterprises ((coalesce(readiness_score_min, -1)), id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX enterprises_readiness_score_idx`);
    await q.query(`DROP INDEX enterprises_readiness_verdict_id_idx`);
    await q.query(
      `ALTER TABLE enterprises DROP readiness_verdict, DROP readiness_score_min, DROP readiness_score_max`,
    );
    await q.query(`DROP TABLE readiness_runs`);
    await q.query(`DROP TABLE readiness_assessments`);
  }
}
