/**
 * Evidence on disk: where it goes by default, and a file's SHA-256 read in chunks (the redactor
 * hashes what it leaves in a run's folder; `seal audit verify` hashes it again later).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

/** SHA-256 of a file read in 1 MiB chunks, or null when it is not there (or not a file). */
export function hashFile(path: string): string | null {
  let fd: number;
  try {
    if (!statSync(path).isFile()) return null;
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** Where evidence goes when the caller does not say: `$SEAL_DATA_DIR/evidence` or `.seal/evidence`. */
export function defaultEvidenceRoot(env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, env.SEAL_DATA_DIR ?? '.seal', 'evidence');
}
