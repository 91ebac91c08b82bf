/**
 * Requests a client (or an attacker) sends with a NUL or a broken percent-encoding in the path
 * or query, through a real HTTP server and real clients (curl, Python's http.client): 400 naming
 * the problem, never a 500, and no stack trace in the log.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebFixture, type WebFixture } from './helpers/web.js';

const run = promisify(execFile);
let web: WebFixture;
let server: ServerType;
let base: string;

beforeAll(async () => {
  web = await createWebFixture();
  await web.ledger.recordRelease({ app: 'studio', version: 'v1' });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: web.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await web?.close();
});

/** curl, sending the path exactly as written; returns the status and the body. */
async function curl(path: string, ...extra: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '--path-as-is', '--max-time', '10', '-w', '\n%{http_code}', ...extra, `${base}${path}`]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

describe('a NUL or a broken encoding in the request target', () => {
  const cases: [string, string][] = [
    ['/apps/%00/badge.svg', 'the path holds a NUL character (%00)'],
    ['/releases/studio/v1%00', 'the path holds a NUL character (%00)'],
    ['/api/releases?app=%00', 'the query holds a NUL character (%00)'],
    ['/deployments?app=studio%00x', 'the query holds a NUL character (%00)'],
    ['/api/releases/studio/%C0%80', 'the path is not valid percent-encoded UTF-8'],
    ['/api/releases?app=%E2%82', 'the query is not valid percent-encoded UTF-8'],
  ];
  for (const [path, problem] of cases) {
    it(`curl ${path}: 400 naming it`, async () => {
      const answer = await curl(path);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({ error: `bad request: ${problem}` });
    });
  }

  it('a browser asking for a page gets the error page', async () => {
    const answer = await curl('/apps/%00/badge.svg', '-H', 'accept: text/html');
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('Bad request: the path holds a NUL character (%00).');
  });

  it("Python's http.client gets the same 400", async () => {
    const script = `import http.client, sys\nc = http.client.HTTPConnection('127.0.0.1', ${new URL(base).port}, timeout=10)\nc.request('GET', '/api/releases/studio/v1%00')\nr = c.getresponse()\nsys.stdout.write(str(r.status) + ' ' + r.read().decode())`;
    const { stdout } = await run('python3', ['-c', script]);
    expect(stdout).toBe('400 {"error":"bad request: the path holds a NUL character (%00)"}');
  });

  it('a malformed sign-in form is a 400 naming it, logged without a stack, never a 500', async () => {
    const closed = await createWebFixture({ readAccess: 'token' });
    const closedServer = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: closed.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    try {
      const port = (closedServer.address() as AddressInfo).port;
      const { stdout } = await run('curl', ['-sS', '--max-time', '10', '-w', '\n%{http_code}', '-X', 'POST', '-H', 'content-type: multipart/form-data; boundary=x', '--data-binary', 'garbage', `http://127.0.0.1:${port}/login`]);
      const cut = stdout.lastIndexOf('\n');
      expect(Number(stdout.slice(cut + 1))).toBe(400);
      expect(JSON.parse(stdout.slice(0, cut))).toEqual({ error: 'the form cannot be read: Failed to parse body as FormData.' });
      const logs = closed.logs.join('');
      expect(logs).not.toContain('"status":500');
      expect(logs).not.toContain('"stack":');
      expect(logs).toContain('"msg":"request refused"');
    } finally {
      await new Promise((resolve) => closedServer.close(resolve));
      await closed.close();
    }
  });
});

describe('board sign-in through curl, a real cookie-keeping client', () => {
  it('the form\'s CSRF value and cookie let a read token in (the cookie then holds a session, not the token); a post without them, or a write token, is a 403', async () => {
    const board = await createWebFixture({ readAccess: 'token' });
    const boardServer = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: board.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const jar = join(mkdtempSync(join(tmpdir(), 'seal-jar-')), 'cookies.txt');
    const at = `http://127.0.0.1:${(boardServer.address() as AddressInfo).port}`;
    const post = async (fields: string[], cookies: string[]) => {
      const { stdout } = await run('curl', ['-sS', '--max-time', '10', '-o', '/dev/null', '-D', '-', ...cookies, ...fields.flatMap((f) => ['--data-urlencode', f]), `${at}/login`]);
      return { status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(stdout)?.[1]), headers: stdout };
    };
    try {
      const { stdout: form } = await run('curl', ['-sS', '--max-time', '10', '-c', jar, `${at}/login?next=%2Fdeployments`]);
      const csrf = /name="csrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
      expect(csrf).toMatch(/^[A-Za-z0-9_-]{24}$/);
      // Another site's form: no cookie of ours goes with it.
      expect((await post([`token=${board.readToken}`, `csrf=${csrf}`], [])).status).toBe(403);
      expect((await post([`token=${board.writeToken}`, `csrf=${csrf}`], ['-b', jar])).status).toBe(403);
      const signedIn = await post([`token=${board.readToken}`, `csrf=${csrf}`, 'next=/deployments'], ['-b', jar, '-c', jar]);
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers).toMatch(/set-cookie: seal_token=seal_s_[A-Za-z0-9_-]{43};/i);
      expect(readFileSync(jar, 'utf8')).not.toContain(board.readToken);
      const { stdout: page } = await run('curl', ['-sS', '--max-time', '10', '-b', jar, '-o', '/dev/null', '-w', '%{http_code}', `${at}/deployments`]);
      expect(page).toBe('200');
    } finally {
      await new Promise((resolve) => boardServer.close(resolve));
      await board.close();
    }
  });
});

