/** The blame lint (true and false positives) and the action item rules. */
import { describe, expect, it } from 'vitest';
import { actionErrors, vagueAction } from './actions.js';
import { findBlame } from './blame-lint.js';

describe('blame lint', () => {
  it.each([
    ['The deployer should have checked the migration.', 'should have'],
    ["Sam should've waited.", "should've"],
    ['It was the DBA\'s fault.', 'fault'],
    ['A careless change to the booking query.', 'careless'],
    ['Root cause: human error.', 'human error'],
    ['The engineer forgot to run the smoke test.', 'forgot to'],
    ['The operator forgot the flag.', 'forgot'],
    ['A human-error in the runbook step.', 'human-error'],
    ['Nobody is to blame, but', 'blame'],
    ['It was his mistake.', 'his mistake'],
    ['Ops dropped the ball.', 'dropped the ball'],
  ])('flags %j (%s) and suggests a systemic rewording', (text, phrase) => {
    const [finding] = findBlame(text);
    expect(finding?.phrase.toLowerCase()).toBe(phrase.toLowerCase());
    expect(finding?.suggestion.length).toBeGreaterThan(20);
  });

  it.each([
    'We run fault injection in staging every week.',
    'The service is fault-tolerant across zones.',
    'The default timeout was 30 seconds.',
    'The faulty disk was replaced.',
    'We run no-fault reviews.',
    'We must not forget the cache.',
    'The smoke suite had no scenario for booking.',
  ])('does not flag %j', (text) => {
    expect(findBlame(text)).toEqual([]);
  });

  it('flags the names of the people involved, whole words only, and suggests the role instead', () => {
    const findings = findBlame('Ana deployed at 18:02; Anastasia reviewed; ana confirmed.', { people: ['Ana'] });
    expect(findings.map((f) => [f.phrase, f.index])).toEqual([['Ana', 0], ['ana', 43]]);
    expect(findings[0]?.suggestion).toBe('name the role or the system ("the on-call engineer", "the deploy job"), not Ana');
  });
});

describe('action items', () => {
  const today = '2026-11-21';

  it('need a real owner and a due date that is a date, not in the past', () => {
    expect(actionErrors({ title: 'Add a booking smoke check', owner: 'Priya', due: '2026-12-05', type: 'detect' }, today)).toEqual([]);
    expect(actionErrors({ title: 'Due today is fine', owner: 'Priya', due: today }, today)).toEqual([]);
    for (const owner of ['', '  ', 'TBD', 'someone', 'Team', 'n/a', '?']) {
      expect(actionErrors({ title: 'x', owner, due: '2026-12-05' }, today)[0]).toMatch(/^--owner: .* is nobody in particular; name the person who will do it$/);
    }
    expect(actionErrors({ title: 'x', owner: 'Priya', due: '2026-11-20' }, today)).toEqual(['--due: 2026-11-20 is in the past (today is 2026-11-21)']);
    expect(actionErrors({ title: 'x', owner: 'Priya', due: '2026-02-30' }, today)).toEqual(['--due: "2026-02-30" is not a date (YYYY-MM-DD)']);
    expect(actionErrors({ title: 'x', owner: 'Priya', due: 'next week' }, today)).toEqual(['--due: "next week" is not a date (YYYY-MM-DD)']);
    expect(actionErrors({ title: ' ', owner: 'Priya', due: '2026-12-01', type: 'hope' }, today)).toEqual(['--title: an action item needs a title', '--type: "hope" is not one of prevent, detect, mitigate, process']);
  });

  it('warns about an action without a measurable outcome, and not about one with it', () => {
    expect(vagueAction('Improve deploy safety')).toMatch(/has no measurable outcome/);
    expect(vagueAction('Be more careful with migrations')).toMatch(/has no measurable outcome/);
    expect(vagueAction('Investigate the booking query')).toMatch(/has no measurable outcome/);
    expect(vagueAction('Add a smoke check that books and cancels an appointment')).toBeNull();
    expect(vagueAction('Improve the p95 of /book to under 300 ms')).toBeNull();
    expect(vagueAction('Alert when bookings drop 50% in 10 minutes')).toBeNull();
  });
});
