/**
 * The time limit that replaced AbortSignal.any + AbortSignal.timeout. Garbage collection is
 * forced every 10 ms while each limit runs: on Node 20 that is what lost the old timeouts (a seal
 * whose Discord never answered ran for minutes, and CI's "hung Discord" test hit its 60 s).
 */
import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../test/helpers/apps.js';
import { startServer, type TestServer } from '../test/helpers/servers.js';
import { DeliveryError, exchange } from './notify/http.js';
import { runSuite } from './runner/run-suite.js';
import { timeLimit, waitAtMost } from './time-limit.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Runs `work` while collecting garbage every 10 ms. */
async function underCollections<T>(work: () => Promise<T>): Promise<T> {
  const collector = setInterval(gc, 10);
  try {
    return await work();
  } finally {
    clearInterval(collector);
  }
}

let silent: TestServer;
beforeAll(async () => {
  // Reads the request and never answers.
  silent = await startServer((req) => void req.resume());
});
afterAll(() => silent.close());

describe('timeLimit', () => {
  it('aborts after its time with a TimeoutError, whatever is collected meanwhile', async () => {
    const limit = underCollections(() => new Promise<{ name: string; timedOut: boolean }>((resolve) => {
      const { signal, timedOut } = timeLimit(300);
      expect(timedOut).toBe(false);
      // Only the listener's closure refers to the limit, as with a request that waits on it.
      signal.addEventListener('abort', () => resolve({ name: (signal.reason as Error).name, timedOut: true }), { once: true });
    }));
    await expect(limit).resolves.toEqual({ name: 'TimeoutError', timedOut: true });
  });

  it('follows other signals: the first to abort gives its reason, and dispose lets go of them', async () => {
    const stop = new AbortController();
    const followed = timeLimit(60_000, stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    stop.abort(new Error('interrupted'));
    expect(followed.signal.aborted).toBe(true);
    expect((followed.signal.reason as Error).message).toBe('interrupted');
    expect(followed.timedOut).toBe(false);

    const other = new AbortController();
    const disposed = timeLimit(50, other.signal);
    disposed.dispose();
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 150));
    other.abort();
    expect(disposed.signal.aborted).toBe(false);

    const already = new AbortController();
    already.abort(new Error('before'));
    expect((timeLimit(60_000, already.signal).signal.reason as Error).message).toBe('before');
  });
});

describe('waitAtMost', () => {
  it('is true for work that settles in time (a rejection too), false for work that never does', async () => {
    expect(await waitAtMost(Promise.resolve('done'), 1000)).toBe(true);
    expect(await waitAtMost(Promise.reject(new Error('failed')), 1000)).toBe(true);
    expect(await waitAtMost(new Promise(() => undefined), 50)).toBe(false);
  });
});

describe('what waits on it', () => {
  it('a delivery to a service that never answers gives up at its deadline', async () => {
    const delivery = underCollections(() => exchange(`${silent.url}/api/webhooks/1/x`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }, { deadline: Date.now() + 800, describe: 'Discord', idempotent: false }));
    await expect(delivery).rejects.toThrow(new DeliveryError('Discord', 'no answer in time (not sent again: it may have arrived)', 1));
  }, 30_000);

  it('an HTTP check of a server that never answers fails at its timeout_ms', async () => {
    const result = await underCollections(() => runSuite({ app: resolveApp({ production_url: silent.url, checks: [{ name: 'silent', http: '/', timeout_ms: 800, retries: 0 }] }), release: null, secrets: [] }));
    expect(result.checks[0]).toMatchObject({ name: 'silent', status: 'failed' });
    expect(result.checks[0]?.error).toMatch(/^timed out after 800 ms/);
  }, 30_000);
});
