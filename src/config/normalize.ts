/** Resolves a schema-valid, lint-clean config into frozen, fully defaulted objects. */
import { formatDuration, parseDuration } from './duration.js';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { CheckKind, RawApp, RawCheck, RawConfig } from './schema.js';
import { kindOf } from './lint.js';
import { hostnameOf, hostsOf, resolveCheckUrl } from './urls.js';
import { DEFAULTS, defaultBrowserConcurrency, type AppConfig, type CheckSpec } from './types.js';
import { DEFAULT_VOCABULARY, type TierVocabulary } from '../evidence/tiers.js';

/**
 * Resolves every app of a config; `cas` holds the PEM text of each app's ca_file, and
 * `baseDir` (the config file's folder) anchors relative file paths.
 */
export function normalizeApps(config: RawConfig, cas: ReadonlyMap<string, string>, baseDir: string, tiers: TierVocabulary = DEFAULT_VOCABULARY): Record<string, AppConfig> {
  return Object.fromEntries(
    Object.entries(config.apps).map(([name, app]) => [name, deepFreeze(normalizeApp(name, app, cas.get(name) ?? null, baseDir, tiers))]),
  );
}

function normalizeApp(name: string, app: RawApp, ca: string | null, baseDir: string, tiers: TierVocabulary): AppConfig {
  const written = app.checks ?? [];
  // An app without checks still gets one that can fail: its health URL must answer 200.
  const checks: RawCheck[] = written.length > 0
    ? written
    : [{ name: 'up', http: app.smoke_url ?? resolveCheckUrl(app.production_url, '/up'), expect: { status: 200 } }];
  return {
    name,
    productionUrl: app.production_url,
    smokeUrl: app.smoke_url ?? null,
    hostnames: [...new Set(hostsOf(app).map(hostnameOf))],
    productionPorts: portsOf(app),
    allowRequests: (app.allow_requests ?? []).map((rule) => ({ method: rule.method.toUpperCase(), path: rule.path, reason: rule.reason, graphql: rule.graphql ?? null })),
    rollback: app.rollback ?? DEFAULTS.rollback,
    notify: app.notify ?? [],
    alert: app.alert ?? [],
    github: app.github ?? null,
    boardUrl: app.board_url?.replace(/\/+$/, '') ?? null,
    deadlineMs: app.deadline_ms ?? DEFAULTS.deadline_ms,
    concurrency: app.concurrency ?? DEFAULTS.concurrency,
    browserConcurrency: app.browser_concurrency ?? defaultBrowserConcurrency(),
    ca,
    checks: checks.map((check) => normalizeCheck(app, check, baseDir)),
    // Unknown names were refused by inspectConfig; the ladder's order, each tier once.
    expectTiers: [...new Set((app.expect_tiers ?? []).flatMap((t) => tiers.resolve(t) ?? []))].sort((a, b) => tiers.rank(a) - tiers.rank(b)),
    locations: app.locations ?? [],
    locationTimeoutMs: parseDuration(app.location_timeout) ?? DEFAULTS.location_timeout_ms,
    // Validated by the schema; the same delay twice is one soak.
    soak: [...new Map((app.soak ?? []).map((d) => [parseDuration(d) as number, formatDuration(parseDuration(d) as number)])).entries()].sort(([a], [b]) => a - b).map(([ms, label]) => ({ label, ms })),
  };
}

function normalizeCheck(app: RawApp, check: RawCheck, baseDir: string): CheckSpec {
  const kind = kindOf(check) as CheckKind;
  const base = {
    name: check.name,
    timeoutMs: check.timeout_ms ?? app.timeout_ms ?? DEFAULTS.timeout_ms,
    retries: check.retries ?? app.retries ?? DEFAULTS.retries,
    retryDelayMs: check.retry_delay_ms ?? app.retry_delay_ms ?? DEFAULTS.retry_delay_ms,
    concurrency: check.concurrency ?? app.concurrency ?? DEFAULTS.concurrency,
    skip: check.skip === true ? 'skipped in config' : typeof check.skip === 'string' ? check.skip : null,
    expect: check.expect ?? {},
  };
  const production = new URL(app.production_url);
  switch (kind) {
    case 'http': {
      const spec = typeof check.http === 'string' ? { path: check.http } : check.http ?? { path: '/' };
      return {
        ...base,
        kind,
        url: resolveCheckUrl(app.production_url, spec.path),
        method: (spec.method?.toUpperCase() ?? 'GET') as 'GET' | 'HEAD' | 'OPTIONS',
        headers: spec.headers ?? {},
        followRedirects: spec.follow_redirects ?? false,
        maxRedirects: spec.max_redirects ?? DEFAULTS.max_redirects,
        maxBodyBytes: check.max_body_bytes ?? app.max_body_bytes ?? DEFAULTS.max_body_bytes,
        allowedHosts: hostsOf(app, check),
      };
    }
    case 'tls': {
      const host = (check.tls?.host ?? production.hostname).replace(/^\[(.*)\]$/, '$1');
      return {
        ...base,
        kind,
        host,
        port: check.tls?.port ?? (check.tls?.host ? 443 : Number(production.port || 443)),
        servername: check.tls?.servername ?? (isIP(host) ? null : host),
        expect: { min_days_left: DEFAULTS.min_days_left, trusted: true, ...base.expect },
      };
    }
    case 'browser': {
      const spec = typeof check.browser === 'string' ? { path: check.browser } : check.browser ?? { path: '/' };
      return {
        ...base,
        kind,
        url: resolveCheckUrl(app.production_url, spec.path),
        viewport: spec.viewport ?? DEFAULTS.viewport,
        waitFor: spec.wait_for ?? 'load',
        screenshot: check.screenshot ?? 'on-failure',
        onWrite: check.on_write ?? app.on_write ?? 'record',
      };
    }
    case 'playwright': {
      const spec = check.playwright ?? { spec: '' };
      return {
        ...base,
        kind,
        timeoutMs: check.timeout_ms ?? DEFAULTS.playwright_timeout_ms,
        retries: 0,
        testRetries: check.retries ?? app.retries ?? DEFAULTS.retries,
        specPath: resolve(baseDir, spec.spec),
        grep: spec.grep ?? null,
        configPath: spec.config === undefined ? null : resolve(baseDir, spec.config),
        baseDir,
        workers: spec.workers ?? DEFAULTS.playwright_workers,
        onWrite: check.on_write ?? app.on_write ?? 'record',
        networkSandbox: check.network_sandbox ?? app.network_sandbox ?? 'auto',
      };
    }
    case 'exec': {
      const spec = check.exec ?? { command: ['true'] };
      return {
        ...base,
        kind,
        timeoutMs: spec.timeout_ms ?? base.timeoutMs,
        command: spec.command,
        cwd: resolve(baseDir, spec.cwd ?? '.'),
        env: spec.env ?? {},
        onWrite: check.on_write ?? app.on_write ?? 'record',
        networkSandbox: check.network_sandbox ?? app.network_sandbox ?? 'auto',
      };
    }
  }
}

/** The ports production answers on: its URLs' and allow_hosts' (host:port), and always 80 and 443. */
function portsOf(app: RawApp): number[] {
  const ports = new Set([80, 443]);
  for (const url of [app.production_url, app.smoke_url]) {
    if (!url) continue;
    const parsed = new URL(url);
    ports.add(Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)));
  }
  for (const host of [...(app.allow_hosts ?? []), ...(app.checks ?? []).flatMap((c) => c.allow_hosts ?? [])]) {
    // host:port or [v6]:port; a bare IPv6 address has colons but no port.
    const port = /^\[[^\]]+\]:(\d{1,5})$/.exec(host)?.[1] ?? /^[^:]+:(\d{1,5})$/.exec(host)?.[1];
    if (port) ports.add(Number(port));
  }
  return [...ports].sort((a, b) => a - b);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
