/**
 * `seal init [url] [--app NAME]`: a first config that passes `seal config check` on the spot.
 * With a URL it looks (two GETs, 5 s each, nothing read past the status) at whether production
 * answers `/up` and `/`, and writes checks that hold today; without one it writes a placeholder URL.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { findConfigPath, inspectConfig } from '../../config/load.js';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { APP_NAME } from '../../config/schema.js';
import { errorMessage } from '../../errors.js';
import { findPackageRoot } from '../../package-root.js';
import type { CliIo } from '../io.js';

export interface InitOptions {
  readonly app?: string;
  readonly config?: string;
  readonly force?: boolean;
  /** Probe timeout per request; tests make it short. */
  readonly probeTimeoutMs?: number;
}

const PLACEHOLDER_URL = 'https://app.example.com';

/** What production answered to one GET: a status, or why there was none. */
type Probe = { readonly status: number } | { readonly problem: string };

export async function initCommand(url: string | undefined, options: InitOptions, io: CliIo): Promise<number> {
  const target = url === undefined ? null : parseProductionUrl(url);
  if (typeof target === 'string') {
    io.stderr.write(`seal init: ${target}\n`);
    return 1;
  }
  const app = options.app ?? defaultAppName(target, io.cwd);
  if (!APP_NAME.test(app)) {
    io.stderr.write(`seal init: --app ${JSON.stringify(app)}: app names use letters, digits, ".", "_" and "-" (at most 63)\n`);
    return 1;
  }
  const path = findConfigPath(options.config, {}, io.cwd);
  if (existsSync(path) && !options.force) {
    io.stderr.write(`seal init: ${displayPath(path, io.cwd)} already exists; nothing written (--force replaces it, --config PATH writes elsewhere)\n`);
    return 1;
  }

  const notes: string[] = [];
  const checks: string[] = [];
  const timeout = options.probeTimeoutMs ?? 5000;
  if (target) {
    const up = await probe(new URL('/up', target), timeout);
    const home = await probe(new URL(target.pathname, target), timeout);
    if ('status' in up && up.status >= 200 && up.status < 300) {
      checks.push(`{ name: up, http: /up, expect: { status: ${up.status}, max_ms: 2000 } }`);
    } else {
      notes.push(`/up ${describe(up)}: no "up" check (add one when the app has a health endpoint)`);
    }
    const homePath = JSON.stringify(target.pathname);
    if ('status' in home && home.status < 400) {
      checks.push(`{ name: home, http: ${homePath}, expect: { status: ${home.status} } }`);
    } else {
      checks.push(`{ name: home, http: ${homePath}, expect: { status: 200 } }`);
      notes.push(`${target.pathname} ${describe(home)}: the "home" check expects 200, so it fails until production answers that`);
    }
    if (target.protocol === 'https:') checks.push('{ name: certificate, tls: {}, expect: { min_days_left: 14 } }');
  } else {
    checks.push('{ name: home, http: /, expect: { status: 200 } }');
    notes.push(`no URL given: production_url is ${PLACEHOLDER_URL}; point it at your app`);
  }

  const productionUrl = target ? target.origin : PLACEHOLDER_URL;
  const text = renderConfig(app, productionUrl, checks, schemaReference(path));
  // The promise is a config that passes `seal config check`: hold the text to it before writing.
  const report = inspectConfig(text, path, {});
  const errors = report.diagnostics.filter((d) => d.level === 'error');
  if (errors.length > 0) {
    for (const d of errors) io.stderr.write(`seal init: would write an invalid config: ${formatDiagnostic(d)}\n`);
    return 1;
  }
  try {
    writeFileSync(path, text, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    io.stderr.write(`seal init: cannot write ${displayPath(path, io.cwd)}: ${errorMessage(error)}\n`);
    return 1;
  }
  for (const note of notes) io.stderr.write(`note: ${note}\n`);
  const seal = invocation(io.cwd);
  const configFlag = options.config === undefined ? '' : ` --config ${displayPath(path, io.cwd)}`;
  io.stdout.write(`wrote ${displayPath(path, io.cwd)}: app ${app}, ${checks.length} check${checks.length === 1 ? '' : 's'}\n`);
  io.stdout.write(`next: ${seal} smoke ${app}${configFlag}\n`);
  return 0;
}

/** A production URL to check, or the reason it cannot be one. */
function parseProductionUrl(value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${JSON.stringify(value)} is not a URL (expected e.g. https://studio.example.com)`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${JSON.stringify(value)}: production_url must be http:// or https://`;
  if (url.username || url.password) return 'the URL holds credentials (user:password@): give the URL without them, and send a credential as a header from ${VAR} (docs/config.md)';
  return url;
}

/** `studio` for https://studio.example.com, else the project's package name, else `app`. */
function defaultAppName(url: URL | null, cwd: string): string {
  const label = url?.hostname.split('.').find((part) => part !== 'www');
  if (url && label && !/^\d+$/.test(label) && label !== 'localhost' && !url.hostname.startsWith('[') && APP_NAME.test(label)) return label.toLowerCase();
  try {
    const name = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { name?: unknown }).name;
    const bare = typeof name === 'string' ? name.replace(/^@[^/]+\//, '') : '';
    if (APP_NAME.test(bare)) return bare;
  } catch {
    // no package.json: fall through
  }
  return 'app';
}

/** One GET, redirects not followed, the body never read. */
async function probe(url: URL, timeoutMs: number): Promise<Probe> {
  try {
    const response = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return { status: response.status };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return { problem: (error as Error).name === 'TimeoutError' ? `nothing within ${timeoutMs} ms` : errorMessage(cause ?? error) };
  }
}

function describe(result: Probe): string {
  return 'status' in result ? `answered ${result.status}` : `did not answer (${result.problem})`;
}

/** The `$schema` line's path: the schema shipped with this installation, relative to the config. */
function schemaReference(configPath: string): string {
  const schema = join(findPackageRoot(), 'schema', 'seal.config.schema.json');
  const rel = relative(dirname(configPath), schema);
  // Relative inside the project (node_modules/smoke-seal/…, or this checkout), else the full path.
  const inside = !relative(findPackageRoot(), configPath).startsWith('..');
  if (isAbsolute(rel) || (rel.startsWith('..') && !inside)) return schema;
  const posix = rel.split(sep).join('/');
  return posix.startsWith('.') ? posix : `./${posix}`;
}

function renderConfig(app: string, productionUrl: string, checks: readonly string[], schema: string): string {
  return [
    `# yaml-language-server: $schema=${schema}`,
    '# Written by `seal init`. Every key: docs/config.md; check it with `seal config check`.',
    '# Credentials come from the environment: headers: { authorization: "Bearer ${SMOKE_TOKEN}" }.',
    'apps:',
    `  ${app}:`,
    `    production_url: ${JSON.stringify(productionUrl)}`,
    '    timeout_ms: 10000',
    '    # Printed on a red seal, never run: {merge_sha} {sha} {version} {previous_version} {app}',
    '    # rollback: "git revert -m 1 {merge_sha}"',
    '    checks:',
    ...checks.map((check) => `      - ${check}`),
    '',
  ].join('\n');
}

/** How the user runs seal from here: `npx seal` when installed in the project, else the path. */
function invocation(cwd: string): string {
  const script = process.argv[1];
  if (!script) return 'seal';
  const rel = relative(cwd, script);
  if (rel.split(sep).includes('node_modules')) return 'npx seal';
  if (!rel.startsWith('..') && !isAbsolute(rel)) return `./${rel.split(sep).join('/')}`;
  const onPath = (process.env.PATH ?? '').split(delimiter).includes(dirname(script));
  return onPath && basename(script) === 'seal' ? 'seal' : script;
}

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
