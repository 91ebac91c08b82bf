/**
 * Cross-field rules the schema cannot express: one kind per check, `expect` keys that fit the
 * kind, unique names, known notifiers and placeholders, hosts. Pure: config in, diagnostics out.
 */
import type { Diagnostic, Path } from './diagnostics.js';
import { lintAllowRequests, lintGuardedCheck } from './lint-guard.js';
import { hostsOf, isAllowedHost, resolveCheckUrl } from './urls.js';
import { CHECK_KINDS, type CheckKind, type RawApp, type RawCheck, type RawConfig, type RawExpect } from './schema.js';

/** The `expect` keys each check kind understands. */
export const EXPECT_KEYS = {
  http: ['status', 'max_ms', 'body_contains', 'body_not_contains', 'body_matches', 'json', 'headers'],
  tls: ['min_days_left', 'trusted'],
  browser: ['title', 'visible', 'text_contains', 'no_console_errors', 'max_ms'],
  playwright: ['max_ms'],
  exec: ['exit_code', 'stdout_contains', 'json', 'max_ms'],
} as const satisfies Record<CheckKind, readonly (keyof RawExpect)[]>;

/** Placeholders a rollback template may use. */
export const ROLLBACK_PLACEHOLDERS = ['app', 'version', 'sha', 'merge_sha', 'previous_version'] as const;

const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token)$/i;

/** Returns the one kind key a check names, or undefined when it names none or several. */
export function kindOf(check: RawCheck): CheckKind | undefined {
  const kinds = CHECK_KINDS.filter((kind) => check[kind] !== undefined);
  return kinds.length === 1 ? kinds[0] : undefined;
}

/** Lints a schema-valid config; `interpolatedPaths` (JSON of each path) tells which values came from `${VAR}`. */
export function lintConfig(config: RawConfig, interpolatedPaths: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const notifiers = new Set(Object.keys(config.notifiers ?? {}));
  for (const [name, app] of Object.entries(config.apps)) {
    const at: Path = ['apps', name];
    lintApp(app, at, notifiers, out);
    lintAllowRequests(app, at, out);
    (app.checks ?? []).forEach((check, index) => lintCheck(app, check, [...at, 'checks', index], interpolatedPaths, out));
    lintNames(app.checks ?? [], at, out);
  }
  return out;
}

/**
 * Credentials in a URL (`https://user:secret@host`) are never sent (fetch and the browser refuse
 * or drop them) and would be printed wherever the URL is: refused, with the way that works.
 */
function credentialsProblem(url: URL): string | null {
  if (!url.username && !url.password) return null;
  return 'holds credentials (user:password@): they are not sent, and a URL is shown in the terminal, the JSON and on the board; remove them and send them as a header from ${VAR}, e.g. http: { path: /, headers: { authorization: "Basic ${BASIC_AUTH}" } }';
}

function lintApp(app: RawApp, at: Path, notifiers: ReadonlySet<string>, out: Diagnostic[]): void {
  for (const key of ['production_url', 'smoke_url', 'board_url'] as const) {
    const value = app[key];
    const problem = value ? credentialsProblem(new URL(value)) : null;
    if (problem) out.push({ level: 'error', path: [...at, key], message: problem });
  }
  if (app.smoke_url && new URL(app.smoke_url).host !== new URL(app.production_url).host) {
    out.push({
      level: 'warning',
      path: [...at, 'smoke_url'],
      message: `host ${new URL(app.smoke_url).host} differs from production_url's ${new URL(app.production_url).host}: the suite checks production_url, so make sure both serve the same release`,
    });
  }
  for (const key of ['notify', 'alert'] as const) {
    (app[key] ?? []).forEach((notifier, index) => {
      if (!notifiers.has(notifier)) {
        out.push({ level: 'error', path: [...at, key, index], message: `unknown notifier "${notifier}" (define it under notifiers:)` });
      }
    });
  }
  if (app.rollback !== undefined) {
    for (const match of app.rollback.matchAll(/\{([^{}]*)\}/g)) {
      const placeholder = match[1] ?? '';
      if (!(ROLLBACK_PLACEHOLDERS as readonly string[]).includes(placeholder)) {
        out.push({
          level: 'error',
          path: [...at, 'rollback'],
          message: `unknown placeholder {${placeholder}} (use ${ROLLBACK_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`,
        });
      }
    }
  }
}

function lintCheck(app: RawApp, check: RawCheck, at: Path, interpolatedPaths: ReadonlySet<string>, out: Diagnostic[]): void {
  const kinds = CHECK_KINDS.filter((kind) => check[kind] !== undefined);
  if (kinds.length !== 1) {
    out.push({
      level: 'error',
      path: at,
      message: kinds.length === 0
        ? `a check needs one of ${CHECK_KINDS.join(', ')}`
        : `a check has exactly one kind, this one has ${kinds.join(' and ')}`,
    });
    return;
  }
  const kind = kinds[0] as CheckKind;
  const allowed: readonly string[] = EXPECT_KEYS[kind];
  for (const key of Object.keys(check.expect ?? {})) {
    if (!allowed.includes(key)) {
      out.push({
        level: 'error',
        path: [...at, 'expect', key],
        message: `not valid for ${kind === 'http' ? 'an' : 'a'} ${kind} check (use ${allowed.join(', ') || 'no expect'})`,
      });
    }
  }
  lintGuardedCheck(app, check, at, interpolatedPaths, out);
  if (kind === 'http') lintHttp(app, check, at, interpolatedPaths, out);
  if (kind === 'browser') {
    const path = typeof check.browser === 'string' ? check.browser : check.browser?.path ?? '/';
    lintTarget(app, check, path, [...at, 'browser', ...(typeof check.browser === 'string' ? [] : ['path'])], out);
  }
  if (kind === 'tls' && !check.tls?.host && new URL(app.production_url).protocol !== 'https:') {
    out.push({ level: 'error', path: [...at, 'tls'], message: 'production_url is not https: give tls.host (and tls.port) to check a certificate' });
  }
}

function lintHttp(app: RawApp, check: RawCheck, at: Path, interpolatedPaths: ReadonlySet<string>, out: Diagnostic[]): void {
  const spec = typeof check.http === 'string' ? { path: check.http } : check.http;
  if (!spec) return;
  lintTarget(app, check, spec.path, [...at, 'http', ...(typeof check.http === 'string' ? [] : ['path'])], out);
  for (const [header, value] of Object.entries(typeof check.http === 'object' ? check.http.headers ?? {} : {})) {
    const headerPath: Path = [...at, 'http', 'headers', header];
    if (CREDENTIAL_HEADER.test(header) && value !== '' && !interpolatedPaths.has(JSON.stringify(headerPath))) {
      out.push({ level: 'warning', path: headerPath, message: 'a credential written in the config file; use ${VAR} so it stays out of the repository' });
    }
  }
}

function lintTarget(app: RawApp, check: RawCheck, path: string, pathAt: Path, out: Diagnostic[]): void {
  let url: URL;
  try {
    url = new URL(resolveCheckUrl(app.production_url, path));
  } catch {
    out.push({ level: 'error', path: pathAt, message: `not a valid path or URL: ${JSON.stringify(path)}` });
    return;
  }
  const credentials = credentialsProblem(url);
  if (credentials) {
    out.push({ level: 'error', path: pathAt, message: credentials });
  } else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    out.push({ level: 'error', path: pathAt, message: `only http(s) URLs can be checked, got ${url.protocol}` });
  } else if (!isAllowedHost(url, hostsOf(app, check))) {
    out.push({ level: 'error', path: pathAt, message: `host ${url.host} is not the app's own; add it to allow_hosts to check it` });
  }
}

function lintNames(checks: readonly RawCheck[], at: Path, out: Diagnostic[]): void {
  const seen = new Map<string, number>();
  checks.forEach((check, index) => {
    const first = seen.get(check.name);
    if (first === undefined) seen.set(check.name, index);
    else out.push({ level: 'error', path: [...at, 'checks', index, 'name'], message: `duplicate check name "${check.name}" (also checks[${first}])` });
  });
}
