/** Finds, reads, interpolates and validates the config: the one place config enters the program. */
import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { createRedactor } from '../redact/redact.js';
import type { Diagnostic } from './diagnostics.js';
import { interpolateEnv, selectSecrets } from './interpolate.js';
import { lintConfig } from './lint.js';
import { vocabularyFrom } from '../evidence/tiers.js';
import { normalizeApps } from './normalize.js';
import type { RawConfig } from './schema.js';
import type { SealConfig } from './types.js';
import { validateSchema } from './validate.js';

/** Where to look for the config when neither `--config` nor `SEAL_CONFIG` names one. */
export const DEFAULT_CONFIG_FILES = ['seal.config.yaml', 'seal.config.yml'];

/** Resolves the config path: `--config`, then `SEAL_CONFIG`, then `seal.config.yaml` in cwd. */
export function findConfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const named = explicit ?? env.SEAL_CONFIG;
  if (named) return resolve(cwd, named);
  const found = DEFAULT_CONFIG_FILES.map((file) => resolve(cwd, file)).find((file) => existsSync(file));
  return found ?? resolve(cwd, DEFAULT_CONFIG_FILES[0] as string);
}

/** Every diagnostic about a config text, and the resolved config when there is no error. */
export interface ConfigReport {
  readonly source: string;
  readonly config: SealConfig | null;
  readonly diagnostics: readonly Diagnostic[];
}

/** Checks a config text without throwing: errors and warnings, all at once. */
export function inspectConfig(text: string, source: string, env: NodeJS.ProcessEnv): ConfigReport {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      source,
      config: null,
      diagnostics: document.errors.map((error) => ({ level: 'error', path: [], message: `YAML: ${error.message.split('\n')[0] ?? ''} (line ${error.linePos?.[0].line ?? '?'}, column ${error.linePos?.[0].col ?? '?'})` })),
    };
  }
  const interpolated = interpolateEnv(document.toJS(), env);
  const { secrets, tooShort } = selectSecrets(interpolated.substitutions);
  // Diagnostics quote the values they reject; a value that came from ${VAR} must not be quoted.
  const redactor = createRedactor(secrets);
  const finish = (config: SealConfig | null, diagnostics: Diagnostic[]): ConfigReport => ({
    source,
    config,
    diagnostics: sortDiagnostics(diagnostics).map((d) => ({ ...d, message: redactor.text(d.message) })),
  });

  const { config: raw, diagnostics: schemaDiagnostics } = validateSchema(interpolated.value);
  const diagnostics: Diagnostic[] = [...interpolated.diagnostics, ...schemaDiagnostics];
  if (!raw) return finish(null, diagnostics);

  // A value written as ${VAR} is not a credential in the file, set or not (an unset one is its own error).
  const interpolatedPaths = new Set([...interpolated.substitutions, ...interpolated.diagnostics].map((sub) => JSON.stringify(sub.path)));
  diagnostics.push(...lintConfig(raw, interpolatedPaths));
  for (const sub of tooShort) {
    diagnostics.push({ level: 'warning', path: sub.path, message: `the value of ${sub.name} is shorter than 4 characters and cannot be redacted from output` });
  }
  const cas = new Map<string, string>();
  for (const [name, app] of Object.entries(raw.apps)) {
    if (app.ca_file === undefined) continue;
    try {
      cas.set(name, readFileSync(resolve(dirname(source), app.ca_file), 'utf8'));
    } catch (error) {
      diagnostics.push({ level: 'error', path: ['apps', name, 'ca_file'], message: `cannot read ${app.ca_file}: ${(error as Error).message}` });
    }
  }
  diagnostics.push(...missingFiles(raw, dirname(source)));
  const { vocabulary: tiers, diagnostics: tierDiagnostics } = vocabularyFrom(raw.tiers);
  diagnostics.push(...tierDiagnostics);
  for (const [name, app] of Object.entries(raw.apps)) {
    (app.expect_tiers ?? []).forEach((tier, index) => {
      if (tiers.resolve(tier) === null) diagnostics.push({ level: 'error', path: ['apps', name, 'expect_tiers', index], message: `unknown test tier ${JSON.stringify(tier)}; the known tiers are: ${tiers.describe()}` });
    });
  }
  if (diagnostics.some((d) => d.level === 'error')) return finish(null, diagnostics);
  const config: SealConfig = Object.freeze({
    source,
    apps: normalizeApps(raw, cas, dirname(source), tiers),
    notifiers: raw.notifiers ?? {},
    tiers,
    secrets: Object.freeze(secrets),
  });
  return finish(config, diagnostics);
}

/** Reads and resolves the config file, throwing ConfigError with every problem when invalid. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv): SealConfig {
  const report = readConfigReport(path, env);
  if (!report.config) throw new ConfigError(path, report.diagnostics);
  return report.config;
}

/** Reads a config file and inspects it; a missing or unreadable file is a diagnostic too. */
export function readConfigReport(path: string, env: NodeJS.ProcessEnv): ConfigReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT'
      ? `config file not found: ${path} (create seal.config.yaml, or pass --config PATH / set SEAL_CONFIG)`
      : `cannot read config file ${path}: ${(error as Error).message}`;
    return { source: path, config: null, diagnostics: [{ level: 'error', path: [], message }] };
  }
  return inspectConfig(text, path, env);
}

/**
 * Spec and Playwright config files the checks name should exist (relative to the config
 * file). A warning, not an error: the config may be checked where the team's tests are not
 * checked out; the run itself reports a missing file as the check's error.
 */
function missingFiles(raw: RawConfig, baseDir: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, app] of Object.entries(raw.apps)) {
    (app.checks ?? []).forEach((check, index) => {
      for (const key of ['spec', 'config'] as const) {
        const file = check.playwright?.[key];
        if (file !== undefined && !existsSync(resolve(baseDir, file))) {
          out.push({ level: 'warning', path: ['apps', name, 'checks', index, 'playwright', key], message: `file not found: ${resolve(baseDir, file)}` });
        }
      }
    });
  }
  return out;
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  // Errors first, then in document order as found: stable, so the output is predictable.
  return [...diagnostics.filter((d) => d.level === 'error'), ...diagnostics.filter((d) => d.level === 'warning')];
}
