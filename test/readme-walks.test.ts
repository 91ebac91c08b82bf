// The README's path from the demo to one's own app, run as written, and `seal init` on its own.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers/cli.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

let prod: TestServer;
let noUp: TestServer;
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'seal-walk-'));
  dirs.push(dir);
  return dir;
}

/** The first ```sh block after a README heading, one command per line. */
function readmeBlock(heading: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const from = readme.indexOf(`\n${heading}\n`);
  expect(from, `README has no heading ${heading}`).toBeGreaterThan(-1);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from))?.[1] ?? '';
  return block.split('\n').filter((line) => line.trim() !== '');
}

beforeAll(async () => {
  prod = await startServer((req, res) => reply(res, 200, req.url === '/up' ? 'OK' : '<title>Studio</title>Sign in'));
  noUp = await startServer((req, res) => (req.url === '/up' ? reply(res, 404, 'no') : reply(res, 302, '', { location: '/login' })));
});

afterAll(async () => {
  await prod.close();
  await noUp.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("README: Use it on your app", () => {
  it('runs as written (the URL pointed at a server on loopback): init, config check, a green seal recorded', async () => {
    const lines = readmeBlock('## Use it on your app');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('https://studio.example.com');
    const dir = tempDir();
    symlinkSync(join(ROOT, 'bin'), join(dir, 'bin'));
    const outputs = [];
    for (const line of lines) {
      const run = await runCli([], { cwd: dir, shell: line.replaceAll('https://studio.example.com', prod.url), timeoutMs: 60_000 });
      outputs.push(run);
      expect(run.code, `${line}\n${run.stdout}${run.stderr}`).toBe(0);
    }
    const [init, check, smoke] = outputs;
    expect(init?.stdout).toBe('wrote seal.config.yaml: app studio, 2 checks\nnext: ./bin/seal smoke studio\n');
    const written = readFileSync(join(dir, 'seal.config.yaml'), 'utf8');
    expect(written).toContain(`production_url: "${prod.url}"`);
    expect(written).toContain('{ name: up, http: /up, expect: { status: 200, max_ms: 2000 } }');
    // The $schema path resolves to the schema from the config's folder.
    const schema = /\$schema=(\S+)/.exec(written)?.[1] ?? '';
    expect(JSON.parse(readFileSync(resolve(dir, schema), 'utf8'))).toHaveProperty('$schema');
    expect(check?.stderr).toMatch(/seal\.config\.yaml: ok \(1 app, 2 checks\)\n$/);
    expect(check?.stderr).not.toMatch(/warning/);
    expect(smoke?.stderr).toMatch(/GREEN/i);
    const show = await runCli(['release', 'show', 'studio', 'v1.0.0', '--json'], { cwd: dir });
    expect(JSON.parse(show.stdout)).toMatchObject({ version: 'v1.0.0', smoke_seal: { status: 'green' } });
  });
});

describe('seal init', () => {
  it('writes only checks that hold today: no /up check when /up is 404, and the status / answers', async () => {
    const dir = tempDir();
    const run = await runCli(['init', noUp.url], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('note: /up answered 404: no "up" check (add one when the app has a health endpoint)\n');
    const written = readFileSync(join(dir, 'seal.config.yaml'), 'utf8');
    expect(written).toContain('{ name: home, http: "/", expect: { status: 302 } }');
    expect(written).not.toContain('name: up');
    expect(run.stdout).toMatch(/^wrote seal\.config\.yaml: app app, 1 check\n/);
    const smoke = await runCli(['smoke', 'app', '--json'], { cwd: dir, timeoutMs: 60_000 });
    expect(JSON.parse(smoke.stdout)).toMatchObject({ verdict: 'green' });
  });

  it('refuses to replace a config, a bad URL and a bad app name, writing nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'seal.config.yaml'), 'mine\n');
    const exists = await runCli(['init', prod.url], { cwd: dir });
    expect(exists.code).toBe(1);
    expect(exists.stderr).toBe('seal init: seal.config.yaml already exists; nothing written (--force replaces it, --config PATH writes elsewhere)\n');
    expect(readFileSync(join(dir, 'seal.config.yaml'), 'utf8')).toBe('mine\n');
    const creds = await runCli(['init', 'https://user:pw@studio.example.com', '--config', 'other.yaml'], { cwd: dir });
    expect(creds.code).toBe(1);
    expect(creds.stderr).toMatch(/^seal init: the URL holds credentials/);
    const scheme = await runCli(['init', 'ftp://studio.example.com', '--config', 'other.yaml'], { cwd: dir });
    expect(scheme.stderr).toBe('seal init: "ftp://studio.example.com": production_url must be http:// or https://\n');
    const name = await runCli(['init', prod.url, '--app', 'my app', '--config', 'other.yaml'], { cwd: dir });
    expect(name.stderr).toMatch(/^seal init: --app "my app": app names use letters/);
    const forced = await runCli(['init', '--force', '--app', 'studio'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(forced.stderr).toBe('note: no URL given: production_url is https://app.example.com; point it at your app\n');
    const check = await runCli(['config', 'check'], { cwd: dir });
    expect(check.code).toBe(0);
  });

  it('names the app after the host and says when production does not answer', async () => {
    const dir = tempDir();
    // A port that was just listened on and closed: the connection is refused at once.
    const closed = await startServer((_req, res) => reply(res, 200, 'OK'));
    await closed.close();
    const run = await runCli(['init', `${closed.url}/`, '--app', 'studio'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^note: \/up did not answer \(.*ECONNREFUSED.*\): no "up" check/m);
    expect(run.stderr).toMatch(/^note: \/ did not answer .*the "home" check expects 200/m);
  });
});
