import { Global, Injectable, Logger, Module } from '@nestjs/common';
import { Clock } from './clock.js';

/**
 * What happened to the bureau's records, announced after the transaction commits so that
 * features higher up react (recompute a score, plan a reminder, send a webhook) without the
 * lower feature knowing about them.
 */
export type DomainEvent =
  | { type: 'enterprise.created'; enterpriseId: string }
  | { type: 'enterprise.updated'; enterpriseId: string; fields: string[] }
  | { type: 'enterprise.deleted'; enterpriseId: string }
  /** Yearly figures, IP assets or the innovation profile changed: readiness is stale. */
  | { type: 'enterprise.readinessInputsChanged'; enterpriseId: string }
  /** An application was opened (from null) or moved to another stage. */
  | {
      type: 'application.transitioned';
      applicationId: string;
      enterpriseId: string;
      from: string | null;
      to: string;
    }
  /** A certificate was issued (HNTE) or a registration granted (tech SME). */
  | {
      type: 'application.certified';
      applicationId: string;
      enterpriseId: string;
      certificateNo: string;
      validUntil: string;
    }
  /** A batch changed, its deadlines perhaps. */
  | { type: 'batch.updated'; batchId: string }
  /** A service contract or its items were created or changed. */
  | { type: 'contract.changed'; contractId: string; enterpriseId: string }
  /** An annual development report was marked filed (or the mark was corrected or removed). */
  | { type: 'annualReport.changed'; enterpriseId: string; year: number }
  /** An enterprise's readiness verdict or score range changed (after a recompute). */
  | {
      type: 'readiness.changed';
      enterpriseId: string;
      from: string | null;
      to: string;
      scoreMin: number;
      scoreMax: number;
    }
  /** A reminder could not be delivered (a rejected address, a broken template): someone must act. */
  | {
      type: 'reminder.failed';
      reminderId: string;
      enterpriseId: string | null;
      kind: string;
      recipient: string;
      error: string;
    }
  /** A follow-up (挂号跟踪) was registered, changed, logged, closed or promoted. */
  | { type: 'tracking.changed'; trackingId: string; enterpriseId: string }
  /** An enterprise raised a technical problem or a talent need (企业需求). */
  | { type: 'demand.created'; demandId: string; enterpriseId: string };

/** How long a request waits for the listeners of its events. */
export const LISTENER_WAIT_MS = 3000;

type Listener = (event: DomainEvent) => Promise<void> | void;

@Injectable()
export class DomainEvents {
  private readonly logger = new Logger(DomainEvents.name);
  private readonly listeners: Listener[] = [];

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  /**
   * Call after commit. Listeners only enqueue work (the rows are the truth and sweepers
   * catch what a crash loses), so one failing is logged, never thrown at the caller. The
   * caller waits at most LISTENER_WAIT_MS: with Redis down, a listener queueing a job would
   * otherwise hold the request until Redis came back; it goes on in the background instead.
   */
  async publish(event: DomainEvent): Promise<void> {
    const all = Promise.all(
      this.listeners.map(async (listener) => {
        try {
          await listener(event);
        } catch (err) {
          this.logger.error({ err, event }, 'A listener failed on a domain event');
        }
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), LISTENER_WAIT_MS);
      timer.unref();
    });
    const outcome = await Promise.race([all, waited]);
    clearTimeout(timer);
    if (outcome === 'late') this.logger.warn({ event }, 'Listeners are slow (Redis down?); not waiting for them');
  }
}

/** Cross-cutting services every feature may inject: domain events and the clock. */
@Global()
@Module({ providers: [DomainEvents, Clock], exports: [DomainEvents, Clock] })
export class DomainEventsModule {}
