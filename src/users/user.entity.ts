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
import type { Role } from '../auth/permissions.js';

/** A member of the bureau's staff who signs in: admin, service officer (服务专员) or viewer. */
@Entity('users')
@Check('users_role_check', `role IN ('admin', 'officer', 'viewer')`)
@Check('users_email_lower_check', `email = lower(email)`)
@Index('users_email_key', ['email'], { unique: true })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-cased, so the unique index is case-insensitive in effect. */
  @Column('text')
  email: string;

  @Column('text')
  name: string;

  @Column('text')
  passwordHash: string;

  @Column('text')
  role: Role;

  @Column('boolean', { default: true })
  active: boolean;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
