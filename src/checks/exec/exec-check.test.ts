import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../../test/helpers/apps.js';
import { makeCert, type TestCert } from '../../../test/helpers/certs.js';
import { reply, startServer, type TestServer } from '../../../test/helpers/servers.js';
import type { CheckResult, RunResult } from '../../runner/run-result.js';
import { runSuite } from '../../runner/run-suite.js';

let prod: TestServer;
let secure: TestServer;
let cert: TestCert;
let evidenceRoot: string;

beforeAll(async () => {
  evidenceRoot = mkdtempSync(join(tmpdir(), 'seal-exec-'));
  cert = makeCert(30);
  const handler = (_req: unknown, res: Parameters<typeof reply>[0]) => reply(res, 200, 'OK from production');
  prod = await startServer(handler);
  secure = await startServer(handler, cert);
});
afterAll(async () => {
  await prod?.close();
  await secure?.close();
});

async function probe(check: Record<string, unknown>, app: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<{ run: RunResult; check: CheckResult }> {
  const run = await runSuite({ app: resolveApp({ production_url: prod.url, checks: [{ name: 'probe', ...check }], ...app }, env), release: null, secrets: Object.values(env) as string[] }, { evidenceRoot, env: process.env });
  return { run, check: run.checks[0] as CheckResult };
}
const node = (script: string) => [process.execPath, '-e', script];

describe('exec probes', () => {
  it('pass on exit code 0, stdout text and JSON on stdout', async () => {
    const { check } = await probe({ exec: { command: node('console.log(JSON.stringify({ status: "ok", workers: 3 }))') }, expect: { stdout_contains: '"ok"', json: { '$.status': 'ok', '$.workers': 3 } } });
    expect(check.assertions.map((a) => [a.label, a.ok])).toEqual([['exit code == 0', true], ['stdout contains "\\"ok\\""', true], ['$.status == "ok"', true], ['$.workers == 3', true]]);
    expect(check.status).toBe('passed');
  });

  it('fail on a non-zero exit code, which is required to be 0 unless said otherwise', async () => {
    const { check } = await probe({ exec: { command: node('console.error("worker down"); process.exit(3)') } });
    expect(check).toMatchObject({ status: 'failed' });
    expect(check.assertions[0]).toMatchObject({ label: 'exit code == 0', ok: false, actual: 3, message: 'exit code 3, expected 0' });
    expect(check.evidence.stderr).toBe('worker down\n');
    const expected = await probe({ exec: { command: node('process.exit(3)') }, expect: { exit_code: 3 } });
    expect(expected.check.status).toBe('passed');
  });

  it('fail when stdout lacks the text or the JSON value', async () => {
    const { check } = await probe({ exec: { command: node('console.log("{\\"status\\":\\"degraded\\"}")') }, expect: { stdout_contains: 'OK', json: { '$.status': 'ok' } } });
    expect(check.assertions.filter((a) => !a.ok).map((a) => a.label)).toEqual(['stdout contains "OK"', '$.status == "ok"']);
  });

  it('a program that does not exist is an error naming it', async () => {
    const { check, run } = await probe({ exec: { command: ['kubectl-that-is-not-installed', 'get', 'pods'] } });
    expect(check).toMatchObject({ status: 'error', error: expect.stringContaining('could not run kubectl-that-is-not-installed: ENOENT') });
    expect(run.verdict).toBe('error');
  });

  it('a working directory that does not exist is an error saying so', async () => {
    const { check } = await probe({ exec: { command: ['true'], cwd: '/nonexistent/dir' } });
    expect(check).toMatchObject({ status: 'error', error: 'working directory not found: /nonexistent/dir' });
  });

  it('a command that hangs is killed at the timeout and fails', async () => {
    const { check } = await probe({ exec: { command: node('setTimeout(() => {}, 60000)'), timeout_ms: 400 } });
    expect(check).toMatchObject({ status: 'failed', error: 'timed out after 400 ms (timeout_ms)', assertions: [] });
  });

  it('runs in cwd with the extra env, and a ${VAR} value never shows in its output', async () => {
    const { check } = await probe({ exec: { command: node('console.log(process.cwd(), process.env.PROBE_TOKEN)'), cwd: '/tmp', env: { PROBE_TOKEN: '${T}' } } }, {}, { T: 'probe-secret-42' });
    expect(check.evidence.stdout).toBe('/tmp [REDACTED]\n');
    expect(JSON.stringify(check)).not.toContain('probe-secret-42');
  });

  it('curl reads through the guard, and its writes never reach production (http)', async () => {
    prod.writes.length = 0;
    const { check, run } = await probe({ exec: { command: ['sh', '-c', `curl -sS ${prod.url}/up && curl -sS -o /dev/null -w ' post:%{http_code}' -X POST -d 'x=1' ${prod.url}/api/things`] }, expect: { stdout_contains: ['OK from production', 'post:204'] } });
    expect(check.status).toBe('passed');
    expect(prod.writes).toEqual([]);
    expect(run.blocked_requests).toEqual([{ check: 'probe', method: 'POST', url: `${prod.url}/api/things` }]);
  });

  it('curl over https is intercepted too: reads pass with production\'s certificate checked, writes are blocked', async () => {
    secure.writes.length = 0;
    const base = `https://localhost:${secure.port}`;
    const { check, run } = await probe({ exec: { command: ['sh', '-c', `curl -sS ${base}/up && curl -sS -o /dev/null -w ' delete:%{http_code}' -X DELETE ${base}/api/things/1`] }, expect: { stdout_contains: ['OK from production', 'delete:204'] } }, { ca_file: cert.certPath, allow_hosts: ['localhost'] });
    expect(check.status, JSON.stringify(check.evidence)).toBe('passed');
    expect(secure.writes).toEqual([]);
    expect(run.blocked_requests).toEqual([{ check: 'probe', method: 'DELETE', url: `${base}/api/things/1` }]);
  });

  it('tunnels HTTPS to a host that is not production untouched (as kubectl needs for its API server)', async () => {
    // Another address than production's (127.0.0.1): curl trusts only that server's own
    // certificate here, so it would reject the guard's.
    const otherCert = makeCert(30, 'api-server', 'IP:127.0.0.2');
    const other = await startServer((_req, res) => reply(res, 200, 'OK from the API server'), otherCert, '127.0.0.2');
    try {
      const { check } = await probe({ exec: { command: ['curl', '-sS', '--cacert', otherCert.certPath, `${other.url}/version`] }, expect: { stdout_contains: 'OK from the API server' } });
      expect(check.status, JSON.stringify(check.evidence)).toBe('passed');
    } finally {
      await other.close();
    }
  });

  it('a client that refuses the guard\'s certificate for production is an error naming the client and the setting, not a red seal', async () => {
    const base = `https://localhost:${secure.port}`;
    const { check, run } = await probe({ exec: { command: ['curl', '-sS', '--cacert', cert.certPath, `${base}/up`] } }, { allow_hosts: ['localhost'] });
    expect(check.status).toBe('error');
    expect(check.error).toMatch(/^curl refused the read-only guard's certificate for localhost:\d+ \(TLS alert: unknown ca\): the guard, not production, made this check fail\. .*--cacert "\$SEAL_GUARD_CA_BUNDLE"/);
    expect(check.evidence.stderr).toMatch(/certificate|SSL/i);
    expect(run.verdict).toBe('error');
  });

  it('npm and Node refusing the guard\'s certificate (a CA of their own on the command line, in code) are errors that name them and their setting', async () => {
    const base = `https://localhost:${secure.port}`;
    const npm = await probe({ exec: { command: ['npm', 'view', 'pkg', `--registry=${base}/`, `--cafile=${cert.certPath}`, '--fetch-retries=0'], env: { npm_config_cache: join(evidenceRoot, 'npm-cache'), npm_config_update_notifier: 'false' } } }, { allow_hosts: ['localhost'] });
    expect(npm.check.status).toBe('error');
    expect(npm.check.error).toMatch(/^npm refused the read-only guard's certificate for localhost:\d+ \((closed the connection after the TLS handshake without sending a request|hung up during the TLS handshake)\): the guard, not production, made this check fail\. npm reads npm_config_cafile, set by smoke-seal/);
    const script = `require('https').get('${base}/up', { ca: require('fs').readFileSync('${cert.certPath}') }, () => {}).on('error', (e) => { console.error(e.message); process.exit(1); })`;
    const node = await probe({ exec: { command: [process.execPath, '-e', script] } }, { allow_hosts: ['localhost'] });
    expect(node.check.status).toBe('error');
    expect(node.check.error).toMatch(/^Node refused the read-only guard's certificate .* Node reads NODE_EXTRA_CA_CERTS, set by smoke-seal; a ca option in the code replaces it/);
  });

  it('a Node script\'s fetch goes through the guard too, on any Node version', async () => {
    prod.writes.length = 0;
    const script = `const r = await fetch('${prod.url}/api/things', { method: 'POST', body: 'x' }); console.log('status', r.status);`;
    const { check, run } = await probe({ exec: { command: [process.execPath, '--input-type=module', '-e', script] }, expect: { stdout_contains: 'status 204' } });
    expect(check.status, JSON.stringify(check.evidence)).toBe('passed');
    expect(prod.writes).toEqual([]);
    expect(run.blocked_requests).toEqual([{ check: 'probe', method: 'POST', url: `${prod.url}/api/things` }]);
  });

  it('keeps the probe\'s own NODE_OPTIONS beside the guard\'s preload', async () => {
    const { check } = await probe({ exec: { command: node('console.log(process.title)'), env: { NODE_OPTIONS: '--title=seal-probe' } }, expect: { stdout_contains: 'seal-probe' } });
    expect(check.status, JSON.stringify(check.evidence)).toBe('passed');
  });

  it('a multi-byte character split across two pipe reads stays whole', async () => {
    // 30,000 three-byte characters: 90,000 bytes arrive in more than one read, cut mid-character.
    const text = '€'.repeat(30_000);
    const { check } = await probe({ exec: { command: node(`process.stdout.write(JSON.stringify({ text: '€'.repeat(30000) }))`) }, expect: { json: { '$.text': text } } });
    expect(check.status, check.assertions.map((a) => a.message).join('; ')).toBe('passed');
  });

  it('on_write: fail fails a probe that tried to write', async () => {
    const { check } = await probe({ exec: { command: ['curl', '-sS', '-X', 'POST', `${prod.url}/api/things`] }, on_write: 'fail' });
    expect(check.assertions.at(-1)).toMatchObject({ label: 'no write attempted', ok: false, actual: 1 });
    expect(check.status).toBe('failed');
  });
});
