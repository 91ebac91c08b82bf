// Bundles the CLI into dist/ with esbuild. One bundle loads in about half the time of the
// hundreds of files tsc would emit plus their dependencies, and startup is part of every seal.
// Type checking is tsc's job (`npm run lint`); this only transpiles and bundles.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { seal: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true, // rarely used parts (JUnit's XML builder) load only when asked for
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  // Playwright locates its own files at run time: it stays a package, loaded only by runs that need it.
  external: ['playwright-core', '@playwright/test', '@electric-sql/pglite', 'pg'],
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: { js: "import { createRequire as __sealCreateRequire } from 'node:module'; const require = __sealCreateRequire(import.meta.url);" },
});
// The preload goes into every Node process of a probe or a spec (NODE_OPTIONS=--require): CommonJS,
// because `--import` of an ES module made each of those processes start about 30 ms later.
await build({
  entryPoints: { 'guard-preload': 'src/guard/node-preload.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  sourcemap: true,
  logLevel: 'warning',
});
// The sandbox launcher runs in its own Node process inside a network namespace: one small file,
// started on every sandboxed probe, so it loads nothing it does not use.
await build({
  entryPoints: { 'sandbox-launcher': 'src/guard/sandbox-launcher.ts' },
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: true,
  logLevel: 'warning',
});
// The preload's proxy agent (undici), CommonJS so that the preload can require() it the moment
// fetch first asks for a dispatcher, and only then. A copy of its own, not the undici package: a
// script that imports undici itself triggers that lookup while undici is loading, and requiring
// the same package then would get its half-loaded exports.
await build({
  entryPoints: { 'guard-agent': 'src/guard/proxy-agent.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  // Parsed by every probe process on its first fetch: smaller loads faster.
  minify: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  sourcemap: true,
  logLevel: 'warning',
});
