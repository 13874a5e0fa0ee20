import type { AppConfig } from '../config/app-config.js';

/** The workers as /health/ready sees them: `stale` when heartbeats exist but none is fresh. */
export interface WorkersReport {
  alive: number;
  newestBeatAt: string | null;
  ageSeconds: number | null;
  status: 'ok' | 'stale' | 'none';
}

/** The oldest reminder that is due and still `scheduled`; `behind` when it has waited too long. */
export interface RemindersReport {
  oldestDueUnsentAt: string | null;
  oldestDueUnsentAgeSeconds: number | null;
  status: 'ok' | 'behind';
}

/**
 * A due reminder waits at most one sweep to be queued, and sending takes seconds; two sweeps
 * and a minute more means the sweeper or the sender is not keeping up (3 min by default).
 */
export function remindersBehindAfterMs(config: Pick<AppConfig, 'REMINDER_SWEEP_INTERVAL_MS'>): number {
  return 2 * config.REMINDER_SWEEP_INTERVAL_MS + 60_000;
}

const secondsBetween = (earlier: Date, later: Date) =>
  Math.max(0, Math.floor((later.getTime() - earlier.getTime()) / 1000));

/** `alive` is the number of heartbeats fresh at `now` (see heartbeatStaleAfterMs); `newestBeatAt` the latest of all. */
export function workersReport(alive: number, newestBeatAt: Date | null, now: Date): WorkersReport {
  return {
    alive,
    newestBeatAt: newestBeatAt?.toISOString() ?? null,
    ageSeconds: newestBeatAt ? secondsBetween(newestBeatAt, now) : null,
    status: alive > 0 ? 'ok' : newestBeatAt ? 'stale' : 'none',
  };
}

export function remindersReport(
  oldestDueUnsentAt: Date | null,
  now: Date,
  config: Pick<AppConfig, 'REMINDER_SWEEP_INTERVAL_MS'>,
): RemindersReport {
  const behind =
    oldestDueUnsentAt !== null &&
    now.getTime() - oldestDueUnsentAt.getTime() > remindersBehindAfterMs(config);
  return {
    oldestDueUnsentAt: oldestDueUnsentAt?.toISOString() ?? null,
    oldestDueUnsentAgeSeconds: oldestDueUnsentAt ? secondsBetween(oldestDueUnsentAt, now) : null,
    status: behind ? 'behind' : 'ok',
  };
}

/** One line per thing an operator should look at; none of them makes the process unready. */
export function healthWarnings(
  workers: WorkersReport,
  reminders: RemindersReport,
  config: Pick<AppConfig, 'REMINDER_SWEEP_INTERVAL_MS'>,
): string[] {
  const warnings: string[] = [];
  if (workers.status === 'stale') {
    warnings.push(
      `workers: no worker has written a heartbeat for ${workers.ageSeconds} s (newest ${workers.newestBeatAt}); jobs and reminders are not being processed`,
    );
  } else if (workers.status === 'none') {
    warnings.push('workers: no worker process is running; jobs and reminders wait until one starts');
  }
  if (reminders.status === 'behind') {
    warnings.push(
      `reminders: the oldest due reminder has waited ${reminders.oldestDueUnsentAgeSeconds} s (more than ${remindersBehindAfterMs(config) / 1000} s) since ${reminders.oldestDueUnsentAt}`,
    );
  }
  return warnings;
}
