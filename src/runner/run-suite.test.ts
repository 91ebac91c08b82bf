import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startServer, type TestServer } from '../../test/helpers/servers.js';
import { resolveApp } from '../../test/helpers/apps.js';
import type { RunListener } from './listener.js';
import { runSuite } from './run-suite.js';

let server: TestServer;
const hits = new Map<string, number>();

beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const count = (hits.get(url.pathname) ?? 0) + 1;
    hits.set(url.pathname, count);
    if (url.pathname.startsWith('/slow')) return reply(res, 200, 'ok', {}, 100);
    if (url.pathname.startsWith('/flaky')) return count === 1 ? reply(res, 503, 'warming up') : reply(res, 200, 'ok');
    if (url.pathname === '/down') return reply(res, 503, 'down');
    if (url.pathname === '/hang') return;
    return reply(res, 200, 'ok');
  });
});
afterAll(() => server.close());

const run = (app: Record<string, unknown>, listeners: RunListener[] = []) =>
  runSuite({ app: resolveApp({ production_url: server.url, ...app }), release: null, secrets: [] }, { listeners });
const slowChecks = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, http: `/slow-${prefix}-${i}` }));

describe('parallelism', () => {
  it('runs checks in parallel up to the app\'s concurrency, as the server sees it', async () => {
    const parallel = await startServer((_req, res) => reply(res, 200, 'ok', {}, 200));
    const result = await runSuite({ app: resolveApp({ production_url: parallel.url, concurrency: 10, checks: slowChecks(10, 'p').map((c) => ({ ...c, http: '/' })) }), release: null, secrets: [] });
    expect(result.verdict).toBe('green');
    expect(parallel.maxInFlight()).toBe(10);
    await parallel.close();
  });

  it('never runs more than the app\'s concurrency at once', async () => {
    const limited = await startServer((_req, res) => reply(res, 200, 'ok', {}, 50));
    await runSuite({ app: resolveApp({ production_url: limited.url, concurrency: 2, checks: slowChecks(6, 'l').map((c) => ({ ...c, http: '/' })) }), release: null, secrets: [] });
    expect(limited.requests).toHaveLength(6);
    expect(limited.maxInFlight()).toBe(2);
    await limited.close();
  });

  it('runs a check with concurrency: 1 alone', async () => {
    const seen: string[] = [];
    let running = 0;
    let aloneViolated = false;
    const listener: RunListener = {
      onCheckStart: (c) => {
        running++;
        seen.push(c.name);
        if (c.name === 'solo' && running > 1) aloneViolated = true;
        if (c.name !== 'solo' && seen.includes('solo') && !seen.includes('done:solo')) aloneViolated = true;
      },
      onCheckFinish: (r) => {
        running--;
        seen.push(`done:${r.name}`);
      },
    };
    await run({ concurrency: 8, checks: [...slowChecks(3, 'a'), { name: 'solo', http: '/slow-solo', concurrency: 1 }, ...slowChecks(3, 'b')] }, [listener]);
    expect(seen.filter((s) => !s.startsWith('done:'))).toHaveLength(7);
    expect(aloneViolated).toBe(false);
  });
});

describe('retries', () => {
  it('a check that passes on a retry is flaky, and keeps what the first attempt saw', async () => {
    const result = await run({ checks: [{ name: 'warm', http: '/flaky-1', retries: 2, retry_delay_ms: 10, expect: { status: 200 } }] });
    expect(result.checks[0]).toMatchObject({ status: 'flaky', attempts: 2 });
    expect(result.checks[0]?.evidence.previous_attempts).toEqual([{ outcome: 'failed', error: null, failed: ['status 503, expected 200'] }]);
    expect(result.verdict).toBe('green');
    expect(result.summary).toBe("1/1 passed (1 flaky: 'warm')");
  });

  it('a check that keeps failing uses every attempt and fails', async () => {
    hits.delete('/down');
    const result = await run({ retries: 2, retry_delay_ms: 10, checks: [{ name: 'down', http: '/down', expect: { status: 200 } }] });
    expect(result.checks[0]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(hits.get('/down')).toBe(3);
  });
});

describe('the overall deadline', () => {
  it('an interruption (Ctrl-C) ends the run the same way, saying so', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    const result = await runSuite({ app: resolveApp({ production_url: server.url, concurrency: 1, checks: [{ name: 'hang', http: '/hang', timeout_ms: 5000 }, { name: 'never', http: '/' }] }), release: null, secrets: [] }, { signal: stop.signal });
    expect(result.checks.map((c) => [c.name, c.status, c.error])).toEqual([
      ['hang', 'error', 'cut short: the run was interrupted'],
      ['never', 'error', 'not run: the run was interrupted'],
    ]);
  });

  it('cuts running checks short and does not start the rest: both are errors, not failures', async () => {
    const result = await run({ deadline_ms: 300, concurrency: 1, checks: [{ name: 'hang', http: '/hang', timeout_ms: 5000 }, { name: 'never', http: '/' }] });
    expect(result.checks.map((c) => [c.name, c.status, c.error])).toEqual([
      ['hang', 'error', 'cut short: the run deadline of 300 ms was reached'],
      ['never', 'error', 'not run: the run deadline of 300 ms was reached'],
    ]);
    expect(result.verdict).toBe('error');
  });
});

describe('verdicts from real runs', () => {
  it('skipped checks are listed, not run, and do not change a green verdict', async () => {
    const before = server.requests.length;
    const result = await run({ checks: [{ name: 'a', http: '/' }, { name: 'later', http: '/nope', skip: 'until v2 ships' }] });
    expect(result.checks[1]).toMatchObject({ status: 'skipped', error: 'until v2 ships', attempts: 0 });
    expect(server.requests.length).toBe(before + 1);
    expect(result.verdict).toBe('green');
    expect(result.summary).toBe('1/1 passed (1 skipped)');
  });

  it('a checker that cannot run (no browser) is an error, and a failure still makes the verdict red', async () => {
    const noBrowser = { env: { SEAL_CHROMIUM: '/nonexistent/chromium' } };
    const error = await runSuite({ app: resolveApp({ production_url: server.url, checks: [{ name: 'a', http: '/' }, { name: 'page', browser: '/' }] }), release: null, secrets: [] }, noBrowser);
    expect(error.verdict).toBe('error');
    expect(error.checks[1]).toMatchObject({ status: 'error', error: expect.stringContaining('SEAL_CHROMIUM=/nonexistent/chromium is not an executable file') });
    const red = await runSuite({ app: resolveApp({ production_url: server.url, checks: [{ name: 'a', http: '/down', expect: { status: 200 } }, { name: 'page', browser: '/' }] }), release: null, secrets: [] }, noBrowser);
    expect(red.verdict).toBe('red');
  });

  it('emits start and finish for every check, and a throwing listener changes nothing', async () => {
    const events: string[] = [];
    const result = await run({ checks: slowChecks(3, 'e') }, [
      { onCheckStart: () => { throw new Error('reporter bug'); } },
      { onRunStart: () => events.push('run'), onCheckStart: (c) => events.push(`start ${c.name}`), onCheckFinish: (r) => events.push(`finish ${r.name}`), onRunFinish: () => events.push('end') },
    ]);
    expect(result.verdict).toBe('green');
    expect(events[0]).toBe('run');
    expect(events.at(-1)).toBe('end');
    expect(events.filter((e) => e.startsWith('finish'))).toHaveLength(3);
  });

  it('renders the rollback command from the release, or warns on red what is missing', async () => {
    const app = resolveApp({ production_url: server.url, rollback: 'deploy {app} {previous_version} # from {version}', checks: [{ name: 'a', http: '/down', expect: { status: 200 } }] });
    const full = await runSuite({ app, release: { version: 'v2', sha: null, merge_sha: null, previous_version: 'v1' }, secrets: [] });
    expect(full.rollback).toBe('deploy app v1 # from v2');
    const partial = await runSuite({ app, release: { version: 'v2', sha: null, merge_sha: null }, secrets: [] });
    expect(partial.rollback).toBeNull();
    expect(partial.warnings).toEqual(['the rollback command needs {previous_version}: pass --previous-version (or record them with `seal release record`) to print it']);
    const green = await run({ checks: [{ name: 'a', http: '/' }] });
    expect(green.warnings).toEqual([]);
  });
});
