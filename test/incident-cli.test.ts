/**
 * `seal incident …` through the real CLI, on the appointment-booking outage: a red seal against
 * a real production server, the incident opened from it (timeline pre-filled, deadline pressure
 * flagged), the post-mortem written command by command, refused changes leaving nothing behind,
 * publishing, the report, the scenario action proved by a later green seal, and DORA figures.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './helpers/cli.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

let prod: TestServer;
let fixed = false;
let dir: string;
let env: NodeJS.ProcessEnv;
const dueIn = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  // Booking answers 500 until the hotfix; the rest of the app is fine.
  prod = await startServer((req, res) => reply(res, req.url?.startsWith('/api/book') && !fixed ? 500 : 200, req.url === '/' ? '<h1>Clinic</h1>' : '{"ok":true}'));
  dir = mkdtempSync(join(tmpdir(), 'seal-incident-cli-'));
  env = { SEAL_DATA_DIR: join(dir, '.seal') };
  const checks = '      - { name: home, http: /, expect: { status: 200 } }\n      - { name: booking api, http: /api/book/slots, expect: { status: 200 } }\n';
  writeFileSync(join(dir, 'seal.config.yaml'), `apps:\n  booking:\n    production_url: ${prod.url}\n    checks:\n${checks}`);
  // The suite after the post-mortem: the scenario the outage showed was missing.
  writeFileSync(join(dir, 'after.yaml'), `apps:\n  booking:\n    production_url: ${prod.url}\n    checks:\n${checks}      - { name: book and cancel, http: /api/book/journey, expect: { status: 200 } }\n`);
});
afterAll(() => prod?.close());

const seal = (...args: string[]): Promise<CliRun> => runCli(args, { env, cwd: dir, timeoutMs: 60_000 });
const json = <T = Record<string, unknown>>(run: CliRun): T => JSON.parse(run.stdout) as T;

describe('seal incident, from a red seal to a published post-mortem', () => {
  let id = 0;

  it('opens the incident from the red seal: timeline pre-filled, deadline pressure flagged', async () => {
    expect((await seal('release', 'record', 'booking', '--version', 'v4.1.0', '--merged-at', '2026-11-17T11:00:00+13:00')).code).toBe(0);
    expect((await seal('release', 'record', 'booking', '--version', 'v4.2.0', '--merge-sha', 'f00dcafe', '--merged-at', '2026-11-20T16:02:00+13:00', '--deployed-at', '2026-11-20T18:05:00+13:00')).code).toBe(0);
    const red = await seal('smoke', 'booking', '--release', 'v4.2.0', '--json');
    expect(red.code).toBe(0);
    const run = json<{ verdict: string; run_id: string }>(red);
    expect(run.verdict).toBe('red');

    const opened = await seal('incident', 'open', 'booking', '--release', 'v4.2.0', '--title', 'Patients could not book appointments', '--severity', '1', '--freeze-at', '2026-11-20T17:00:00+13:00', '--json');
    expect(opened.code).toBe(0);
    const body = json<{ incident: { id: number; timeline: unknown[]; contributing_factors: string[]; supporting: string[] }; deadline_pressure: unknown[]; missing: string[] }>(opened);
    id = body.incident.id;
    expect(body.incident.timeline).toEqual([
      { at: '2026-11-20T03:02:00.000Z', text: 'Change of v4.2.0 merged', milestone: 'change_merged' },
      { at: '2026-11-20T05:05:00.000Z', text: 'v4.2.0 deployed to production', milestone: 'deployed' },
      { at: expect.any(String), text: "Smoke seal of v4.2.0 red: 'booking api' failed: status 500, expected 200", milestone: 'detected', from_seal: run.run_id },
    ]);
    expect(body.deadline_pressure).toEqual([{ version: 'v4.2.0', changed_at: '2026-11-20T03:02:00.000Z', from_freeze: '58m before the freeze' }]);
    expect(body.incident.contributing_factors[0]).toMatch(/^Deadline pressure: 1 release change was made within 24 h of the release freeze/);
    expect(body.incident.supporting[0]).toBe(`Red seal run ${run.run_id} of v4.2.0`);
    expect(body.missing).toEqual([`impact_started and mitigated: only people know when users were hit and when it stopped (seal incident event ${id} --milestone impact_started --at ISO)`]);
    expect(opened.stderr).toContain(`to add: impact_started and mitigated: only people know when users were hit and when it stopped (seal incident event ${id} --milestone impact_started`);
  });

  it('refuses an incident on an unknown release or app, and bad ids, with the reason', async () => {
    const unknown = await seal('incident', 'open', 'booking', '--release', 'v9', '--title', 'x');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--release: no release "v9" of booking in the ledger (latest: v4.2.0, v4.1.0)');
    expect((await seal('incident', 'show', '999')).code).toBe(1);
    const bad = await seal('incident', 'show', 'seven', '--json');
    expect(bad.code).toBe(2);
    expect(json(bad)).toEqual({ error: '"seven" is not an incident id (a number, as `seal incident list` shows)' });
  });

  // Many seal commands in a row: 35 to 60 s on a slow, loaded 2-core machine (CI, 2026-12-02). The bound is against a hang, not a speed test.
  it('takes the timeline, impact, whys and root cause; warns about blame as it is typed', async () => {
    for (const [milestone, at, text] of [
      ['impact_started', '2026-11-20T18:14:00+13:00', 'First failed booking in the logs'],
      ['detected', '2026-11-20T18:31:00+13:00', 'Seal red on v4.2.0; on-call paged'],
      ['mitigated', '2026-11-20T21:08:00+13:00', 'Hotfix v4.2.1 deployed'],
      ['resolved', '2026-11-21T09:30:00+13:00', 'Migration order fixed'],
    ]) {
      expect((await seal('incident', 'event', String(id), '--milestone', milestone as string, '--at', at as string, '--text', text as string)).code).toBe(0);
    }
    expect((await seal('incident', 'impact', String(id), '--users', '2,340', '--support-calls', '17', '--text', 'Online booking failed for every patient')).code).toBe(0);
    const whys = [
      'The booking endpoint returned 500 for every request.',
      'The refactored query used a column the production schema did not have yet.',
      'The migration adding it shipped in a later release.',
      'Nothing checks that a release only uses columns its own migrations create.',
      'Tests ran against a schema built from all migrations; no smoke scenario booked an appointment.',
    ];
    for (const answer of whys) expect((await seal('incident', 'why', String(id), answer)).code).toBe(0);
    const shown = json<{ incident: { whys: { answer: string }[] } }>(await seal('incident', 'show', String(id), '--json'));
    expect(shown.incident.whys.map((w) => w.answer)).toEqual(whys);

    // Blame is flagged as it is typed, with the names of those involved, on a draft of its own.
    const draft = json<{ incident: { id: number; timeline: unknown[] }; missing: string[] }>(await seal('incident', 'open', 'booking', '--title', 'Booking errors (draft)', '--json'));
    expect(draft.incident.id).toBe(id + 1);
    expect(draft.incident.timeline).toEqual([]);
    expect(draft.missing).toEqual([`the timeline: no --release, so nothing was pre-filled (seal incident event ${id + 1} --milestone … --at ISO)`]);
    const blame = await seal('incident', 'why', String(id + 1), 'Tom forgot to run the migration', '--json');
    expect(json<{ warnings: string[] }>(blame).warnings).toEqual(['only 1 why: keep asking why until the cause is in the system (usually 5)', expect.stringContaining('why 1: "forgot to" is blame: say what would have reminded anyone')]);
    const people = await seal('incident', 'set', String(id + 1), '--person', 'Tom');
    expect(people.stderr).toContain('warning: why 1: "Tom" is blame: name the role or the system');
    // A config that does not load costs the action only its hint: saved, one JSON document, exit 0.
    const noConfig = await seal('incident', 'action', String(id + 1), '--title', 'Add a smoke check for slots', '--owner', 'Ana', '--due', dueIn(30), '--check', 'slots', '--config', join(dir, 'missing.yaml'), '--json');
    expect(noConfig.code).toBe(0);
    expect(json<{ incident: { actions: unknown[] } }>(noConfig).incident.actions).toHaveLength(1);
    // A branch under a why, and an action re-dated and re-owned (checked like a new one).
    expect((await seal('incident', 'why', String(id + 1), 'The runbook step was optional', '--under', '1')).stderr).toContain(`incident ${id + 1}: why 1.1 added (1 in the chain)`);
    const moved = await seal('incident', 'reassign', String(id + 1), '1', '--owner', 'Ana Lima', '--due', dueIn(60));
    expect(moved.stderr).toContain(`incident ${id + 1}: action 1 is owned by Ana Lima, due ${dueIn(60)}`);
    const backwards = await seal('incident', 'reassign', String(id + 1), '1', '--due', '2020-01-01');
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('--due: 2020-01-01 is in the past');
    expect((await seal('incident', 'root-cause', String(id), 'Releases could ship code ahead of their migrations, and no check exercised booking end to end in production.')).code).toBe(0);
  }, 180_000);

  it('refuses a bad action item whole: every problem named, nothing saved', async () => {
    const before = json<{ incident: unknown }>(await seal('incident', 'show', String(id), '--json')).incident;
    const refused = await seal('incident', 'action', String(id), '--title', 'Be more careful', '--owner', 'TBD', '--due', '2020-01-01', '--type', 'fix', '--why', '42', '--json');
    expect(refused.code).toBe(2);
    expect(json<{ problems: string[] }>(refused).problems).toEqual([
      '--owner: "TBD" is nobody in particular; name the person who will do it',
      '--due: 2020-01-01 is in the past (today is ' + new Date().toLocaleDateString('sv') + ')',
      '--type: "fix" is not one of prevent, detect, mitigate, process',
      '--why: "42" is not a why of the chain (1 to 5)',
    ]);
    expect(refused.stderr).toContain('nothing was changed');
    expect(json<{ incident: unknown }>(await seal('incident', 'show', String(id), '--json')).incident).toEqual(before);
    // Publishing before it is ready says everything it still needs.
    const early = await seal('incident', 'set', String(id), '--status', 'published');
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('cannot publish: publishing needs at least one action addressing the last why (#5');
  });

  it('takes three owned and dated actions, checks, publishes, and exports the report', async () => {
    const actions = [
      ['--title', 'Add a smoke check that books and cancels an appointment', '--owner', 'Priya Patel', '--due', dueIn(14), '--type', 'detect', '--why', '5', '--check', 'book and cancel'],
      ['--title', 'Fail CI when code uses a column no released migration creates', '--owner', 'Tom Weller', '--due', dueIn(21), '--type', 'prevent', '--why', '4', '--link', 'https://tracker.example/BOOK-812'],
      ['--title', 'Add a rollback runbook for schema-dependent releases', '--owner', 'Aroha Ngata', '--due', dueIn(7), '--type', 'mitigate'],
    ];
    const first = await seal('incident', 'action', String(id), ...(actions[0] as string[]));
    expect(first.stderr).toContain(`warning: booking's suite has no check "book and cancel" yet`);
    for (const flags of actions.slice(1)) expect((await seal('incident', 'action', String(id), ...flags)).code).toBe(0);
    await seal('incident', 'set', String(id), '--summary', 'Release v4.2.0 broke online booking for three hours; phone bookings kept working.', '--went-well', 'The seal turned red 17 minutes after impact.', '--went-wrong', 'Rolling back was not possible: the hotfix took hours.', '--lucky', 'Phone bookings used another path.', '--supporting', 'Grafana: booking errors 18:14-21:08');

    const check = await seal('incident', 'check', String(id), '--json');
    expect(json(check)).toEqual({ id, errors: [], warnings: [] });
    expect(check.code).toBe(0);
    // The draft has errors: check exits 1 and names them.
    const draftCheck = await seal('incident', 'check', String(id + 1));
    expect(draftCheck.code).toBe(1);
    expect(draftCheck.stderr).toContain('error: publishing needs the impact_started milestone');
    expect((await seal('incident', 'set', String(id), '--status', 'published')).code).toBe(0);

    const out = join(dir, 'postmortem.md');
    const exported = await seal('incident', 'export', String(id), '--format', 'md', '--output', out);
    expect(exported.code).toBe(0);
    const report = readFileSync(out, 'utf8');
    const headings = report.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual(['# Post-mortem: Patients could not book appointments', '## Summary', '## Impact', '## Timeline (UTC)', '## Key metrics', '## Root cause', '## Contributing factors', '## What went well', '## What went wrong', '## Where we got lucky', '## Action items', '## Supporting information']);
    expect(report).toContain('This is a blameless post-mortem.');
    expect(report).toContain('| Users affected | 2,340 |');
    expect(report).toContain('| Support calls | 17 |');
    expect(report).toContain('| Outage (impact to mitigation) | 2h 54m |');
    expect(report).toContain('| Time to detect | 17m |');
    expect(report).toContain('- 2026-11-20 05:14 UTC: **impact started**: First failed booking in the logs');
    expect(report).toContain('**Systemic cause:** Releases could ship code ahead of their migrations');
    expect(report.match(/^\| Add a|^\| Fail CI/gm)).toHaveLength(3);
    expect(report).toContain(`| Priya Patel | ${dueIn(14)} | open | - |`);
    // The same report on stdout, for piping; --json is one document with the computed durations.
    expect((await seal('incident', 'export', String(id))).stdout).toBe(report);
    const asJson = json<{ incident: { id: number; status: string }; durations: { timeToMitigate: { text: string } } }>(await seal('incident', 'export', String(id), '--json'));
    expect(asJson).toMatchObject({ incident: { id, status: 'published' }, durations: { timeToMitigate: { text: '2h 54m' } } });
    const xml = await seal('incident', 'export', String(id), '--format', 'xml');
    expect(xml.code).toBe(2);
    expect(xml.stderr).toContain('--format: "xml" is not md or json');
    // A published report stays complete: a new last why with no action on it is refused.
    const unaddressed = await seal('incident', 'why', String(id), 'A sixth why nobody acts on');
    expect(unaddressed.code).toBe(2);
    expect(unaddressed.stderr).toContain('the post-mortem is published and must stay complete: publishing needs at least one action addressing the last why (#6');
  }, 120_000);

  it('credits the scenario action when its check passes in a later green seal, and never by hand', async () => {
    const byHand = await seal('incident', 'done', String(id), '1');
    expect(byHand.code).toBe(2);
    expect(byHand.stderr).toContain('action 1 is proved by the smoke check "book and cancel"');
    // The hotfix: booking works, but the new check is not in the suite yet: nothing is proved.
    fixed = true;
    await seal('release', 'record', 'booking', '--version', 'v4.2.1', '--deployed-at', '2026-11-20T21:08:00+13:00');
    const green = await seal('smoke', 'booking', '--release', 'v4.2.1');
    expect(green.stderr).not.toContain('Proved:');
    // The suite gains the scenario, and it passes.
    const proving = await seal('smoke', 'booking', '--release', 'v4.2.1', '--config', join(dir, 'after.yaml'), '--json');
    expect(json<{ verdict: string }>(proving).verdict).toBe('green');
    expect(proving.stderr).toContain(`Proved: action 1 of incident ${id} is done ("Add a smoke check that books and cancels an appointment": its smoke check "book and cancel" passed)`);
    const shown = json<{ incident: { actions: { id: number; status: string; credited?: { run_id: string; version: string } }[] } }>(await seal('incident', 'show', String(id), '--json'));
    expect(shown.incident.actions.map((a) => a.status)).toEqual(['done', 'open', 'open']);
    expect(shown.incident.actions[0]?.credited).toMatchObject({ run_id: json<{ run_id: string }>(proving).run_id, version: 'v4.2.1' });
    // Hand-closing the others still works.
    expect((await seal('incident', 'done', String(id), '3')).code).toBe(0);
  });

  it('lists incidents and puts DORA figures in seal stats', async () => {
    const list = json<{ incidents: { id: number; outage: string; open_actions: number }[] }>(await seal('incident', 'list', '--app', 'booking', '--json'));
    expect(list.incidents.map((i) => i.id)).toEqual([id + 1, id]);
    expect(list.incidents[1]).toMatchObject({ outage: '2h 54m', open_actions: 1 });
    const listed = await seal('incident', 'list');
    expect(listed.stdout).toMatch(/^ID +SEV +STATUS +RELEASE +OPENED +OUTAGE +ACTIONS +TITLE\n/);
    expect(listed.stdout).toMatch(new RegExp(`^#${id} +SEV1 +published +booking v4\\.2\\.0 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC +2h 54m +1 open +Patients could not book appointments$`, 'm'));
    const shown = (await seal('incident', 'show', String(id))).stdout;
    expect(shown).toContain('  outage 2h 54m; detected after 17m; resolved after 15h 16m; merge to impact 2h 12m');
    expect(shown).toContain('  1. [done] Add a smoke check that books and cancels an appointment (detect; Priya Patel; due');
    expect((await seal('release', 'show', 'booking', 'v4.2.0')).stdout).toContain('  merged      2026-11-20 03:02 UTC');
    const stats = await seal('stats', 'booking', '--days', '3650', '--json');
    // v4.2.0 failed (red, and two incidents); v4.1.0 and v4.2.1 did not. Recovery: the incident's own milestones.
    expect(json(stats)).toMatchObject({ deployments: 3, failed_deployments: 1, failed_deployment_recovery: { median: '2h 54m', recovered: 1, unrecovered: 0 } });
    expect((await seal('stats', 'booking', '--days', '3650')).stdout).toMatch(/^ {2}failed-deployment recovery time +2h 54m +median; 1 recovered$/m);
  });
});
