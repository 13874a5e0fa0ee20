import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { Scope } from '../auth/permissions.js';

/** A credential for another district system. Only a SHA-256 of the secret is kept. */
@Entity('api_keys')
@Index('api_keys_prefix_key', ['prefix'], { unique: true })
@Check('api_keys_rate_limit_per_minute_check', 'rate_limit_per_minute BETWEEN 1 AND 1000000')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  /** The public part of the key, used to find the row without scanning hashes. */
  @Column('text')
  prefix: string;

  @Column('text')
  secretHash: string;

  @Column('text', { array: true })
  scopes: Scope[];

  /** Requests per minute this key may make; null means RATE_LIMIT_PER_MINUTE. */
  @Column('int', { nullable: true })
  rateLimitPerMinute: number | null;

  @Column('uuid', { nullable: true })
  createdBy: string | null;

  @Column('timestamptz', { nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
