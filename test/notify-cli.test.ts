/**
 * Notifications through the real CLI: `seal smoke` telling fake Discord and Slack servers,
 * `seal notify` re-sending, a hung Discord costing only a warning, and a seal server telling
 * notifiers of the runs CI reports to it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/runner/run-result.js';
import { NOTES_START } from '../src/seal/notes-block.js';
import { runCli, startServeCli } from './helpers/cli.js';
import { startFakeDiscord, type FakeDiscord } from './helpers/fakes/discord.js';
import { startFakeSlack, type FakeSlack } from './helpers/fakes/slack.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

let prod: TestServer;
let discord: FakeDiscord;
let slack: FakeSlack;
let dir: string;
let healthy = true;

const configText = (timeout = 5000) => `apps:
  studio:
    production_url: ${prod.url}
    rollback: "git revert -m 1 {merge_sha}"
    notify: [release-notes, team]
    board_url: https://seal.example.com
    checks:
      - { name: up, http: /up, expect: { status: 200 } }
notifiers:
  release-notes: { type: discord, webhook_url: "\${DISCORD_WEBHOOK_URL}", thread_id: "777", mention_on_red: "<@&456>", timeout_ms: ${timeout} }
  team: { type: slack, webhook_url: "\${SLACK_WEBHOOK_URL}", timeout_ms: ${timeout} }
`;

beforeAll(async () => {
  prod = await startServer((_req, res) => reply(res, healthy ? 200 : 503, healthy ? 'OK' : 'down'));
  discord = await startFakeDiscord();
  slack = await startFakeSlack();
  dir = mkdtempSync(join(tmpdir(), 'seal-notify-cli-'));
  writeFileSync(join(dir, 'seal.config.yaml'), configText());
}, 60_000);

afterAll(async () => {
  await prod?.close();
  await discord?.close();
  await slack?.close();
});

const env = (extra: NodeJS.ProcessEnv = {}) => ({ SEAL_DATA_DIR: join(dir, 'data'), DISCORD_WEBHOOK_URL: discord.webhookUrl, SLACK_WEBHOOK_URL: slack.webhookUrl, ...extra });
const seal = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(['smoke', 'studio', '--config', join(dir, 'seal.config.yaml'), ...args], { env: env(extra), timeoutMs: 60_000 });

describe('seal smoke tells the notifiers', () => {
  it('a green seal: one Discord post and one Slack post, said on stderr, and a seal block in the release notes', async () => {
    healthy = true;
    const run = await seal(['--release', 'v1', '--merge-sha', 'cafe123']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/Told: release-notes \(discord\): posted message \d+; team \(slack\): posted/);
    expect(discord.messages.size).toBe(1);
    expect(slack.posts).toHaveLength(1);
    const show = await runCli(['release', 'show', 'studio', 'v1', '--json'], { env: env(), timeoutMs: 60_000 });
    const notes = (JSON.parse(show.stdout) as { notes: string }).notes;
    expect(notes.startsWith(NOTES_START)).toBe(true);
    expect(notes).toContain('🟢 green seal');
  });

  it('the release turns red: a new post that pings the role, the rollback command in it and in the notes; nothing is run', async () => {
    healthy = false;
    const run = await seal(['--release', 'v1', '--merge-sha', 'cafe123', '--json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as RunResult).verdict).toBe('red');
    const last = [...discord.messages.values()].at(-1);
    expect(discord.messages.size).toBe(2);
    expect(last?.pings).toEqual(['role 456']);
    expect(JSON.stringify(last?.body)).toContain('git revert -m 1 cafe123');
    expect(slack.posts).toHaveLength(2);
    const show = await runCli(['release', 'show', 'studio', 'v1', '--json'], { env: env(), timeoutMs: 60_000 });
    const notes = (JSON.parse(show.stdout) as { notes: string }).notes;
    expect(notes.split(NOTES_START)).toHaveLength(2);
    expect(notes).toContain('git revert -m 1 cafe123');
  });

  it('seal notify re-sends the current seal: Discord edits its message, Slack has nothing new', async () => {
    const before = discord.calls.length;
    const run = await runCli(['notify', 'studio', 'v1', '--config', join(dir, 'seal.config.yaml'), '--json'], { env: env(), timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'red', deliveries: [{ target: 'release-notes (discord)', status: 'delivered', detail: expect.stringMatching(/^edited message \d+$/) }, { target: 'team (slack)', status: 'unchanged' }] });
    expect(discord.calls.slice(before).every((c) => c.startsWith('PATCH'))).toBe(true);
    const unknown = await runCli(['notify', 'studio', 'v404', '--config', join(dir, 'seal.config.yaml')], { env: env(), timeoutMs: 60_000 });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('seal: no release v404 of studio in the ledger\n');
  });

  it('a hung Discord costs a bounded delay and a warning: the verdict stands, exit 0', async () => {
    const hung = await startFakeDiscord();
    hung.hang();
    writeFileSync(join(dir, 'hung.yaml'), configText(1500));
    healthy = true;
    const run = await runCli(['smoke', 'studio', '--config', join(dir, 'hung.yaml'), '--release', 'v2', '--json'], { env: env({ DISCORD_WEBHOOK_URL: hung.webhookUrl }), timeoutMs: 60_000 });
    await hung.close();
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.verdict).toBe('green');
    // Printed before the notifiers were told: what they did comes after the verdict, on stderr.
    expect(result.warnings).toEqual([]);
    expect(run.stderr).toContain('\nwarning: notifier release-notes (discord) failed: Discord: no answer in time (not sent again: it may have arrived)\n');
    // The webhook URL holds a secret: it is never printed.
    expect(run.stderr).not.toContain(hung.webhookUrl);
  });
});

describe('a seal server tells the notifiers of what CI reports', () => {
  it('a run reported with --server is told to Discord by the server, and the release page lists the deliveries', async () => {
    const serverDir = mkdtempSync(join(tmpdir(), 'seal-notify-server-'));
    const created = await runCli(['token', 'create', '--name', 'ci'], { env: { SEAL_DATA_DIR: serverDir }, timeoutMs: 60_000 });
    const token = created.stdout.trim();
    const server = await startServeCli(['--config', join(dir, 'seal.config.yaml')], { env: { ...env(), SEAL_DATA_DIR: serverDir } });
    try {
      const before = discord.messages.size;
      const run = await runCli(['smoke', 'studio', '--config', join(dir, 'seal.config.yaml'), '--server', server.url, '--release', 'v-remote', '--json'], { env: { SEAL_DATA_DIR: join(dir, 'ci'), SEAL_TOKEN: token, DISCORD_WEBHOOK_URL: 'http://127.0.0.1:1/unused', SLACK_WEBHOOK_URL: 'http://127.0.0.1:1/unused' }, timeoutMs: 60_000 });
      expect(run.code).toBe(0);
      // The server tells in the background: wait for it, a bounded number of times.
      for (let i = 0; i < 50 && discord.messages.size === before; i++) await sleep(100);
      expect(discord.messages.size).toBe(before + 1);
      let page = '';
      for (let i = 0; i < 50 && !page.includes('data-target="team"'); i++) {
        page = await (await fetch(`${server.url}/releases/studio/v-remote`)).text();
        await sleep(100);
      }
      expect(page).toMatch(/data-target="release-notes" data-status="delivered"/);
      expect(page).toMatch(/data-target="team" data-status="delivered"/);
    } finally {
      await server.stop();
    }
  });
});
