/**
 * The guard's way out to production for what it lets through: a read (or an allowed request)
 * forwarded as it came, a WebSocket upgrade piped both ways, a TLS tunnel to a host that is not
 * production. Every leg has an idle time bound; production's certificate is checked here (the
 * client trusts the guard, the guard trusts only real certificates).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, rootCertificates } from 'node:tls';

/** Where a request goes: the name the client used and the address the guard checked. */
export interface Target {
  /** Host name (or IP literal) the client asked for: SNI, certificate check, URL. */
  readonly host: string;
  readonly port: number;
  /** The address to connect to (the one that was classified), or the host when unresolved. */
  readonly connectTo: string;
  /** True when the host is one of production's names or addresses. */
  readonly production: boolean;
}

/** Methods that only read: safe to send again. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** How long a leg may sit with no bytes either way. */
export const IDLE_MS = 60_000;

/** Headers that describe one hop, not the request: never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Upstream connection pools of one guard, trusting Node's roots plus the app's `ca_file`. */
export interface Upstream {
  readonly forward: (req: IncomingMessage, res: ServerResponse, url: URL, target: Target, body: Buffer | null, onError: (message: string) => void) => void;
  readonly upgrade: (req: IncomingMessage, socket: Socket, head: Buffer, url: URL, target: Target, onError: (message: string) => void) => void;
  readonly tunnel: (client: Socket, target: Target, onError: (message: string) => void) => void;
  readonly close: () => void;
}

/** Creates the pools; `ca` is the app's extra CA (PEM) or null. */
export function createUpstream(ca: string | null): Upstream {
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });
  const trust = ca ? { ca: [...rootCertificates, ca] } : {};
  const tlsOptions = (target: Target) => ({ ...trust, ...(isIP(target.host) ? {} : { servername: target.host }) });

  return {
    forward: function forwardRequest(req, res, url, target, body, onError) {
      const secure = url.protocol === 'https:';
      const headers = forwardHeaders(req.rawHeaders, body);
      const method = req.method ?? 'GET';
      // A read without a body can be sent again as it was; one with a body (rare) cannot, it was piped.
      const bodiless = !req.headers['transfer-encoding'] && !Number(req.headers['content-length'] ?? 0);
      const options = { host: target.connectTo, port: target.port, method, path: `${url.pathname}${url.search}`, headers, setHost: false, timeout: IDLE_MS };
      const send = (again: boolean): void => {
        const upstream = secure
          ? httpsRequest({ ...options, ...tlsOptions(target), agent: httpsAgent })
          : httpRequest({ ...options, agent: httpAgent });
        upstream.on('response', (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer.rawHeaders));
          answer.pipe(res);
          answer.on('error', () => res.destroy());
        });
        upstream.on('timeout', () => upstream.destroy(new Error(`no answer from ${url.host} for ${IDLE_MS} ms`)));
        upstream.on('error', (error) => {
          // A kept-alive connection production closed just as it was reused: a read goes again, once,
          // on a fresh one (a write never comes here).
          if (!again && upstream.reusedSocket && !res.headersSent && READS.has(method.toUpperCase()) && (body !== null || bodiless)) {
            send(true);
            return;
          }
          onError(error.message);
          // The client sees the same kind of failure (a reset), not an answer production never gave.
          if (res.headersSent) res.destroy();
          else req.socket.destroy();
        });
        res.once('close', () => {
          if (!res.writableFinished) upstream.destroy();
        });
        if (body) upstream.end(body);
        else if (again) upstream.end();
        else req.pipe(upstream);
      };
      send(false);
    },

    upgrade: function forwardUpgrade(req, socket, head, url, target, onError) {
      const secure = url.protocol === 'https:' || url.protocol === 'wss:';
      const out = secure
        ? tlsConnect({ host: target.connectTo, port: target.port, ...tlsOptions(target), ALPNProtocols: ['http/1.1'] })
        : netConnect({ host: target.connectTo, port: target.port });
      out.once(secure ? 'secureConnect' : 'connect', () => {
        const lines = [`${req.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1`];
        for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
          if (!/^proxy-/i.test(req.rawHeaders[i] ?? '')) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        }
        out.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length > 0) out.write(head);
        pipeBoth(socket, out);
      });
      out.on('error', (error: Error) => {
        onError(error.message);
        socket.destroy();
      });
    },

    tunnel: function tunnelUntouched(client, target, onError) {
      const out = netConnect({ host: target.connectTo, port: target.port });
      out.once('connect', () => pipeBoth(client, out));
      out.on('error', (error) => {
        onError(error.message);
        client.destroy();
      });
    },

    close: function closePools() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** Pipes two sockets into each other; either end closing or idling closes both. */
export function pipeBoth(a: Socket, b: Socket): void {
  const end = (): void => {
    a.destroy();
    b.destroy();
  };
  for (const socket of [a, b]) {
    socket.setTimeout(IDLE_MS, end);
    socket.on('error', end);
    socket.on('close', end);
  }
  a.pipe(b);
  b.pipe(a);
}

/** The request's headers without hop-by-hop ones (raw pairs, order and case kept). */
function forwardHeaders(raw: readonly string[], body: Buffer | null): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || (body && lower === 'content-length')) continue;
    out.push(name, raw[i + 1] as string);
  }
  // A body read whole (to judge it) goes out with its exact length.
  if (body) out.push('content-length', String(body.length));
  else if (raw.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'transfer-encoding')) out.push('transfer-encoding', 'chunked');
  return out;
}

/** Production's answer headers, minus hop-by-hop ones (Node frames the body itself). */
function responseHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has((raw[i] as string).toLowerCase())) out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}
