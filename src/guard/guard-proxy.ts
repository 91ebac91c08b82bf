/**
 * The read-only guard for traffic we do not drive ourselves (the team's Playwright spec, exec
 * probes): a local intercepting proxy. Writes are answered `204 No Content` on the spot and
 * recorded; reads pass through to production with normal certificate checks. HTTPS is
 * intercepted with a CA made for this one guard, so the guard sees every method.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { READ_ONLY_METHODS } from '../config/schema.js';
import type { BlockedRequest } from '../runner/run-result.js';

/** A running guard. */
export interface GuardProxy {
  /** `http://127.0.0.1:PORT`, for HTTP(S)_PROXY and Playwright's `proxy.server`. */
  readonly url: string;
  /** PEM of the guard's own CA (clients must trust it to go through HTTPS interception). */
  readonly caCert: string;
  /** A PEM bundle of the system roots plus the guard's CA, for tools that take one file. */
  readonly caBundleFile: string;
  /** Writes the guard answered itself; none reached production. */
  readonly blocked: readonly BlockedRequest[];
  readonly stop: () => Promise<void>;
}

/** Options of a guard. */
export interface GuardOptions {
  /** Name recorded with each blocked request. */
  readonly check: string;
  /** Folder for the CA bundle file. */
  readonly dir: string;
  /** Extra CA (PEM) production's certificate may chain to (the app's ca_file). */
  readonly upstreamCa: string | null;
  /**
   * Host names whose HTTPS is intercepted; other hosts' TLS is tunnelled untouched (their
   * clients may pin their own CA, like kubectl). All hosts when not given.
   */
  readonly interceptOnly?: readonly string[];
}

/** Starts a guard on 127.0.0.1 (free port). */
export async function startGuardProxy({ check, dir, upstreamCa, interceptOnly }: GuardOptions): Promise<GuardProxy> {
  // Loaded here: only spec and exec runs need an intercepting proxy.
  const { getLocal, generateCACertificate } = await import('mockttp');
  const authority = await generateCACertificate({ subject: { commonName: 'smoke-seal read-only guard (ephemeral)' }, bits: 2048 });
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
  await server.forAnyRequest().matching((request) => isWrite(request.method)).always().thenReply(204, '', { 'x-smoke-seal': 'blocked-write' });
  await server.forUnmatchedRequest().thenPassThrough(upstreamCa ? { additionalTrustedCAs: [{ cert: upstreamCa }] } : {});
  // WebSocket upgrades are GETs; their messages are not HTTP requests and are not inspected.
  await server.forAnyWebSocket().thenPassThrough(upstreamCa ? { additionalTrustedCAs: [{ cert: upstreamCa }] } : {});

  const caBundleFile = join(dir, 'guard-ca-bundle.pem');
  writeFileSync(caBundleFile, [...rootCertificates, authority.cert].join('\n'));
  return {
    url: `http://127.0.0.1:${server.port}`,
    caCert: authority.cert,
    caBundleFile,
    blocked,
    stop: () => server.stop(),
  };
}

/** Proxy and CA variables understood by curl, wget, Python, Node, Go and most HTTP clients. */
export function proxyEnvironment({ url: proxyUrl, caBundleFile }: Pick<GuardProxy, 'url' | 'caBundleFile'>): Record<string, string> {
  return {
    HTTP_PROXY: proxyUrl,
    HTTPS_PROXY: proxyUrl,
    http_proxy: proxyUrl,
    https_proxy: proxyUrl,
    ALL_PROXY: proxyUrl,
    // An inherited NO_PROXY would let traffic around the guard.
    NO_PROXY: '',
    no_proxy: '',
    // Node 22.21+/24 honour the proxy variables in fetch and http when this is set.
    NODE_USE_ENV_PROXY: '1',
    SSL_CERT_FILE: caBundleFile,
    CURL_CA_BUNDLE: caBundleFile,
    REQUESTS_CA_BUNDLE: caBundleFile,
    NODE_EXTRA_CA_CERTS: caBundleFile,
  };
}
