/** The appointment-booking outage (impact 18:14, hotfix 21:08 NZDT, 2,340 patients, 17 support calls), as `seal incident` would have written it. */
import type { Incident } from '../../src/incidents/model.js';

/** The post-mortem, ready to publish; `overrides` replace whole fields. */
export function bookingIncident(overrides: Partial<Omit<Incident, 'id'>> = {}): Omit<Incident, 'id'> {
  return {
    app: 'booking',
    release: 'v4.2.0',
    title: 'Patients could not book appointments',
    severity: 1,
    status: 'in review',
    summary: 'Release v4.2.0 broke online booking for three hours; phone bookings kept working.',
    timeline: [
      { at: '2026-11-20T16:02:00+13:00', text: 'PR 812 merged (booking query refactor)', milestone: 'change_merged' },
      { at: '2026-11-20T18:05:00+13:00', text: 'v4.2.0 deployed', milestone: 'deployed' },
      { at: '2026-11-20T18:14:00+13:00', text: 'First failed booking in the logs', milestone: 'impact_started' },
      { at: '2026-11-20T18:31:00+13:00', text: "Seal red: 'book appointment' failed", milestone: 'detected' },
      { at: '2026-11-20T19:00:00+13:00', text: 'On-call paged the database team' },
      { at: '2026-11-20T21:08:00+13:00', text: 'Hotfix v4.2.1 deployed', milestone: 'mitigated' },
      { at: '2026-11-21T09:30:00+13:00', text: 'Root cause fixed and reviewed', milestone: 'resolved' },
    ],
    impact: { users: 2340, support_calls: 17, text: 'Online booking returned an error for every patient.' },
    whys: [
      { answer: 'The booking endpoint returned 500 for every request.' },
      { answer: 'The refactored query referenced a column the production schema did not have yet.', children: [{ answer: 'The staging schema was built from every migration.' }] },
      { answer: 'The migration adding it was in a later release.' },
      { answer: 'Nothing checked that a release only uses columns its migrations create.' },
      { answer: 'The tests ran against a schema built from all migrations, not the released ones; no smoke scenario booked an appointment.' },
    ],
    root_cause: 'Releases could ship code ahead of their migrations, and no check exercised booking end to end in production.',
    contributing_factors: ['The release was cut within 24 h of the freeze (deadline pressure).'],
    lessons: { went_well: ['The seal turned red 17 minutes after impact.'], went_wrong: ['Rollback was not possible: the hotfix took 2.5 h.'], lucky: ['Phone bookings used another path.'] },
    actions: [
      { id: 1, title: 'Add a smoke check that books and cancels an appointment', type: 'detect', owner: 'Priya Patel', due: '2026-12-05', status: 'open', addresses_why: 5, check: 'book appointment' },
      { id: 2, title: 'Fail CI when code uses a column no released migration creates', type: 'prevent', owner: 'Tom Weller', due: '2026-12-12', status: 'open', addresses_why: 4, link: 'https://tracker.example.com/issues/42' },
      { id: 3, title: 'Add a rollback runbook for schema-dependent releases', type: 'mitigate', owner: 'Aroha Ngata', due: '2026-11-28', status: 'open' },
    ],
    people: ['Tom Weller'],
    supporting: ['Seal run 1f0c… on v4.2.0', 'Grafana: booking errors 18:14-21:08'],

    ...overrides,
  };
}
