import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCert, type TestCert } from '../../../test/helpers/certs.js';
import { reply, startServer, type TestServer } from '../../../test/helpers/servers.js';
import { resolveApp } from '../../../test/helpers/apps.js';
import { runSuite } from '../../runner/run-suite.js';
import type { CheckResult } from '../../runner/run-result.js';

let fresh: TestCert;
let expiring: TestCert;
let freshServer: TestServer;
let expiringServer: TestServer;

beforeAll(async () => {
  fresh = makeCert(30);
  expiring = makeCert(5);
  freshServer = await startServer((_req, res) => reply(res, 200, 'secure ok'), fresh);
  expiringServer = await startServer((_req, res) => reply(res, 200, 'secure ok'), expiring);
});
afterAll(async () => {
  await freshServer.close();
  await expiringServer.close();
});

async function tlsCheck(server: TestServer, cert: TestCert | null, expect_: Record<string, unknown> = {}, now?: () => Date): Promise<CheckResult> {
  const app = resolveApp({
    production_url: `https://localhost:${server.port}`,
    ...(cert ? { ca_file: cert.certPath } : {}),
    checks: [{ name: 'certificate', tls: {}, expect: expect_ }],
  });
  return (await runSuite({ app, release: null, secrets: [] }, now ? { now } : {})).checks[0] as CheckResult;
}

describe('tls check', () => {
  it('passes a trusted certificate with enough days left, with issuer and names as evidence', async () => {
    const result = await tlsCheck(freshServer, fresh, { min_days_left: 14 });
    expect(result.status).toBe('passed');
    expect(result.assertions.map((a) => a.label)).toEqual(['days left >= 14', 'certificate trusted for localhost']);
    expect(result.evidence).toMatchObject({ subject: 'localhost', issuer: 'Seal Test CA', names: ['localhost', '127.0.0.1', '0:0:0:0:0:0:0:1'], trusted: true });
    expect([29, 30]).toContain(result.evidence.days_left);
  });

  it('fails a certificate that expires too soon', async () => {
    const result = await tlsCheck(expiringServer, expiring, { min_days_left: 14 });
    expect(result.status).toBe('failed');
    expect(result.assertions[0]).toMatchObject({ label: 'days left >= 14', ok: false, expected: 14 });
    expect(result.assertions[0]?.message).toMatch(/^certificate expires in [45] days, expected at least 14$/);
  });

  it('says how long ago an expired certificate expired (clock injected 40 days ahead)', async () => {
    const later = () => new Date(Date.now() + 40 * 86_400_000);
    const result = await tlsCheck(freshServer, fresh, {}, later);
    expect(result.status).toBe('failed');
    expect(result.assertions[0]?.message).toMatch(/^certificate expired (10|11) days ago$/);
  });

  it('fails an untrusted certificate unless trusted: false', async () => {
    const untrusted = await tlsCheck(freshServer, null);
    expect(untrusted.status).toBe('failed');
    expect(untrusted.assertions[1]).toMatchObject({ label: 'certificate trusted for localhost', ok: false, actual: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const tolerated = await tlsCheck(freshServer, null, { trusted: false });
    expect(tolerated.status).toBe('passed');
  });

  it('an https check trusts the app\'s ca_file too', async () => {
    const app = resolveApp({ production_url: `https://localhost:${freshServer.port}`, ca_file: fresh.certPath, checks: [{ name: 'home', http: '/', expect: { body_contains: 'secure ok' } }] });
    const result = await runSuite({ app, release: null, secrets: [] });
    expect(result.verdict).toBe('green');
    expect((result.checks[0]?.evidence.timings as Record<string, number>).tls_ms).toBeGreaterThanOrEqual(0);
  });

  it('an https check against an untrusted certificate fails, naming the TLS error', async () => {
    const app = resolveApp({ production_url: `https://localhost:${freshServer.port}`, checks: [{ name: 'home', http: '/' }] });
    const result = await runSuite({ app, release: null, secrets: [] });
    expect(result.checks[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('self-signed certificate') });
  });

  it('refuses a redirect from https to plain http, and the http server sees no request', async () => {
    const plain = await startServer((_req, res) => reply(res, 200, 'plain'));
    const secure = await startServer((_req, res) => reply(res, 302, '', { location: `http://localhost:${plain.port}/landing` }), fresh);
    const app = resolveApp({ production_url: `https://localhost:${secure.port}`, ca_file: fresh.certPath, allow_hosts: ['localhost'], checks: [{ name: 'r', http: { path: '/', follow_redirects: true, headers: { Authorization: 'Bearer ${T}' } } }] }, { T: 'downgraded-token' });
    const result = await runSuite({ app, release: null, secrets: ['downgraded-token'] });
    expect(result.checks[0]?.status).toBe('failed');
    expect(result.checks[0]?.assertions[0]).toMatchObject({ label: 'redirect keeps https', ok: false });
    expect(plain.requests).toHaveLength(0);
    await plain.close();
    await secure.close();
  });

  it('checks a certificate on an IPv6 literal host (no SNI, identity checked against IP SANs)', async () => {
    const v6 = await startServer((_req, res) => reply(res, 200, 'v6 ok'), fresh, '::1');
    const app = resolveApp({ production_url: `https://[::1]:${v6.port}`, ca_file: fresh.certPath, checks: [{ name: 'cert', tls: {} }, { name: 'home', http: '/', expect: { body_contains: 'v6 ok' } }] });
    const result = await runSuite({ app, release: null, secrets: [] });
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([['cert', 'passed'], ['home', 'passed']]);
    expect(result.checks[0]?.assertions[1]?.label).toBe('certificate trusted for ::1');
    await v6.close();
  });

  it('fails an IP literal host that the certificate does not name', async () => {
    const other = makeCert(30, 'localhost', 'DNS:localhost');
    const server = await startServer((_req, res) => reply(res, 200, 'ok'), other);
    const app = resolveApp({ production_url: `https://127.0.0.1:${server.port}`, ca_file: other.certPath, checks: [{ name: 'cert', tls: {} }] });
    const result = await runSuite({ app, release: null, secrets: [] });
    expect(result.checks[0]?.assertions[1]).toMatchObject({ label: 'certificate trusted for 127.0.0.1', ok: false, actual: 'the certificate does not name 127.0.0.1' });
    await server.close();
  });

  it('a TLS handshake that never completes ends at the timeout with the check\'s own evidence', async () => {
    const sockets = new Set<Socket>();
    const silent: TcpServer = createTcpServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const app = resolveApp({ production_url: `https://127.0.0.1:${port}`, checks: [{ name: 'home', http: '/', timeout_ms: 300 }] });
    const result = await runSuite({ app, release: null, secrets: [] });
    expect(result.checks[0]).toMatchObject({ status: 'failed', error: 'timed out after 300 ms (timeout_ms)' });
    // Evidence present means the executor itself stopped, rather than being abandoned after the grace period.
    expect(result.checks[0]?.evidence.request).toMatchObject({ method: 'GET' });
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('a closed port fails the tls check', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const app = resolveApp({ production_url: `https://127.0.0.1:${closed.port}`, checks: [{ name: 'cert', tls: {} }] });
    const result = await runSuite({ app, release: null, secrets: [] });
    expect(result.checks[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('ECONNREFUSED') });
  });
});
