import { Problem } from '../common/problem.js';

/** How long a request waits for Redis to take a job before answering 503. */
export const ENQUEUE_WAIT_MS = 2000;

/**
 * Waits for a job to be queued on behalf of a request, but not for ever: BullMQ's connection
 * retries without limit (its workers need that), so with Redis down `queue.add` would hold
 * the request until Redis returned. The caller gets a 503 it can retry instead; the add
 * itself goes on and lands when Redis is back.
 */
export async function enqueueWithin<T>(adding: Promise<T>, ms = ENQUEUE_WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Problem(503, 'queue-unavailable', 'The job queue is unavailable for a moment; send the request again.', {}, {
            'retry-after': '5',
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([adding, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
