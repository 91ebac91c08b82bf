/**
 * A time limit as an abort signal: what `AbortSignal.any([AbortSignal.timeout(ms), ...also])`
 * promises, with a timer that cannot be lost.
 *
 * On Node 20, `AbortSignal.any` holds a `AbortSignal.timeout` source only weakly, and the
 * timeout's own timer holds its signal only weakly too: a garbage collection while the request
 * waits drops the timeout, and a request to a service that never answers then waits for
 * undici's own limit (300 s) or for ever (nodejs/node#57736, fixed in Node 22). Measured here:
 * a POST to a server that never answers, under a 1 s limit, with a collection every 50 ms: no
 * abort after 8 s on Node 20.20; aborted at 1 s on Node 22.23 and 24.22. This timer is an
 * ordinary one whose callback holds the controller, so it fires whatever is collected; it is
 * unref'd, as `AbortSignal.timeout`'s is, so it never keeps a process alive by itself.
 */

/** A signal that aborts after a time, or when any signal it follows aborts. */
export interface TimeLimit {
  readonly signal: AbortSignal;
  /** True once the time ran out (not when a followed signal aborted first). */
  readonly timedOut: boolean;
  /** Stops the timer and stops following the other signals. Call it when the work is over. */
  dispose(): void;
}

/**
 * Aborts after `ms` with a `TimeoutError` DOMException (as `AbortSignal.timeout` does, so
 * `fetch` rejects with an error named `TimeoutError`), or with the reason of the first of `also`
 * to abort.
 */
export function timeLimit(ms: number, ...also: readonly AbortSignal[]): TimeLimit {
  const controller = new AbortController();
  let timedOut = false;
  const follows: Array<{ source: AbortSignal; onAbort: () => void }> = [];
  const dispose = (): void => {
    clearTimeout(timer);
    for (const { source, onAbort } of follows) source.removeEventListener('abort', onAbort);
    follows.length = 0;
  };
  const timer = setTimeout(() => {
    timedOut = true;
    dispose();
    controller.abort(new DOMException(`The operation was aborted due to timeout (${ms} ms)`, 'TimeoutError'));
  }, Math.max(0, ms));
  timer.unref();
  for (const source of also) {
    if (source.aborted) {
      dispose();
      controller.abort(source.reason);
      break;
    }
    const onAbort = (): void => {
      dispose();
      controller.abort(source.reason);
    };
    source.addEventListener('abort', onAbort, { once: true });
    follows.push({ source, onAbort });
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose,
  };
}

/**
 * Waits for `work` to settle, or `ms`, whichever comes first; true when it settled in time. A
 * rejection counts as settled (whoever needs its reason awaits `work` itself). The timer is
 * cleared either way: nothing is left to keep the process alive.
 */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
