/**
 * Live streams are capped per client address and in all, through a real `seal serve`-like
 * server and Node's own http client: the 501st stream from one address is a 503 naming the cap,
 * and a stream that ends frees its place.
 */
import { request, Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/web/server.js';

let server: RunningServer | null = null;
let dir: string | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function serveWith(env: NodeJS.ProcessEnv): Promise<RunningServer> {
  dir = mkdtempSync(join(tmpdir(), 'seal-streams-'));
  server = await startServer({ host: '127.0.0.1', port: 0, public: false, store: { databaseUrl: null, dataDir: dir }, config: null, logger: pino({ level: 'silent' }), env, evidenceRoot: dir });
  return server;
}

/** Opens a live stream; resolves once its status (and for a 200, its first event) arrived. */
function openStream(url: string, agent: Agent): Promise<{ status: number; body: string; request: ClientRequest; response: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/events`, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (res.statusCode !== 200 || body.includes('event: hello')) resolve({ status: res.statusCode ?? 0, body, request: req, response: res });
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, request: req, response: res }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
    req.end();
  });
}

describe('live streams (/events)', () => {
  it('the 501st stream from one address is refused with 503 and Retry-After; closing one lets the next in', async () => {
    const { url } = await serveWith({});
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const open: Awaited<ReturnType<typeof openStream>>[] = [];
    try {
      for (let i = 0; i < 500; i += 50) open.push(...(await Promise.all(Array.from({ length: 50 }, () => openStream(url, agent)))));
      expect(open.every((s) => s.status === 200)).toBe(true);
      const refused = await openStream(url, agent);
      expect(refused.status).toBe(503);
      expect(refused.response.headers['retry-after']).toBe('30');
      expect(JSON.parse(refused.body)).toEqual({ error: 'too many live streams: this server keeps at most 500 live streams from one address; try again later' });
      // A board that leaves frees its place.
      const closed = open.pop();
      await new Promise<void>((resolve) => {
        closed?.response.once('close', () => resolve());
        closed?.request.destroy();
      });
      let next = await openStream(url, agent);
      // The server notices the closed connection a moment later: a bounded number of tries.
      for (let i = 0; i < 50 && next.status === 503; i++) next = await openStream(url, agent);
      expect(next.status).toBe(200);
      open.push(next);
    } finally {
      for (const s of open) s.request.destroy();
      agent.destroy();
    }
  }, 120_000);

  it('a cap in all (SEAL_MAX_STREAMS) refuses beyond it, naming it; a bad value stops the server from starting', async () => {
    const { url } = await serveWith({ SEAL_MAX_STREAMS: '3' });
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const open = await Promise.all(Array.from({ length: 3 }, () => openStream(url, agent)));
    try {
      expect(open.map((s) => s.status)).toEqual([200, 200, 200]);
      const refused = await openStream(url, agent);
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toEqual({ error: 'too many live streams: this server keeps at most 3 live streams in all; try again later' });
    } finally {
      for (const s of open) s.request.destroy();
      agent.destroy();
    }
    await server?.close();
    server = null;
    await expect(serveWith({ SEAL_MAX_STREAMS_PER_CLIENT: 'lots' })).rejects.toThrow('SEAL_MAX_STREAMS_PER_CLIENT must be a whole number above 0, got "lots"');
  }, 60_000);
});
