import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A POST remembered under its Idempotency-Key for 24 hours, per caller. */
@Entity('idempotency_keys')
@Check('idempotency_keys_state_check', `state IN ('pending', 'done')`)
@Index('idempotency_keys_created_at_idx', ['createdAt'])
export class IdempotencyKey {
  /** `user:<id>` or `apiKey:<id>`: keys are scoped to the caller that sent them. */
  @PrimaryColumn('text')
  owner: string;

  @PrimaryColumn('text')
  key: string;

  @Column('text')
  method: string;

  @Column('text')
  path: string;

  @Column('text')
  bodyHash: string;

  /** `pending` while the first request runs, `done` once its response is stored. */
  @Column('text')
  state: 'pending' | 'done';

  @Column('int', { nullable: true })
  responseStatus: number | null;

  @Column('jsonb', { nullable: true })
  responseBody: unknown;

  @Column('jsonb', { nullable: true })
  responseHeaders: Record<string, string> | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt: Date;
}
