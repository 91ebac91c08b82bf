/** Config problems, each named by its path in the document (`apps.acme.checks[0].expect.status`). */

/** A path into the config document: keys and list indexes. */
export type Path = readonly (string | number)[];

/** One problem (error) or doubt (warning) about the config, at a path. */
export interface Diagnostic {
  readonly level: 'error' | 'warning';
  readonly path: Path;
  readonly message: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** Renders a path the way users read it: `apps.acme.checks[0].expect.status`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Renders one diagnostic as `path: message` (or the message alone for the document root). */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = formatPath(diagnostic.path);
  return where === '' ? diagnostic.message : `${where}: ${diagnostic.message}`;
}
