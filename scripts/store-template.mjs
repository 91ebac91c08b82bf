// The embedded store's template: a PGlite data directory with every migration applied, as a
// gzipped tarball in dist/. A fresh store is made by unpacking it (PGlite's loadDataDir) instead
// of running initdb in WebAssembly, which took 2–9 s and peaked near 800 MB RSS on a newcomer's
// first seal and on every CI job without a cache. Made once per set of migrations and PGlite
// version, kept in node_modules/.cache/smoke-seal/ so that rebuilds only copy it.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the template depends on: the migrations (SQL and journal) and PGlite's version. */
function templateKey(root) {
  const hash = createHash('sha256');
  const pglite = JSON.parse(readFileSync(join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8'));
  hash.update(`pglite ${pglite.version}\n`);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(`${path.slice(root.length)}\n`).update(readFileSync(path));
    }
  };
  walk(join(root, 'drizzle'));
  return hash.digest('hex').slice(0, 16);
}

/** Writes dist/store-template.tar.gz, from the cache when the migrations have not changed. */
export async function buildStoreTemplate(root) {
  const cacheDir = join(root, 'node_modules', '.cache', 'smoke-seal');
  const cached = join(cacheDir, `store-template-${templateKey(root)}.tar.gz`);
  if (!existsSync(cached)) {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const pg = await PGlite.create({ postgresqlconf: ['shared_buffers = 8MB'] });
    try {
      await migrate(drizzle(pg), { migrationsFolder: join(root, 'drizzle') });
      const tarball = Buffer.from(await (await pg.dumpDataDir('gzip')).arrayBuffer());
      mkdirSync(cacheDir, { recursive: true });
      // Written whole, then renamed: a build killed halfway leaves no half template behind.
      writeFileSync(`${cached}.tmp`, tarball);
      renameSync(`${cached}.tmp`, cached);
    } finally {
      await pg.close();
    }
  }
  copyFileSync(cached, join(root, 'dist', 'store-template.tar.gz'));
}
