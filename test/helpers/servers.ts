/** Real HTTP(S) servers on 127.0.0.1 for tests, with request logs and bounded lifetimes. */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { READ_ONLY_METHODS } from '../../src/config/schema.js';

/** A running loopback server. */
export interface TestServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Every request seen, in arrival order. */
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  /** `METHOD url` of every request that was not GET, HEAD or OPTIONS (clear it with `writes.length = 0`). */
  readonly writes: string[];
  /** Most requests in flight at the same time. */
  readonly maxInFlight: () => number;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 or another loopback address (free port); `tls` makes it HTTPS. */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>, tls?: { key: string; cert: string }, host = '127.0.0.1'): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const writes: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sockets = new Set<Socket>();
  const listener: RequestListener = (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (!(READ_ONLY_METHODS as readonly string[]).includes(req.method ?? '')) writes.push(`${req.method ?? ''} ${req.url ?? ''}`);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      res.destroy(error as Error);
    });
  };
  const server: Server = tls ? createHttpsServer(tls, listener) : createServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return {
    url: `${tls ? 'https' : 'http'}://${authority}`,
    host: authority,
    port,
    requests,
    writes,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends a response after a delay (bounded: the timer is cleared if the client goes away). */
export function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}, delayMs = 0): void {
  const send = (): void => {
    if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
  };
  if (delayMs === 0) return send();
  const timer = setTimeout(send, delayMs);
  res.on('close', () => clearTimeout(timer));
}
