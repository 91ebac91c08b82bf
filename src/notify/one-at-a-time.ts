/** Work queued by key: each runs once everything queued before it under the same key has settled. */

/** Queues of work, by key. */
export type Queues = Map<string, Promise<unknown>>;

/** Runs `work` after the work queued before it under `key`; the queue forgets a key once it is empty. */
export function oneAtATime<T>(queues: Queues, key: string, work: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(work, work);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}
