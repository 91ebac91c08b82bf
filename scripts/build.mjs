// Bundles the CLI into dist/ with esbuild. One bundle loads in about half the time of the
// hundreds of files tsc would emit plus their dependencies, and startup is part of every seal.
// Type checking is tsc's job (`npm run lint`); this only transpiles and bundles.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildStoreTemplate } from './store-template.mjs';

/** What every bundle shares. */
const common = { outdir: 'dist', bundle: true, platform: 'node', target: 'node20.19', sourcemap: true, logLevel: 'warning' };
/** One file of its own, for a process other than the CLI. */
const single = (name, entry, format, extra = {}) =>
  build({ ...common, entryPoints: { [name]: entry }, format, ...(format === 'cjs' ? { outExtension: { '.js': '.cjs' } } : {}), ...extra });

/**
 * drizzle's PGlite driver imports PGlite's package for its table of type ids alone (it only
 * constructs a PGlite when given none, which seal never does). Loading that package costs a seal
 * about 30 ms after the verdict, where its store was opened in a thread (src/store/early-store.ts)
 * and this thread never runs PGlite: drizzle gets the table itself, copied from PGlite at build time.
 */
const { types: pgliteTypes } = await import('@electric-sql/pglite');
const pgliteTypesForDrizzle = {
  name: 'pglite-types-for-drizzle',
  setup(b) {
    b.onResolve({ filter: /^@electric-sql\/pglite$/ }, (args) => (/[\\/]drizzle-orm[\\/]pglite[\\/]/.test(args.importer) ? { path: 'pglite-types', namespace: 'pglite-types' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'pglite-types' }, () => ({
      loader: 'js',
      contents: `export const types = Object.freeze(${JSON.stringify(pgliteTypes)});\nexport class PGlite { constructor() { throw new Error('smoke-seal gives drizzle an open PGlite; it never makes one'); } }\n`,
    }));
  },
};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { seal: 'src/cli/main.ts' },
  splitting: true, // rarely used parts (JUnit's XML builder) load only when asked for
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [pgliteTypesForDrizzle],
  // Playwright locates its own files at run time: it stays a package, loaded only by runs that need it.
  external: ['playwright-core', '@playwright/test', '@electric-sql/pglite', 'pg', 'pg-boss'],
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: { js: "import { createRequire as __sealCreateRequire } from 'node:module'; const require = __sealCreateRequire(import.meta.url);" },
});
// The preload goes into every Node process of a probe or a spec (NODE_OPTIONS=--require): CommonJS,
// because `--import` of an ES module made each of those processes start about 30 ms later.
await single('guard-preload', 'src/guard/node-preload.ts', 'cjs');
// The sandbox launcher runs in its own Node process inside a network namespace: one small file,
// started on every sandboxed probe, so it loads nothing it does not use.
await single('sandbox-launcher', 'src/guard/sandbox-launcher.ts', 'esm');
// Where the sandbox is not used, a probe runs under this supervisor, which kills its process group
// when seal ends (even by kill -9). CommonJS and built-ins only: it starts on every such probe.
await single('supervisor', 'src/guard/supervisor.ts', 'cjs');
// The preload's proxy agent (undici), CommonJS so that the preload can require() it the moment
// fetch first asks for a dispatcher, and only then. A copy of its own, not the undici package: a
// script that imports undici itself triggers that lookup while undici is loading, and requiring
// the same package then would get its half-loaded exports. Minified: every probe process that
// fetches parses it.
await single('guard-agent', 'src/guard/proxy-agent.ts', 'cjs', { minify: true });
// The thread that opens the embedded store while an HTTP suite's checks run (src/store/early-store.ts).
await single('store-worker', 'src/store/early-worker.ts', 'esm', {
  external: ['@electric-sql/pglite'],
  banner: { js: "import { createRequire as __sealCreateRequire } from 'node:module'; const require = __sealCreateRequire(import.meta.url);" },
});
// The embedded store's template (a migrated PGlite data directory): a fresh store unpacks it
// instead of running initdb. Made only when the migrations or PGlite changed.
await buildStoreTemplate(fileURLToPath(new URL('..', import.meta.url)));
