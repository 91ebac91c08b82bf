/**
 * The SHA-256 of every file in a run's evidence folder, as the run leaves it (after the
 * redactor): recorded in the run result (`evidence_files`), so that `seal audit verify` can tell
 * later whether a screenshot or trace on disk was changed. Walked with a stack and bounded like
 * the redactor's walk (depth, files); symbolic links are not followed.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, statSync, type Dirent } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EvidenceFileHash } from './run-result.js';

const MAX_DEPTH = 8;
const MAX_FILES = 5_000;

/** Every regular file under `dir` (paths relative to it, with `/`), sorted by path. */
export function evidenceHashes(dir: string): EvidenceFileHash[] {
  const out: EvidenceFileHash[] = [];
  const stack: { path: string; rel: string; depth: number }[] = [{ path: dir, rel: '', depth: 0 }];
  while (stack.length > 0 && out.length < MAX_FILES) {
    const { path, rel, depth } = stack.pop() as { path: string; rel: string; depth: number };
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = join(path, entry.name);
      const name = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (depth + 1 <= MAX_DEPTH) stack.push({ path: full, rel: name, depth: depth + 1 });
        continue;
      }
      if (!entry.isFile() || out.length >= MAX_FILES) continue;
      const sha256 = hashFile(full);
      if (sha256 === null) continue;
      let bytes: number;
      try {
        bytes = statSync(full).size;
      } catch {
        continue;
      }
      out.push({ path: name, sha256, bytes });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

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
