/**
 * Preloaded (NODE_OPTIONS=--require dist/guard-preload.cjs) into the Node processes a spec or an exec probe starts,
 * on every supported Node (20.19+): sends their HTTP through the read-only guard.
 *
 * - `http.request` / `https.request` and every client built on them (axios, got, node-fetch,
 *   Playwright's own API requests): the Agent's connection becomes a CONNECT tunnel through the
 *   guard, for global and explicit agents alike. Node 20 ignores proxy variables for these.
 * - `fetch` (undici): a proxy agent honouring the proxy variables, made on first use (undici
 *   costs a process about 16 MB and 50 ms to load, and most of these processes never fetch).
 * - The guard is read from SEAL_GUARD_PROXY at each connection: in a Playwright worker the
 *   wrapper config points it at the worker's own channel once the worker knows its index.
 *
 * What it cannot reach (a program that removes NODE_OPTIONS, sockets made without an Agent) is
 * what the network sandbox is for.
 */
import { createRequire } from 'node:module';
import type * as Net from 'node:net';
import type * as Tls from 'node:tls';

// Built as CommonJS (see scripts/build.mjs): `require` resolves next to the built file.
const require = createRequire(__filename);

if (parseGuard(process.env.SEAL_GUARD_PROXY)) routeAgentsThroughGuard();
installFetchDispatcher();

function parseGuard(value: string | undefined): { host: string; port: number } | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return { host: url.hostname, port: Number(url.port) };
  } catch {
    return null;
  }
}

type ConnectOptions = { host?: string | null; hostname?: string | null; port?: number | string | null; socketPath?: string; servername?: string } & Record<string, unknown>;
type Done = (error: Error | null, socket?: unknown) => void;
type CreateConnection = (this: unknown, options: ConnectOptions, done?: Done) => unknown;

/** Replaces the Agents' connection step with a CONNECT tunnel through the guard SEAL_GUARD_PROXY names. */
function routeAgentsThroughGuard(): void {
  const http = require('node:http') as { Agent: { prototype: { createConnection: CreateConnection } } };
  const https = require('node:https') as { Agent: { prototype: { createConnection: CreateConnection } } };
  const net = require('node:net') as typeof Net;
  const tls = require('node:tls') as typeof Tls;

  const wrap = (original: CreateConnection, secure: boolean): CreateConnection =>
    function createConnectionThroughGuard(this: unknown, options: ConnectOptions, done?: Done) {
      const host = String(options.host ?? options.hostname ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
      const port = Number(options.port) || (secure ? 443 : 80);
      const guard = parseGuard(process.env.SEAL_GUARD_PROXY);
      // A Unix socket is not the network; the guard itself must be reached directly.
      if (!guard || options.socketPath || !done || (host === guard.host && port === guard.port)) return original.call(this, options, done);
      const authority = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
      const tunnel = net.connect({ host: guard.host, port: guard.port });
      let head = '';
      const fail = (error: Error): void => {
        tunnel.destroy();
        done(error);
      };
      tunnel.once('error', fail);
      tunnel.once('connect', () => tunnel.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
      const onData = (chunk: Buffer): void => {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > 8192) fail(new Error(`the read-only guard sent no answer to CONNECT ${authority}`));
          return;
        }
        tunnel.off('data', onData).off('error', fail);
        const status = head.slice(0, head.indexOf('\r\n'));
        if (!/^HTTP\/1\.[01] 200/.test(status)) return fail(new Error(`the read-only guard refused CONNECT ${authority}: ${status}`));
        // The guard never speaks before the client does: bytes after its answer are not ours to pass on.
        if (head.length > end + 4) return fail(new Error(`the read-only guard sent bytes after its answer to CONNECT ${authority}`));
        if (!secure) return done(null, tunnel);
        const servername = options.servername ?? (net.isIP(host) ? undefined : host);
        done(null, tls.connect({ ...options, host, port, socket: tunnel, ...(servername ? { servername } : {}) }));
      };
      tunnel.on('data', onData);
      return undefined;
    };
  http.Agent.prototype.createConnection = wrap(http.Agent.prototype.createConnection, false);
  https.Agent.prototype.createConnection = wrap(https.Agent.prototype.createConnection, true);
}

/** Sends Node's fetch through the proxy variables: undici's global dispatcher, made on first use. */
function installFetchDispatcher(): void {
  const SLOT = Symbol.for('undici.globalDispatcher.1');
  if (SLOT in globalThis) return;
  let loading = false;
  const settle = (value: unknown): void => {
    // What undici's own setGlobalDispatcher would have defined.
    Object.defineProperty(globalThis, SLOT, { value, writable: true, enumerable: false, configurable: false });
  };
  Object.defineProperty(globalThis, SLOT, {
    configurable: true,
    enumerable: false,
    get() {
      // While our agent loads, undici's own module start-up looks here: nothing yet.
      if (loading) return undefined;
      loading = true;
      const { createProxyAgent } = require('./guard-agent.cjs') as { createProxyAgent: () => unknown };
      const agent = createProxyAgent();
      settle(agent);
      return agent;
    },
    // Code that sets its own dispatcher (undici's setGlobalDispatcher) replaces ours; the default
    // agent undici sets for itself while ours loads is ignored.
    set(value: unknown) {
      if (!loading) settle(value);
    },
  });
}
