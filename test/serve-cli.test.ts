/**
 * The seal server through the real CLI: tokens made with `seal token`, `seal serve` on one port,
 * and `seal smoke --server` from another data dir (as a CI machine would) showing up on its board;
 * a server that is down or refuses the token costs a warning, never the verdict.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/runner/run-result.js';
import { ROOT, runCli, startServeCli, type ServeProcess } from './helpers/cli.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

let prod: TestServer;
let serverDir: string;
let ciDir: string;
let config: string;
let token: string;
let serve: ServeProcess;

beforeAll(async () => {
  prod = await startServer((req, res) => reply(res, req.url === '/up' ? 200 : 404, req.url === '/up' ? 'OK' : 'Not Found'));
  serverDir = mkdtempSync(join(tmpdir(), 'seal-server-'));
  ciDir = mkdtempSync(join(tmpdir(), 'seal-ci-'));
  config = join(ciDir, 'seal.config.yaml');
  writeFileSync(config, `apps:\n  studio:\n    production_url: ${prod.url}\n    rollback: "git revert -m 1 {merge_sha}"\n    checks:\n      - { name: up, http: /up, expect: { status: 200 } }\n      - { name: admin hidden, http: /admin, expect: { status: 404 } }\n`);
  const created = await runCli(['token', 'create', '--name', 'github-actions'], { env: { SEAL_DATA_DIR: serverDir }, timeoutMs: 60_000 });
  expect(created.code).toBe(0);
  token = created.stdout.trim();
  expect(created.stderr).toContain('It is shown once');
  serve = await startServeCli([], { env: { SEAL_DATA_DIR: serverDir } });
}, 120_000);

afterAll(async () => {
  await serve?.stop();
  await prod?.close();
});

const smoke = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(['smoke', 'studio', '--config', config, ...args], { env: { SEAL_DATA_DIR: join(ciDir, 'local'), ...env }, timeoutMs: 60_000 });

describe('seal smoke --server', () => {
  it('a CI run shows up on the board of a server on another port, and nothing is written to the local store', async () => {
    const run = await smoke(['--server', serve.url, '--release', 'v3.3.0', '--merge-sha', 'cafe123', '--json'], { SEAL_TOKEN: token });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result).toMatchObject({ verdict: 'green', release: { version: 'v3.3.0', merge_sha: 'cafe123' }, warnings: [] });
    expect(run.stderr).toContain(`Board: ${serve.url}/releases/studio/v3.3.0`);
    const board = await (await fetch(`${serve.url}/deployments`)).text();
    expect(board).toContain('data-app="studio" data-version="v3.3.0" data-status="green"');
    const release = (await (await fetch(`${serve.url}/api/releases/studio/v3.3.0`)).json()) as { smoke_seal: { run_id: string } };
    expect(release.smoke_seal.run_id).toBe(result.run_id);
    expect(existsSync(join(ciDir, 'local', 'db'))).toBe(false);
  });

  it('takes the server and token from SEAL_SERVER_URL and SEAL_TOKEN, and names the release after the CI commit', async () => {
    const run = await smoke(['--json'], { SEAL_SERVER_URL: serve.url, SEAL_TOKEN: token, GITHUB_SHA: '0123456789abcdef0123' });
    expect(run.code).toBe(0);
    // The server already has v3.3.0 as the latest release of studio: the run seals it again.
    expect(JSON.parse(run.stdout)).toMatchObject({ release: { version: 'v3.3.0' }, warnings: [] });
    const fresh = await runCli(['smoke', 'newapp', '--config', join(ciDir, 'newapp.yaml'), '--json'], {
      env: { SEAL_SERVER_URL: serve.url, SEAL_TOKEN: token, GITHUB_SHA: '0123456789abcdef0123' },
      timeoutMs: 60_000,
    });
    // A config that does not load is reported to nobody: no release of newapp appears on the server.
    expect(JSON.parse(fresh.stdout)).toMatchObject({ verdict: 'error', warnings: ['nothing was recorded or reported: the config did not load or does not name the app, so no release was created or changed'] });
    expect((await fetch(`${serve.url}/api/releases?app=newapp`)).status).toBe(404);
    writeFileSync(join(ciDir, 'newapp.yaml'), `apps:\n  newapp:\n    production_url: ${prod.url}\n    checks:\n      - { name: up, http: /up, expect: { status: 200 } }\n`);
    const first = await runCli(['smoke', 'newapp', '--config', join(ciDir, 'newapp.yaml'), '--json'], { env: { SEAL_SERVER_URL: serve.url, SEAL_TOKEN: token, GITHUB_SHA: '0123456789abcdef0123' }, timeoutMs: 60_000 });
    expect(JSON.parse(first.stdout)).toMatchObject({ verdict: 'green', release: { version: '0123456789ab', sha: '0123456789abcdef0123' }, warnings: [] });
  });

  it('a server that is down: the verdict is printed, a warning says so, exit 0 (and --gate still gates on the verdict)', async () => {
    // A port that was free a moment ago: nothing listens there.
    const closed = await startServer((_req, res) => reply(res, 200, ''));
    await closed.close();
    const down = closed.url;
    const run = await smoke(['--server', down, '--release', 'v1', '--json'], { SEAL_TOKEN: token, SEAL_SERVER_TIMEOUT_MS: '3000' });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Seal: 🟢 green');
    // The verdict is printed before reporting ends; what reporting found comes after it, on stderr.
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result).toMatchObject({ verdict: 'green' });
    expect(run.stderr).toContain(`warning: the seal was not reported to the seal server at ${down}: ECONNREFUSED (connect ECONNREFUSED ${down.slice('http://'.length)})`);
    expect(run.stderr).toMatch(/warning: the run is kept in \S+\.json: `seal outbox flush` sends it to http:\/\/127\.0\.0\.1:\d+ \(with SEAL_TOKEN\)\n/);
    expect(run.stderr.indexOf('Seal: 🟢 green')).toBeLessThan(run.stderr.indexOf('warning: the run is kept in'));
    const gated = await smoke(['--server', down, '--release', 'v1', '--gate'], { SEAL_SERVER_TIMEOUT_MS: '1000' });
    expect(gated.code).toBe(0);
    // A data directory that cannot hold an outbox: the warning says the run was not kept, and why.
    const notADir = join(ciDir, 'not-a-directory');
    writeFileSync(notADir, '');
    const unkept = await runCli(['smoke', 'studio', '--config', config, '--server', down, '--release', 'v1', '--json'], { env: { SEAL_DATA_DIR: notADir, SEAL_SERVER_TIMEOUT_MS: '1000' }, timeoutMs: 60_000 });
    expect(unkept.code).toBe(0);
    expect(unkept.stderr).toMatch(/warning: the run could not be kept in the outbox \(\S+not-a-directory\/outbox\): ENOTDIR/);
    // The server comes up (at last) on that address: the outbox sends it both runs.
    const laterDir = mkdtempSync(join(tmpdir(), 'seal-server-later-'));
    const laterToken = (await runCli(['token', 'create', '--name', 'ci'], { env: { SEAL_DATA_DIR: laterDir }, timeoutMs: 60_000 })).stdout.trim();
    const later = await startServeCli(['--port', new URL(down).port], { env: { SEAL_DATA_DIR: laterDir } });
    try {
      const flush = await runCli(['outbox', 'flush', '--json'], { env: { SEAL_DATA_DIR: join(ciDir, 'local'), SEAL_TOKEN: laterToken }, timeoutMs: 60_000 });
      expect(flush.code).toBe(0);
      const report = JSON.parse(flush.stdout) as { recorded: { run_id: string; server: string }[]; failed: unknown[] };
      expect(report.failed).toEqual([]);
      expect(report.recorded.map((r) => r.server)).toEqual([down, down]);
      const release = (await (await fetch(`${later.url}/api/releases/studio/v1`)).json()) as { smoke_seal: { run_id: string } };
      expect(report.recorded.map((r) => r.run_id)).toContain(result.run_id);
      expect(release.smoke_seal.run_id).toBe(report.recorded.at(-1)?.run_id);
    } finally {
      await later.stop();
    }
  }, 120_000);

  it('kill -9 while a seal server does not answer: the verdict was printed, and the run waits in the outbox for that server', async () => {
    const hung = await startServer(() => undefined);
    const data = mkdtempSync(join(tmpdir(), 'seal-ci-hung-'));
    try {
      const child = spawn(process.execPath, [join(ROOT, 'bin/seal'), 'smoke', 'studio', '--config', config, '--server', hung.url, '--release', 'v-hung', '--json'], { env: { PATH: process.env.PATH, SEAL_DATA_DIR: data, SEAL_TOKEN: token, SEAL_SERVER_TIMEOUT_MS: '60000' }, stdio: ['ignore', 'pipe', 'pipe'] });
      const closed = new Promise((resolve) => child.on('close', resolve));
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const verdict = await new Promise<RunResult>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.endsWith('}\n')) resolve(JSON.parse(stdout) as RunResult);
        });
        void closed.then(() => reject(new Error(`ended without a verdict: ${stderr}`)));
      });
      // Printed while the report still waits on the server (its budget is a minute).
      expect(verdict).toMatchObject({ verdict: 'green', release: { version: 'v-hung' }, warnings: [expect.stringContaining(`the seal server at ${hung.url} did not answer within 3000 ms`)] });
      expect(stderr).toContain('Seal: 🟢 green');
      child.kill('SIGKILL');
      await closed;
      const list = await runCli(['outbox', 'list', '--json'], { env: { SEAL_DATA_DIR: data }, timeoutMs: 30_000 });
      expect((JSON.parse(list.stdout) as { entries: { run_id: string; for: string }[] }).entries).toMatchObject([{ run_id: verdict.run_id, for: hung.url }]);
    } finally {
      await hung.close();
    }
  }, 60_000);

  it('a secret in the rollback template never reaches the server, the board or the log', async () => {
    const redConfig = join(ciDir, 'red.yaml');
    writeFileSync(redConfig, `apps:\n  studio:\n    production_url: ${prod.url}\n    rollback: "deploy --token \${DEPLOY_TOKEN} {merge_sha}"\n    checks:\n      - { name: admin hidden, http: /up, expect: { status: 404 } }\n`);
    const run = await runCli(['smoke', 'studio', '--config', redConfig, '--server', serve.url, '--release', 'v-secret', '--merge-sha', 'cafe999', '--json'], {
      env: { SEAL_DATA_DIR: join(ciDir, 'local'), SEAL_TOKEN: token, DEPLOY_TOKEN: 'hunter2-deploy-secret' },
      timeoutMs: 60_000,
    });
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result).toMatchObject({ verdict: 'red', warnings: [] });
    expect(result.rollback).toMatch(/^deploy --token \S+ cafe999$/);
    const stored = await (await fetch(`${serve.url}/api/releases/studio/v-secret`)).text();
    const page = await (await fetch(`${serve.url}/releases/studio/v-secret`)).text();
    for (const text of [run.stdout, run.stderr, stored, page]) expect(text).not.toContain('hunter2-deploy-secret');
    expect(page).toContain('cafe999');
  });

  it('a server cannot turn a red run green: the verdict, checks and exit code stay this machine\'s', async () => {
    // A server that answers every report with a green result.
    const liar = await startServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      if (req.method === 'GET') return reply(res, 200, JSON.stringify({ releases: [] }), { 'content-type': 'application/json' });
      const sent = JSON.parse(body) as RunResult;
      reply(res, 201, JSON.stringify({ result: { ...sent, verdict: 'green', summary: 'all fine', checks: [], rollback: null, warnings: [] } }), { 'content-type': 'application/json' });
    });
    try {
      const redConfig = join(ciDir, 'red2.yaml');
      writeFileSync(redConfig, `apps:\n  studio:\n    production_url: ${prod.url}\n    checks:\n      - { name: admin hidden, http: /up, expect: { status: 404 } }\n`);
      const run = await runCli(['smoke', 'studio', '--config', redConfig, '--server', liar.url, '--release', 'v1', '--gate', '--json'], { env: { SEAL_DATA_DIR: join(ciDir, 'local') }, timeoutMs: 60_000 });
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'red', checks: [{ name: 'admin hidden', status: 'failed' }] });
      expect(run.stderr).toContain('Seal: 🔴 red');
    } finally {
      await liar.close();
    }
  });

  it('a missing, wrong or revoked token: the server\'s reason as a warning, exit 0, nothing recorded', async () => {
    const none = await smoke(['--server', serve.url, '--release', 'v-nope', '--json']);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('401 this needs a write token');
    // The server shares its embedded store: a token made meanwhile by the CLI works on it at once.
    const extra = await runCli(['token', 'create', '--name', 'meanwhile', '--json'], { env: { SEAL_DATA_DIR: serverDir }, timeoutMs: 60_000 });
    expect(extra.code).toBe(0);
    const made = await smoke(['--server', serve.url, '--release', 'v-meanwhile', '--json'], { SEAL_TOKEN: (JSON.parse(extra.stdout) as { token: string }).token });
    expect((JSON.parse(made.stdout) as RunResult).warnings).toEqual([]);
    const wrong = await smoke(['--server', serve.url, '--release', 'v-nope', '--json'], { SEAL_TOKEN: `${token.slice(0, -3)}abc` });
    expect(wrong.stderr).toContain('401 the token is malformed, unknown or revoked');
    expect((await fetch(`${serve.url}/api/releases/studio/v-nope`)).status).toBe(404);
  });
});

describe('seal serve and seal token', () => {
  it('refuses --public with --private, which contradict each other', async () => {
    const run = await runCli(['serve', '--public', '--private'], { env: { SEAL_DATA_DIR: mkdtempSync(join(tmpdir(), 'seal-x-')) } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('seal serve: --public and --private contradict each other: pick one\n');
  });

  it('refuses a bad port with a clear message and exit 2', async () => {
    const run = await runCli(['serve', '--port', 'eighty'], { env: { SEAL_DATA_DIR: mkdtempSync(join(tmpdir(), 'seal-x-')) } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('seal serve: --port must be a port number from 0 to 65535, got "eighty"\n');
  });

  it('lists tokens without their secrets and revokes one so the server refuses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seal-tokens-'));
    const env = { SEAL_DATA_DIR: dir };
    const created = await runCli(['token', 'create', '--name', 'deploy-bot', '--json'], { env, timeoutMs: 60_000 });
    const { token: secret, id } = JSON.parse(created.stdout) as { token: string; id: string };
    const listed = await runCli(['token', 'list', '--json'], { env, timeoutMs: 60_000 });
    expect(listed.stdout).not.toContain(secret.slice(`seal_${id}_`.length));
    expect(JSON.parse(listed.stdout)).toMatchObject({ tokens: [{ id, name: 'deploy-bot', scope: 'write', revoked_at: null }] });
    expect((await runCli(['token', 'create', '--name', 'x', '--scope', 'admin'], { env, timeoutMs: 60_000 })).stderr).toContain('--scope must be write or read');
    expect((await runCli(['token', 'revoke', 'deploy-bot'], { env, timeoutMs: 60_000 })).code).toBe(0);
    expect((await runCli(['token', 'revoke', 'deploy-bot'], { env, timeoutMs: 60_000 })).code).toBe(1);
    const text = await runCli(['token', 'list'], { env, timeoutMs: 60_000 });
    expect(text.stdout).toMatch(new RegExp(`^ID +SCOPE +NAME +CREATED +STATE\n${id} +write +deploy-bot +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC +revoked \\d{4}-`));
    expect(text.stdout).not.toContain(secret.slice(`seal_${id}_`.length));
    const server = await startServeCli([], { env });
    try {
      const refused = await fetch(`${server.url}/api/releases`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: '{"app":"a","version":"v1"}' });
      expect(refused.status).toBe(401);
    } finally {
      const stopped = await server.stop();
      expect(stopped.code).toBe(0);
      // Structured logs on stdout, one JSON object a line; the last says it stopped.
      const lines = stopped.stdout.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
      expect(lines.at(-1)?.msg).toBe('stopped');
      expect(stopped.stdout).not.toContain(secret);
    }
  });
});
