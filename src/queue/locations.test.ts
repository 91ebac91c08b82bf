/** A seal made from several locations: green only when every location is green, each location named. */
import { describe, expect, it } from 'vitest';
import { runResult } from '../../test/helpers/run-results.js';
import { combineRuns, combinedVerdict } from './locations.js';
import type { SealSet } from './types.js';

const set: SealSet = {
  run_id: '00000000-0000-4000-8000-000000000000',
  runs: [
    { location: 'eu-west', run_id: '00000000-0000-4000-8000-000000000001' },
    { location: 'us-east', run_id: '00000000-0000-4000-8000-000000000002' },
  ],
  timeout_s: 300,
};
const base = { app: 'studio', base_url: 'https://studio.example.com', release: { version: 'v1', sha: null, merge_sha: null, previous_version: null }, now: new Date('2026-12-01T12:00:00Z') };
const part = (location: string, runId: string, verdict: 'green' | 'red' | 'error', summary: string, started: string, finished: string) =>
  ({ ...runResult('studio', { run_id: runId, verdict, summary, started_at: started, finished_at: finished, blocked_requests: [{ check: 'home', method: 'POST', url: 'https://studio.example.com/collect' }], warnings: ['slow DNS'] }, [{ name: 'home', status: verdict === 'green' ? 'passed' : 'failed' }]), location });

describe('combining the runs of a located seal', () => {
  it('is red if any location is red, else error if any errored or is missing, else green', () => {
    expect(combinedVerdict(['green', 'green'])).toBe('green');
    expect(combinedVerdict(['green', 'red', 'error'])).toBe('red');
    expect(combinedVerdict(['green', 'error'])).toBe('error');
    expect(combinedVerdict([])).toBe('error');
  });

  it("lists each location's verdict in the set's order, names checks, writes and warnings by location, and spans the runs' times", () => {
    const us = part('us-east', set.runs[1]!.run_id, 'red', "0/1 passed; 'home' failed: status 500", '2026-12-01T11:00:01Z', '2026-12-01T11:00:09Z');
    const eu = part('eu-west', set.runs[0]!.run_id, 'green', '1/1 passed', '2026-12-01T11:00:00Z', '2026-12-01T11:00:04Z');
    const combined = combineRuns(set, base, [us, eu], []);
    expect(combined).toMatchObject({ run_id: set.run_id, app: 'studio', verdict: 'red', started_at: '2026-12-01T11:00:00.000Z', finished_at: '2026-12-01T11:00:09.000Z', duration_ms: 9000, evidence_dir: null });
    expect(combined.summary).toBe("eu-west: green, 1/1 passed | us-east: red, 0/1 passed; 'home' failed: status 500");
    expect(combined.locations).toEqual([
      { location: 'eu-west', run_id: set.runs[0]!.run_id, verdict: 'green', summary: '1/1 passed' },
      { location: 'us-east', run_id: set.runs[1]!.run_id, verdict: 'red', summary: "0/1 passed; 'home' failed: status 500" },
    ]);
    expect(combined.checks.map((c) => `${c.name}=${c.status}`)).toEqual(['eu-west: home=passed', 'us-east: home=failed']);
    expect(combined.blocked_requests.map((b) => b.check)).toEqual(['eu-west: home', 'us-east: home']);
    expect(combined.warnings).toEqual(['eu-west: slow DNS', 'us-east: slow DNS']);
  });

  it('a location whose run never came is an error, named with why, and the seal is not green', () => {
    const eu = part('eu-west', set.runs[0]!.run_id, 'green', '1/1 passed', '2026-12-01T11:00:00Z', '2026-12-01T11:00:04Z');
    const combined = combineRuns(set, base, [eu], [{ location: 'us-east', run_id: null, reason: 'no live worker of location us-east took its run within 5m (location_timeout)' }]);
    expect(combined.verdict).toBe('error');
    expect(combined.summary).toBe('eu-west: green, 1/1 passed | us-east: error, no live worker of location us-east took its run within 5m (location_timeout)');
    expect(combined.locations?.[1]).toEqual({ location: 'us-east', run_id: null, verdict: 'error', summary: 'no live worker of location us-east took its run within 5m (location_timeout)' });
    expect(combined.checks).toHaveLength(1);
  });

  it('no location came at all: an error seal, timed now, with the release it was asked for', () => {
    const combined = combineRuns(set, base, [], set.runs.map((r) => ({ location: r.location, run_id: null, reason: 'no live worker' })));
    expect(combined).toMatchObject({ verdict: 'error', started_at: '2026-12-01T12:00:00.000Z', duration_ms: 0, release: { version: 'v1' }, checks: [] });
  });
});
