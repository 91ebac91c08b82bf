// The second process of the server bench: load on a running `seal serve`, with each request's
// latency measured here, as a user's browser or CI job would see it. Prints one JSON line.
//   node bench/server-load.mjs board  <url> <concurrency> <durationMs> <apps>
//   node bench/server-load.mjs ingest <url> <concurrency> <count> <token>
//   node bench/server-load.mjs get    <url> <concurrency> <durationMs> <paths as a JSON array>
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const [mode, url, concurrencyText, amountText, extra] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const pool = new Pool(url, { connections: concurrency, pipelining: 1 });

/** Latency percentiles of sorted samples (ms). */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** GETs `nextPath()` with `concurrency` requests in flight for `durationMs`; `ok(status, body)` judges each answer. */
async function getFor(durationMs, nextPath, ok) {
  const until = performance.now() + durationMs;
  const latencies = [];
  let errors = 0;
  let bytes = 0;
  async function worker() {
    while (performance.now() < until) {
      const path = nextPath();
      const started = performance.now();
      try {
        const response = await pool.request({ path, method: 'GET' });
        const body = await response.body.text();
        if (!ok(response.statusCode, body)) errors++;
        bytes += body.length;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - started);
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, rps: latencies.length / (elapsed / 1000), p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1), meanBytes: bytes / latencies.length };
}

function board(durationMs, apps) {
  let n = 0;
  // The mix a busy board sees: the newest page, one app's page, an older page.
  const paths = () => {
    const i = n++;
    if (i % 3 === 0) return '/deployments';
    if (i % 3 === 1) return `/deployments?app=app-${String(i % apps).padStart(2, '0')}`;
    return `/deployments?before=${5000 + (i % 4000)}`;
  };
  return getFor(durationMs, paths, (status, body) => status === 200 && body.includes('data-version='));
}

function runResult(app, version, i) {
  const now = new Date().toISOString();
  const verdict = i % 10 === 0 ? 'red' : 'green';
  return {
    run_id: randomUUID(), app, base_url: 'https://studio.example.com', verdict,
    summary: verdict === 'red' ? "4/5 passed; 'devops hidden' failed: status 200, expected 404" : '5/5 passed',
    started_at: now, finished_at: now, duration_ms: 812, release: { version, sha: 'abc123', merge_sha: 'def456' },
    checks: ['up', 'home', 'devops hidden', 'health', 'signed-in api'].map((name, k) => ({
      name, kind: 'http', status: verdict === 'red' && k === 2 ? 'failed' : 'passed', duration_ms: 40 + k, attempts: 1,
      assertions: [{ label: 'status == 200', ok: !(verdict === 'red' && k === 2), expected: 200, actual: 200 }], error: null,
      evidence: { response: { status: 200, headers: { 'content-type': 'text/html' }, body_excerpt: '<!doctype html><title>Studio</title>'.repeat(8) } },
    })),
    blocked_requests: [], rollback: 'git revert -m 1 def456', warnings: [], evidence_dir: null,
    rollback_template: 'git revert -m 1 {merge_sha}',
  };
}

async function ingest(count, token) {
  let next = 0;
  let errors = 0;
  const latencies = [];
  let firstError = null;
  async function worker() {
    while (next < count) {
      const i = next++;
      // Spread over 20 apps and 500 releases of each, as many CI jobs would.
      const app = `app-${String(i % 20).padStart(2, '0')}`;
      const version = `v${Math.floor(i / 20) % 500}`;
      const body = JSON.stringify(runResult(app, version, i));
      const started = performance.now();
      try {
        const response = await pool.request({ path: `/api/releases/${app}/${version}/seals`, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
        const text = await response.body.text();
        if (response.statusCode !== 201) {
          errors++;
          firstError ??= `${response.statusCode} ${text.slice(0, 200)}`;
        }
      } catch (error) {
        errors++;
        firstError ??= error.message;
      }
      latencies.push(performance.now() - started);
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { seals: count, errors, firstError, elapsedMs: elapsed, perSecond: count / (elapsed / 1000), p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

/** GETs the paths in turn, `concurrency` at a time, for `durationMs`: each must answer 200. */
function get(durationMs, paths) {
  let n = 0;
  return getFor(durationMs, () => paths[n++ % paths.length], (status) => status === 200);
}

const result = mode === 'board' ? await board(Number(amountText), Number(extra)) : mode === 'get' ? await get(Number(amountText), JSON.parse(extra)) : await ingest(Number(amountText), extra);
await pool.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
