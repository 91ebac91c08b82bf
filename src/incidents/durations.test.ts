/** Duration arithmetic across offsets and midnight; milestones out of order. */
import { describe, expect, it } from 'vitest';
import { computeDurations, formatDuration, milestonesOutOfOrder } from './durations.js';

describe('incident durations', () => {
  it('the appointment-booking outage: impact 18:14, hotfix 21:08 NZDT is an outage of 2h 54m', () => {
    const d = computeDurations({ change_merged: '2026-11-20T16:02:00+13:00', impact_started: '2026-11-20T18:14:00+13:00', detected: '2026-11-20T18:31:00+13:00', mitigated: '2026-11-20T21:08:00+13:00', resolved: '2026-11-21T09:30:00+13:00' });
    expect(d.timeToMitigate.text).toBe('2h 54m');
    expect(d.timeToDetect.text).toBe('17m');
    expect(d.mergeToImpact.text).toBe('2h 12m');
    expect(d.timeToResolve.text).toBe('15h 16m');
  });

  it('times in different offsets and across midnight compare as instants', () => {
    // 23:40 in Auckland (UTC+13) is 10:40 UTC; 00:10 the next day in London (UTC+0) is 13:30 later.
    const d = computeDurations({ impact_started: '2026-11-20T23:40:00+13:00', mitigated: '2026-11-21T00:10:00Z' });
    expect(d.timeToMitigate).toEqual({ ms: 13.5 * 3600_000, text: '13h 30m' });
    expect(computeDurations({ impact_started: '2026-11-20T23:50:00-05:00', mitigated: '2026-11-21T00:20:00-05:00' }).timeToMitigate.text).toBe('30m');
  });

  it('says which milestone a duration needs when it is missing', () => {
    expect(computeDurations({ impact_started: '2026-11-20T18:14:00+13:00' }).timeToMitigate).toEqual({ ms: null, text: 'unknown (needs mitigated)' });
  });

  it('formats days, hours, minutes and seconds', () => {
    expect([formatDuration(0), formatDuration(30_000), formatDuration(45 * 60_000), formatDuration(26 * 3600_000 + 5 * 60_000), formatDuration(-90 * 60_000)]).toEqual(['0m', '30s', '45m', '1d 2h 5m', '-1h 30m']);
  });

  it('flags milestones out of order (a wrong offset, say)', () => {
    expect(milestonesOutOfOrder({ impact_started: '2026-11-20T18:14:00+13:00', detected: '2026-11-20T18:31:00Z', mitigated: '2026-11-20T21:08:00+13:00' })).toEqual([
      'mitigated (2026-11-20T08:08:00.000Z) is before detected (2026-11-20T18:31:00.000Z)',
    ]);
    expect(milestonesOutOfOrder({ impact_started: '2026-11-20T18:14:00+13:00', mitigated: '2026-11-20T21:08:00+13:00' })).toEqual([]);
  });
});
