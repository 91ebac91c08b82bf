/** Every change `seal incident …` makes, and every way it refuses one (all problems at once). */
import { describe, expect, it } from 'vitest';
import { addAction, addEvent, addWhy, closeAction, creditActions, keepPublishable, reassignAction, eventTime, IncidentInputError, newIncident, setFields, setImpact, setRootCause } from './edit.js';
import type { Incident } from './model.js';

const today = '2026-11-21';
const now = '2026-11-21T09:00:00.000Z';
const blank: Incident = { id: 1, ...newIncident({ app: 'booking', release: 'v4.2.0', title: 'Patients could not book appointments' }) };

function problemsOf(change: () => unknown): readonly string[] {
  try {
    change();
  } catch (error) {
    expect(error).toBeInstanceOf(IncidentInputError);
    return (error as IncidentInputError).problems;
  }
  throw new Error('the change was accepted');
}

describe('opening', () => {
  it('starts a draft of severity 2 unless told; a title is required and severity is 1 to 4', () => {
    expect(blank).toMatchObject({ status: 'draft', severity: 2, timeline: [], impact: null, whys: [], actions: [] });
    expect(newIncident({ app: 'a', release: null, title: 'x', severity: '1' }).severity).toBe(1);
    expect(problemsOf(() => newIncident({ app: 'a', release: null, title: '  ', severity: '5' }))).toEqual(['--title: must not be empty', '--severity: "5" is not 1 (worst) to 4']);
  });
});

describe('timeline events', () => {
  it('stores times in UTC whatever offset they came with, sorted; a milestone marked again moves', () => {
    let i = addEvent(blank, { at: '2026-11-20T21:08:00+13:00', milestone: 'mitigated', text: 'hotfix v4.2.1 deployed' });
    i = addEvent(i, { at: '2026-11-20T18:14+13:00', milestone: 'impact-started' });
    i = addEvent(i, { at: '2026-11-20T05:20:00Z', text: 'on-call paged' });
    expect(i.timeline).toEqual([
      { at: '2026-11-20T05:14:00.000Z', text: 'impact started', milestone: 'impact_started' },
      { at: '2026-11-20T05:20:00.000Z', text: 'on-call paged' },
      { at: '2026-11-20T08:08:00.000Z', text: 'hotfix v4.2.1 deployed', milestone: 'mitigated' },
    ]);
    const moved = addEvent(i, { at: '2026-11-20T21:10:00+13:00', milestone: 'mitigated', text: 'hotfix live on all nodes' });
    expect(moved.timeline.filter((e) => e.milestone === 'mitigated')).toEqual([{ at: '2026-11-20T08:10:00.000Z', text: 'hotfix live on all nodes', milestone: 'mitigated' }]);
  });

  it('keeps the seal\'s evidence when a pre-filled milestone is corrected', () => {
    const filled: Incident = { ...blank, timeline: [{ at: '2026-11-20T05:40:00.000Z', text: "Smoke seal of v4.2.0 red: 'book' failed", milestone: 'detected', from_seal: 'run-1' }] };
    const corrected = addEvent(filled, { at: '2026-11-20T18:31:00+13:00', milestone: 'detected', text: 'On-call saw the red seal' });
    expect(corrected.timeline).toEqual([
      { at: '2026-11-20T05:31:00.000Z', text: 'On-call saw the red seal', milestone: 'detected' },
      { at: '2026-11-20T05:40:00.000Z', text: "Smoke seal of v4.2.0 red: 'book' failed", from_seal: 'run-1' },
    ]);
  });

  it('refuses a time without an offset or a time, an unknown milestone, and a plain event without text, all at once', () => {
    expect(problemsOf(() => addEvent(blank, { at: '2026-11-20T18:14', milestone: 'fixed' }))).toEqual([
      '--at: "2026-11-20T18:14" is not a date-time with an offset (2026-11-20T18:14:00+13:00 or …Z)',
      '--milestone: "fixed" is not one of change_merged, deployed, impact_started, detected, acknowledged, mitigated, resolved',
    ]);
    expect(problemsOf(() => addEvent(blank, { at: '2026-11-20' }))).toHaveLength(2);
    expect(problemsOf(() => addEvent(blank, { at: '2026-02-30T10:00:00Z', text: 'x' }))[0]).toContain('--at');
    expect(() => eventTime('2026-11-20T18:14:00+13:00', '--at')).not.toThrow();
  });
});

describe('impact', () => {
  it('takes figures with thousands separators, keeps what was not given, and needs a reason for unknown', () => {
    const i = setImpact(blank, { users: '2,340', supportCalls: '17' });
    expect(i.impact).toEqual({ users: 2340, support_calls: 17, text: '' });
    expect(setImpact(i, { text: 'Online booking failed for every patient' }).impact).toEqual({ users: 2340, support_calls: 17, text: 'Online booking failed for every patient' });
    expect(problemsOf(() => setImpact(i, { users: 'unknown' }))).toEqual(['impact: users unknown needs a reason (--unknown-reason "logs before 18:00 were rotated")']);
    expect(setImpact(i, { users: 'unknown', unknownReason: 'logs were rotated' }).impact).toMatchObject({ users: null, unknown_reason: 'logs were rotated' });
    expect(problemsOf(() => setImpact(blank, { users: '-3', supportCalls: 'many' }))).toEqual([
      '--users: "-3" is not a whole number (or "unknown" with --unknown-reason)',
      '--support-calls: "many" is not a whole number (or "unknown" with --unknown-reason)',
      'impact: users and support calls unknown needs a reason (--unknown-reason "logs before 18:00 were rotated")',
    ]);
    expect(problemsOf(() => setImpact(blank, {}))).toEqual(['give --users, --support-calls, --text or --unknown-reason']);
  });
});

describe('whys', () => {
  it('appends the next why of the chain, or a branch under one (a tree where a team needs it)', () => {
    let i = blank;
    for (const answer of ['Booking returned 500', 'A column was missing', 'The migration was in a later release']) i = addWhy(i, { answer }).incident;
    const branch = addWhy(i, { answer: 'The deploy order is not checked', under: '2' });
    expect(branch.position).toBe('2.1');
    const deeper = addWhy(branch.incident, { answer: 'Nobody owns the release checklist', under: '2.1' });
    expect(deeper.position).toBe('2.1.1');
    expect(deeper.incident.whys[1]).toEqual({ answer: 'A column was missing', children: [{ answer: 'The deploy order is not checked', children: [{ answer: 'Nobody owns the release checklist' }] }] });
    expect(deeper.incident.whys).toHaveLength(3);
    expect(addWhy(deeper.incident, { answer: 'Four' }).position).toBe('4');
    expect(problemsOf(() => addWhy(i, { answer: ' ', under: '9' }))).toEqual(['the answer: must not be empty', '--under: no why "9" (the chain has 3; a branch is "2.1")']);
  });

  it('sets the root cause, which must say something', () => {
    expect(setRootCause(blank, ' Releases could ship code ahead of migrations ').root_cause).toBe('Releases could ship code ahead of migrations');
    expect(problemsOf(() => setRootCause(blank, ''))).toEqual(['the root cause: must not be empty']);
  });
});

describe('action items', () => {
  const withWhys = [1, 2, 3].reduce((i, n) => addWhy(i, { answer: `why ${n}` }).incident, blank);

  it('adds an owned, dated action with its type, why, check and link, numbered in order', () => {
    const { incident, action } = addAction(withWhys, { title: 'Add a smoke check that books an appointment', owner: ' Priya Patel ', due: '2026-12-05', type: 'detect', why: '3', check: 'book appointment', link: 'https://tracker.example/BOOK-1' }, { today, now });
    expect(action).toEqual({ id: 1, title: 'Add a smoke check that books an appointment', type: 'detect', owner: 'Priya Patel', due: '2026-12-05', status: 'open', link: 'https://tracker.example/BOOK-1', addresses_why: 3, check: 'book appointment', created_at: now });
    expect(addAction(incident, { title: 'Fail CI on columns ahead of migrations', owner: 'Tom', due: today }, { today, now }).action).toMatchObject({ id: 2, type: 'prevent' });
  });

  it('refuses nobody as owner, a past or impossible due date, an unknown type, a why outside the chain and a link that is not http, all at once', () => {
    for (const owner of ['', 'TBD', 'someone', 'Team', ' tba ']) expect(problemsOf(() => addAction(withWhys, { title: 'x', owner, due: '2026-12-01' }, { today, now }))[0]).toContain('--owner');
    expect(problemsOf(() => addAction(withWhys, { title: '', owner: 'TBD', due: '2026-11-20', type: 'fix', why: '4', link: 'javascript:alert(1)' }, { today, now }))).toEqual([
      '--title: an action item needs a title',
      '--owner: "TBD" is nobody in particular; name the person who will do it',
      '--due: 2026-11-20 is in the past (today is 2026-11-21)',
      '--type: "fix" is not one of prevent, detect, mitigate, process',
      '--why: "4" is not a why of the chain (1 to 3)',
      '--link: "javascript:alert(1)" is not an http(s) URL',
    ]);
    expect(problemsOf(() => addAction(withWhys, { title: 'x', owner: 'Ana', due: '2026-02-30' }, { today, now }))).toEqual(['--due: "2026-02-30" is not a date (YYYY-MM-DD)']);
    expect(problemsOf(() => addAction(blank, { title: 'x', owner: 'Ana', due: '2026-12-01', why: '1' }, { today, now }))).toEqual(['--why: "1" is not a why of the chain (1 to 0: add whys first)']);
  });

  it('closes an action by hand, but one proved by a smoke check only through a green seal', () => {
    let i = addAction(withWhys, { title: 'Write the runbook', owner: 'Aroha', due: '2026-12-01' }, { today, now }).incident;
    i = addAction(i, { title: 'Add the booking smoke check', owner: 'Priya', due: '2026-12-01', check: 'book appointment' }, { today, now }).incident;
    expect(closeAction(i, '1').actions[0]?.status).toBe('done');
    expect(problemsOf(() => closeAction(i, '2'))[0]).toContain('proved by the smoke check "book appointment"');
    expect(problemsOf(() => closeAction(i, '9'))).toEqual(['no action 9 in incident 1 (actions: 1, 2)']);
  });

  it('re-dates or reassigns an action, checked like a new one', () => {
    const i = addAction(withWhys, { title: 'Write the runbook', owner: 'Aroha', due: '2026-12-01' }, { today, now }).incident;
    // Overdue a month later: a new date from then on is accepted, a past one is not.
    expect(reassignAction(i, '1', { due: '2027-01-15', owner: 'Priya Patel' }, '2027-01-02').actions[0]).toMatchObject({ owner: 'Priya Patel', due: '2027-01-15', title: 'Write the runbook' });
    expect(reassignAction(i, '1', { owner: 'Priya' }, '2027-01-02').actions[0]).toMatchObject({ owner: 'Priya', due: '2026-12-01' });
    expect(problemsOf(() => reassignAction(i, '1', { due: '2026-12-31', owner: 'someone' }, '2027-01-02'))).toEqual([
      '--owner: "someone" is nobody in particular; name the person who will do it',
      '--due: 2026-12-31 is in the past (today is 2027-01-02)',
    ]);
    expect(problemsOf(() => reassignAction(i, '1', {}, today))).toEqual(['give --owner or --due']);
    expect(problemsOf(() => reassignAction(i, '4', { owner: 'Ana' }, today))).toEqual(['no action 4 in incident 1 (actions: 1)']);
  });

  it('credits an action only with a proof from after it was added', () => {
    const i = addAction(withWhys, { title: 'Add the booking smoke check', owner: 'Priya', due: '2026-12-01', check: 'book appointment' }, { today, now }).incident;
    // Recorded before the action (whatever the runner's clock said): no credit.
    expect(creditActions(i, new Map([[1, { run_id: 'r0', version: 'v4.2.0', at: '2026-11-21T10:00:00.000Z', recorded_at: '2026-11-21T08:59:59.000Z' }]]))).toBeNull();
    expect(creditActions(i, new Map([[1, { run_id: 'r1', version: 'v4.2.1', at: '2026-11-21T08:00:00.000Z', recorded_at: '2026-11-21T09:00:01.000Z' }]]))?.actions[0]).toMatchObject({ status: 'done', credited: { run_id: 'r1', version: 'v4.2.1' } });
    expect(creditActions(i, new Map())).toBeNull();
  });
});

describe('setting fields and publishing', () => {
  it('appends lessons, factors, people and supporting links; refuses nothing to set and an unknown status', () => {
    const i = setFields(blank, { summary: 'Booking broke', wentWell: ['The seal caught it'], lucky: ['Phones worked'], factor: ['Deadline pressure'], people: ['Tom', 'Tom'], supporting: ['https://grafana.example/d/1'] }, today);
    expect(i).toMatchObject({ summary: 'Booking broke', lessons: { went_well: ['The seal caught it'], went_wrong: [], lucky: ['Phones worked'] }, contributing_factors: ['Deadline pressure'], people: ['Tom'], supporting: ['https://grafana.example/d/1'] });
    expect(setFields(i, { status: 'in-review' }, today).status).toBe('in review');
    expect(problemsOf(() => setFields(blank, {}, today))[0]).toMatch(/^nothing to set/);
    expect(problemsOf(() => setFields(blank, { status: 'closed', severity: '0' }, today))).toEqual(['--severity: "0" is not 1 (worst) to 4', '--status: "closed" is not one of draft, in review, published']);
  });

  it('publishes only what passes the check, and says everything that is missing', () => {
    expect(problemsOf(() => setFields(blank, { status: 'published' }, today))).toEqual([
      'cannot publish: publishing needs the impact_started milestone (seal incident event 1 --milestone impact_started --at ISO)',
      'cannot publish: publishing needs the detected milestone (seal incident event 1 --milestone detected --at ISO)',
      'cannot publish: publishing needs the mitigated milestone (seal incident event 1 --milestone mitigated --at ISO)',
      'cannot publish: publishing needs a root cause (seal incident root-cause 1 "…")',
      'cannot publish: publishing needs the whys (seal incident why 1 "…")',
      'cannot publish: publishing needs the impact (seal incident impact 1 --users N --support-calls N)',
    ]);
    let i = blank;
    for (const [milestone, at] of [['impact_started', '2026-11-20T18:14:00+13:00'], ['detected', '2026-11-20T18:31:00+13:00'], ['mitigated', '2026-11-20T21:08:00+13:00']] as const) i = addEvent(i, { at, milestone });
    for (const answer of ['one', 'two', 'three']) i = addWhy(i, { answer }).incident;
    i = setImpact(setRootCause(i, 'Releases could ship code ahead of their migrations'), { users: '2340', supportCalls: '17' });
    const withoutLast = addAction(i, { title: 'Add a runbook', owner: 'Aroha', due: '2026-12-01', why: '2' }, { today, now }).incident;
    expect(problemsOf(() => setFields(withoutLast, { status: 'published' }, today))).toEqual(['cannot publish: publishing needs at least one action addressing the last why (#3: "three")']);
    const ready = addAction(withoutLast, { title: 'Add the booking smoke check', owner: 'Priya', due: '2026-12-01', why: '3', check: 'book appointment' }, { today, now }).incident;
    const published = setFields(ready, { status: 'published' }, today);
    expect(published.status).toBe('published');

    // Weeks later an action falls due: the published report can still take lessons…
    const later = '2026-12-10';
    expect(setFields(published, { wentWell: ['The seal caught it'] }, later).lessons.went_well).toEqual(['The seal caught it']);
    // …but publishing again, or publishing a report with an overdue action, needs it re-dated first.
    expect(problemsOf(() => setFields({ ...published, status: 'in review' }, { status: 'published' }, later))).toEqual([
      'cannot publish: action 1 (Add a runbook) is overdue (due 2026-12-01): re-date it (seal incident reassign 1 1 --due YYYY-MM-DD) or close it',
      'cannot publish: action 2 (Add the booking smoke check) is overdue (due 2026-12-01): re-date it (seal incident reassign 1 2 --due YYYY-MM-DD) or close it',
    ]);
    // A change that leaves a published report incomplete (a new last why nobody acts on) is refused.
    expect(problemsOf(() => keepPublishable(addWhy(published, { answer: 'four' }).incident, later, { publishing: false }))).toEqual([
      'the post-mortem is published and must stay complete: publishing needs at least one action addressing the last why (#4: "four")',
    ]);
  });
});
