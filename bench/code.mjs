// Which code a bench run measured: the commit, whether dist/ is older than src/, and whether
// dist/ changed while the bench ran (a rebuild mid-run mixes two builds in one report).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The commit and build measured; pushes a warning into `notes` when dist/ is older than src/. */
export function describeCode(root, notes, log) {
  let text = 'unknown commit';
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).trim();
    text = `commit ${sha}${dirty ? ' with uncommitted changes in src/' : ''}`;
  } catch {
    // not a git checkout: leave it unknown
  }
  // bin/seal runs whatever the build put in dist/; its layout is the build's business.
  if (!existsSync(join(root, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
  const srcNewest = newestMtime(join(root, 'src'));
  const distNewest = distStamp(root);
  if (srcNewest > distNewest) {
    const warning = 'dist/ is older than src/: these figures are for the last build, not the current source (run `npm run build`).';
    log(`warning: ${warning}`);
    notes.push(warning);
  }
  return `${text}, as compiled in dist/`;
}

/** The newest modification time in dist/: compare it before and after the run. */
export function distStamp(root) {
  try {
    return newestMtime(join(root, 'dist'));
  } catch {
    return -1; // dist/ vanished mid-run (a rebuild starts by deleting it)
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}
