// Queue and job names live here and nowhere else.

export enum QueueName {
  Maintenance = 'maintenance',
}

export enum MaintenanceJob {
  /** Drops idempotency keys past 24 h and login failures past the throttle window. */
  PurgeExpired = 'purge-expired',
}
