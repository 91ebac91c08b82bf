/**
 * The environment of a guarded process: every common client's proxy setting points at its
 * guard channel, and every common client's trust setting at one bundle of the system roots
 * plus the guard's CA. Where a client's own config file could override the environment (an
 * npmrc `cafile`, a `.curlrc` `noproxy`, a gitconfig `http.proxy`), the variable that wins
 * over that file is set too.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { builtFile } from '../package-root.js';

/** A CA file or client config larger than this is not copied (it is not a CA file). */
const MAX_COPIED_BYTES = 4 * 1024 * 1024;

/** The built preload, or null when running from source without a build. */
const PRELOAD = builtFile('guard-preload.cjs');

/** Files a run's guarded processes share: the CA bundle and client configs that point at it. */
export interface ClientTrust {
  /** System roots, CAs the caller's environment already trusted, and the guard's CA (PEM). */
  readonly bundleFile: string;
  /**
   * The guard's CA and the caller's extra CAs only, for NODE_EXTRA_CA_CERTS: Node adds it to the
   * roots it has built in, and parses it at every start (the whole bundle cost each Node process
   * about 100 ms).
   */
  readonly extraCaFile: string;
  /** A wgetrc naming the bundle as `ca_certificate` (GNU wget built on GnuTLS reads no CA variable). */
  readonly wgetrcFile: string;
  /** A folder with a `.curlrc` naming the bundle as `cacert`, for CURL_HOME. */
  readonly curlHome: string;
}

/** Writes the trust files into the guard's folder. */
export function writeClientTrust(dir: string, caCert: string, inherited: NodeJS.ProcessEnv): ClientTrust {
  // CAs the caller already trusted (a corporate root) must keep working for tunnelled hosts.
  const extra = [inherited.SSL_CERT_FILE, inherited.NODE_EXTRA_CA_CERTS, inherited.REQUESTS_CA_BUNDLE, inherited.CURL_CA_BUNDLE]
    .filter((file): file is string => Boolean(file))
    .map(readSmall)
    .filter((text) => text.includes('-----BEGIN CERTIFICATE-----'));
  const bundleFile = join(dir, 'ca-bundle.pem');
  writeFileSync(bundleFile, [...rootCertificates, ...extra, caCert].join('\n'), { mode: 0o600 });
  const extraCaFile = join(dir, 'extra-ca.pem');
  writeFileSync(extraCaFile, [...extra, caCert].join('\n'), { mode: 0o600 });
  // wget and curl get config files of their own that name the bundle. The user's ~/.wgetrc and
  // ~/.curlrc are not read: one could name another proxy or turn the proxy off.
  const wgetrcFile = join(dir, 'wgetrc');
  writeFileSync(wgetrcFile, `ca_certificate = ${bundleFile}\n`, { mode: 0o600 });
  const curlHome = join(dir, 'curl');
  mkdirSync(curlHome, { recursive: true });
  writeFileSync(join(curlHome, '.curlrc'), `cacert = "${bundleFile}"\n`, { mode: 0o600 });
  return { bundleFile, extraCaFile, wgetrcFile, curlHome };
}

/**
 * The variables a guarded process gets, on top of its own. `proxyUrl` is its channel; in a spec
 * run, `workerProxies` are the Playwright workers' own channels (by parallel index).
 */
export function guardEnvironment(proxyUrl: string, trust: ClientTrust, inherited: NodeJS.ProcessEnv, workerProxies: readonly string[] = []): Record<string, string> {
  const bundle = trust.bundleFile;
  return {
    HTTP_PROXY: proxyUrl,
    HTTPS_PROXY: proxyUrl,
    http_proxy: proxyUrl,
    https_proxy: proxyUrl,
    ALL_PROXY: proxyUrl,
    all_proxy: proxyUrl,
    // An inherited NO_PROXY would let traffic around the guard.
    NO_PROXY: '',
    no_proxy: '',
    // Not NODE_USE_ENV_PROXY: the preload covers fetch and http on every Node, and with it Node 22
    // prints an "experimental" warning into every probe's stderr.
    // NODE_OPTIONS takes a quoted value: a path with spaces stays one argument.
    ...(PRELOAD ? { NODE_OPTIONS: [inherited.NODE_OPTIONS, `--require "${PRELOAD.replace(/["\\]/g, '\\$&')}"`].filter(Boolean).join(' ') } : {}),
    SEAL_GUARD_PROXY: proxyUrl,
    ...(workerProxies.length > 0 ? { SEAL_GUARD_WORKER_PROXIES: workerProxies.join(',') } : {}),
    SEAL_GUARD_CA_BUNDLE: bundle,
    // Trust: OpenSSL (curl, Python's ssl, Go, Ruby), curl, Python requests, pip, Node, git, npm, wget.
    SSL_CERT_FILE: bundle,
    CURL_CA_BUNDLE: bundle,
    CURL_HOME: trust.curlHome,
    REQUESTS_CA_BUNDLE: bundle,
    PIP_CERT: bundle,
    NODE_EXTRA_CA_CERTS: trust.extraCaFile,
    GIT_SSL_CAINFO: bundle,
    npm_config_cafile: bundle,
    WGETRC: trust.wgetrcFile,
    // Config files that name another proxy lose to these (npm, pip and git read the environment first).
    npm_config_proxy: proxyUrl,
    npm_config_https_proxy: proxyUrl,
    npm_config_noproxy: '',
    PIP_PROXY: proxyUrl,
    ...gitConfig(inherited, 'http.proxy', proxyUrl),
  };
}

/** One more `git -c` setting through the environment, after any the caller already passes that way. */
function gitConfig(inherited: NodeJS.ProcessEnv, key: string, value: string): Record<string, string> {
  const given = Number(inherited.GIT_CONFIG_COUNT);
  const index = Number.isInteger(given) && given > 0 ? given : 0;
  return { GIT_CONFIG_COUNT: String(index + 1), [`GIT_CONFIG_KEY_${index}`]: key, [`GIT_CONFIG_VALUE_${index}`]: value };
}

function readSmall(file: string): string {
  try {
    if (!existsSync(file) || statSync(file).size > MAX_COPIED_BYTES) return '';
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
