// `npm pack` ships package.json as it is on disk. The checkout's has scripts (prepare builds dist/
// on `npm ci`) and devDependencies that mean nothing to a project installing the tarball, and
// npm 11 warns every such project that smoke-seal "has install scripts not yet covered by
// allowScripts" although a tarball's prepare never runs. So prepack (after building) writes the
// manifest a user needs, and postpack puts the checkout's back; a pack that died between the two
// is repaired by the next prepack.
//   node scripts/pack-manifest.mjs strip | restore
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const manifest = fileURLToPath(new URL('../package.json', import.meta.url));
const saved = fileURLToPath(new URL('../.package.json.before-pack', import.meta.url));

function restore() {
  if (existsSync(saved)) renameSync(saved, manifest);
}

const mode = process.argv[2];
if (mode === 'restore') {
  restore();
} else if (mode === 'strip') {
  restore();
  const text = readFileSync(manifest, 'utf8');
  const shipped = JSON.parse(text);
  for (const key of ['scripts', 'devDependencies', 'allowScripts']) delete shipped[key];
  writeFileSync(saved, text);
  writeFileSync(manifest, `${JSON.stringify(shipped, null, 2)}\n`);
} else {
  process.stderr.write('usage: node scripts/pack-manifest.mjs strip|restore\n');
  process.exit(2);
}
