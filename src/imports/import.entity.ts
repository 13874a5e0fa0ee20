import { Check, Column, Entity, Index, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import type { ActorType } from '../auth/actor.js';
import type { RowError } from './import-plan.js';

/** One real (not dry-run) import of enterprises from a spreadsheet, kept so it can be undone. */
@Entity('imports')
@Check('imports_actor_type_check', `actor_type IN ('user', 'apiKey', 'system')`)
@Check(
  'imports_reverted_by_type_check',
  `reverted_by_type IS NULL OR reverted_by_type IN ('user', 'apiKey', 'system')`,
)
@Check('imports_counts_check', `total >= 0 AND created >= 0 AND updated >= 0`)
// Newest first in GET /imports.
@Index('imports_at_id_idx', ['at', 'id'])
export class ImportRecord {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  filename: string;

  /** SHA-256 of the file as received. */
  @Column('text')
  sha256: string;

  @Column('text')
  actorType: ActorType;

  @Column('text', { nullable: true })
  actorId: string | null;

  @Column('int')
  total: number;

  @Column('int')
  created: number;

  @Column('int')
  updated: number;

  /** The rows skipped and why, as the reply listed them. */
  @Column('jsonb')
  errors: RowError[];

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  revertedAt: Date | null;

  @Column('text', { nullable: true })
  revertedByType: ActorType | null;

  @Column('text', { nullable: true })
  revertedById: string | null;

  @VersionColumn({ default: 1 })
  version: number;
}
