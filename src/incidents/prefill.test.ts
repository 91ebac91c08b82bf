/** The timeline pre-filled from the ledger and a red seal, and deadline pressure from the freeze. */
import { describe, expect, it } from 'vitest';
import { runResult } from '../../test/helpers/run-results.js';
import { renderReport } from './export.js';
import { newIncident } from './edit.js';
import { failingChecks, prefill, type PrefillRelease } from './prefill.js';

const release: PrefillRelease = { version: 'v4.2.0', merged_at: '2026-11-20T03:02:00.000Z', deployed_at: '2026-11-20T05:05:00.000Z', created_at: '2026-11-20T05:00:00.000Z' };
const redRun = runResult(
  'booking',
  { verdict: 'red', finished_at: '2026-11-20T05:31:00.000Z', summary: "1/2 passed; 'book appointment' failed", rollback: 'git revert -m 1 abc123' },
  [
    { name: 'home', status: 'passed' },
    { name: 'book appointment', status: 'failed', assertions: [{ label: 'status == 200', ok: false, expected: 200, actual: 500, message: 'status 500, expected 200' }] },
  ],
);

describe('the pre-filled timeline', () => {
  it('has merged, deployed and detected (the red seal, with its failing checks), later seals as plain events', () => {
    const seals = [
      { version: 'v4.2.0', status: 'red' as const, finished_at: '2026-11-20T05:31:00.000Z', run_id: redRun.run_id },
      { version: 'v4.2.1', status: 'green' as const, finished_at: '2026-11-20T08:09:00.000Z', run_id: 'green-run' },
    ];
    const filled = prefill({ release, seals, redRun, releases: [release], freezeAt: null, boardUrl: 'https://seal.example/releases/booking/v4.2.0' });
    expect(filled.timeline).toEqual([
      { at: '2026-11-20T03:02:00.000Z', text: 'Change of v4.2.0 merged', milestone: 'change_merged' },
      { at: '2026-11-20T05:05:00.000Z', text: 'v4.2.0 deployed to production', milestone: 'deployed' },
      { at: '2026-11-20T05:31:00.000Z', text: "Smoke seal of v4.2.0 red: 'book appointment' failed: status 500, expected 200", milestone: 'detected', from_seal: redRun.run_id },
      { at: '2026-11-20T08:09:00.000Z', text: 'Smoke seal of v4.2.1 green', from_seal: 'green-run' },
    ]);
    expect(filled.supporting).toEqual([`Red seal run ${redRun.run_id} of v4.2.0: https://seal.example/releases/booking/v4.2.0`, 'Rollback command the seal printed: git revert -m 1 abc123']);
    // Only people know when users were hit and when it stopped: never guessed.
    expect(filled.timeline.some((e) => e.milestone === 'impact_started' || e.milestone === 'mitigated')).toBe(false);
    expect(filled.missing).toEqual([expect.stringContaining('impact_started and mitigated')]);
  });

  it('says what it could not fill: no merge or deploy time, no red seal', () => {
    const filled = prefill({ release: { ...release, merged_at: null, deployed_at: null }, seals: [], redRun: null, releases: [], freezeAt: null, boardUrl: null });
    expect(filled.timeline).toEqual([]);
    expect(filled.missing.map((m) => m.split(':')[0])).toEqual(['change_merged', 'deployed', 'detected', 'impact_started and mitigated']);
  });

  it('bounds production text: five failing checks, then how many more; control characters and long messages cut', () => {
    const many = runResult('booking', { verdict: 'red' }, Array.from({ length: 8 }, (_, i) => ({ name: `c${i}`, status: 'failed' as const, error: `boom\u0007\n${'x'.repeat(500)}` })));
    const lines = failingChecks(many);
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('3 more');
    expect(lines[0]).toMatch(/^'c0' failed: boom x+…$/);
    expect((lines[0] as string).length).toBeLessThan(200);
  });

  it('keeps production text out of the report\'s Markdown: no links, HTML or formatting from a check\'s message', () => {
    const hostile = runResult('booking', { verdict: 'red', finished_at: '2026-11-20T05:31:00.000Z' }, [{ name: 'pay', status: 'failed', error: '<img src=x onerror=alert(1)> [click](https://evil.example) **bold**' }]);
    const filled = prefill({ release, seals: [], redRun: hostile, releases: [], freezeAt: null, boardUrl: null });
    const report = renderReport({ id: 1, ...newIncident({ app: 'booking', release: 'v4.2.0', title: 'x' }), timeline: filled.timeline }, { today: '2026-11-21' });
    expect(report).toContain('&lt;img src=x onerror=alert\\(1\\)&gt; \\[click\\]\\(https://evil.example\\) \\*\\*bold\\*\\*');
    expect(report).not.toContain('<img');
  });
});

describe('deadline pressure', () => {
  const at = (iso: string, version: string, merged: string | null = null): PrefillRelease => ({ version, merged_at: merged, deployed_at: null, created_at: iso });
  const freeze = '2026-11-20T17:00:00+13:00'; // 04:00 UTC

  it('flags release changes made within 24 h of the freeze, before or after it, as a systemic factor naming no one', () => {
    const releases = [
      at('2026-11-18T10:00:00.000Z', 'v4.0.0'), // 42 h before: not flagged
      at('2026-11-19T05:00:00.000Z', 'v4.1.0'), // 23 h before
      at('2026-11-20T05:00:00.000Z', 'v4.2.0', '2026-11-20T03:02:00.000Z'), // merged 58 m before
    ];
    const filled = prefill({ release: releases[2] as PrefillRelease, seals: [], redRun: null, releases, freezeAt: new Date(freeze).toISOString(), boardUrl: null });
    expect(filled.deadline_pressure).toEqual([
      { version: 'v4.1.0', changed_at: '2026-11-19T05:00:00.000Z', from_freeze: '23h 0m before the freeze' },
      { version: 'v4.2.0', changed_at: '2026-11-20T03:02:00.000Z', from_freeze: '58m before the freeze' },
    ]);
    expect(filled.contributing_factors).toEqual([
      'Deadline pressure: 2 release changes were made within 24 h of the release freeze (2026-11-20T04:00:00.000Z): v4.1.0 23h 0m before the freeze, v4.2.0 58m before the freeze. v4.2.0 is one of them. Changes made against a deadline get less review and soak time; the freeze schedule, not the people, set that pace.',
    ]);
  });

  it('counts a change after the freeze began, leaves out later releases (the hotfix), and flags nothing without a freeze', () => {
    const own = at('2026-11-20T06:00:00.000Z', 'v4.2.0');
    const hotfix = at('2026-11-20T08:00:00.000Z', 'v4.2.1');
    const filled = prefill({ release: own, seals: [], redRun: null, releases: [own, hotfix], freezeAt: '2026-11-20T04:00:00.000Z', boardUrl: null });
    expect(filled.deadline_pressure).toEqual([{ version: 'v4.2.0', changed_at: '2026-11-20T06:00:00.000Z', from_freeze: '2h 0m after the freeze began' }]);
    expect(prefill({ release: own, seals: [], redRun: null, releases: [own], freezeAt: null, boardUrl: null }).contributing_factors).toEqual([]);
    const farAway = prefill({ release: own, seals: [], redRun: null, releases: [own], freezeAt: '2026-11-22T06:00:01.000Z', boardUrl: null });
    expect(farAway.deadline_pressure).toEqual([]);
  });
});
