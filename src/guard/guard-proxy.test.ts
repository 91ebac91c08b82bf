import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProxyAgent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCert, type TestCert } from '../../test/helpers/certs.js';
import { reply, startServer, type TestServer } from '../../test/helpers/servers.js';
import { startGuardProxy, type GuardProxy } from './guard-proxy.js';

let plain: TestServer;
let secure: TestServer;
let cert: TestCert;
let guard: GuardProxy;

beforeAll(async () => {
  cert = makeCert(30);
  const handler = (req: { method?: string }, res: Parameters<typeof reply>[0]) => reply(res, 200, `hello via ${req.method ?? ''}`);
  plain = await startServer(handler);
  secure = await startServer(handler, cert);
  guard = await startGuardProxy({ check: 'spec', dir: mkdtempSync(join(tmpdir(), 'seal-guard-')), upstreamCa: cert.cert });
});
afterAll(async () => {
  await guard.stop();
  await plain.close();
  await secure.close();
});

// A client that goes through the guard and trusts its CA, as a Playwright browser or curl would.
const viaGuard = () => new ProxyAgent({ uri: guard.url, requestTls: { ca: [guard.caCert] } });

describe('the guard proxy', () => {
  it.each(['http', 'https'])('passes reads through to production over %s', async (scheme) => {
    const target = scheme === 'http' ? plain : secure;
    const url = scheme === 'http' ? `${plain.url}/page` : `https://localhost:${secure.port}/page`;
    const before = target.requests.length;
    const response = await request(url, { dispatcher: viaGuard() });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('hello via GET');
    expect(target.requests.length).toBe(before + 1);
  });

  it.each(['http', 'https'])('answers writes over %s itself: 204, recorded, never reaching production', async (scheme) => {
    const target = scheme === 'http' ? plain : secure;
    const url = scheme === 'http' ? `${plain.url}/api/things` : `https://localhost:${secure.port}/api/things`;
    const before = target.requests.length;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await request(url, { method, body: '{"a":1}', dispatcher: viaGuard() });
      expect(response.statusCode).toBe(204);
      expect(response.headers['x-smoke-seal']).toBe('blocked-write');
      await response.body.dump();
    }
    expect(target.requests.length).toBe(before);
    expect(guard.blocked.filter((b) => b.url === url).map((b) => b.method)).toEqual(['POST', 'PUT', 'PATCH', 'DELETE']);
  });

  it('still checks production\'s certificate on the way out: the client sees the connection fail, the guard says why', async () => {
    const strict = await startGuardProxy({ check: 'strict', dir: mkdtempSync(join(tmpdir(), 'seal-guard-')), upstreamCa: null });
    const url = `https://localhost:${secure.port}/page`;
    await expect(request(url, { dispatcher: new ProxyAgent({ uri: strict.url, requestTls: { ca: [strict.caCert] } }) })).rejects.toThrow();
    expect(strict.upstreamErrors).toEqual([{ url, message: expect.stringMatching(/self-signed certificate/) }]);
    await strict.stop();
  });
});

describe('the guard preload (NODE_OPTIONS --import dist/guard-preload.js)', () => {
  const preload = new URL('../../dist/guard-preload.js', import.meta.url);
  const runNode = (script: string, env: NodeJS.ProcessEnv): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(process.execPath, ['--import', preload.href, '--input-type=module', '-e', script], { env: { ...process.env, ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(stdout.trim());
      });
    });

  it('loads undici only when fetch is first used, then sends fetch through the proxy variables', async () => {
    const script = [
      "const slot = Symbol.for('undici.globalDispatcher.1');",
      "console.log('before', typeof Object.getOwnPropertyDescriptor(globalThis, slot)?.get);",
      `const r = await fetch('${plain.url}/via-preload', { method: 'POST', body: 'x' });`,
      "console.log('status', r.status, globalThis[slot].constructor.name);",
    ].join('\n');
    const out = await runNode(script, { HTTP_PROXY: guard.url, NO_PROXY: '' });
    const [before, after] = out.split('\n');
    expect(before).toBe('before function');
    // The bundler may rename the class (EnvHttpProxyAgent2): its prefix is what matters.
    expect(after).toMatch(/^status 204 EnvHttpProxyAgent\d*$/);
    expect(guard.blocked).toContainEqual({ check: 'spec', method: 'POST', url: `${plain.url}/via-preload` });
  });

  it('lets a script set its own dispatcher', async () => {
    const script = "import { setGlobalDispatcher, getGlobalDispatcher, Agent } from 'undici'; setGlobalDispatcher(new Agent()); console.log(getGlobalDispatcher().constructor.name);";
    expect(await runNode(script, {})).toBe('Agent');
  });
});
