import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ActorType } from '../auth/actor.js';

/** One mutation: who did what to which record, with the fields before and after. */
@Entity('audit_entries')
@Check('audit_entries_actor_type_check', `actor_type IN ('user', 'apiKey', 'system')`)
@Index('audit_entries_entity_idx', ['entity', 'entityId', 'id'])
@Index('audit_entries_at_idx', ['at'])
export class AuditEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;

  @Column('text')
  actorType: ActorType;

  @Column('text', { nullable: true })
  actorId: string | null;

  @Column('text')
  action: string;

  @Column('text')
  entity: string;

  @Column('text')
  entityId: string;

  @Column('jsonb', { default: {} })
  changes: Record<string, [unknown, unknown]>;

  @Column('text', { nullable: true })
  requestId: string | null;
}
