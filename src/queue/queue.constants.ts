// Queue and job names live here and nowhere else.

export enum QueueName {
  Maintenance = 'maintenance',
  Readiness = 'readiness',
  Applications = 'applications',
  Reminders = 'reminders',
  Webhooks = 'webhooks',
}

export enum MaintenanceJob {
  /** Drops idempotency keys past 24 h and login failures past the throttle window. */
  PurgeExpired = 'purge-expired',
}

export enum ReadinessJob {
  /** Re-score one enterprise after its inputs changed (deduplicated per enterprise). */
  Recompute = 'recompute',
  /** Re-score every enterprise: dates move readiness too (the one-year mark, IP expiry). */
  RescoreAll = 'rescore-all',
}

export enum ApplicationsJob {
  /** Daily: certified enterprises whose latest certificate has ended become lapsed. */
  LapseExpired = 'lapse-expired',
}

export enum RemindersJob {
  /** Recurring: queue a send for every reminder that is due, and free rows stuck in sending. */
  Sweep = 'sweep',
  /** Send one reminder (and the address's other due ones, as a digest); carries only the row id. */
  Send = 'send',
  /** Nightly and at worker start: every enterprise's dated reminders planned again. */
  PlanAll = 'plan-all',
}

export enum WebhooksJob {
  /** Recurring: queue every delivery that is due (Redis may have lost it), and free rows stuck in sending. */
  Sweep = 'sweep',
  /** POST one delivery; carries only the row id. Retries are BullMQ's, timed by the row. */
  Deliver = 'deliver',
}
