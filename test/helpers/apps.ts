/** Builds resolved app configs for runner-level tests, through the real config pipeline. */
import { stringify } from 'yaml';
import { inspectConfig } from '../../src/config/load.js';
import type { AppConfig, SealConfig } from '../../src/config/types.js';

/** Resolves a config object (as it would be written in YAML) and fails the test on any error. */
export function resolveConfig(document: unknown, env: NodeJS.ProcessEnv = {}): SealConfig {
  const report = inspectConfig(stringify(document), '/test/seal.config.yaml', env);
  if (!report.config) throw new Error(`invalid test config:\n${report.diagnostics.map((d) => `${d.path.join('.')}: ${d.message}`).join('\n')}`);
  return report.config;
}

/** Resolves one app named `app` with the given fields. */
export function resolveApp(app: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): AppConfig {
  return resolveConfig({ apps: { app } }, env).apps.app as AppConfig;
}
