/**
 * The read-only guard for traffic we do not drive ourselves (the team's Playwright spec, exec
 * probes): a local intercepting proxy. Writes are answered `204 No Content` on the spot and
 * recorded; reads pass through to production with normal certificate checks. HTTPS is
 * intercepted with a CA made for this one guard, so the guard sees every method.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { READ_ONLY_METHODS } from '../config/schema.js';
import { findPackageRoot } from '../package-root.js';
import type { BlockedRequest } from '../runner/run-result.js';

/** The built preload (dist/guard-preload.js), or null when running from source without a build. */
const PRELOAD = ((): string | null => {
  try {
    const file = `${findPackageRoot(fileURLToPath(import.meta.url))}/dist/guard-preload.js`;
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
})();

/** The key and certificate of a guard CA (PEM). */
export interface GuardAuthority {
  readonly key: string;
  readonly cert: string;
}

/** Makes a CA for guards; RSA key generation is the slow part, so a run makes one and shares it. */
export async function createGuardAuthority(): Promise<GuardAuthority> {
  const { generateCACertificate } = await import('mockttp');
  return generateCACertificate({ subject: { commonName: 'smoke-seal read-only guard (ephemeral)' }, bits: 2048 });
}

/** A running guard. */
export interface GuardProxy {
  /** `http://127.0.0.1:PORT`, for HTTP(S)_PROXY and Playwright's `proxy.server`. */
  readonly url: string;
  /** PEM of the guard's own CA (clients must trust it to go through HTTPS interception). */
  readonly caCert: string;
  /** A PEM bundle of the system roots plus the guard's CA, for tools that take one file (null without `dir`). */
  readonly caBundleFile: string | null;
  /** Writes the guard answered itself; none reached production. */
  readonly blocked: readonly BlockedRequest[];
  /** Requests production could not be reached for (refused, reset, DNS, TLS), with the reason. */
  readonly upstreamErrors: readonly { readonly url: string; readonly message: string }[];
  readonly stop: () => Promise<void>;
}

/** Options of a guard. */
export interface GuardOptions {
  /** Name recorded with each blocked request. */
  readonly check: string;
  /** Folder for the CA bundle file; without it, no file is written. */
  readonly dir?: string;
  /** The CA to intercept HTTPS with; a new one is made when not given. */
  readonly authority?: GuardAuthority;
  /** Extra CA (PEM) production's certificate may chain to (the app's ca_file). */
  readonly upstreamCa: string | null;
  /**
   * Host names whose HTTPS is intercepted; other hosts' TLS is tunnelled untouched (their
   * clients may pin their own CA, like kubectl). All hosts when not given.
   */
  readonly interceptOnly?: readonly string[];
}

/**
 * mockttp keeps one keep-alive agent per protocol for the whole process, so a connection to
 * production opened by one guard is reused by the next, and each guard that reuses it adds a
 * 'close' listener to it (Node warns at 11: a run with more than 10 browser checks printed a
 * MaxListenersExceededWarning). When a guard stops, the idle connections are closed: the next
 * check opens its own, as a user's first visit would, and no listener outlives its guard for long.
 */
async function closeIdleUpstreamConnections(): Promise<void> {
  const { getAgent } = await import('mockttp/dist/rules/http-agents');
  for (const protocol of ['http:', 'https:'] as const) {
    const agent = await getAgent({ protocol, hostname: 'localhost', port: 0, tryHttp2: false, keepAlive: true, proxySettingSource: undefined });
    for (const sockets of Object.values(agent?.freeSockets ?? {})) {
      for (const socket of sockets ?? []) socket.destroy();
    }
  }
}

/** Starts a guard on 127.0.0.1 (free port). */
export async function startGuardProxy({ check, dir, authority: given, upstreamCa, interceptOnly }: GuardOptions): Promise<GuardProxy> {
  // Loaded here: HTTP-only runs never need an intercepting proxy.
  const { getLocal } = await import('mockttp');
  const authority = given ?? (await createGuardAuthority());
  const server = getLocal({
    https: { key: authority.key, cert: authority.cert, ...(interceptOnly ? { tlsInterceptOnly: interceptOnly.map((hostname) => ({ hostname })) } : {}) },
    recordTraffic: false,
  });
  await server.start({ startPort: 20_000, endPort: 60_000 });
  const blocked: BlockedRequest[] = [];
  const isWrite = (method: string): boolean => !(READ_ONLY_METHODS as readonly string[]).includes(method.toUpperCase());
  await server.on('request-initiated', (request) => {
    if (isWrite(request.method)) blocked.push({ check, method: request.method.toUpperCase(), url: request.url });
  });
  const upstreamErrors: { url: string; message: string }[] = [];
  await server.on('abort', (request) => {
    const message = request.error?.message;
    if (message?.startsWith('Upstream connection error: ')) upstreamErrors.push({ url: request.url, message: message.slice('Upstream connection error: '.length) });
  });
  await server.forAnyRequest().matching((request) => isWrite(request.method)).always().thenReply(204, '', { 'x-smoke-seal': 'blocked-write' });
  // simulateConnectionErrors: a refused or reset upstream reaches the client as the same kind of
  // failure (otherwise the client would wait for an answer that never comes).
  await server.forUnmatchedRequest().thenPassThrough({ simulateConnectionErrors: true, ...(upstreamCa ? { additionalTrustedCAs: [{ cert: upstreamCa }] } : {}) });
  // WebSocket upgrades are GETs; their messages are not HTTP requests and are not inspected.
  await server.forAnyWebSocket().thenPassThrough(upstreamCa ? { additionalTrustedCAs: [{ cert: upstreamCa }] } : {});

  const caBundleFile = dir === undefined ? null : join(dir, 'guard-ca-bundle.pem');
  if (caBundleFile) writeFileSync(caBundleFile, [...rootCertificates, authority.cert].join('\n'));
  return {
    url: `http://127.0.0.1:${server.port}`,
    caCert: authority.cert,
    caBundleFile,
    blocked,
    upstreamErrors,
    stop: async () => {
      await server.stop();
      await closeIdleUpstreamConnections().catch(() => undefined);
    },
  };
}

/** Proxy and CA variables understood by curl, wget, Python, Node, Go and most HTTP clients. */
export function proxyEnvironment({ url: proxyUrl, caBundleFile: bundle }: Pick<GuardProxy, 'url' | 'caBundleFile'>, inherited: NodeJS.ProcessEnv): Record<string, string> {
  const caBundleFile = bundle ?? '';
  return {
    HTTP_PROXY: proxyUrl,
    HTTPS_PROXY: proxyUrl,
    http_proxy: proxyUrl,
    https_proxy: proxyUrl,
    ALL_PROXY: proxyUrl,
    // An inherited NO_PROXY would let traffic around the guard.
    NO_PROXY: '',
    no_proxy: '',
    // Node 22.21+/24 honour the proxy variables in fetch and http when this is set; on older
    // Node the preload does it for fetch (http.request stays direct there: see the docs).
    NODE_USE_ENV_PROXY: '1',
    ...(PRELOAD ? { NODE_OPTIONS: [inherited.NODE_OPTIONS, `--import=${pathToFileURL(PRELOAD).href}`].filter(Boolean).join(' ') } : {}),
    SSL_CERT_FILE: caBundleFile,
    CURL_CA_BUNDLE: caBundleFile,
    REQUESTS_CA_BUNDLE: caBundleFile,
    NODE_EXTRA_CA_CERTS: caBundleFile,
  };
}
