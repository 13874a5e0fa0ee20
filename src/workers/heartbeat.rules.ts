import type { AppConfig } from '../config/app-config.js';

/** Beats a worker may miss before it counts as dead. */
export const MISSED_BEATS = 3;

/** Heartbeat rows last written longer ago than this are deleted (a worker gone for a day). */
export const HEARTBEAT_RETENTION_MS = 24 * 3600_000;

type HeartbeatConfig = Pick<AppConfig, 'WORKER_HEARTBEAT_MS'>;

/** An instance is alive while its latest beat is at most this old: three beats. */
export function heartbeatStaleAfterMs(config: HeartbeatConfig): number {
  return MISSED_BEATS * config.WORKER_HEARTBEAT_MS;
}

/** The oldest `beat_at` that still counts as alive at `now`. */
export function aliveSince(now: Date, config: HeartbeatConfig): Date {
  return new Date(now.getTime() - heartbeatStaleAfterMs(config));
}

/** Whether an instance whose latest beat was at `beatAt` is alive at `now`. */
export function isAlive(beatAt: Date, now: Date, config: HeartbeatConfig): boolean {
  return beatAt.getTime() >= aliveSince(now, config).getTime();
}

/**
 * SQL condition: the worker named by the text expression `instanceId` (e.g. `claimed_by`) has
 * beaten at or after `aliveSinceParam` (a placeholder such as `$2`, bound to `aliveSince(now, config)`).
 */
export function workerAliveSql(instanceId: string, aliveSinceParam: string): string {
  return `EXISTS (SELECT 1 FROM worker_heartbeats wh WHERE wh.instance_id = ${instanceId} AND wh.beat_at >= ${aliveSinceParam})`;
}

/**
 * SQL condition for a claim a dead worker left behind: its holder has not beaten since
 * `aliveSinceParam`, and the claim is older than that too. The second half matters at start-up:
 * a worker may claim a job a moment before its first beat is written, and that claim is not orphaned.
 * A NULL holder (a claim from before claimed_by existed) counts as dead once the claim is old.
 */
export function orphanedClaimSql(claimedBy: string, claimedAt: string, aliveSinceParam: string): string {
  return `(${claimedAt} < ${aliveSinceParam} AND NOT ${workerAliveSql(claimedBy, aliveSinceParam)})`;
}
