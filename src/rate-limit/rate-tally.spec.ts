import { RateTally, type AddShared } from './rate-tally.js';

/** A shared store standing in for Redis: INCRBY per key. */
function store() {
  const counts = new Map<string, number>();
  const add: AddShared = async (entries) =>
    entries.map(({ key, hits }) => {
      counts.set(key, (counts.get(key) ?? 0) + hits);
      return counts.get(key)!;
    });
  return { counts, add };
}

describe('RateTally', () => {
  it('counts its own hits exactly, before and after a flush', async () => {
    const { counts, add } = store();
    const tally = new RateTally();
    expect([1, 2, 3].map(() => tally.hit('k', 7, 60_000))).toEqual([1, 2, 3]);
    expect(tally.pending).toBe(true);
    await tally.flush(7, add);
    expect(counts.get('k')).toBe(3);
    expect(tally.pending).toBe(false);
    expect(tally.hit('k', 7, 60_000)).toBe(4);
  });

  it('learns other processes’ hits at its flush, so two processes over-run a limit by at most one interval', async () => {
    const { add } = store();
    const a = new RateTally();
    const b = new RateTally();
    for (let i = 0; i < 5; i++) a.hit('k', 1, 60_000);
    await a.flush(1, add);
    // b has not flushed yet: it knows only its own hit.
    expect(b.hit('k', 1, 60_000)).toBe(1);
    await b.flush(1, add);
    expect(b.hit('k', 1, 60_000)).toBe(7);
    expect(a.hit('k', 1, 60_000)).toBe(6);
    await a.flush(1, add);
    // Everything but b's last hit, which b has not sent yet: 9 hits made, 8 known to a.
    expect(a.hit('k', 1, 60_000)).toBe(8);
  });

  it('keeps counting hits made while a flush is in flight', async () => {
    const { add } = store();
    const tally = new RateTally();
    tally.hit('k', 1, 60_000);
    tally.hit('k', 1, 60_000);
    let release!: () => void;
    const slow: AddShared = async (entries) => {
      await new Promise<void>((r) => (release = r));
      return add(entries);
    };
    const flushing = tally.flush(1, slow);
    expect(tally.hit('k', 1, 60_000)).toBe(3);
    release();
    await flushing;
    expect(tally.hit('k', 1, 60_000)).toBe(4);
  });

  it('drops the hits of a failed flush (fails open) and keeps counting', async () => {
    const tally = new RateTally();
    tally.hit('k', 1, 60_000);
    tally.hit('k', 1, 60_000);
    await expect(tally.flush(1, () => Promise.reject(new Error('redis away')))).rejects.toThrow('redis away');
    expect(tally.pending).toBe(false);
    expect(tally.hit('k', 1, 60_000)).toBe(1);
  });

  it('forgets callers of past windows once nothing of theirs is pending', async () => {
    const { add } = store();
    const tally = new RateTally();
    tally.hit('old', 1, 60_000);
    await tally.flush(1, add);
    await tally.flush(2, add);
    // A new window has its own key; an old key seen again starts from what Redis says, not 1 + stale.
    expect(tally.hit('old', 1, 60_000)).toBe(1);
  });
});
