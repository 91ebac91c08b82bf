/**
 * The guard test matrix: every cell a real request by a real client against a write-counting
 * HTTP and HTTPS "production" on loopback, through the built CLI, as users run it.
 *
 *   clients:  curl, wget, python3 urllib, Node http/https.request, Node fetch, npm (view and
 *             publish to a registry-shaped server), Playwright's `request` fixture and
 *             `request.newContext()`, a page's form, beacon and keepalive fetch (in our own
 *             browser checks and in the team's spec)
 *   names:    production's own (prod.seal.test), an alias (alias.seal.test), the IP literal
 *   schemes:  http, https
 *   proxy:    honoured, or removed by the command (curl --noproxy, env -u …, a ProxyHandler({}),
 *             a Chromium launched without the proxy)
 *
 * Every cell: production receives zero writes, and each write is listed on the check (for the
 * spec, the test) that made it. The names come from an /etc/hosts of the test's own (a mount
 * namespace); "removed" cells rely on the network sandbox, so without namespaces this file is
 * skipped with the reason (CI=true refuses to skip it).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CHROMIUM_ARGS } from '../src/checks/browser/browser-session.js';
import { findChromium } from '../src/checks/browser/find-chromium.js';
import type { CheckResult, RunResult } from '../src/runner/run-result.js';
import { makeCert, type TestCert } from './helpers/certs.js';
import { chromiumSkipReason } from './helpers/chromium.js';
import { ROOT, runCli } from './helpers/cli.js';
import { hostsNamespaceUnavailable, withHosts } from './helpers/hosts-namespace.js';
import { sandboxSkipReason } from './helpers/sandbox.js';
import { startServer, type TestServer } from './helpers/servers.js';

const NAMES = { prod: 'prod.seal.test', alias: 'alias.seal.test', ip: '127.0.0.1' } as const;
/** The interpreter itself, not a version manager's shim in front of it. */
const PYTHON = (() => {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim() || 'python3';
  } catch {
    return 'python3';
  }
})();
type Target = keyof typeof NAMES;
const TARGETS = Object.keys(NAMES) as Target[];
const SCHEMES = ['http', 'https'] as const;
type Scheme = (typeof SCHEMES)[number];

const skip = await (async () => {
  const why = (await sandboxSkipReason()) ?? hostsNamespaceUnavailable() ?? (await chromiumSkipReason());
  if (why && process.env.CI === 'true') throw new Error(`CI=true requires the guard matrix to run, but ${why}`);
  if (why) console.warn(`guard matrix skipped: ${why}`); // eslint-disable-line no-console -- a skipped test prints why
  return why;
})();

let plain: TestServer;
let secure: TestServer;
let cert: TestCert;
let dir: string;
const origin = (scheme: Scheme, target: Target): string => `${scheme}://${NAMES[target]}:${scheme === 'http' ? plain.port : secure.port}`;

/** Production: a registry (GET and PUT /<package>), pages that write, and reads and writes under /read and /write. */
function production(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  req.resume();
  const page = /^\/page\/(form|beacon|keepalive)\/([\w-]+)$/.exec(url.pathname);
  if (page) {
    const [, kind, cell] = page as unknown as [string, string, string];
    const scheme = (url.searchParams.get('scheme') ?? 'http') as Scheme;
    res.writeHead(200, { 'content-type': 'text/html' }).end(writingPage(kind, cell, scheme));
    return;
  }
  const pkg = /^\/(seal-m-[\w-]+)$/.exec(url.pathname)?.[1];
  if (pkg && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: pkg, 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name: pkg, version: '1.0.0', dist: { tarball: `http://unused.invalid/${pkg}.tgz`, shasum: '0' } } } }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`production saw ${req.method ?? ''} ${url.pathname}`);
}

/** A page that reads from, and writes to, production by all three names. */
function writingPage(kind: string, cell: string, scheme: Scheme): string {
  const targets = TARGETS.map((t) => ({ read: `${origin(scheme, t)}/read/${cell}/${t}`, write: `${origin(scheme, t)}/write/${cell}/${t}` }));
  const writes = targets.map(({ write }, i) => {
    switch (kind) {
      case 'form': return `<iframe name="f${i}" hidden></iframe><form target="f${i}" method="post" action="${write}"><input name="x" value="1"></form>`;
      case 'beacon': return `<script>navigator.sendBeacon(${JSON.stringify(write)}, 'x')</script>`;
      default: return `<script>fetch(${JSON.stringify(write)}, { method: 'POST', body: 'x', keepalive: true, mode: 'no-cors' })</script>`;
    }
  });
  const reads = targets.map(({ read }) => `fetch(${JSON.stringify(read)}, { mode: 'no-cors' })`).join(', ');
  return `<!doctype html><title>${cell}</title>${writes.join('')}<script>
for (const form of document.forms) form.submit();
Promise.all([${reads}]).then(() => { const p = document.createElement('p'); p.id = 'sent'; p.textContent = 'sent'; document.body.append(p); });
</script>`;
}

/** An exec cell's check name and the id its URLs carry. */
function execCellName(client: string, scheme: Scheme, mode: 'honoured' | 'removed'): { name: string; cell: string } {
  const cell = `${client}-${scheme}-${mode}`;
  return { name: `exec ${cell}`, cell };
}

/** One exec cell: three reads and three writes (npm: three publishes), by one client, over one scheme, with or without the proxy. */
function execCell(client: string, scheme: Scheme, mode: 'honoured' | 'removed'): { name: string; cell: string; script: string } {
  const { name, cell } = execCellName(client, scheme, mode);
  const off = mode === 'removed';
  const pairs = TARGETS.flatMap((t) => [`${origin(scheme, t)}/read/${cell}/${t}`, `${origin(scheme, t)}/write/${cell}/${t}`]).join(' ');
  const nodeEnv = off ? 'env -u NODE_OPTIONS -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u ALL_PROXY -u all_proxy -u SEAL_GUARD_PROXY ' : '';
  const each = (body: (read: string, write: string, t: Target) => string): string => TARGETS.map((t) => body(`${origin(scheme, t)}/read/${cell}/${t}`, `${origin(scheme, t)}/write/${cell}/${t}`, t)).join('\n');
  switch (client) {
    case 'curl': {
      const no = off ? "--noproxy '*' " : '';
      return { name, cell, script: each((read, write) => `curl -sS ${no}-o /dev/null -w 'read %{http_code}\\n' ${read} && curl -sS ${no}-X POST -d x -o /dev/null -w 'write %{http_code}\\n' ${write}`) };
    }
    case 'wget': {
      const no = off ? '--no-proxy ' : '';
      return { name, cell, script: each((read, write) => `wget -q ${no}-O /dev/null ${read} && echo 'read 200' && wget -q ${no}-O /dev/null --method=POST --body-data=x ${write} && echo 'write 204'`) };
    }
    case 'python':
      // One interpreter for the three names (the pyenv shim alone costs a start-up each time).
      return { name, cell, script: `${PYTHON} -c 'import sys, urllib.request as u
o = u.build_opener(${off ? 'u.ProxyHandler({})' : ''})
for read, write in zip(sys.argv[1::2], sys.argv[2::2]):
    print("read", o.open(read).status)
    print("write", o.open(u.Request(write, data=b"x", method="POST")).status)' ${pairs}` };
    case 'node-http':
      return { name, cell, script: `${nodeEnv}node -e 'const go = (u, o, b) => new Promise((ok, no) => require(u.startsWith("https") ? "https" : "http").request(u, o, (r) => { r.resume(); r.on("end", () => ok(r.statusCode)); }).on("error", no).end(b));
(async () => { const a = process.argv.slice(1); for (let i = 0; i < a.length; i += 2) { console.log("read", await go(a[i], { method: "GET" })); console.log("write", await go(a[i + 1], { method: "PATCH" }, "x")); } })()' ${pairs}` };
    case 'node-fetch':
      return { name, cell, script: `${nodeEnv}node -e '(async () => { const a = process.argv.slice(1); for (let i = 0; i < a.length; i += 2) { console.log("read", (await fetch(a[i])).status); console.log("write", (await fetch(a[i + 1], { method: "PUT", body: "x" })).status); } })()' ${pairs}` };
    default: {
      // npm publish (a write) of a package of this cell, to the registry by each name.
      const npmEnv = off ? 'env -u npm_config_proxy -u npm_config_https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u ALL_PROXY -u all_proxy ' : '';
      return {
        name,
        cell,
        script: TARGETS.map((t) => {
          const pkg = `seal-m-${cell}-${t}`;
          return `d=$(mktemp -d) && printf '{"name":"${pkg}","version":"1.0.1"}' > $d/package.json && (cd $d && ${npmEnv}npm publish --registry=${origin(scheme, t)}/ --//${NAMES[t]}:${scheme === 'http' ? plain.port : secure.port}/:_authToken=matrix-token) && echo 'write 204'`;
        }).join('\n'),
      };
    }
  }
}

const EXEC_CLIENTS = ['curl', 'wget', 'python', 'node-http', 'node-fetch', 'npm'];
const PAGE_KINDS = ['form', 'beacon', 'keepalive'];

/** The team's spec: Playwright's request fixture, request.newContext() with and without the proxy, pages via the fixture and via a browser launched without the proxy. */
function teamSpec(): string {
  return `const { test, expect, request, chromium } = require('@playwright/test');
// Two workers at once: each write must still land on its own test.
test.describe.configure({ mode: 'parallel' });
const cfg = JSON.parse(process.env.MATRIX);
// A browser of the worker's own, launched without a proxy (Chromium would otherwise take the proxy variables).
let own = null;
const ownBrowser = () => (own ??= chromium.launch({ executablePath: cfg.chromium, args: [...cfg.args, '--no-proxy-server'] }));
test.afterAll(async () => { if (own) await (await own).close(); });
const names = Object.keys(cfg.names);
const origin = (scheme, t) => scheme + '://' + cfg.names[t] + ':' + cfg.ports[scheme];
async function readAndWrite(api, scheme, cell) {
  for (const t of names) {
    expect((await api.get(origin(scheme, t) + '/read/' + cell + '/' + t)).status()).toBe(200);
    expect((await api.post(origin(scheme, t) + '/write/' + cell + '/' + t, { data: 'x' })).status()).toBe(204);
  }
}
async function writingPage(page, kind, scheme, cell) {
  const writes = names.map((t) => origin(scheme, t) + '/write/' + cell + '/' + t);
  if (kind === 'form') {
    // One form at a time in the page itself: a 204 answer leaves the page where it is.
    await page.goto(origin(scheme, 'prod') + '/read/' + cell + '/page');
    for (const url of writes) {
      const answered = page.waitForResponse(url);
      await page.evaluate((action) => { const f = document.createElement('form'); f.method = 'post'; f.action = action; document.body.append(f); f.submit(); }, url);
      expect((await answered).status()).toBe(204);
    }
    return;
  }
  const sent = Promise.all(writes.map((url) => page.waitForResponse(url)));
  await page.goto(origin(scheme, 'prod') + '/page/' + kind + '/' + cell + '?scheme=' + scheme);
  await sent;
}
for (const scheme of ['http', 'https']) {
  test('request fixture ' + scheme + ' honoured', async ({ request: api }) => readAndWrite(api, scheme, 'fixture-' + scheme + '-honoured'));
  test('newContext ' + scheme + ' honoured', async () => {
    const api = await request.newContext({ proxy: { server: process.env.SEAL_GUARD_PROXY }, ignoreHTTPSErrors: true });
    await readAndWrite(api, scheme, 'newcontext-' + scheme + '-honoured');
    await api.dispose();
  });
  test('newContext ' + scheme + ' removed', async () => {
    // No proxy option: Playwright's own request context ignores the proxy variables.
    const api = await request.newContext({ ignoreHTTPSErrors: true });
    await readAndWrite(api, scheme, 'newcontext-' + scheme + '-removed');
    await api.dispose();
  });
  for (const kind of ${JSON.stringify(PAGE_KINDS)}) {
    test('page ' + kind + ' ' + scheme + ' honoured', async ({ page }) => writingPage(page, kind, scheme, 'page-' + kind + '-' + scheme + '-honoured'));
    test('page ' + kind + ' ' + scheme + ' removed', async () => {
      const context = await (await ownBrowser()).newContext({ ignoreHTTPSErrors: true });
      await writingPage(await context.newPage(), kind, scheme, 'page-' + kind + '-' + scheme + '-removed');
      await context.close();
    });
  }
}
`;
}

beforeAll(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'seal-matrix-'));
  cert = makeCert(30, NAMES.prod, `DNS:${NAMES.prod},DNS:${NAMES.alias},IP:127.0.0.1`);
  plain = await startServer(production);
  secure = await startServer(production, cert);
  mkdirSync(join(dir, 'e2e'), { recursive: true });
  writeFileSync(join(dir, 'e2e/matrix.spec.js'), teamSpec());
  writeFileSync(join(dir, 'package.json'), '{}');
  cpSync(cert.certPath, join(dir, 'ca.pem'));
}, 60_000);
afterAll(async () => {
  await plain?.close();
  await secure?.close();
});

/** Runs `seal smoke matrix --json` with the matrix's /etc/hosts; returns the run result. */
async function seal(checks: unknown[], extra: Record<string, unknown> = {}): Promise<RunResult> {
  const config = join(dir, `seal-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(config, stringify({ apps: { matrix: { production_url: origin('http', 'prod'), allow_hosts: [`${NAMES.prod}:${secure.port}`], ca_file: 'ca.pem', concurrency: 6, deadline_ms: 240_000, checks, ...extra } } }));
  const env = {
    SEAL_DATA_DIR: join(dir, 'data'),
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    MATRIX: JSON.stringify({ names: NAMES, ports: { http: plain.port, https: secure.port }, chromium: await findChromium(process.env), args: CHROMIUM_ARGS }),
  };
  const run = await runCli([], { shell: withHosts([NAMES.prod, NAMES.alias], '127.0.0.1', [process.execPath, `${ROOT}bin/seal`, 'smoke', 'matrix', '--config', config, '--json']), env, timeoutMs: 280_000 });
  expect(run.stdout, run.stderr).not.toBe('');
  return JSON.parse(run.stdout) as RunResult;
}

/** The writes listed on a check, as `METHOD path` of the cell's own URLs. */
const listed = (check: CheckResult | undefined): string[] => (check?.blocked_requests ?? []).map((b) => `${b.method} ${b.url}`).sort();
const writesOf = (scheme: Scheme, cell: string, method: string, path = (t: Target) => `/write/${cell}/${t}`): string[] => TARGETS.map((t) => `${method} ${origin(scheme, t)}${path(t)}`).sort();
const METHOD: Record<string, string> = { curl: 'POST', wget: 'POST', python: 'POST', 'node-http': 'PATCH', 'node-fetch': 'PUT' };

describe.skipIf(skip !== null)('the guard matrix: real clients × names × schemes × proxy honoured or removed', () => {
  let result: RunResult;
  const byName = (name: string): CheckResult | undefined => result.checks.find((c) => c.name === name);

  beforeAll(async () => {
    plain.writes.length = 0;
    secure.writes.length = 0;
    const exec = SCHEMES.flatMap((scheme) => EXEC_CLIENTS.flatMap((client) => (['honoured', 'removed'] as const).map((mode) => execCell(client, scheme, mode))));
    const browser = SCHEMES.flatMap((scheme) => PAGE_KINDS.map((kind) => ({ name: `browser ${kind}-${scheme}`, browser: `/page/${kind}/browser-${kind}-${scheme}?scheme=${scheme}`, wait_for: '#sent' })));
    result = await seal([
      ...exec.map((c) => ({ name: c.name, exec: { command: ['bash', '-c', c.script], timeout_ms: 120_000 } })),
      ...browser.map((b) => ({ name: b.name, browser: { path: b.browser, wait_for: b.wait_for }, timeout_ms: 30_000 })),
      { name: 'team', playwright: { spec: 'e2e/matrix.spec.js', workers: 2 }, timeout_ms: 200_000 },
    ], { network_sandbox: 'required' });
    if (process.env.SEAL_MATRIX_DUMP) writeFileSync(process.env.SEAL_MATRIX_DUMP, JSON.stringify(result, null, 1));
  }, 300_000);

  it('production received no write at all', () => {
    expect(plain.writes).toEqual([]);
    expect(secure.writes).toEqual([]);
  });

  it('every check passed: the reads all reached production', () => {
    expect(result.verdict, result.summary).toBe('green');
  });

  for (const scheme of SCHEMES) {
    for (const client of EXEC_CLIENTS) {
      for (const mode of ['honoured', 'removed'] as const) {
        const { name, cell } = execCellName(client, scheme, mode);
        it(`${name}: reads reach production, the three writes are listed on this check`, () => {
          const check = byName(name);
          expect(check?.status, JSON.stringify(check?.evidence)).toBe('passed');
          const method = METHOD[client] ?? 'PUT';
          expect(listed(check)).toEqual(client === 'npm' ? writesOf(scheme, cell, 'PUT', (t) => `/seal-m-${cell}-${t}`) : writesOf(scheme, cell, method));
          expect(check?.evidence.network_sandbox).toBe('on');
          // Each name's read reached production, and only reads did (npm publish reads the package first).
          const seen = (scheme === 'http' ? plain : secure).requests.filter((r) => r.url.includes(cell)).map((r) => `${r.method} ${r.url}`);
          if (client === 'npm') expect(seen.length > 0 && seen.every((r) => r.startsWith('GET '))).toBe(true);
          else expect(seen.sort()).toEqual(TARGETS.map((t) => `GET /read/${cell}/${t}`).sort());
        });
      }
    }
    for (const kind of PAGE_KINDS) {
      it(`browser check, page ${kind} over ${scheme}: the three writes are listed on this check`, () => {
        const check = byName(`browser ${kind}-${scheme}`);
        expect(check?.status, check?.error ?? '').toBe('passed');
        expect(listed(check)).toEqual(writesOf(scheme, `browser-${kind}-${scheme}`, 'POST'));
      });
    }
  }

  it('npm publish "succeeded" against the guard\'s answer, and its output is labelled so', () => {
    const check = byName('exec npm-https-honoured');
    expect(check?.evidence.stdout).toContain('+ seal-m-npm-https-honoured-alias@1.0.1');
    expect(check?.evidence.guard_answered).toMatch(/^3 writes blocked: the guard answered them itself \(204, never sent to production\)/);
  });

  for (const scheme of SCHEMES) {
    const cells = [
      ['request fixture', 'fixture', 'honoured'],
      ['newContext', 'newcontext', 'honoured'],
      ['newContext', 'newcontext', 'removed'],
      ...PAGE_KINDS.flatMap((kind) => [[`page ${kind}`, `page-${kind}`, 'honoured'], [`page ${kind}`, `page-${kind}`, 'removed']]),
    ];
    for (const [title, cell, mode] of cells) {
      it(`spec test "${title} ${scheme} ${mode}": its writes are listed on its own test, with its file and line`, () => {
        const check = byName(`team › ${title} ${scheme} ${mode}`);
        expect(check?.status, check?.assertions[0]?.message).toBe('passed');
        expect(listed(check)).toEqual(writesOf(scheme, `${cell}-${scheme}-${mode}`, 'POST'));
        expect(check?.blocked_requests?.[0]).toMatchObject({ test: `${title} ${scheme} ${mode}`, location: expect.stringMatching(/^e2e\/matrix\.spec\.js:\d+$/) });
      });
    }
  }

  it('nothing is charged to "outside any test", and Chromium\'s own requests are not the team\'s', () => {
    expect(result.checks.map((c) => c.name)).not.toContain('team › outside any test');
    expect(result.blocked_requests.every((b) => b.url.includes('/write/') || b.url.includes('/seal-m-'))).toBe(true);
  });
});
