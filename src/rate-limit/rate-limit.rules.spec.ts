import { decide, rateKey, windowAt } from './rate-limit.rules.js';

describe('rate limit rules', () => {
  it.each([
    [0, 0, 60_000],
    [59_999, 0, 1],
    [60_000, 1, 60_000],
    [90_500, 1, 29_500],
  ])('at %i ms the window is %i, ending in %i ms', (now, index, resetMs) => {
    expect(windowAt(now)).toEqual({ index, resetMs });
  });

  it('allows up to the limit and refuses the next, counting down what remains', () => {
    expect(decide(3, 1, 30_000)).toEqual({
      allowed: true,
      headers: { 'ratelimit-limit': '3', 'ratelimit-remaining': '2', 'ratelimit-reset': '30' },
      retryAfter: 30,
    });
    expect(decide(3, 3, 30_000).allowed).toBe(true);
    expect(decide(3, 3, 30_000).headers['ratelimit-remaining']).toBe('0');
    expect(decide(3, 4, 30_000).allowed).toBe(false);
    expect(decide(3, 40, 30_000).headers['ratelimit-remaining']).toBe('0');
  });

  it('rounds the wait up, and never to zero', () => {
    expect(decide(1, 2, 1).retryAfter).toBe(1);
    expect(decide(1, 2, 1001).retryAfter).toBe(2);
    expect(decide(1, 2, 60_000).headers['ratelimit-reset']).toBe('60');
  });

  it('keys by prefix, caller and window', () => {
    expect(rateKey('peiyu', 'apiKey', 'k1', 7)).toBe('peiyu:ratelimit:apiKey:k1:7');
  });
});
