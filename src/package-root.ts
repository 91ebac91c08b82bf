/** Finds files shipped with the package, whether running from src/ (tests) or the dist/ bundle. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of smoke-seal's own package.json, found by walking up from this module. */
export function findPackageRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'smoke-seal') return dir;
  }
  throw new Error(`cannot find smoke-seal's package.json above ${from}`);
}

/** A file the build writes into dist/ (a preload, the sandbox launcher), or null before any build. */
export function builtFile(name: string): string | null {
  try {
    const file = join(findPackageRoot(), 'dist', name);
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}
