// `seal demo` (what `npm start` runs) and `--help`, through the real ./bin/seal: a file of their
// own, so that they run beside the rest of the CLI tests rather than after them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startServeCli } from './helpers/cli.js';
import { reply, startServer } from './helpers/servers.js';

describe('the demo (npm start)', () => {
  const freshDir = (): string => mkdtempSync(join(tmpdir(), 'seal-demo-'));

  it('serves the board with both seals on it, reported as a CI job would, until stopped', async () => {
    const demo = await startServeCli([], { command: ['demo'], env: { SEAL_DATA_DIR: freshDir(), SEAL_PORT: '0' }, ready: /Ctrl-C stops the demo/, timeoutMs: 120_000 });
    let stopped;
    try {
      const board = await (await fetch(`${demo.url}/deployments`)).text();
      expect(board).toContain('data-app="demo" data-version="v1.1.0" data-status="red"');
      expect(board).toContain('data-app="demo" data-version="v1.0.0" data-status="green"');
      const release = await (await fetch(`${demo.url}/releases/demo/v1.1.0`)).text();
      expect(release).toContain('<pre id="rollback-command">git revert -m 1 5e4d3c2</pre>');
    } finally {
      stopped = await demo.stop();
    }
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain(`Board: ${demo.url}/releases/demo/v1.1.0`);
    expect(stopped.stderr).not.toContain('warning');
  });

  it('--port is taken at its word (a port in use is a clear error); a taken default port falls back to a free one, said so', async () => {
    const taken = await startServer((_req, res) => reply(res, 200, 'taken'));
    try {
      const strict = await runCli(['demo', '--port', String(taken.port)], { env: { SEAL_DATA_DIR: freshDir() }, timeoutMs: 60_000 });
      expect(strict.code).toBe(2);
      expect(strict.stderr).toContain(`seal demo: port ${taken.port} on 127.0.0.1 is already in use: pick another with --port`);
      const bad = await runCli(['demo', '--port', 'x'], { env: { SEAL_DATA_DIR: freshDir() }, timeoutMs: 60_000 });
      expect(bad.stderr).toContain('--port must be a port number from 0 to 65535, got "x"');
      const demo = await startServeCli([], { command: ['demo'], env: { SEAL_DATA_DIR: freshDir(), SEAL_PORT: String(taken.port) }, ready: /Ctrl-C stops the demo/, timeoutMs: 120_000 });
      const stopped = await demo.stop();
      expect(stopped.stderr).toContain(`Port ${taken.port} is in use (another demo?): the board is on port ${new URL(demo.url).port} instead. Choose one with --port.`);
      expect(new URL(demo.url).port).not.toBe(String(taken.port));
    } finally {
      await taken.close();
    }
  });

  it('with --no-serve, seals a green release and a red one against its bundled app and exits 0; then the audit log verifies and the releases attest as docs/evidence.md shows', async () => {
    const data = freshDir();
    const run = await runCli(['demo', '--no-serve'], { env: { SEAL_DATA_DIR: data }, timeoutMs: 90_000 });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Seal: 🟢 green  demo v1.0.0: 6/6 passed');
    expect(run.stderr).toContain("Seal: 🔴 red  demo v1.1.0: 4/6 passed; 'devops hidden' failed: status 200, expected 404");
    expect(run.stderr).toContain('    git revert -m 1 5e4d3c2');
    expect(run.stderr).toMatch(/Blocked 1 write \(answered locally, never sent to production\):\n {2}POST http:\/\/127\.0\.0\.1:\d+\/analytics\/pageview {2}\(home renders\)/);
    expect(run.stderr).toContain('Writes that reached the demo app during both seals: 0');

    // docs/evidence.md, "Try it on the demo".
    const seal = (args: string[]) => runCli(args, { env: { SEAL_DATA_DIR: data } });
    const verified = await seal(['audit', 'verify']);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/^audit log: 6 events, head #6 [0-9a-f]{12}\nrows checked against their newest event: 2 releases, 2 seals, 2 credits, 0 incidents, 0 tokens, 0 stored evidence files\n/);
    const trail = await seal(['audit', 'log', 'demo', '--release', 'v1.1.0']);
    expect(trail.stdout).toMatch(/release \d+ recorded \(v1\.1\.0\) +recorded; sealed red by run/);
    const attest = async (version: string) => JSON.parse((await seal(['attest', 'demo', version])).stdout) as { subject: { digest: { gitCommit: string } }[]; predicate: { result: string; failedTests: string[]; configuration: { name: string }[] } };
    const green = await attest('v1.0.0');
    expect(green.subject[0]?.digest.gitCommit).toBe('a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e');
    expect(green.predicate.result).toBe('PASSED');
    expect(green.predicate.configuration.map((c) => c.name)).toContain('smoke-seal audit log head #6');
    const red = await attest('v1.1.0');
    expect(red.predicate).toMatchObject({ result: 'FAILED', failedTests: expect.arrayContaining(['devops hidden', 'health']) as unknown });
  });

  it('without a Chromium, shows the browser check as skipped with the fix, and stays green', async () => {
    const run = await runCli(['demo', '--no-serve'], { env: { SEAL_CHROMIUM: '/nonexistent/chromium', SEAL_DATA_DIR: freshDir() }, timeoutMs: 90_000 });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Seal: 🟢 green  demo v1.0.0: 5/5 passed (1 skipped)');
    expect(run.stderr).toContain('- home renders  0 ms  SEAL_CHROMIUM=/nonexistent/chromium is not an executable file');
  });
});

describe('--help', () => {
  /** The subcommands a help text lists (commander's own `help` left out). */
  const subcommands = (help: string): string[] =>
    [...(help.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '').matchAll(/^ {2}(\S+)/gm)].map((m) => m[1] ?? '').filter((name) => name !== 'help');

  it('ends with examples for every command and subcommand, each one a seal command', async () => {
    const queue: string[][] = [[]];
    const seen: string[] = [];
    while (queue.length > 0 && seen.length < 100) {
      const path = queue.shift() ?? [];
      const run = await runCli([...path, '--help']);
      expect(run.code, path.join(' ')).toBe(0);
      const examples = /\nExamples:\n((?: {2}\$ seal .+\n)+)$/.exec(run.stdout);
      expect(examples?.[1], `seal ${path.join(' ')} --help ends with no examples:\n${run.stdout.slice(-300)}`).toBeTruthy();
      // One or two: a help page, not a manual.
      expect(examples?.[1]?.trimEnd().split('\n').length, path.join(' ')).toBeLessThanOrEqual(2);
      for (const line of examples?.[1]?.trimEnd().split('\n') ?? []) if (path.length > 0) expect(line, path.join(' ')).toContain(`$ seal ${path.join(' ')}`);
      seen.push(path.join(' '));
      for (const sub of subcommands(run.stdout)) queue.push([...path, sub]);
    }
    // Every command is reached: the top level, groups and their subcommands.
    expect(seen).toEqual(expect.arrayContaining(['', 'init', 'smoke', 'release list', 'incident export', 'token revoke', 'outbox flush', 'demo']));
    expect(seen.length).toBeGreaterThan(30);
  }, 120_000);
});
