/**
 * The read-only guard for traffic we do not drive ourselves (the team's Playwright spec, exec
 * probes, and under our own browser checks): one intercepting proxy per run. Each check (and
 * each Playwright worker) gets a channel of its own, with its own listener, so every blocked
 * write is attributed to the check that made it. Reads pass through to production with its
 * certificate checked; writes are answered `204 No Content` on the spot (header
 * `x-smoke-seal: blocked-write`) and never leave the machine.
 *
 * Production is known by address as well as by name: HTTPS to any name or literal that resolves
 * to one of its addresses is intercepted. For exec probes, HTTPS to other hosts is tunnelled
 * untouched (kubectl checks its API server against its own CA); plain HTTP is read everywhere.
 * Connections a network sandbox hands over (a program that ignored the proxy and dialled
 * production directly) are served the same way, by the address they dialled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { createGuardAuthority, type GuardAuthority } from './authority.js';
import { writeClientTrust, type ClientTrust } from './client-env.js';
import { createUpstream, type Target } from './forward.js';
import { decideBody, decideRequest, isBrowserBackgroundHost, type AllowRule } from './policy.js';
import { identifyProduction, normalizeAddress, type Lookup, type ProductionIdentity } from './production.js';

/** Who sends through a channel: decides which HTTPS is intercepted and what counts as background. */
export type GuardClient = 'exec' | 'spec' | 'browser';

/** A write the guard answered itself. */
export interface GuardedRequest {
  readonly method: string;
  readonly url: string;
  /** Why it counts as a write when the method alone does not say (an override header, a GraphQL mutation). */
  readonly why: string;
  /** When it arrived (ms since the epoch), to attribute it to the test that ran then. */
  readonly at: number;
  /** The Playwright parallel index whose channel it came through; null when unknown. */
  readonly worker: number | null;
}

/** A request an `allow_requests` entry let through, with its reason. */
export interface AllowedRequest {
  readonly method: string;
  readonly url: string;
  readonly reason: string;
  readonly at: number;
  readonly worker: number | null;
}

/** One check's (or one Playwright worker's) way through the guard, and what it saw. */
export interface Channel {
  readonly check: string;
  readonly client: GuardClient;
  readonly worker: number | null;
  readonly blocked: readonly GuardedRequest[];
  readonly allowed: readonly AllowedRequest[];
  /** Requests production could not be reached for (refused, reset, DNS, certificate), with the reason. */
  readonly upstreamErrors: readonly { readonly url: string; readonly message: string }[];
  /** Connections made around the proxy (seen by a network sandbox) to an address that is not production: refused. */
  readonly outsideProxy: readonly { readonly target: string; readonly at: number }[];
  /** TLS clients that refused the guard's certificate. */
  readonly tlsRefusals: readonly { readonly host: string; readonly detail: string; readonly at: number }[];
  /** Requests Chromium made on its own (updates, safe browsing): answered locally, not the team's. */
  readonly background: () => number;
  /** Listens on 127.0.0.1 (a free port) and returns the proxy URL `http://127.0.0.1:PORT`. */
  readonly listen: () => Promise<string>;
  /**
   * Serves a connection accepted elsewhere: a proxy client, or (transparent) one that dialled an
   * address directly; `worker` then says which Playwright worker dialled it, when that can be found.
   */
  readonly accept: (socket: Socket, transparent: boolean, worker?: Promise<number | null>) => void;
  /**
   * Stops listening, after the channel's connections have closed (at most `settleMs`): a client
   * that just exited has its last words (a write, a hang-up after the TLS handshake) counted
   * before the lists are read. What was recorded stays readable.
   */
  readonly close: (settleMs?: number) => Promise<void>;
}

/** The run's guard. */
export interface RunGuard {
  /** PEM of the run's CA: clients must trust it to go through HTTPS interception. */
  readonly caCert: string;
  /** The CA bundle and client configs guarded processes are pointed at (in a folder removed when the guard stops). */
  readonly trust: ClientTrust;
  readonly production: ProductionIdentity;
  readonly channel: (options: { readonly check: string; readonly client: GuardClient; readonly worker?: number | null }) => Channel;
  readonly stop: () => Promise<void>;
}

/** What a run's guard needs to know. */
export interface GuardOptions {
  /** Production's host names (production_url, smoke_url, allow_hosts), without ports. */
  readonly hostnames: readonly string[];
  /** Extra CA (PEM) production's certificate may chain to (the app's ca_file). */
  readonly upstreamCa: string | null;
  readonly allowRequests: readonly AllowRule[];
  /** Name resolution, injectable for tests; the system resolver by default. */
  readonly lookup?: Lookup;
  /** Made when not given (tests share one). */
  readonly authority?: GuardAuthority;
  /** The environment guarded processes inherit (CAs it already trusts stay trusted). */
  readonly env?: NodeJS.ProcessEnv;
  /** How long a connection may take to send its first bytes, its headers or a judged body (30 s). */
  readonly firstBytesMs?: number;
}

/** Bytes of a request body read to judge it (a GraphQL document). Larger bodies are not let through. */
export const ALLOW_BODY_CAP = 1024 * 1024;
/** Bytes of a blocked request's body read and thrown away before the connection is closed. */
const DRAIN_CAP = 16 * 1024 * 1024;
/** How long a connection may take to send its first bytes, its headers or a judged body. */
const FIRST_BYTES_MS = 30_000;

/** How long closing a channel waits for its connections to end. */
const SETTLE_MS = 1000;

interface ChannelState extends Channel {
  /** Connections of this channel still open (TLS sockets included). */
  readonly open: Set<Socket>;
  readonly blocked: GuardedRequest[];
  readonly allowed: AllowedRequest[];
  readonly upstreamErrors: { url: string; message: string }[];
  readonly outsideProxy: { target: string; at: number }[];
  readonly tlsRefusals: { host: string; detail: string; at: number }[];
  backgroundCount: number;
  /** Callers waiting for `open` to empty. */
  readonly waiting: (() => void)[];
}

/** A connection the HTTP parser reads: whose it is and, inside a tunnel, where it leads. */
interface Conn {
  readonly channel: ChannelState;
  readonly target: (Target & { readonly scheme: 'http' | 'https' }) | null;
  /** The Playwright worker its requests are charged to (the channel's, or the one found for a direct connection). */
  readonly worker: number | null;
  requests: number;
}

/** Starts the run's guard: its CA, production's addresses, the HTTP machinery; no port yet. */
export async function startRunGuard({ hostnames, upstreamCa, allowRequests, lookup, authority: given, env = process.env, firstBytesMs = FIRST_BYTES_MS }: GuardOptions): Promise<RunGuard> {
  const [authority, production] = await Promise.all([given ?? createGuardAuthority(), identifyProduction(hostnames, lookup)]);
  const dir = mkdtempSync(join(tmpdir(), 'seal-guard-'));
  const trust = writeClientTrust(dir, authority.cert, env);
  const upstream = createUpstream(upstreamCa);
  const conns = new WeakMap<Socket, Conn>();
  const sockets = new Set<Socket>();
  const listeners = new Set<Server>();
  const ownPorts = new Set<number>();
  const track = (socket: Socket, channel: ChannelState): void => {
    sockets.add(socket);
    channel.open.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      channel.open.delete(socket);
      if (channel.open.size === 0) for (const settled of channel.waiting.splice(0)) settled();
    });
  };

  const http = createHttpServer({ headersTimeout: firstBytesMs, requestTimeout: 0, keepAliveTimeout: 5000 });
  // A client's bytes are hostile data: whatever they make throw (a header Node refuses to send on,
  // a Host that is no URL) ends that connection, never the run.
  const safely = (socket: Socket, work: Promise<void>): void => {
    work.catch(() => socket.destroy());
  };
  http.on('request', (req: IncomingMessage, res: ServerResponse) => safely(req.socket, onRequest(req, res)));
  http.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => safely(socket, onConnect(req, socket, head)));
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => safely(socket, onUpgrade(req, socket, head)));
  http.on('clientError', (_error: Error, socket: Socket) => socket.destroy());

  /** Where a request goes, from the tunnel it came through or from its own URL. */
  async function destinationOf(req: IncomingMessage, conn: Conn): Promise<{ url: URL; target: Target } | null> {
    const raw = req.url ?? '/';
    const absolute = /^[a-z]+:\/\//i.test(raw);
    let url: URL;
    try {
      if (conn.target) {
        // Inside a tunnel the target is fixed; the URL shows the name the client asked for.
        const path = absolute ? `${new URL(raw).pathname}${new URL(raw).search}` : raw;
        return { url: new URL(path, `${conn.target.scheme}://${req.headers.host ?? hostPort(conn.target.host, conn.target.port)}`), target: conn.target };
      }
      url = absolute ? new URL(raw) : new URL(raw, `http://${req.headers.host ?? ''}`);
    } catch {
      return null;
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const addresses = await production.resolve(host);
    if (isOwn(addresses, port)) return null;
    return { url, target: { host, port, connectTo: addresses[0] ?? host, production: await production.isProduction(host) } };
  }

  function isOwn(addresses: readonly string[], port: number): boolean {
    return ownPorts.has(port) && addresses.some((a) => a === '127.0.0.1' || a === '::1');
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // When it arrived, not when it was judged: a name lookup can wait behind other work.
    const at = Date.now();
    const conn = conns.get(req.socket);
    if (!conn) return void req.socket.destroy();
    conn.requests++;
    const { channel } = conn;
    const found = await destinationOf(req, conn);
    if (!found) return void res.writeHead(400, { 'x-smoke-seal': 'bad-request' }).end();
    const { url, target } = found;
    const method = (req.method ?? 'GET').toUpperCase();
    if (channel.client !== 'exec' && isBrowserBackgroundHost(target.host)) {
      channel.backgroundCount++;
      drain(req);
      return void res.writeHead(403, { 'x-smoke-seal': 'browser-background' }).end();
    }
    const onError = (message: string): void => void channel.upstreamErrors.push({ url: url.href, message });
    const { worker } = conn;
    const block = (why: string): void => {
      channel.blocked.push({ method, url: url.href, why, at, worker });
      drain(req);
      res.writeHead(204, { 'x-smoke-seal': 'blocked-write' }).end();
    };
    const decision = decideRequest(method, url, req.headers, target.production, allowRequests);
    switch (decision.kind) {
      case 'read':
        return upstream.forward(req, res, url, target, null, onError);
      case 'write':
        return block(decision.why);
      case 'allowed':
        channel.allowed.push({ method, url: url.href, reason: decision.rule.reason, at, worker });
        return upstream.forward(req, res, url, target, null, onError);
      case 'needs-body': {
        const body = await readCapped(req, ALLOW_BODY_CAP, firstBytesMs);
        if (body === null) return block(`${method} ${decision.rule.path}: a body over ${ALLOW_BODY_CAP} bytes is not read`);
        const judged = await decideBody(decision.rule, body.toString('utf8'), req.headers['content-type']);
        if (!judged.allowed) return block(judged.why);
        channel.allowed.push({ method, url: url.href, reason: decision.rule.reason, at, worker });
        return upstream.forward(req, res, url, target, body, onError);
      }
    }
  }

  async function onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const at = Date.now();
    const conn = conns.get(socket);
    const found = conn ? await destinationOf(req, conn) : null;
    if (!conn || !found) return void socket.destroy();
    const method = (req.method ?? 'GET').toUpperCase();
    // A WebSocket opens with a GET; its messages are not HTTP requests and are not inspected.
    if (method !== 'GET') {
      conn.channel.blocked.push({ method, url: found.url.href, why: `${method} upgrade`, at, worker: conn.worker });
      return void socket.end('HTTP/1.1 403 Forbidden\r\nx-smoke-seal: blocked-write\r\ncontent-length: 0\r\n\r\n');
    }
    upstream.upgrade(req, socket, head, found.url, found.target, (message) => void conn.channel.upstreamErrors.push({ url: found.url.href, message }));
  }

  async function onConnect(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const conn = conns.get(socket);
    const authority = parseAuthority(req.url ?? '');
    if (!conn || !authority) return void socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    const { channel } = conn;
    if (channel.client !== 'exec' && isBrowserBackgroundHost(authority.host)) {
      channel.backgroundCount++;
      return void socket.end('HTTP/1.1 403 Forbidden\r\nx-smoke-seal: browser-background\r\n\r\n');
    }
    const addresses = await production.resolve(authority.host);
    if (addresses.length === 0 || isOwn(addresses, authority.port)) {
      channel.upstreamErrors.push({ url: `https://${hostPort(authority.host, authority.port)}/`, message: `cannot resolve ${authority.host}` });
      return void socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    }
    const target: Target = { ...authority, connectTo: addresses[0] as string, production: await production.isProduction(authority.host) };
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    // Browsers trust the guard for every host; other clients may pin their own CA (kubectl).
    await serveTunnel(socket, channel, target, channel.client !== 'exec' || target.production, conn.worker);
  }

  /** Reads the first bytes of a tunnel: plain HTTP is always judged, TLS is intercepted or tunnelled. */
  async function serveTunnel(socket: Socket, channel: ChannelState, target: Target, interceptTls: boolean, worker: number | null): Promise<void> {
    const first = await firstChunk(socket, firstBytesMs);
    if (!first) return void socket.destroy();
    socket.pause();
    socket.unshift(first);
    if (first[0] !== 0x16) {
      conns.set(socket, { channel, target: { ...target, scheme: 'http' }, worker, requests: 0 });
      http.emit('connection', socket);
      socket.resume();
      return;
    }
    if (!interceptTls) {
      // Still paused with the first bytes unshifted: piping starts the flow once upstream is there.
      return upstream.tunnel(socket, target, (message) => void channel.upstreamErrors.push({ url: `https://${hostPort(target.host, target.port)}/`, message }));
    }
    const fallback = await authority.contextFor(target.host);
    const secure = new TLSSocket(socket, {
      isServer: true,
      secureContext: fallback,
      ALPNProtocols: ['http/1.1'],
      SNICallback: (name, done) => void authority.contextFor(name).then((context) => done(null, context), (error: Error) => done(error)),
    });
    track(secure, channel);
    let conn: Conn | null = null;
    secure.once('secure', () => {
      const host = typeof secure.servername === 'string' && secure.servername ? secure.servername : target.host;
      conn = { channel, target: { ...target, host, scheme: 'https' }, worker, requests: 0 };
      conns.set(secure, conn);
      http.emit('connection', secure);
    });
    let alert = false;
    secure.on('error', (error: Error) => {
      // Only a probe's refusal means anything: browsers trust the guard, and Chromium's
      // speculative connections end with alerts of their own.
      if (!conn && channel.client === 'exec') {
        alert = true;
        channel.tlsRefusals.push({ host: hostPort(target.host, target.port), detail: tlsAlertOf(error), at: Date.now() });
      }
      secure.destroy();
    });
    secure.once('close', () => {
      // A client that does not trust the certificate may send no alert and just hang up, during
      // the handshake or right after it (Node checks the certificate once the handshake is done).
      if (channel.client !== 'exec' || alert || (conn && conn.requests > 0)) return;
      const detail = conn ? 'closed the connection after the TLS handshake without sending a request' : 'hung up during the TLS handshake';
      channel.tlsRefusals.push({ host: hostPort(conn?.target?.host ?? target.host, target.port), detail, at: Date.now() });
    });
  }

  function openChannel({ check, client, worker = null }: { check: string; client: GuardClient; worker?: number | null }): Channel {
    let listener: Server | null = null;
    const channel: ChannelState = {
      check,
      client,
      worker,
      blocked: [],
      allowed: [],
      upstreamErrors: [],
      outsideProxy: [],
      tlsRefusals: [],
      backgroundCount: 0,
      open: new Set(),
      waiting: [],
      background: () => channel.backgroundCount,
      accept(socket: Socket, transparent: boolean, worker?: Promise<number | null>) {
        track(socket, channel);
        socket.on('error', () => socket.destroy());
        if (!transparent) {
          conns.set(socket, { channel, target: null, worker: channel.worker, requests: 0 });
          http.emit('connection', socket);
          return;
        }
        const address = normalizeAddress(socket.localAddress ?? '');
        const port = socket.localPort ?? 0;
        if (!production.isProductionAddress(address)) {
          channel.outsideProxy.push({ target: hostPort(address, port), at: Date.now() });
          return void socket.destroy();
        }
        const target = { host: address, port, connectTo: address, production: true };
        void (worker ?? Promise.resolve(channel.worker)).then((found) => serveTunnel(socket, channel, target, true, found ?? channel.worker));
      },
      async listen() {
        if (!listener) {
          const server = createNetServer((socket) => channel.accept(socket, false));
          listener = server;
          listeners.add(server);
          await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
          ownPorts.add((server.address() as AddressInfo).port);
        }
        return `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
      },
      async close(settleMs = SETTLE_MS) {
        if (channel.open.size > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, settleMs);
            channel.waiting.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        const server = listener;
        if (!server) return;
        listeners.delete(server);
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
    return channel;
  }

  return {
    caCert: authority.cert,
    trust,
    production,
    channel: openChannel,
    stop: async function stopGuard() {
      const closing = [...listeners].map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
      listeners.clear();
      // Open connections are cut, not waited for: the run is over.
      for (const socket of sockets) socket.destroy();
      upstream.close();
      await Promise.all(closing);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `host:port` with IPv6 in brackets. */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** The `host:port` of a CONNECT request, or null when malformed. */
function parseAuthority(value: string): { host: string; port: number } | null {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/i.exec(value);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return null;
  return { host: (match[1] ?? match[2] ?? '').toLowerCase(), port };
}

/** The first bytes a connection sends, or null when it closes or stays silent too long. */
function firstChunk(socket: Socket, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const done = (value: Buffer | null): void => {
      clearTimeout(timer);
      socket.off('data', onData).off('close', onClose).off('error', onClose);
      resolve(value);
    };
    // Paused at once: a second chunk must stay in the stream, not go to a listener already gone.
    const onData = (chunk: Buffer): void => {
      socket.pause();
      done(chunk);
    };
    const onClose = (): void => done(null);
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('data', onData).once('close', onClose).once('error', onClose);
    socket.resume();
  });
}

/** A request body, whole, or null when it is larger than `cap` or does not arrive in time. */
function readCapped(req: IncomingMessage, cap: number, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => finish(null), timeoutMs);
    const finish = (value: Buffer | null): void => {
      clearTimeout(timer);
      req.off('data', onData);
      if (value === null) drain(req);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > cap) return finish(null);
      chunks.push(chunk);
    };
    req.on('data', onData).once('end', () => finish(Buffer.concat(chunks))).once('error', () => finish(null));
  });
}

/** Reads and throws away a request body, closing the connection past DRAIN_CAP. */
function drain(req: IncomingMessage): void {
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_CAP) req.socket.destroy();
  });
  req.resume();
}

/** The TLS alert a client sent (`unknown ca`, `bad certificate`), or the error's first line. */
function tlsAlertOf(error: Error): string {
  const alert = /alert ([a-z ]+?)(?:\s*$|:)/i.exec(error.message);
  return alert ? `TLS alert: ${alert[1]}` : (error.message.split('\n')[0] ?? 'TLS handshake failed');
}
