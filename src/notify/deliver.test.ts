/**
 * Delivering seals over real HTTP to fake Discord, Slack, GitHub and webhook servers on
 * loopback, with notifier state in a real store (PGlite in a temp dir).
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../test/helpers/fakes/discord.js';
import { startFakeGithub, type FakeGithub } from '../../test/helpers/fakes/github.js';
import { startFakeSlack, type FakeSlack } from '../../test/helpers/fakes/slack.js';
import { runResult } from '../../test/helpers/run-results.js';
import { redRun } from '../../test/helpers/seal-messages.js';
import { startServer, type TestServer } from '../../test/helpers/servers.js';
import type { RunResult } from '../runner/run-result.js';
import { NOTES_START } from '../seal/notes-block.js';
import { openDb, type OpenDb } from '../store/db.js';
import { DeliveryStore } from '../store/deliveries.js';
import { Ledger } from '../store/ledger.js';
import type { NotifierConfig } from './config.js';
import { deliverSeal, type DeliveryPlan } from './deliver.js';

let dir: string;
let store: OpenDb;
let ledger: Ledger;
let deliveries: DeliveryStore;
let discord: FakeDiscord;
let slack: FakeSlack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seal-notify-'));
  store = await openDb({ databaseUrl: null, dataDir: dir });
  ledger = new Ledger(store.db);
  deliveries = new DeliveryStore(store.db);
  discord = await startFakeDiscord();
  slack = await startFakeSlack();
}, 60_000);

afterAll(async () => {
  await discord?.close();
  await slack?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Records the run on its release (as `seal smoke` does) and delivers it. */
async function sealAndDeliver(result: RunResult, notifiers: Record<string, NotifierConfig>, app: Partial<DeliveryPlan['app']> = {}) {
  const version = result.release?.version ?? null;
  const { current } = await ledger.recordSeal(result, version);
  const releaseId = version ? await ledger.releaseIdOf(result.app, version) : null;
  return deliverSeal({ app: { notify: Object.keys(notifiers), alert: [], github: null, ...app }, notifiers, result, releaseId, boardBase: 'https://seal.example.com', store: deliveries, current, redact: (text) => text.replaceAll('S3cretPass', '••••') });
}

const green = (app: string, version: string, extra: Partial<RunResult> = {}) => runResult(app, { release: { version, sha: 'abc1234', merge_sha: null }, ...extra });
const red = (app: string, version: string, extra: Partial<RunResult> = {}) => redRun({ app, release: { version, sha: 'abc1234', merge_sha: 'cafe123' }, ...extra });

describe('Discord', () => {
  const config = (): Record<string, NotifierConfig> => ({ 'release-notes': { type: 'discord', webhook_url: discord.webhookUrl, thread_id: '777', mention_on_red: '<@&456>' } });
  beforeEach(() => {
    discord.calls.length = 0;
  });

  it('one post per release and verdict change: re-seals edit it in place, a new verdict is a new post', async () => {
    const first = await sealAndDeliver(green('posts', 'v1'), config());
    expect(first.outcomes[0]?.outcome).toMatchObject({ status: 'delivered', detail: expect.stringMatching(/^posted message \d+$/) });
    for (let i = 0; i < 3; i++) await sealAndDeliver(green('posts', 'v1'), config());
    await sealAndDeliver(red('posts', 'v1'), config());
    await sealAndDeliver(red('posts', 'v1'), config());
    const posts = discord.calls.filter((c) => c.startsWith('POST'));
    const edits = discord.calls.filter((c) => c.startsWith('PATCH'));
    expect(posts).toHaveLength(2);
    expect(edits).toHaveLength(4);
    expect(posts.every((c) => c.includes('wait=true') && c.includes('thread_id=777'))).toBe(true);
    const [greenPost, redPost] = [...discord.messages.values()].slice(-2);
    expect(greenPost?.edits).toBe(3);
    expect(redPost?.edits).toBe(1);
    // Only the red post pinged, and only the configured role.
    expect(greenPost?.pings).toEqual([]);
    expect(redPost?.pings).toEqual(['role 456']);
  });

  it('a message someone deleted (404 Unknown Message) is posted again instead of edited', async () => {
    await sealAndDeliver(green('deleted-message', 'v1'), config());
    const first = [...discord.messages.values()].at(-1);
    discord.messages.delete(first?.id ?? '');
    discord.calls.length = 0;
    const again = await sealAndDeliver(green('deleted-message', 'v1'), config());
    expect(again.outcomes[0]?.outcome).toMatchObject({ status: 'delivered', detail: expect.stringMatching(/^posted message \d+$/) });
    expect(discord.calls.map((c) => c.split(' ')[0])).toEqual(['PATCH', 'POST']);
    // The new message is the one a later re-seal edits.
    await sealAndDeliver(green('deleted-message', 'v1'), config());
    expect(discord.calls.at(-1)).toContain(`/messages/${[...discord.messages.values()].at(-1)?.id}`);
  });

  it('text from production cannot ping anyone, whatever it says', async () => {
    const hostile = red('hostile', 'v1', { summary: '@everyone @here <@&999> <@123456789>', checks: [{ name: '@everyone', kind: 'http', status: 'failed', duration_ms: 1, attempts: 1, assertions: [], error: '<@&999> @here', evidence: {} }] });
    await sealAndDeliver(hostile, config());
    const message = [...discord.messages.values()].at(-1);
    expect(message?.pings).toEqual(['role 456']);
  });

  it('honours a 429 with retry_after and still delivers', async () => {
    discord.rateLimit(1, 0.2);
    const report = await sealAndDeliver(green('limited', 'v1'), config());
    expect(report.outcomes[0]?.outcome).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a 429 asking for longer than the delivery may take fails fast with a warning, not a wait', async () => {
    discord.rateLimit(1, 60);
    const report = await sealAndDeliver(green('limited-long', 'v1'), { slow: { type: 'discord', webhook_url: discord.webhookUrl, timeout_ms: 2000 } });
    expect(report.outcomes[0]?.outcome.status).toBe('failed');
    expect(report.warnings[0]).toMatch(/^notifier slow \(discord\) failed: Discord: rate limited \(429, retry after 60\.0 s\), longer than the time left/);
    discord.rateLimit(0, 0);
  });

  it('follows the rate-limit headers: a second seal waits for the bucket instead of collecting a 429', async () => {
    const bucketed = await startFakeDiscord();
    bucketed.bucket(0.4);
    const notifiers: Record<string, NotifierConfig> = { b: { type: 'discord', webhook_url: bucketed.webhookUrl } };
    await sealAndDeliver(green('bucket', 'v1'), notifiers);
    const second = await sealAndDeliver(green('bucket', 'v2'), notifiers);
    expect(second.outcomes[0]?.outcome).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(bucketed.limitedCount()).toBe(0);
    await bucketed.close();
  });

  it('a run with hundreds of long checks is accepted by Discord and Slack (their size limits answer 400 otherwise)', async () => {
    const big = red('big', 'v1', { summary: 'x'.repeat(10_000) });
    const many = { ...big, checks: Array.from({ length: 300 }, (_, i) => ({ ...(big.checks[i % 2] as RunResult['checks'][number]), name: `check ${i} ${'n'.repeat(150)}` })) };
    const report = await sealAndDeliver(many, { d: { type: 'discord', webhook_url: discord.webhookUrl }, s: { type: 'slack', webhook_url: slack.webhookUrl } });
    expect(report.outcomes.map((o) => o.outcome.status)).toEqual(['delivered', 'delivered']);
  });

  it('a hung Discord costs at most the delivery time and a warning', async () => {
    const hung = await startFakeDiscord();
    hung.hang();
    const report = await sealAndDeliver(green('hung', 'v1'), { hung: { type: 'discord', webhook_url: hung.webhookUrl, timeout_ms: 1500 } });
    expect(report.outcomes[0]?.outcome.status).toBe('failed');
    expect(report.warnings[0]).toBe('notifier hung (discord) failed: Discord: no answer in time (not sent again: it may have arrived)');
    await hung.close();
  });

  it('a thread that does not exist (404 Unknown Channel) is a failure, not a dead webhook', async () => {
    const report = await sealAndDeliver(green('no-thread', 'v1'), { t: { type: 'discord', webhook_url: discord.webhookUrl, thread_id: '999999' } });
    expect(report.warnings[0]).toContain('Discord answered 404: Unknown Channel: the thread 999999 does not exist (check thread_id)');
    const next = await sealAndDeliver(green('no-thread', 'v2'), { t: { type: 'discord', webhook_url: discord.webhookUrl } });
    expect(next.outcomes[0]?.outcome.status).toBe('delivered');
  });

  it('two seals of one release landing together: one post and one edit, not two posts', async () => {
    const [a, b] = [green('together', 'v1'), green('together', 'v1')];
    await Promise.all([ledger.recordSeal(a, 'v1'), ledger.recordSeal(b, 'v1')]);
    const releaseId = await ledger.releaseIdOf('together', 'v1');
    const plan = (result: RunResult) => deliverSeal({ app: { notify: ['release-notes'], alert: [], github: null }, notifiers: config(), result, releaseId, boardBase: null, store: deliveries, current: true, redact: (t) => t });
    await Promise.all([plan(a), plan(b)]);
    expect(discord.calls.filter((c) => c.startsWith('POST'))).toHaveLength(1);
    expect(discord.calls.filter((c) => c.startsWith('PATCH'))).toHaveLength(1);
  });

  it('a seal that finished before the current one (reported late) is not posted: only webhooks get every run', async () => {
    const receiver = await startServer((_req, res) => void res.writeHead(204).end());
    const notifiers: Record<string, NotifierConfig> = { ...config(), hook: { type: 'webhook', url: receiver.url, secret: 'whsec-0123456789abcdef' } };
    await sealAndDeliver(green('late', 'v1', { finished_at: new Date(Date.now() - 1000).toISOString() }), notifiers);
    const posts = discord.calls.length;
    const late = await sealAndDeliver(red('late', 'v1', { finished_at: new Date(Date.now() - 60_000).toISOString() }), notifiers);
    expect(late.outcomes.map((o) => `${o.target} ${o.outcome.status}`)).toEqual(['release-notes (discord) skipped', 'hook (webhook) delivered']);
    expect(discord.calls).toHaveLength(posts);
    await receiver.close();
  });

  it('a deleted webhook (404) is reported once, then not used again', async () => {
    const gone = await startFakeDiscord();
    gone.deleteWebhook();
    const notifiers: Record<string, NotifierConfig> = { gone: { type: 'discord', webhook_url: gone.webhookUrl } };
    const first = await sealAndDeliver(green('deleted', 'v1'), notifiers);
    expect(first.warnings[0]).toContain('Discord answered 404: Unknown Webhook');
    const second = await sealAndDeliver(green('deleted', 'v2'), notifiers);
    expect(second.outcomes[0]?.outcome).toMatchObject({ status: 'skipped', detail: expect.stringContaining('not used since') });
    expect(gone.calls).toHaveLength(1);
    // seal notify tries it again (someone may have fixed it).
    const result = green('deleted', 'v2');
    await ledger.recordSeal(result, 'v2');
    await deliverSeal({ app: { notify: ['gone'], alert: [], github: null }, notifiers, result, releaseId: await ledger.releaseIdOf('deleted', 'v2'), boardBase: null, store: deliveries, current: true, redact: (t) => t, retryGone: true });
    expect(gone.calls).toHaveLength(2);
    await gone.close();
  });

  it('a forum channel: the first seal of a release creates its post (thread_name), later ones go into it', async () => {
    const forum: Record<string, NotifierConfig> = { forum: { type: 'discord', webhook_url: discord.webhookUrl, thread_name: '{app} {version}' } };
    await sealAndDeliver(green('forum', 'v9'), forum);
    await sealAndDeliver(red('forum', 'v9'), forum);
    const [created, inThread] = discord.calls.filter((c) => c.startsWith('POST'));
    expect(created).not.toContain('thread_id');
    const thread = [...discord.messages.values()].at(-2)?.channelId;
    expect(inThread).toContain(`thread_id=${thread}`);
    expect([...discord.messages.values()].at(-2)?.body.thread_name).toBe('forum v9');
  });
});

describe('Slack', () => {
  it('posts once per verdict (it cannot edit), with blocks and a text fallback', async () => {
    const notifiers: Record<string, NotifierConfig> = { team: { type: 'slack', webhook_url: slack.webhookUrl } };
    const before = slack.posts.length;
    await sealAndDeliver(green('slacked', 'v1'), notifiers);
    const again = await sealAndDeliver(green('slacked', 'v1'), notifiers);
    expect(again.outcomes[0]?.outcome.status).toBe('unchanged');
    await sealAndDeliver(red('slacked', 'v1'), notifiers);
    expect(slack.posts).toHaveLength(before + 2);
    expect(slack.posts.at(-1)?.text).toContain('🔴 red · slacked v1');
  });

  it('a Slack that is down costs at most the delivery time and a warning', async () => {
    const down = await startFakeSlack();
    const url = down.webhookUrl;
    await down.close();
    const report = await sealAndDeliver(green('slack-down', 'v1'), { s: { type: 'slack', webhook_url: url, timeout_ms: 1500 } });
    expect(report.outcomes[0]?.outcome.status).toBe('failed');
    expect(report.warnings[0]).toMatch(/^notifier s \(slack\) failed: Slack: (no time left \()?ECONNREFUSED/);
  });

  it('reports Slack\'s error answers as what they mean; 410 (archived channel) stops using the webhook', async () => {
    const broken = await startFakeSlack();
    broken.fail(403, 'action_prohibited');
    const prohibited = await sealAndDeliver(green('slack-errors', 'v1'), { s: { type: 'slack', webhook_url: broken.webhookUrl } });
    expect(prohibited.warnings[0]).toBe('notifier s (slack) failed: Slack answered 403 action_prohibited: an admin has restricted posting to this channel');
    broken.fail(410, 'channel_is_archived');
    const archived = await sealAndDeliver(red('slack-errors', 'v2'), { s: { type: 'slack', webhook_url: broken.webhookUrl } });
    expect(archived.warnings[0]).toContain('Slack answered 410 channel_is_archived: the channel is archived; it is not used again');
    await broken.close();
  });
});

describe('signed webhooks', () => {
  let receiver: TestServer;
  const received: { headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];
  let failFirst = 0;
  beforeAll(async () => {
    receiver = await startServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (failFirst > 0) {
        failFirst--;
        return void res.writeHead(503).end('busy');
      }
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  afterAll(() => receiver?.close());

  it('POSTs the run result with an HMAC-SHA256 of the exact body bytes, a timestamp and the run id, retrying a 503', async () => {
    failFirst = 1;
    const secret = 'whsec-0123456789abcdef';
    const result = red('hooked', 'v1', { summary: 'ünïcödé 🚀 summary' });
    const report = await sealAndDeliver(result, { hook: { type: 'webhook', url: `${receiver.url}/seal`, secret } });
    expect(report.outcomes[0]?.outcome).toMatchObject({ status: 'delivered', attempts: 2 });
    const [delivery] = received;
    const expected = `sha256=${createHmac('sha256', secret).update(delivery?.body ?? '').digest('hex')}`;
    expect(delivery?.headers['x-seal-signature']).toBe(expected);
    expect(Math.abs(Number(delivery?.headers['x-seal-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(delivery?.headers['x-seal-delivery']).toBe(result.run_id);
    const stamped = `sha256=${createHmac('sha256', secret).update(`${String(delivery?.headers['x-seal-timestamp'])}.`).update(delivery?.body ?? '').digest('hex')}`;
    expect(delivery?.headers['x-seal-signature-timestamped']).toBe(stamped);
    expect(JSON.parse(delivery?.body.toString() ?? '{}')).toMatchObject({ run_id: result.run_id, verdict: 'red', summary: 'ünïcödé 🚀 summary' });
  });
});

describe('secrets in what services answer', () => {
  it('a service that echoes a configured secret: stored and printed redacted', async () => {
    const echo = await startServer((req, res) => void res.writeHead(400).end(`bad auth header: ${String(req.headers.authorization)}`));
    const report = await sealAndDeliver(green('echo', 'v1'), { hook: { type: 'webhook', url: echo.url, secret: 'whsec-0123456789abcdef', headers: { authorization: 'Basic S3cretPass' } } });
    expect(report.warnings[0]).toContain('bad auth header: Basic ••••');
    expect(report.warnings[0]).not.toContain('S3cretPass');
    const stored = await deliveries.ofRun(report.outcomes.length ? (await ledger.latestRelease('echo'))?.smoke_seal?.run_id ?? '' : '');
    expect(JSON.stringify(stored)).not.toContain('S3cretPass');
    await echo.close();
  });
});

describe('GitHub Releases', () => {
  let github: FakeGithub;
  beforeAll(async () => {
    github = await startFakeGithub('acme/studio', 'ghp_test_token');
  });
  afterAll(() => github?.close());
  const app = () => ({ github: { repo: 'acme/studio', token: 'ghp_test_token', api_url: github.apiUrl } });

  it('puts the seal block in the release body, replaces it on re-seal, and leaves the rest byte for byte', async () => {
    const body = '## What changed\r\n\r\n* faster uploads\n';
    github.releases.set('v3.3.0', { id: 11, body });
    await sealAndDeliver(red('gh', 'v3.3.0'), {}, app());
    for (let i = 0; i < 5; i++) await sealAndDeliver(green('gh', 'v3.3.0'), {}, app());
    const updated = github.releases.get('v3.3.0')?.body ?? '';
    expect(updated.startsWith(body)).toBe(true);
    expect(updated.split(NOTES_START)).toHaveLength(2);
    expect(updated).toContain('🟢 green seal');
  });

  it('fits GitHub\'s 125,000 characters: the block shrinks, with a link to the board', async () => {
    github.releases.set('v-big', { id: 12, body: 'x'.repeat(124_500) });
    const report = await sealAndDeliver(red('gh-big', 'v-big', {}), {}, app());
    expect(report.outcomes[0]?.outcome.status).toBe('delivered');
    const updated = github.releases.get('v-big')?.body ?? '';
    expect(updated.length).toBeLessThanOrEqual(125_000);
    expect(updated).toContain('[evidence on the board](https://seal.example.com/releases/gh-big/v-big)');
  });

  it('a body with no room left for even a short block is a failure that says so, not a 422', async () => {
    github.releases.set('v-full', { id: 14, body: 'x'.repeat(124_990) });
    const report = await sealAndDeliver(green('gh-full', 'v-full'), {}, app());
    expect(report.warnings[0]).toContain("body is too long (124990 characters) to add even a short seal block within GitHub's 125000");
    expect(github.releases.get('v-full')?.body).toHaveLength(124_990);
  });

  it('a release missing on GitHub, or a bad token, is a warning that says which', async () => {
    const missing = await sealAndDeliver(green('gh-missing', 'v404'), {}, app());
    expect(missing.warnings[0]).toBe('notifier GitHub release (acme/studio) failed: no GitHub release tagged v404 in acme/studio');
    github.releases.set('v1', { id: 13, body: null });
    const denied = await sealAndDeliver(green('gh-denied', 'v1'), {}, { github: { repo: 'acme/studio', token: 'wrong', api_url: github.apiUrl } });
    expect(denied.warnings[0]).toContain('GitHub answered 401 Bad credentials: check the token');
  });
});

describe('GitHub commit statuses', () => {
  let github: FakeGithub;
  const SHA = 'abc1234def5678901234567890abcdef12345678';
  beforeAll(async () => {
    github = await startFakeGithub('acme/studio', 'ghp_status_token');
    github.commits.add(SHA);
  });
  afterAll(() => github?.close());
  const app = (extra: Record<string, unknown> = {}) => ({ github: { repo: 'acme/studio', token: 'ghp_status_token', api_url: github.apiUrl, commit_status: true, release_notes: false, ...extra } });
  const onSha = (result: RunResult, sha: string): RunResult => ({ ...result, release: { ...result.release, version: result.release?.version ?? 'v', sha, merge_sha: null } });

  it('sets smoke-seal/<app> on the release\'s sha: success, then failure, then error, each with the summary and the release page', async () => {
    const greenReport = await sealAndDeliver(onSha(green('checkout', 'v7'), SHA), {}, app());
    expect(greenReport.outcomes).toEqual([{ target: 'GitHub commit status (acme/studio)', outcome: { status: 'delivered', detail: `commit status smoke-seal/checkout success on ${SHA.slice(0, 12)}`, attempts: 1 } }]);
    await sealAndDeliver(onSha(red('checkout', 'v7'), SHA), {}, app());
    await sealAndDeliver(onSha(runResult('checkout', { verdict: 'error', summary: 'could not verify: every check errored', release: { version: 'v7', sha: SHA, merge_sha: null } }), SHA), {}, app());
    const set = github.statuses.get(SHA) ?? [];
    expect(set.map((s) => [s.context, s.state])).toEqual([['smoke-seal/checkout', 'success'], ['smoke-seal/checkout', 'failure'], ['smoke-seal/checkout', 'error']]);
    expect(set[0]).toMatchObject({ description: expect.stringMatching(/^green: /), target_url: 'https://seal.example.com/releases/checkout/v7' });
    // With release_notes: false, no GitHub release is looked for.
    expect(greenReport.warnings).toEqual([]);
  });

  it('keeps the description within GitHub\'s 140 characters', async () => {
    const long = green('long-summary', 'v1', { summary: `${'a very long summary '.repeat(20)}` });
    const report = await sealAndDeliver(onSha(long, SHA.slice(0, 12)), {}, app());
    expect(report.outcomes[0]?.outcome.status).toBe('delivered');
    const last = github.statuses.get(SHA)?.at(-1);
    expect(last?.context).toBe('smoke-seal/long-summary');
    expect(last?.description?.length).toBeLessThanOrEqual(140);
  });

  it('a commit GitHub does not have, no sha, a sha that is not one, or a bad token: a warning or a skip that says which', async () => {
    const unknown = await sealAndDeliver(onSha(green('nosuch', 'v1'), 'ffffffffffffffffffffffffffffffffffffffff'), {}, app());
    expect(unknown.warnings).toEqual(['notifier GitHub commit status (acme/studio) failed: GitHub answered 422 No commit found for SHA: ffffffffffffffffffffffffffffffffffffffff']);
    const none = await sealAndDeliver(runResult('nosha', { release: { version: 'v1', sha: null, merge_sha: null } }), {}, app());
    expect(none.outcomes[0]?.outcome).toMatchObject({ status: 'skipped', detail: expect.stringContaining('the release has no sha') });
    const odd = await sealAndDeliver(onSha(green('oddsha', 'v1'), '../../x'), {}, app());
    expect(odd.warnings[0]).toContain('"../../x" is not a commit sha');
    const denied = await sealAndDeliver(onSha(green('denied', 'v1'), SHA), {}, app({ token: 'wrong' }));
    expect(denied.warnings[0]).toContain('GitHub answered 401 Bad credentials: check the token');
  });
});

describe('the release notes in the ledger, and the rollback command', () => {
  it('many re-seals leave one seal block in the notes, the rest as recorded', async () => {
    const notes = '# v2\n\nThe notes, as written.\n';
    await ledger.recordRelease({ app: 'noted', version: 'v2', notes });
    const { recordOnLedger } = await import('../seal/record.js');
    for (let i = 0; i < 10; i++) {
      const result = i % 3 === 0 ? red('noted', 'v2') : green('noted', 'v2');
      await recordOnLedger(ledger, result, { rollbackTemplate: null, flags: { release: 'v2' }, env: {}, redact: (t) => t, where: 'test' });
    }
    const stored = (await ledger.getRelease('noted', 'v2'))?.notes ?? '';
    expect(stored.startsWith(notes)).toBe(true);
    expect(stored.split(NOTES_START)).toHaveLength(2);
  });

  it('is only ever text: a red seal delivered everywhere never runs it', async () => {
    const marker = join(dir, 'rollback-ran');
    const result = red('never-run', 'v1', { rollback: `touch ${marker}` });
    const report = await sealAndDeliver(result, { 'release-notes': { type: 'discord', webhook_url: discord.webhookUrl }, team: { type: 'slack', webhook_url: slack.webhookUrl } });
    expect(report.outcomes.every((o) => o.outcome.status === 'delivered')).toBe(true);
    expect(JSON.stringify([...discord.messages.values()].at(-1)?.body)).toContain(`touch ${marker}`);
    expect(existsSync(marker)).toBe(false);
  });

  it('stores how every delivery went with the run', async () => {
    const result = green('statuses', 'v1');
    await sealAndDeliver(result, { ok: { type: 'slack', webhook_url: slack.webhookUrl } });
    expect(await deliveries.ofRun(result.run_id)).toEqual([{ target: 'ok', status: 'delivered', detail: 'posted', attempts: 1, duration_ms: expect.any(Number), updated_at: expect.any(String) }]);
  });
});
