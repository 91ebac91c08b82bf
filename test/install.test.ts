// Installing seal into a project the way the README says: `npm pack`, then `npm install -D` of
// the tarball in an empty project (and from a git URL), then `npx seal`. Real npm, real registry
// packages (from npm's cache when CI has just run `npm ci`), a real seal against loopback.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end (killed after `timeoutMs`), never throwing on a non-zero exit. */
function run(file: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Run> {
  return new Promise((done) => {
    execFile(file, args, { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20, env: { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_update_notifier: 'false' } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
const VERSIONS_DIR = join(ROOT, 'test/node-versions/node_modules');
const OTHER_NODES = ['node22', 'node24'].map((name) => join(VERSIONS_DIR, name, 'bin/node')).filter((path) => existsSync(path));
const work = mkdtempSync(join(tmpdir(), 'seal-install-'));
let prod: TestServer;
let tarball: string;

beforeAll(async () => {
  prod = await startServer((req, res) => reply(res, 200, req.url === '/up' ? 'OK' : '<title>Shop</title>'));
  // `npm pack` on a copy of the checkout (what git tracks plus new files), so that its build
  // does not rewrite the dist/ other test files are running from.
  const source = join(work, 'source');
  mkdirSync(source);
  const files = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], ROOT);
  expect(files.code).toBe(0);
  const list = join(work, 'files');
  writeFileSync(list, files.stdout);
  expect((await run('tar', ['-cf', join(work, 'source.tar'), '--null', '-T', list], ROOT)).code).toBe(0);
  expect((await run('tar', ['-xf', join(work, 'source.tar')], source)).code).toBe(0);
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
  const pack = await run('npm', ['pack', '--pack-destination', work], source);
  expect(pack.code, pack.stderr).toBe(0);
  tarball = join(work, `smoke-seal-${MANIFEST.version}.tgz`);
  expect(existsSync(tarball)).toBe(true);
  // postpack put the checkout's manifest back.
  expect(readFileSync(join(source, 'package.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'package.json'), 'utf8'));
}, 240_000);

afterAll(async () => {
  await prod?.close();
  rmSync(work, { recursive: true, force: true });
});

/** An empty project: `npm init -y`. */
async function emptyProject(name: string): Promise<string> {
  const dir = join(work, name);
  mkdirSync(dir);
  expect((await run('npm', ['init', '-y'], dir)).code).toBe(0);
  return dir;
}

/** Every installed package's `engines.node` that a supported Node does not satisfy. */
function engineConflicts(project: string, versions: readonly string[]): string[] {
  const out: string[] = [];
  const modules = join(project, 'node_modules');
  const dirs = readdirSync(modules).flatMap((entry) => (entry.startsWith('@') ? readdirSync(join(modules, entry)).map((sub) => join(entry, sub)) : [entry]));
  for (const dir of dirs) {
    const manifest = join(modules, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const range = (JSON.parse(readFileSync(manifest, 'utf8')) as { engines?: { node?: string } }).engines?.node;
    if (!range) continue;
    for (const version of versions) if (!semver.satisfies(version, range)) out.push(`${dir} wants node ${range}, not ${version}`);
  }
  return out;
}

describe('npm pack, then npm install -D ./smoke-seal-*.tgz in an empty project', () => {
  let project: string;

  it('installs without a warning, and every package it brings accepts every supported Node', async () => {
    project = await emptyProject('project');
    const install = await run('npm', ['install', '-D', '--no-audit', '--no-fund', '--prefer-offline', tarball], project);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/warn|EBADENGINE/i);
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/smoke-seal/package.json'), 'utf8')) as Record<string, unknown>;
    expect(installed).not.toHaveProperty('scripts');
    expect(installed).not.toHaveProperty('devDependencies');
    const lowest = semver.minVersion(MANIFEST.engines.node)?.version ?? '';
    expect(lowest).toBe('20.19.0');
    // The lowest supported, this one, and the first 22 and 24 releases (npm warns on the Node it runs on only).
    const versions = [lowest, process.versions.node, '22.0.0', '24.0.0'];
    expect(engineConflicts(project, versions)).toEqual([]);
  }, 240_000);

  it('npx seal --version, on this Node and on Node 22 and 24 where installed', async () => {
    const version = await run('npx', ['seal', '--version'], project);
    expect(version).toMatchObject({ code: 0, stdout: `${MANIFEST.version}\n` });
    for (const node of OTHER_NODES) {
      const other = await run(node, [join(project, 'node_modules/.bin/seal'), '--version'], project);
      expect(other, node).toMatchObject({ code: 0, stdout: `${MANIFEST.version}\n` });
    }
  });

  it('npx seal init, config check and a green seal, the $schema from node_modules', async () => {
    const init = await run('npx', ['seal', 'init', prod.url, '--app', 'shop'], project);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toBe('wrote seal.config.yaml: app shop, 2 checks\nnext: npx seal smoke shop\n');
    const written = readFileSync(join(project, 'seal.config.yaml'), 'utf8');
    expect(written).toMatch(/^# yaml-language-server: \$schema=\.\/node_modules\/smoke-seal\/schema\/seal\.config\.schema\.json\n/);
    expect(existsSync(resolve(project, 'node_modules/smoke-seal/schema/seal.config.schema.json'))).toBe(true);
    expect((await run('npx', ['seal', 'config', 'check'], project)).code).toBe(0);
    const smoke = await run('npx', ['seal', 'smoke', 'shop', '--release', 'v1.0.0', '--json'], project);
    expect(smoke.code, smoke.stderr).toBe(0);
    expect(JSON.parse(smoke.stdout)).toMatchObject({ app: 'shop', verdict: 'green', release: { version: 'v1.0.0' } });
    const list = await run('npx', ['seal', 'release', 'list', 'shop', '--json'], project);
    expect(JSON.parse(list.stdout)).toMatchObject({ releases: [{ version: 'v1.0.0', smoke_seal: { status: 'green' } }] });
  }, 120_000);
});

describe('npm install -D git+file://…, the way a git URL install goes', () => {
  it('builds dist/ in the clone (prepare) and runs', async () => {
    // A clone of the checkout's HEAD stands for the repository's git URL.
    const repo = join(work, 'repo.git');
    expect((await run('git', ['clone', '-q', '--bare', ROOT, repo], work)).code).toBe(0);
    const project = await emptyProject('git-project');
    const install = await run('npm', ['install', '-D', '--no-audit', '--no-fund', '--prefer-offline', `git+file://${repo}`], project, 300_000);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/EBADENGINE/);
    expect(existsSync(join(project, 'node_modules/smoke-seal/dist/seal.js'))).toBe(true);
    const version = await run('npx', ['seal', '--version'], project);
    expect(version).toMatchObject({ code: 0, stdout: `${MANIFEST.version}\n` });
  }, 320_000);
});
