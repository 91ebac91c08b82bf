/** The resolved config: validated once at the edge, fully defaulted and frozen, passed inward. */
import { availableParallelism } from 'node:os';
import type { AllowRule } from '../guard/policy.js';
import type { TierVocabulary } from '../evidence/tiers.js';
import type { SandboxMode } from '../guard/sandbox.js';
import type { GithubConfig, NotifierConfig } from '../notify/config.js';
import type { CheckKind, RawExpect } from './schema.js';

/** Defaults applied when neither the check nor its app says otherwise. */
export const DEFAULTS = {
  concurrency: 8,
  timeout_ms: 10_000,
  retries: 0,
  retry_delay_ms: 250,
  max_body_bytes: 1024 * 1024,
  max_redirects: 5,
  deadline_ms: 120_000,
  min_days_left: 14,
  rollback: 'git revert -m 1 {merge_sha}',
  viewport: { width: 1280, height: 800 },
  /** A whole spec takes longer than one request: its own default timeout. */
  playwright_timeout_ms: 120_000,
  playwright_workers: 2,
  location_timeout_ms: 5 * 60_000,
} as const;

/**
 * Browser checks with a page open at once, unless the app says: one per CPU core, at least 2,
 * at most 8. Each page is a Chromium renderer process (~30-60 MB) and rendering is CPU-bound,
 * so pages beyond the cores add memory, not speed (measured in BENCHMARKS.md).
 */
export function defaultBrowserConcurrency(cores: number = availableParallelism()): number {
  return Math.max(2, Math.min(8, cores));
}

/** What every check has, whatever its kind. */
interface CheckBase {
  readonly name: string;
  readonly kind: CheckKind;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  /** Most checks running at once while this one runs (itself included). */
  readonly concurrency: number;
  /** A reason when the check is skipped, else null. */
  readonly skip: string | null;
  readonly expect: RawExpect;
}

/** A read-only HTTP request and what its answer must look like. */
export interface HttpCheckSpec extends CheckBase {
  readonly kind: 'http';
  readonly url: string;
  readonly method: 'GET' | 'HEAD' | 'OPTIONS';
  readonly headers: Readonly<Record<string, string>>;
  readonly followRedirects: boolean;
  readonly maxRedirects: number;
  readonly maxBodyBytes: number;
  /** Hosts requests and redirects may reach (`host:port` or bare hostnames). */
  readonly allowedHosts: readonly string[];
}

/** A TLS handshake with production, to read its certificate. */
export interface TlsCheckSpec extends CheckBase {
  readonly kind: 'tls';
  /** Host name or IP, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  /** Name sent as SNI and verified against the certificate; null for an IP literal. */
  readonly servername: string | null;
}

/** A page opened in a real browser, as a user would see it. */
export interface BrowserCheckSpec extends CheckBase {
  readonly kind: 'browser';
  readonly url: string;
  readonly viewport: { readonly width: number; readonly height: number };
  /** A load state to wait for, or a selector that must appear. */
  readonly waitFor: string;
  readonly screenshot: 'on-failure' | 'always';
  /** `fail`: a write the guard blocked fails the check; `record`: it is only listed. */
  readonly onWrite: 'record' | 'fail';
}

/** The team's own Playwright spec, run against production behind the guard proxy. */
export interface PlaywrightCheckSpec extends CheckBase {
  readonly kind: 'playwright';
  /** Absolute path of the spec file. */
  readonly specPath: string;
  readonly grep: string | null;
  /** Absolute path of the team's playwright config, or null. */
  readonly configPath: string | null;
  /** The folder of seal.config.yaml: a test's place (`e2e/login.spec.ts:12`) is given relative to it. */
  readonly baseDir: string;
  readonly workers: number;
  /** Retries are Playwright's own (per test); the runner does not re-run the whole spec. */
  readonly testRetries: number;
  readonly onWrite: 'record' | 'fail';
  readonly networkSandbox: SandboxMode;
}

/** A command run on this machine to look inside the running process (e.g. `kubectl exec`). */
export interface ExecCheckSpec extends CheckBase {
  readonly kind: 'exec';
  readonly command: readonly string[];
  /** Absolute working directory. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly onWrite: 'record' | 'fail';
  readonly networkSandbox: SandboxMode;
}

/** Any resolved check. */
export type CheckSpec = HttpCheckSpec | TlsCheckSpec | BrowserCheckSpec | PlaywrightCheckSpec | ExecCheckSpec;

/** One app, ready to run. */
export interface AppConfig {
  readonly name: string;
  readonly productionUrl: string;
  readonly smokeUrl: string | null;
  /** Host names of production: production_url's, smoke_url's and allow_hosts (no ports). */
  readonly hostnames: readonly string[];
  /** Ports production answers on (those URLs' and allow_hosts', plus 80 and 443). */
  readonly productionPorts: readonly number[];
  /** Requests the guard lets through although their method writes (allow_requests). */
  readonly allowRequests: readonly AllowRule[];
  readonly rollback: string;
  readonly notify: readonly string[];
  /** Notifiers told only on red. */
  readonly alert: readonly string[];
  readonly github: GithubConfig | null;
  /** Base URL of the board, for links; null when unknown. */
  readonly boardUrl: string | null;
  readonly deadlineMs: number;
  readonly concurrency: number;
  /** Most browser checks running at once (a further limit, under `concurrency`). */
  readonly browserConcurrency: number;
  /** PEM text of extra trusted CAs (from ca_file), or null. */
  readonly ca: string | null;
  readonly checks: readonly CheckSpec[];
  /** Tiers each release is expected to have credited (resolved names, in ladder order). */
  readonly expectTiers: readonly string[];
  /** Where the suite runs from (seal workers of each location); empty: anywhere, once. */
  readonly locations: readonly string[];
  /** How long a location's run may wait for a live worker of its location. */
  readonly locationTimeoutMs: number;
  /** Seal again this long after the first seal, each with its label as written (`10m`), shortest first. */
  readonly soak: readonly { readonly label: string; readonly ms: number }[];
}

/** The whole config, ready to run. */
export interface SealConfig {
  /** Where it was read from. */
  readonly source: string;
  readonly apps: Readonly<Record<string, AppConfig>>;
  readonly notifiers: Readonly<Record<string, NotifierConfig>>;
  /** The test-tier vocabulary (tiers:, or the default ladder). */
  readonly tiers: TierVocabulary;
  /** Values that must never be printed or stored (from `${VAR}` interpolation). */
  readonly secrets: readonly string[];
}
