/**
 * The ledger through the real CLI: the release commands, `seal smoke` recording its seal, a
 * store that is down or busy (the verdict stands, exit 0), several processes at once, and a
 * process killed mid-write.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/runner/run-result.js';
import { openDb } from '../src/store/db.js';
import { Ledger } from '../src/store/ledger.js';
import { displayWidth } from '../src/reporters/columns.js';
import { ROOT, runCli } from './helpers/cli.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

let prod: TestServer;
let dir: string;
let config: string;
const fresh = (): string => mkdtempSync(join(tmpdir(), 'seal-ledger-'));

beforeAll(async () => {
  prod = await startServer((req, res) => reply(res, req.url === '/down' ? 503 : 200, 'OK'));
  dir = mkdtempSync(join(tmpdir(), 'seal-store-cli-'));
  config = join(dir, 'seal.config.yaml');
  writeFileSync(config, `apps:\n  studio:\n    production_url: ${prod.url}\n    checks:\n      - { name: up, http: /up, expect: { status: 200 } }\n`);
});
afterAll(() => prod?.close());

describe('seal release and seal smoke on the embedded store', () => {
  it('records releases, seals the one named by --release, and shows it with its history', async () => {
    const env = { SEAL_DATA_DIR: fresh() };
    const notes = join(dir, 'notes.md');
    writeFileSync(notes, '# v3.3.0\n\n- faster uploads\n');
    expect((await runCli(['release', 'record', 'studio', '--version', 'v3.2.0', '--sha', 'aaa111'], { env, timeoutMs: 60_000 })).code).toBe(0);
    const recorded = await runCli(['release', 'record', 'studio', '--version', 'v3.3.0', '--sha', 'bbb222', '--merge-sha', '5e4d3c2', '--branch', 'main', '--notes-file', notes, '--deployed-at', '2026-11-21T14:05:00+01:00', '--json'], { env, timeoutMs: 60_000 });
    expect(JSON.parse(recorded.stdout)).toMatchObject({ created: true, release: { version: 'v3.3.0', previous_version: 'v3.2.0', deployed_at: '2026-11-21T13:05:00.000Z', notes: '# v3.3.0\n\n- faster uploads\n' } });

    const sealed = await runCli(['smoke', 'studio', '--config', config, '--release', 'v3.3.0', '--json'], { env, timeoutMs: 60_000 });
    expect(sealed.code).toBe(0);
    const run = JSON.parse(sealed.stdout) as RunResult;
    // The ledger knew the merge sha: the release in the result carries it.
    expect(run).toMatchObject({ verdict: 'green', release: { version: 'v3.3.0', merge_sha: '5e4d3c2', previous_version: 'v3.2.0' }, warnings: [] });

    const shown = await runCli(['release', 'show', 'studio', 'v3.3.0', '--json'], { env, timeoutMs: 60_000 });
    expect(JSON.parse(shown.stdout)).toMatchObject({ smoke_seal: { status: 'green', summary: '1/1 passed', run_id: run.run_id }, seal_history: [{ run_id: run.run_id, status: 'green' }] });
    const listed = await runCli(['release', 'list', 'studio'], { env, timeoutMs: 60_000 });
    expect(listed.stdout).toMatch(/v3\.3\.0 +bbb222 +2026-11-21 13:05 UTC +🟢 green/);
    expect(listed.stdout).toMatch(/v3\.2\.0 +aaa111 +- +… pending/);
    // Aligned on a terminal: every row's SEAL and CHECKED columns start at the header's (emoji two columns wide).
    const [header = '', ...rows] = listed.stdout.trimEnd().split('\n');
    for (const line of rows) {
      const badgeAt = line.search(/🟢|…/);
      expect(displayWidth(line.slice(0, badgeAt)), line).toBe(header.indexOf('SEAL'));
      const checkedAt = line.length - line.slice(badgeAt).replace(/^(🟢 green|… pending) +/, '').length;
      expect(displayWidth(line.slice(0, checkedAt)), line).toBe(header.indexOf('CHECKED'));
    }
    // Local time where TZ says so; JSON stays UTC.
    const kolkata = await runCli(['release', 'list', 'studio'], { env: { ...env, TZ: 'Asia/Kolkata' }, timeoutMs: 60_000 });
    expect(kolkata.stdout).toMatch(/v3\.3\.0 +bbb222 +2026-11-21 18:35 \+05:30 +🟢 green/);
    // The listing is for pipes: grep finds the green release, and stderr holds nothing of it.
    const grep = await runCli([], { env, shell: `"${process.execPath}" "${ROOT}bin/seal" release list studio | grep green`, timeoutMs: 60_000 });
    expect(grep.code).toBe(0);
    expect(grep.stdout).toMatch(/^v3\.3\.0 .*🟢 green/);
    expect(grep.stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('without --release, seals the latest release; a red seal prints the rollback from the ledger\'s merge sha', async () => {
    const env = { SEAL_DATA_DIR: fresh() };
    await runCli(['release', 'record', 'studio', '--version', 'v1', '--merge-sha', 'cafe123'], { env, timeoutMs: 60_000 });
    const red = join(dir, 'red.yaml');
    writeFileSync(red, `apps:\n  studio:\n    production_url: ${prod.url}\n    checks:\n      - { name: up, http: /down, expect: { status: 200 } }\n`);
    const run = await runCli(['smoke', 'studio', '--config', red, '--json'], { env, timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { verdict: string; release: { version: string | null } | null; warnings: string[] };
    if (printed.release?.version === 'v1') {
      expect(printed).toMatchObject({ verdict: 'red', rollback: 'git revert -m 1 cafe123' });
    } else {
      // A loaded machine: the store was not read within the preview's 3 s, so the verdict was
      // printed as the run made it, said so, and the recording that followed found the release.
      expect(printed.verdict).toBe('red');
      expect(printed.warnings.join('\n')).toMatch(/could not be read within \d+ ms \(recording goes on/);
      expect(run.stderr).toContain('Recorded on release v1');
    }
    expect(run.stderr).toContain('git revert -m 1 cafe123');
  });

  it('seal stats reports deployments, seal pass rate and change failure rate, as text and JSON', async () => {
    const env = { SEAL_DATA_DIR: fresh() };
    const red = join(dir, 'red-stats.yaml');
    writeFileSync(red, `apps:\n  studio:\n    production_url: ${prod.url}\n    checks:\n      - { name: up, http: /down, expect: { status: 200 } }\n`);
    await runCli(['smoke', 'studio', '--config', config, '--release', 'v1'], { env, timeoutMs: 60_000 });
    await runCli(['smoke', 'studio', '--config', red, '--release', 'v2'], { env, timeoutMs: 60_000 });
    const json = await runCli(['stats', 'studio', '--days', '7', '--json'], { env, timeoutMs: 60_000 });
    expect(JSON.parse(json.stdout)).toMatchObject({ app: 'studio', days: 7, deployments: 2, sealed: 2, green: 1, red: 1, error: 0, seal_pass_rate: 0.5, change_failure_rate: 0.5 });
    const text = await runCli(['stats', 'studio'], { env, timeoutMs: 60_000 });
    expect(text.stdout).toMatch(/^ {2}change failure rate +50\.0 % +1 of 2 deployments failed/m);
    expect(text.stdout).toMatch(/^ {2}seal pass rate +50\.0 %$/m);
    const bad = await runCli(['stats', 'studio', '--days', 'forever'], { env, timeoutMs: 60_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--days must be a number of days');
  });

  it('--sha and --merge-sha on seal smoke win over what the ledger has for the release', async () => {
    const env = { SEAL_DATA_DIR: fresh() };
    await runCli(['release', 'record', 'studio', '--version', 'v1', '--sha', 'old111'], { env, timeoutMs: 60_000 });
    const red = join(dir, 'red-flags.yaml');
    writeFileSync(red, `apps:\n  studio:\n    production_url: ${prod.url}\n    checks:\n      - { name: up, http: /down, expect: { status: 200 } }\n`);
    const run = await runCli(['smoke', 'studio', '--config', red, '--sha', 'new222', '--merge-sha', 'beef999', '--json'], { env, timeoutMs: 60_000 });
    expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'red', release: { version: 'v1', sha: 'new222', merge_sha: 'beef999' }, rollback: 'git revert -m 1 beef999' });
  });

  it('bad input is refused with what is wrong, and nothing is recorded', async () => {
    const env = { SEAL_DATA_DIR: fresh() };
    const bad = await runCli(['release', 'record', 'studio', '--version', 'v1', '--deployed-at', '21/11/2026'], { env, timeoutMs: 60_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--deployed-at must be an ISO 8601 date');
    const missing = await runCli(['release', 'record', 'studio', '--version', 'v1', '--notes-file', join(dir, 'nope.md')], { env, timeoutMs: 60_000 });
    expect(missing.stderr).toContain('nope.md: no such file');
    const list = await runCli(['release', 'list', 'studio', '--json'], { env, timeoutMs: 60_000 });
    expect(JSON.parse(list.stdout)).toEqual({ app: 'studio', releases: [] });
    const unknown = await runCli(['release', 'show', 'studio', 'v9'], { env, timeoutMs: 60_000 });
    expect(unknown.code).toBe(1);
  });

  it('a database that cannot be reached: the verdict is printed, a warning names the store, exit 0', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const run = await runCli(['smoke', 'studio', '--config', config, '--release', 'v1', '--json'], { env: { DATABASE_URL: `postgres://seal@127.0.0.1:${closed.port}/ledger` }, timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.verdict).toBe('green');
    // The verdict is printed before recording: the JSON says the ledger could not be read, stderr then says nothing was recorded.
    expect(result.warnings).toEqual([expect.stringMatching(new RegExp(`^the release and the rollback command are the run's own: the Postgres store \\(DATABASE_URL\\) could not be read \\(cannot open the store \\(postgres 127\\.0\\.0\\.1:${closed.port}/ledger\\): .*ECONNREFUSED`))]);
    expect(run.stderr).toContain('Seal: 🟢 green');
    expect(run.stderr).toMatch(new RegExp(`\\nwarning: the seal was not recorded in the Postgres store \\(DATABASE_URL\\): cannot open the store \\(postgres 127\\.0\\.0\\.1:${closed.port}/ledger\\): .*ECONNREFUSED`));
  });

  it('a second process waits for the embedded store, then fails with what to do; seal smoke still exits 0', async () => {
    const data = fresh();
    const holder = await openDb({ databaseUrl: null, dataDir: data });
    try {
      const env = { SEAL_DATA_DIR: data, SEAL_STORE_WAIT_MS: '1500' };
      const list = await runCli(['release', 'list', 'studio'], { env, timeoutMs: 60_000 });
      expect(list.code).toBe(2);
      expect(list.stderr).toContain('is in use by another seal process and stayed busy for 1.5 s');
      expect(list.stderr).toContain('--server URL');
      expect(list.stderr).toContain('DATABASE_URL');
      const smoke = await runCli(['smoke', 'studio', '--config', config, '--json'], { env, timeoutMs: 60_000 });
      expect(smoke.code).toBe(0);
      expect(JSON.parse(smoke.stdout)).toMatchObject({ verdict: 'green' });
      expect(smoke.stderr).toMatch(/\nwarning: the seal was not recorded in .*is in use by another seal process/);
    } finally {
      await holder.close();
    }
  });

  it('several seal processes at once on one release: each waits its turn, one history row each, the newest current', async () => {
    const env = { SEAL_DATA_DIR: fresh() };
    await runCli(['release', 'record', 'studio', '--version', 'v7'], { env, timeoutMs: 60_000 });
    const runs = await Promise.all(Array.from({ length: 4 }, () => runCli(['smoke', 'studio', '--config', config, '--release', 'v7', '--json'], { env, timeoutMs: 90_000 })));
    const results = runs.map((r) => JSON.parse(r.stdout) as RunResult);
    // A run waiting its turn for the store may print its verdict before it could read the ledger (at most 3 s): the release is the one it was given all the same.
    expect(results.map((r) => [r.verdict, r.release?.version, r.warnings.filter((w) => !w.startsWith('a newer seal') && !/^the release and the rollback command are the run's own: the embedded store \(\S+\) could not be read within 3000 ms/.test(w))])).toEqual(Array(4).fill(['green', 'v7', []]));
    const ledger = await openDb({ databaseUrl: null, dataDir: env.SEAL_DATA_DIR });
    try {
      const history = await new Ledger(ledger.db).sealHistory('studio', 'v7');
      expect(new Set(history.map((h) => h.run_id))).toEqual(new Set(results.map((r) => r.run_id)));
      // Two runs may finish in the same millisecond: the run id then orders them (a total order, whatever the commit order).
      const newest = results.reduce((a, b) => (a.finished_at > b.finished_at || (a.finished_at === b.finished_at && a.run_id > b.run_id) ? a : b));
      expect((await new Ledger(ledger.db).getRelease('studio', 'v7'))?.smoke_seal?.run_id).toBe(newest.run_id);
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('a process killed mid-write leaves a store that opens cleanly and keeps what was committed', async () => {
    const data = fresh();
    const notes = join(dir, 'big-notes.md');
    writeFileSync(notes, 'n'.repeat(900_000));
    // The store exists first, so that the kills land in writes (killing initdb is covered too: the
    // first moments of each loop are a fresh process opening the store).
    await (await openDb({ databaseUrl: null, dataDir: data })).close();
    // Record releases in a loop and kill the writer while it works, three times, at different
    // moments after a release was committed (each round waits for that, however loaded the machine).
    for (const delayMs of [0, 400, 900]) {
      const child = spawn('/bin/sh', ['-c', `i=0; while [ $i -lt 50 ]; do "${process.execPath}" "${ROOT}bin/seal" release record studio --version "v$$-$i" --notes-file "${notes}" 2>/dev/null || exit 1; echo recorded; i=$((i+1)); done`], { env: { PATH: process.env.PATH, SEAL_DATA_DIR: data }, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await Promise.race([new Promise((resolve) => child.stdout.once('data', resolve)), exited]);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // The loop ended (50 releases recorded, or a failure) before the kill: the checks below still hold.
      }
      await exited;
    }
    // The lock the killed process held goes stale and is taken over.
    const store = await openDb({ databaseUrl: null, dataDir: data, waitMs: 15_000 });
    try {
      const ledger = new Ledger(store.db);
      const releases = await ledger.listReleases('studio', { limit: 1000 });
      expect(releases.length).toBeGreaterThan(0);
      for (const release of releases) expect(release.notes?.length).toBe(900_000);
      const { release } = await ledger.recordRelease({ app: 'studio', version: 'after-the-crash' });
      expect(release.version).toBe('after-the-crash');
    } finally {
      await store.close();
    }
  }, 120_000);
});
