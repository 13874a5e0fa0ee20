import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A failed sign-in, kept 15 minutes to throttle guessing across every API process. */
@Entity('login_failures')
@Index('login_failures_email_at_idx', ['email', 'at'])
export class LoginFailure {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('text')
  email: string;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;
}
