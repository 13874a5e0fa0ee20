import type { MigrationInterface, QueryRunner } from 'typeorm';

const PROGRAMS = `'hnte', 'hnte_recert', 'tech_sme'`;
const STAGES = `'cultivating', 'coaching', 'preparing', 'submitted', 'expert_review', 'publicized', 'certified', 'registered', 'rejected', 'withdrawn'`;

/** Certification pipelines: provincial batches, applications and their stage transitions. */
export class Applications1764320000000 implements MigrationInterface {
  name = 'Applications1764320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE batches (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        program text NOT NULL,
        year integer NOT NULL,
        name text NOT NULL,
        registration_deadline date,
        materials_deadline date,
        submission_deadline date NOT NULL,
        notes text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT batches_pkey PRIMARY KEY (id),
        CONSTRAINT batches_program_check CHECK (program IN (${PROGRAMS})),
        CONSTRAINT batches_year_check CHECK (year BETWEEN 1990 AND 2100)
      )`);
    await q.query(`CREATE INDEX batches_submission_deadline_id_idx ON batches (submission_deadline, id)`);

    await q.query(`
      CREATE TABLE applications (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL,
        program text NOT NULL,
        year integer NOT NULL,
        batch_id uuid,
        stage text NOT NULL,
        certificate_no text,
        issued_at date,
        valid_until date,
        registration_no text,
        closed_reason text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT applications_pkey PRIMARY KEY (id),
        CONSTRAINT applications_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE,
        CONSTRAINT applications_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batches (id) ON DELETE SET NULL,
        CONSTRAINT applications_program_check CHECK (program IN (${PROGRAMS})),
        CONSTRAINT applications_stage_check CHECK (stage IN (${STAGES})),
        CONSTRAINT applications_year_check CHECK (year BETWEEN 1990 AND 2100)
      )`);
    // One open application per enterprise and programme (only open ones block a new one).
    await q.query(`
      CREATE UNIQUE INDEX applications_open_key ON applications (enterprise_id, program)
        WHERE stage NOT IN ('certified', 'registered', 'rejected', 'withdrawn')`);
    await q.query(
      `CREATE INDEX applications_enterprise_id_idx ON applications (enterprise_id, created_at, id)`,
    );
    await q.query(`CREATE INDEX applications_program_year_stage_idx ON applications (program, year, stage)`);
    await q.query(`CREATE INDEX applications_batch_id_idx ON applications (batch_id)`);
    await q.query(`CREATE INDEX applications_updated_at_id_idx ON applications (updated_at, id)`);

    await q.query(`
      CREATE TABLE application_transitions (
        id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        application_id uuid NOT NULL,
        from_stage text,
        to_stage text NOT NULL,
        at timestamptz(3) NOT NULL,
        actor_type text NOT NULL,
        actor_id text,
        note text,
        CONSTRAINT application_transitions_pkey PRIMARY KEY (id),
        CONSTRAINT application_transitions_application_id_fkey FOREIGN KEY (application_id) REFERENCES applications (id) ON DELETE CASCADE,
        CONSTRAINT application_transitions_from_stage_check CHECK (from_stage IS NULL OR from_stage IN (${STAGES})),
        CONSTRAINT application_transitions_to_stage_check CHECK (to_stage IN (${STAGES})),
        CONSTRAINT application_transitions_actor_type_check CHECK (actor_type IN ('user', 'apiKey', 'system'))
      )`);
    await q.query(
      `CREATE INDEX application_transitions_application_id_idx ON application_transitions (application_id, id)`,
    );
    await q.query(
      `CREATE INDEX application_transitions_to_stage_at_idx ON application_transitions (to_stage, at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE application_transitions`);
    await q.query(`DROP TABLE applications`);
    await q.query(`DROP TABLE batches`);
  }
}
