// The webhook outbox's enums and rules as plain values and functions: no Nest, no ORM, no clock.

/** Events a hook may subscribe to (API.md), each announced on the DomainEvents bus. */
export const WEBHOOK_EVENTS = [
  'enterprise.created',
  'enterprise.updated',
  'application.transitioned',
  'application.certified',
  'readiness.changed',
  'reminder.failed',
  'demand.created',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const isWebhookEvent = (type: string): type is WebhookEvent =>
  (WEBHOOK_EVENTS as readonly string[]).includes(type);

/** `pending` (waiting for its next attempt), `sending`, `delivered` (a 2xx), `failed` (out of retries). */
export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** `interrupted`: the worker died holding it; `refused`: the address turned out private at send time. */
export const ATTEMPT_OUTCOMES = ['sending', 'delivered', 'failed', 'refused', 'interrupted'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** Tries per delivery (per replay): the first, then retries after 1, 2, 4 … 256 min, 8 h, 8 h (at the default base). */
export const MAX_ATTEMPTS = 12;
/** The longest wait between two tries, as a multiple of the base delay (8 h at the 1-minute default). */
export const RETRY_CAP_FACTOR = 480;
/** A hook whose every attempt has failed for this long is paused and the admins are told. */
export const PAUSE_AFTER_MS = 24 * 3600_000;
/** A request (connect, send, answer) that takes longer than this counts as failed. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** A claim older than this belongs to a crashed worker whatever its heartbeat says (requests time out long before). */
export const STUCK_AFTER_MS = 5 * 60_000;
/** How much of a receiver's answer is kept with the attempt, for people reading why it failed. */
export const RESPONSE_SNIPPET_BYTES = 500;

/** The wait after the `attempt`-th failed try of a series (1-based): base × 2^(attempt−1), capped. */
export function retryDelayMs(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), baseMs * RETRY_CAP_FACTOR);
}

/** After a failed try: retry in so many ms, or give up (the series has had its MAX_ATTEMPTS). */
export function afterFailure(seriesAttempt: number, baseMs: number): { retryInMs: number } | { giveUp: true } {
  return seriesAttempt >= MAX_ATTEMPTS ? { giveUp: true } : { retryInMs: retryDelayMs(seriesAttempt, baseMs) };
}

/** The whole schedule: when each try happens, in ms after the first. */
export function retrySchedule(baseMs: number): number[] {
  const at = [0];
  for (let n = 1; n < MAX_ATTEMPTS; n++) at.push(at[n - 1] + retryDelayMs(n, baseMs));
  return at;
}

/**
 * Whether a hook that just failed again should be paused: nothing has succeeded since
 * `failingSince` and that is a day ago. A count of failures alone would pause a busy hook on
 * a receiver's one-minute restart; a day of nothing but failures means nobody is listening.
 */
export function shouldPause(failingSince: Date | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= PAUSE_AFTER_MS;
}

/** 2xx is delivered; anything else (redirects included: they are not followed) failed. */
export const isDelivered = (statusCode: number) => statusCode >= 200 && statusCode < 300;
