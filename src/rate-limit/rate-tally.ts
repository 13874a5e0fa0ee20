// Counting requests in this process and settling with the shared count in batches: a request
// then costs no round trip to Redis. No Redis, no timers here; the service flushes.

/** Adds `hits` to the shared count of `key` (expiring after `ttlMs`) and answers the new total. */
export type AddShared = (entries: { key: string; hits: number; ttlMs: number }[]) => Promise<(number | null)[]>;

interface Tally {
  window: number;
  ttlMs: number;
  /** The shared count as Redis last answered it, this process's hits included. */
  shared: number;
  /** Hits being added to Redis right now. */
  sending: number;
  /** Hits counted here and not yet sent. */
  unsent: number;
}

/**
 * One process's view of every caller's count in the current window. Its own hits are exact;
 * other processes' hits are known as of this process's last flush of that caller, so across
 * N processes a caller can exceed the limit by what the others serve it in one flush interval.
 */
export class RateTally {
  private readonly tallies = new Map<string, Tally>();

  /** Counts one request and answers the count it makes (the shared count as far as known). */
  hit(key: string, window: number, ttlMs: number): number {
    let tally = this.tallies.get(key);
    if (!tally) {
      tally = { window, ttlMs, shared: 0, sending: 0, unsent: 0 };
      this.tallies.set(key, tally);
    }
    tally.unsent++;
    return tally.shared + tally.sending + tally.unsent;
  }

  get pending(): boolean {
    for (const t of this.tallies.values()) if (t.unsent > 0) return true;
    return false;
  }

  /**
   * Sends the unsent hits and takes in the totals. Hits whose add failed are dropped (the
   * limit fails open, as a request does when Redis is away). Tallies of past windows with
   * nothing in flight are forgotten.
   */
  async flush(currentWindow: number, add: AddShared): Promise<void> {
    for (const [key, t] of this.tallies)
      if (t.window < currentWindow && t.unsent === 0 && t.sending === 0) this.tallies.delete(key);
    const batch: { key: string; tally: Tally; hits: number }[] = [];
    for (const [key, tally] of this.tallies) {
      if (tally.unsent === 0) continue;
      batch.push({ key, tally, hits: tally.unsent });
      tally.sending += tally.unsent;
      tally.unsent = 0;
    }
    if (batch.length === 0) return;
    let totals: (number | null)[] = [];
    try {
      totals = await add(batch.map(({ key, tally, hits }) => ({ key, hits, ttlMs: tally.ttlMs })));
    } finally {
      batch.forEach(({ tally, hits }, i) => {
        tally.sending -= hits;
        const total = totals[i];
        if (typeof total === 'number') tally.shared = Math.max(tally.shared, total);
      });
    }
  }
}
