import type { MigrationInterface, QueryRunner } from 'typeorm';

const GIN_INDEXES = ['enterprises_name_trgm_idx', 'enterprises_name_ngram_idx', 'enterprises_credit_code_trgm_idx'];

/**
 * Searches slowed down under sustained writes (the 10-minute soak of issue 7): every update of
 * an enterprise adds entries to the three GIN indexes' pending lists (4 MB by default), which
 * every search scans until a vacuum merges them, and autovacuum waited for 20% of the table to
 * be dead. Smaller pending lists are merged by the writers themselves, a little at a time, and
 * the table is vacuumed after 2% of it changes.
 */
export class EnterpriseWriteChurn1764410000000 implements MigrationInterface {
  name = 'EnterpriseWriteChurn1764410000000';

  async up(q: QueryRunner): Promise<void> {
    for (const index of GIN_INDEXES) await q.query(`ALTER INDEX ${index} SET (gin_pending_list_limit = 256)`);
    await q.query(
      `ALTER TABLE enterprises SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of GIN_INDEXES) await q.query(`ALTER INDEX ${index} RESET (gin_pending_list_limit)`);
    await q.query(`ALTER TABLE enterprises RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)`);
  }
}
