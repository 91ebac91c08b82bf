import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCert, type TestCert } from '../../test/helpers/certs.js';
import { reply, startServer, type TestServer } from '../../test/helpers/servers.js';
import { createGuardAuthority, type GuardAuthority } from './authority.js';
import { startRunGuard, type RunGuard } from './guard.js';

let plain: TestServer;
let secure: TestServer;
let cert: TestCert;
let authority: GuardAuthority;
let guard: RunGuard;

const bodies: string[] = [];
beforeAll(async () => {
  cert = makeCert(30);
  authority = await createGuardAuthority();
  const handler = (req: IncomingMessage, res: Parameters<typeof reply>[0]) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (body) bodies.push(body);
      reply(res, 200, `hello via ${req.method ?? ''} ${req.url ?? ''}`);
    });
  };
  plain = await startServer(handler);
  secure = await startServer(handler, cert);
  guard = await startRunGuard({
    hostnames: ['localhost'],
    upstreamCa: cert.cert,
    authority,
    allowRequests: [{ method: 'POST', path: '/graphql', reason: 'GraphQL queries only read', graphql: 'queries' }],
    firstBytesMs: 300,
  });
});
afterAll(async () => {
  await guard.stop();
  await plain.close();
  await secure.close();
});

/** Runs curl through a proxy, trusting the run's bundle; resolves with what it printed and its exit code. */
function curl(proxy: string, args: readonly string[]): Promise<{ out: string; code: number }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '-x', proxy, '--cacert', guard.trust.bundleFile, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ out: `${stdout}${stderr}`, code: error ? Number((error as { code?: number }).code ?? 1) : 0 });
    });
  });
}

describe('the run\'s guard', () => {
  it('passes reads to production over http and https and answers writes itself, on the channel that sent them', async () => {
    const probe = guard.channel({ check: 'probe', client: 'exec' });
    const other = guard.channel({ check: 'other', client: 'exec' });
    const [a, b] = [await probe.listen(), await other.listen()];
    const base = `https://localhost:${secure.port}`;
    plain.writes.length = 0;
    secure.writes.length = 0;
    expect(await curl(a, [`${plain.url}/page`])).toEqual({ out: 'hello via GET /page', code: 0 });
    expect(await curl(a, [`${base}/page`])).toEqual({ out: 'hello via GET /page', code: 0 });
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(await curl(a, ['-X', method, '-d', '{"a":1}', '-o', '/dev/null', '-w', '%{http_code} %header{x-smoke-seal}', `${base}/api/things`])).toEqual({ out: '204 blocked-write', code: 0 });
    }
    expect(await curl(b, ['-X', 'POST', '-d', 'x', '-o', '/dev/null', '-w', '%{http_code}', `${plain.url}/form`])).toEqual({ out: '204', code: 0 });
    expect(plain.writes).toEqual([]);
    expect(secure.writes).toEqual([]);
    expect(probe.blocked.map((r) => `${r.method} ${r.url}`)).toEqual(['POST', 'PUT', 'PATCH', 'DELETE'].map((m) => `${m} ${base}/api/things`));
    expect(other.blocked.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${plain.url}/form`]);
    await Promise.all([probe.close(), other.close()]);
  });

  it('knows production by address: HTTPS to its IP literal is intercepted too, and another address is tunnelled untouched', async () => {
    const probe = guard.channel({ check: 'by address', client: 'exec' });
    const proxy = await probe.listen();
    secure.writes.length = 0;
    // localhost is production's name; 127.0.0.1 is one of its addresses.
    expect(await curl(proxy, ['-X', 'DELETE', '-o', '/dev/null', '-w', '%{http_code}', `https://127.0.0.1:${secure.port}/api/things/1`])).toEqual({ out: '204', code: 0 });
    expect(secure.writes).toEqual([]);
    expect(probe.blocked).toMatchObject([{ method: 'DELETE', url: `https://127.0.0.1:${secure.port}/api/things/1` }]);
    // An API server on another address, trusted only with its own certificate: the guard stays out of its TLS.
    const apiCert = makeCert(30, 'api', 'IP:127.0.0.2');
    const api = await startServer((_req, res) => reply(res, 200, 'api server'), apiCert, '127.0.0.2');
    const tunnelled = await new Promise<string>((resolve) => {
      execFile('curl', ['-sS', '-x', proxy, '--cacert', apiCert.certPath, '-X', 'POST', `${api.url}/apis`], (_e, out, err) => resolve(`${out}${err}`));
    });
    expect(tunnelled).toBe('api server');
    // Plain HTTP is read whatever the host: a write to the API server over HTTP is blocked.
    const plainApi = await startServer((_req, res) => reply(res, 200, 'plain api'), undefined, '127.0.0.2');
    expect(await curl(proxy, ['-X', 'POST', '-o', '/dev/null', '-w', '%{http_code}', `${plainApi.url}/x`])).toEqual({ out: '204', code: 0 });
    expect(plainApi.writes).toEqual([]);
    await Promise.all([api.close(), plainApi.close(), probe.close()]);
  });

  it('a read that asks the server to act as a write is blocked', async () => {
    const probe = guard.channel({ check: 'override', client: 'exec' });
    const proxy = await probe.listen();
    const before = plain.requests.length;
    expect(await curl(proxy, ['-H', 'X-HTTP-Method-Override: DELETE', '-o', '/dev/null', '-w', '%{http_code}', `${plain.url}/items/1`])).toEqual({ out: '204', code: 0 });
    expect(await curl(proxy, ['-o', '/dev/null', '-w', '%{http_code}', `${plain.url}/items/1?_method=DELETE`])).toEqual({ out: '204', code: 0 });
    expect(plain.requests.length).toBe(before);
    expect(probe.blocked.map((r) => r.why)).toEqual(['GET with x-http-method-override: DELETE', 'GET with _method=DELETE']);
    await probe.close();
  });

  it('GraphQL over POST: a query reaches production (listed with its reason), a mutation does not', async () => {
    const probe = guard.channel({ check: 'graphql', client: 'exec' });
    const proxy = await probe.listen();
    bodies.length = 0;
    secure.writes.length = 0;
    const post = (body: string) => curl(proxy, ['-X', 'POST', '-H', 'content-type: application/json', '--data-binary', body, '-w', ' %{http_code}', `https://localhost:${secure.port}/graphql`]);
    expect(await post('{"query":"{ viewer { name } }"}')).toEqual({ out: 'hello via POST /graphql 200', code: 0 });
    expect(await post('{"query":"mutation { deleteAccount }"}')).toEqual({ out: ' 204', code: 0 });
    expect(bodies).toEqual(['{"query":"{ viewer { name } }"}']);
    expect(secure.writes).toEqual(['POST /graphql']);
    expect(probe.allowed).toMatchObject([{ method: 'POST', url: `https://localhost:${secure.port}/graphql`, reason: 'GraphQL queries only read' }]);
    expect(probe.blocked).toMatchObject([{ method: 'POST', why: 'POST /graphql: a GraphQL mutation' }]);
    await probe.close();
  });

  it('a GraphQL body over 1 MiB is not read and not let through; the connection is cut past 16 MiB', async () => {
    const probe = guard.channel({ check: 'big', client: 'exec' });
    const proxy = await probe.listen();
    secure.writes.length = 0;
    const query = JSON.stringify({ query: `{ a }${' '.repeat(1024 * 1024 + 10)}` });
    const answer = await new Promise<string>((resolve) => {
      const child = execFile('curl', ['-sS', '-x', proxy, '--cacert', guard.trust.bundleFile, '-X', 'POST', '-H', 'content-type: application/json', '--data-binary', '@-', '-w', '%{http_code}', `https://localhost:${secure.port}/graphql`], (_e, out) => resolve(out));
      child.stdin?.end(query);
    });
    expect(answer).toBe('204');
    expect(secure.writes).toEqual([]);
    expect(probe.blocked).toMatchObject([{ why: `POST /graphql: a body over ${1024 * 1024} bytes is not read` }]);
    await probe.close();
  });

  it('a browser channel answers Chromium\'s own requests locally and does not count them as the team\'s writes', async () => {
    const browser = guard.channel({ check: 'page', client: 'browser' });
    const proxy = await browser.listen();
    expect(await curl(proxy, ['-X', 'POST', '-o', '/dev/null', '-w', '%{http_code} %header{x-smoke-seal}', 'http://update.googleapis.com/service/update2/json'])).toEqual({ out: '403 browser-background', code: 0 });
    const tunnel = await curl(proxy, ['-X', 'POST', 'https://update.googleapis.com/service/update2/json']);
    expect(tunnel.out).toMatch(/CONNECT tunnel failed, response 403/);
    expect(browser.blocked).toEqual([]);
    expect(browser.background()).toBe(2);
    await browser.close();
  });

  it('checks production\'s certificate on the way out: an untrusted one fails the client, and the guard says why', async () => {
    const strict = await startRunGuard({ hostnames: ['localhost'], upstreamCa: null, allowRequests: [], authority });
    const probe = strict.channel({ check: 'strict', client: 'exec' });
    const proxy = await probe.listen();
    const url = `https://localhost:${secure.port}/page`;
    const seen = await new Promise<number>((resolve) => execFile('curl', ['-sS', '-x', proxy, '--cacert', strict.trust.bundleFile, url], (error) => resolve(error ? 1 : 0)));
    expect(seen).toBe(1);
    expect(probe.upstreamErrors).toEqual([{ url, message: expect.stringMatching(/self-signed certificate/) }]);
    await strict.stop();
  });

  it('records a client that refuses the guard\'s certificate', async () => {
    const probe = guard.channel({ check: 'pinned', client: 'exec' });
    const proxy = await probe.listen();
    const pinned = await new Promise<string>((resolve) => execFile('curl', ['-sS', '-x', proxy, '--cacert', cert.certPath, `https://localhost:${secure.port}/`], (_e, out, err) => resolve(`${out}${err}`)));
    expect(pinned).toMatch(/SSL certificate problem/);
    expect(probe.tlsRefusals).toMatchObject([{ host: `localhost:${secure.port}`, detail: 'TLS alert: unknown ca' }]);
    await probe.close();
  });

  it('a connection that dialled an address that is not production (as a sandbox hands it over) is refused and listed', async () => {
    const probe = guard.channel({ check: 'direct', client: 'exec' });
    const outside: Server = createServer((socket) => probe.accept(socket, true));
    await new Promise<void>((resolve) => outside.listen(0, '127.0.0.2', resolve));
    const port = (outside.address() as AddressInfo).port;
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.2', () => socket.write('POST /x HTTP/1.1\r\nHost: elsewhere\r\n\r\n'));
      socket.on('close', () => resolve(true));
      socket.on('error', () => undefined);
    });
    expect(closed).toBe(true);
    expect(probe.outsideProxy).toMatchObject([{ target: `127.0.0.2:${port}` }]);
    outside.close();
    await probe.close();
  });

  it('a client that opens a tunnel and says nothing is cut at the time bound', async () => {
    const probe = guard.channel({ check: 'silent', client: 'exec' });
    const proxy = new URL(await probe.listen());
    const started = performance.now();
    const ended = await new Promise<string>((resolve) => {
      const socket = connect(Number(proxy.port), proxy.hostname, () => socket.write(`CONNECT localhost:${secure.port} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
      let said = '';
      socket.on('data', (chunk: Buffer) => (said += chunk.toString()));
      socket.on('close', () => resolve(said));
      socket.on('error', () => undefined);
    });
    expect(ended).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    // firstBytesMs is 300 here: closed by the guard, not by the test's own timeout.
    expect(performance.now() - started).toBeLessThan(10_000);
    await probe.close();
  });

  it('passes a WebSocket upgrade through (a GET); a write-method upgrade is refused', async () => {
    const probe = guard.channel({ check: 'ws', client: 'exec' });
    const proxy = new URL(await probe.listen());
    // A server that answers upgrades with a raw 101 and then echoes whatever comes.
    const raw = await startRawUpgradeServer();
    const talk = (method: string) => new Promise<string>((resolve) => {
      const socket = connect(Number(proxy.port), proxy.hostname, () => socket.write(`${method} http://127.0.0.1:${raw.port}/live HTTP/1.1\r\nHost: 127.0.0.1:${raw.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nping`));
      let said = '';
      socket.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        if (said.includes('ping') || said.includes('403')) socket.destroy();
      });
      socket.on('close', () => resolve(said));
    });
    expect(await talk('GET')).toMatch(/^HTTP\/1\.1 101 Switching Protocols[\s\S]*ping$/);
    expect(await talk('POST')).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect(probe.blocked).toMatchObject([{ method: 'POST', why: 'POST upgrade' }]);
    raw.server.close();
    await probe.close();
  });

  it('hostile bytes from a client end that connection, not the run: a Host that is no URL gets a 400, and the guard goes on', async () => {
    const probe = guard.channel({ check: 'hostile', client: 'exec' });
    const proxy = new URL(await probe.listen());
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(proxy.port), proxy.hostname, () => socket.write('POST /x HTTP/1.1\r\nHost: a b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
      let said = '';
      socket.on('data', (chunk: Buffer) => (said += chunk.toString()));
      socket.on('close', () => resolve(said));
      socket.on('error', () => undefined);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(await curl(proxy.href, [`${plain.url}/still-here`])).toEqual({ out: 'hello via GET /still-here', code: 0 });
    await probe.close();
  });

  it('a read on a kept-alive connection production closed as it was reused goes again on a fresh one', async () => {
    // Production answers one request per connection and hangs up on the next, as a server whose
    // keep-alive time ran out just then does.
    let connections = 0;
    let hungUp = 0;
    const once = createServer((socket) => {
      connections++;
      let answered = false;
      socket.on('data', () => {
        if (answered) {
          hungUp++;
          return void socket.destroy();
        }
        answered = true;
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => once.listen(0, '127.0.0.1', resolve));
    const port = (once.address() as AddressInfo).port;
    const probe = guard.channel({ check: 'reused', client: 'exec' });
    const proxy = await probe.listen();
    expect(await curl(proxy, [`http://127.0.0.1:${port}/first`])).toEqual({ out: 'ok', code: 0 });
    expect(await curl(proxy, [`http://127.0.0.1:${port}/second`])).toEqual({ out: 'ok', code: 0 });
    // The second read went out on the kept connection, was hung up on, and went again on a new one.
    expect(hungUp).toBe(1);
    expect(connections).toBe(2);
    expect(probe.upstreamErrors).toEqual([]);
    once.close();
    await probe.close();
  });

  it('stop cuts open connections and removes its files', async () => {
    const own = await startRunGuard({ hostnames: ['localhost'], upstreamCa: null, allowRequests: [], authority });
    const proxy = new URL(await own.channel({ check: 'x', client: 'exec' }).listen());
    const closed = new Promise<void>((resolve) => {
      const socket = connect(Number(proxy.port), proxy.hostname);
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await own.stop();
    await closed;
    expect(existsSync(own.trust.bundleFile)).toBe(false);
  });
});

/** A server that answers any upgrade with 101 and then echoes what it receives. */
async function startRawUpgradeServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
      const rest = head.slice(end + 4);
      if (rest) socket.write(rest);
      socket.pipe(socket);
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
