/** The check and the export, on the appointment-booking outage. */
import { describe, expect, it } from 'vitest';
import { checkIncident } from './check.js';
import { BLAMELESS_STATEMENT, renderReport } from './export.js';
import { bookingIncident } from '../../test/helpers/incidents.js';
import type { Incident } from './model.js';

const booking: Incident = { id: 7, ...bookingIncident() };

describe('the appointment-booking post-mortem', () => {
  it('passes the check for publishing', () => {
    expect(checkIncident(booking, '2026-11-21', { forPublishing: true })).toEqual({ errors: [], warnings: [] });
  });

  it('reads right: outage 2h 54m, five whys, three owned and dated action items, every section in order', () => {
    const report = renderReport(booking, { today: '2026-11-21' });
    expect(report).toContain(BLAMELESS_STATEMENT);
    expect(report).toContain('| Users affected | 2,340 |');
    expect(report).toContain('| Support calls | 17 |');
    expect(report).toContain('| Outage (impact to mitigation) | 2h 54m |');
    expect(report).toContain('- 2026-11-20 05:14 UTC: **impact started**: First failed booking in the logs');
    expect(report).toContain('- 2026-11-20 08:08 UTC: **mitigated**: Hotfix v4.2.1 deployed');
    expect(report).toContain('| Time to detect | 17m |');
    expect(report.match(/^\d\. Why\? /gm)).toHaveLength(5);
    expect(report).toContain('**Systemic cause:** Releases could ship code ahead');
    expect(report).toContain('| Add a smoke check that books and cancels an appointment (proved by smoke check "book appointment") | detect | Priya Patel | 2026-12-05 | open | - |');
    expect(report.match(/^\| .* \| (prevent|detect|mitigate|process) \| /gm)).toHaveLength(3);
    const headings = [...report.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(['Summary', 'Impact', 'Timeline (UTC)', 'Key metrics', 'Root cause', 'Contributing factors', 'What went well', 'What went wrong', 'Where we got lucky', 'Action items', 'Supporting information']);
  });

  it('keeps people\'s text from breaking the report: no raw HTML, no heading or list item smuggled in by a newline', () => {
    const report = renderReport({ ...booking, title: 'Booking\n## Injected', summary: 'Line one <script>x</script>\nline two', whys: [{ answer: 'A\n# B' }], lessons: { ...booking.lessons, lucky: ['Phones\n- extra item'] } }, { today: '2026-11-21' });
    expect(report).toContain('# Post-mortem: Booking ## Injected\n');
    expect(report).not.toMatch(/^## Injected/m);
    expect(report).toContain('Line one &lt;script&gt;x&lt;/script&gt;\nline two');
    expect(report).toContain('1. Why? A # B');
    expect(report).toContain('- Phones - extra item');
    expect(report).not.toContain('<script>');
  });

  it('marks open actions past their due date as overdue', () => {
    expect(renderReport(booking, { today: '2026-12-01' })).toContain('| Add a rollback runbook for schema-dependent releases | mitigate | Aroha Ngata | 2026-11-28 | **overdue** | - |');
  });
});

describe('seal incident check', () => {
  it('refuses publishing without impact start, detection, mitigation, a root cause and an action on the last why', () => {
    const bare: Incident = { ...booking, timeline: [], root_cause: null, impact: null, actions: booking.actions.filter((a) => a.addresses_why !== 5) };
    expect(checkIncident(bare, '2026-11-21', { forPublishing: true }).errors).toEqual([
      'publishing needs the impact_started milestone (seal incident event 7 --milestone impact_started --at ISO)',
      'publishing needs the detected milestone (seal incident event 7 --milestone detected --at ISO)',
      'publishing needs the mitigated milestone (seal incident event 7 --milestone mitigated --at ISO)',
      'publishing needs a root cause (seal incident root-cause 7 "…")',
      'publishing needs at least one action addressing the last why (#5: "The tests ran against a schema built from all migrations, not the released ones; no smoke scenario booked an appointment.")',
      'publishing needs the impact (seal incident impact 7 --users N --support-calls N)',
    ]);
  });

  it('warns: blame language and names, fewer than 3 whys, a test why with no scenario action, vague actions, milestones out of order', () => {
    const rough: Incident = {
      ...booking,
      timeline: [...booking.timeline, { at: '2026-11-20T17:00:00+13:00', text: 'typo in the offset', milestone: 'detected' }],
      whys: [{ answer: 'Tom Weller forgot to run the migration.' }, { answer: 'Unit tests passed.' }],
      actions: [{ id: 1, title: 'Be more careful with migrations', type: 'process', owner: 'Tom Weller', due: '2026-12-01', status: 'open', addresses_why: 2 }],
    };
    const { errors, warnings } = checkIncident(rough, '2026-11-21', { forPublishing: false });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      'action 1: "Be more careful with migrations" has no measurable outcome: say what will exist or be true when it is done (a check, an alert, a limit, a number)',
      'timeline: detected (2026-11-20T04:00:00.000Z) is before impact_started (2026-11-20T05:14:00.000Z)',
      'only 2 whys: keep asking why until the cause is in the system (usually 5)',
      'why 1: "Tom Weller" is blame: name the role or the system ("the on-call engineer", "the deploy job"), not Tom Weller',
      'why 1: "forgot to" is blame: say what would have reminded anyone: a check, a default, an alert (e.g. "nothing reminded the deployer to …")',
      'why 2 is about tests, but no action adds a scenario (a smoke check, an end-to-end journey): line coverage is not scenario coverage',
    ]);
  });

  it('refuses an unowned action and an unknown impact figure without a reason; an overdue open action is a warning', () => {
    const bad: Incident = {
      ...booking,
      impact: { users: null, support_calls: 17, text: '' },
      actions: [
        { id: 9, title: 'Add an alert on booking errors', type: 'detect', owner: 'TBD', due: '2026-12-01', status: 'open' },
        { id: 10, title: 'Add a booking smoke check', type: 'detect', owner: 'Priya', due: '2026-11-01', status: 'open' },
        { id: 11, title: 'Add a runbook', type: 'mitigate', owner: 'Aroha', due: '2026-11-01', status: 'done' },
      ],
    };
    const { errors, warnings } = checkIncident(bad, '2026-11-21', { forPublishing: false });
    expect(errors).toEqual([
      'action 9 (Add an alert on booking errors): "TBD" is nobody in particular; name the person who will do it',
      'impact: a figure is unknown without a reason (--unknown-reason "…")',
    ]);
    expect(warnings.filter((w) => w.includes('overdue'))).toEqual(['action 10 (Add a booking smoke check) is overdue (due 2026-11-01): re-date it (seal incident reassign 7 10 --due YYYY-MM-DD) or close it']);
  });
});
