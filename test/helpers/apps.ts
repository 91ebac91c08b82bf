/** Builds resolved app configs for runner-level tests, through the real config pipeline. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { inspectConfig } from '../../src/config/load.js';
import type { AppConfig, SealConfig } from '../../src/config/types.js';

/** Resolves a config object (as it would be written in YAML) and fails the test on any error. */
export function resolveConfig(document: unknown, env: NodeJS.ProcessEnv = {}, source = join(tmpdir(), 'seal.config.yaml')): SealConfig {
  const report = inspectConfig(stringify(document), source, env);
  if (!report.config) throw new Error(`invalid test config:\n${report.diagnostics.map(formatDiagnostic).join('\n')}`);
  return report.config;
}

/** Resolves one app named `app` with the given fields. */
export function resolveApp(app: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): AppConfig {
  return resolveConfig({ apps: { app } }, env).apps.app as AppConfig;
}
