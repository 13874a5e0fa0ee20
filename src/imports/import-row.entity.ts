import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Enterprise } from '../enterprises/enterprise.entity.js';
import type { EnterpriseValues } from '../enterprises/enterprise-values.js';
import { ImportRecord } from './import.entity.js';

/**
 * An enterprise an import created or changed, with what a revert needs: the values before
 * (updates) and the version the import left, to tell whether anyone changed it since.
 */
@Entity('import_rows')
@Check('import_rows_action_check', `action IN ('created', 'updated')`)
@Check('import_rows_before_check', `(action = 'created') = (before IS NULL)`)
@Index('import_rows_enterprise_id_idx', ['enterpriseId'])
export class ImportRow {
  @PrimaryColumn('uuid')
  importId: string;

  @ManyToOne(() => ImportRecord, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'import_id', foreignKeyConstraintName: 'import_rows_import_id_fkey' })
  import?: ImportRecord;

  @PrimaryColumn('uuid')
  enterpriseId: string;

  @ManyToOne(() => Enterprise, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'import_rows_enterprise_id_fkey' })
  enterprise?: Enterprise;

  /** The spreadsheet row it came from. */
  @Column('int')
  row: number;

  @Column('text')
  action: 'created' | 'updated';

  @Column('jsonb', { nullable: true })
  before: EnterpriseValues | null;

  @Column('int')
  afterVersion: number;
}
