/** `seal config check` (every problem, with its path) and `seal config schema` (JSON Schema). */
import { findConfigPath, readConfigReport } from '../../config/load.js';
import { formatDiagnostic, formatPath } from '../../config/diagnostics.js';
import { buildConfigJsonSchema } from '../../config/json-schema.js';
import type { CliIo } from '../io.js';

/** Validates the config; exit 1 on any error, 0 with warnings only. */
export function configCheckCommand(options: { config?: string; json?: boolean }, io: CliIo): number {
  const path = findConfigPath(options.config, io.env, io.cwd);
  const report = readConfigReport(path, io.env);
  const errors = report.diagnostics.filter((d) => d.level === 'error');
  const warnings = report.diagnostics.filter((d) => d.level === 'warning');
  if (options.json) {
    const shape = (d: (typeof report.diagnostics)[number]) => ({ path: formatPath(d.path), message: d.message });
    io.stdout.write(`${JSON.stringify({ ok: errors.length === 0, source: path, errors: errors.map(shape), warnings: warnings.map(shape) }, null, 2)}\n`);
  }
  for (const d of report.diagnostics) io.stderr.write(`${d.level}: ${formatDiagnostic(d)}\n`);
  if (report.config) {
    const apps = Object.values(report.config.apps);
    const checks = apps.reduce((sum, app) => sum + app.checks.length, 0);
    io.stderr.write(`${path}: ok (${apps.length} app${apps.length === 1 ? '' : 's'}, ${checks} check${checks === 1 ? '' : 's'}${warnings.length > 0 ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''})\n`);
  } else {
    io.stderr.write(`${path}: ${errors.length} error${errors.length === 1 ? '' : 's'}\n`);
  }
  return errors.length > 0 ? 1 : 0;
}

/** Prints the JSON Schema of the config. */
export function configSchemaCommand(io: CliIo): number {
  io.stdout.write(`${JSON.stringify(buildConfigJsonSchema(), null, 2)}\n`);
  return 0;
}
