import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCert, type TestCert } from '../../test/helpers/certs.js';
import { hostsNamespaceUnavailable, withHosts } from '../../test/helpers/hosts-namespace.js';
import { startServer, type TestServer } from '../../test/helpers/servers.js';
import { runProcess } from '../checks/process.js';
import { guardEnvironment } from './client-env.js';
import { startRunGuard, type RunGuard } from './guard.js';

/**
 * TLS trust through the guard for every common client, from the environment alone: one bundle
 * of the system roots plus the guard's CA, named in each client's own setting. Production is
 * `prod.seal.test` (an /etc/hosts of the test's own), because Go, like several clients, never
 * sends `localhost` through a proxy.
 */
const NAME = 'prod.seal.test';
const skipHosts = hostsNamespaceUnavailable();
if (skipHosts) {
  if (process.env.CI === 'true') throw new Error(`CI=true requires the client trust tests to run, but ${skipHosts}`);
  console.warn(`client trust tests skipped: ${skipHosts}`); // eslint-disable-line no-console -- a skipped test prints why
}
const hasGo = ((): boolean => {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error('CI=true requires the Go client to be tested (apt-get install golang-go)');
    console.warn('the Go client is not tested here: go is not installed (apt-get install golang-go)'); // eslint-disable-line no-console -- a skipped test prints why
    return false;
  }
})();

let prod: TestServer;
let cert: TestCert;
let guard: RunGuard;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seal-trust-'));
  cert = makeCert(30, NAME, `DNS:${NAME}`);
  prod = await startServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.url?.startsWith('/simple/')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body></body></html>');
    if (req.url?.startsWith('/sealpkg')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'sealpkg', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name: 'sealpkg', version: '1.0.0' } } }));
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`trusted ${req.url ?? ''}`);
  }, cert);
  guard = await startRunGuard({ hostnames: [NAME], upstreamCa: cert.cert, allowRequests: [], lookup: (host) => Promise.resolve(host === NAME ? ['127.0.0.1'] : []) });
});
afterAll(async () => {
  await guard?.stop();
  await prod?.close();
});

/** Runs a command with the guard's environment only (no CA flag of its own), as an exec probe would. */
async function asProbe(command: readonly string[], extra: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  const channel = guard.channel({ check: 'trust', client: 'exec' });
  const proxy = await channel.listen();
  const base = { PATH: process.env.PATH, HOME: dir, ...extra };
  const env = { ...base, ...guardEnvironment(proxy, guard.trust, base) };
  const run = await runProcess({ command: '/bin/sh', args: ['-c', withHosts([NAME], '127.0.0.1', command)], cwd: dir, env, signal: AbortSignal.timeout(60_000) });
  await channel.close();
  return { code: run.code, out: `${run.stdout}${run.stderr}` };
}

const url = (path: string): string => `https://${NAME}:${prod.port}${path}`;
const seen = (path: string): boolean => prod.requests.some((r) => r.url.startsWith(path));

describe.skipIf(skipHosts !== null)('TLS trust through the guard, from the environment alone', () => {
  it('curl, wget, Python (urllib, requests), git and Node trust the guard', async () => {
    for (const command of [
      ['curl', '-sS', '-f', url('/curl')],
      ['wget', '-q', '-O-', url('/wget')],
      ['python3', '-c', `import urllib.request; print(urllib.request.urlopen(${JSON.stringify(url('/urllib'))}).status)`],
      ['python3', '-c', `import requests; print(requests.get(${JSON.stringify(url('/requests'))}).status_code)`],
      [process.execPath, '-e', `require('https').get(${JSON.stringify(url('/node'))}, (r) => console.log(r.statusCode))`],
    ]) {
      const run = await asProbe(command);
      expect(run, command.join(' ')).toMatchObject({ code: 0 });
    }
    for (const path of ['/curl', '/wget', '/urllib', '/requests', '/node']) expect(seen(path), path).toBe(true);
    // git reads GIT_SSL_CAINFO: the TLS handshake succeeds, then git finds no repository there.
    const git = await asProbe(['git', 'ls-remote', url('/git/repo.git')]);
    expect(git.out).not.toMatch(/certificate|SSL/i);
    expect(seen('/git/repo.git/info/refs')).toBe(true);
  });

  it('pip reads PIP_CERT and PIP_PROXY', async () => {
    const run = await asProbe(['python3', '-m', 'pip', 'download', '--no-deps', '--disable-pip-version-check', '--retries', '0', '-d', join(dir, 'pip'), '--index-url', url('/simple/'), 'sealpkg']);
    expect(run.out).not.toMatch(/certificate|SSL/i);
    expect(run.out).toMatch(/No matching distribution found for sealpkg/);
    expect(seen('/simple/sealpkg/')).toBe(true);
  });

  it('npm trusts the guard even when an npmrc names a cafile of its own (npm reads npm_config_cafile first)', async () => {
    // Both the user's and the global npmrc name production's own CA, which does not trust the guard.
    const [user, global] = [join(dir, 'npmrc-user'), join(dir, 'npmrc-global')];
    for (const file of [user, global]) writeFileSync(file, `cafile=${cert.certPath}\n`);
    const run = await asProbe(['npm', 'view', 'sealpkg', 'version', `--registry=${url('/')}`, '--fetch-retries=0'], { npm_config_userconfig: user, npm_config_globalconfig: global, npm_config_cache: join(dir, 'npm-cache'), npm_config_update_notifier: 'false' });
    expect(run.out.trim()).toBe('1.0.0');
    expect(seen('/sealpkg')).toBe(true);
  });

  it.skipIf(!hasGo)('Go reads SSL_CERT_FILE and HTTPS_PROXY', async () => {
    const program = join(dir, 'main.go');
    writeFileSync(program, `package main
import ("fmt"; "net/http"; "os")
func main() { r, err := http.Get(os.Args[1]); if err != nil { fmt.Println(err); os.Exit(1) }; fmt.Println(r.StatusCode) }
`);
    const run = await asProbe(['go', 'run', program, url('/go')], { GOCACHE: join(dir, 'go-cache'), GOPATH: join(dir, 'go'), GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' });
    expect(run).toMatchObject({ code: 0, out: '200\n' });
    expect(seen('/go')).toBe(true);
  }, 120_000);
});
