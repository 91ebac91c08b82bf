/**
 * `seal incident check`: everything wrong with a post-mortem, errors (publishing is refused)
 * and warnings (worth fixing), all at once. Pure: `today` is given.
 */
import { actionErrors, vagueAction } from './actions.js';
import { findBlame } from './blame-lint.js';
import { milestonesOutOfOrder } from './durations.js';
import { isOverdue, milestoneTimes, whyChain, type ActionItem, type Incident, type Why } from './model.js';

/** The verdict on a post-mortem. */
export interface IncidentCheck {
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

const REQUIRED_TO_PUBLISH = ['impact_started', 'detected', 'mitigated'] as const;
const TEST_WORDS = /\b(?:tests?|tested|testing|coverage|spec)\b/i;
const SCENARIO_WORDS = /\b(?:scenario|smoke|end[- ]to[- ]end|e2e|journey|flow)\b/i;

function allWhys(whys: readonly Why[], depth = 0): { answer: string; depth: number }[] {
  return whys.flatMap((w) => [{ answer: w.answer, depth }, ...allWhys(w.children ?? [], depth + 1)]);
}

/** What to say about an open action past its due date: a warning, an error only when publishing. */
export function overdueProblem(incident: Pick<Incident, 'id'>, action: ActionItem): string {
  return `action ${action.id} (${action.title}) is overdue (due ${action.due}): re-date it (seal incident reassign ${incident.id} ${action.id} --due YYYY-MM-DD) or close it`;
}

/** Checks the post-mortem; `forPublishing` adds what publishing needs as errors. */
export function checkIncident(incident: Incident, today: string, { forPublishing = incident.status !== 'draft' }: { forPublishing?: boolean } = {}): IncidentCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const times = milestoneTimes(incident.timeline);
  const chain = whyChain(incident.whys);

  for (const action of incident.actions) {
    // A due date that has passed is not a broken action but an overdue one: a warning, which
    // becomes an error only on the way to publishing (setFields), so a published report can
    // still be changed after its actions fall due.
    const problems = actionErrors(action, '0000-01-01');
    for (const problem of problems) errors.push(`action ${action.id} (${action.title}): ${problem.replace(/^--\w+: /, '')}`);
    if (problems.length === 0 && isOverdue(action, today)) warnings.push(overdueProblem(incident, action));
    const vague = vagueAction(action.title);
    if (vague) warnings.push(`action ${action.id}: ${vague}`);
  }
  if (forPublishing) {
    for (const milestone of REQUIRED_TO_PUBLISH) if (!times[milestone]) errors.push(`publishing needs the ${milestone} milestone (seal incident event ${incident.id} --milestone ${milestone} --at ISO)`);
    if (!incident.root_cause?.trim()) errors.push(`publishing needs a root cause (seal incident root-cause ${incident.id} "…")`);
    const last = chain.length;
    if (last === 0) errors.push(`publishing needs the whys (seal incident why ${incident.id} "…")`);
    else if (!incident.actions.some((a) => a.addresses_why === last)) errors.push(`publishing needs at least one action addressing the last why (#${last}: "${chain[last - 1]}")`);
    if (incident.impact === null) errors.push(`publishing needs the impact (seal incident impact ${incident.id} --users N --support-calls N)`);
  }
  if (incident.impact && (incident.impact.users === null || incident.impact.support_calls === null) && !incident.impact.unknown_reason?.trim()) {
    errors.push('impact: a figure is unknown without a reason (--unknown-reason "…")');
  }
  for (const problem of milestonesOutOfOrder(times)) warnings.push(`timeline: ${problem}`);
  if (chain.length > 0 && chain.length < 3) warnings.push(`only ${chain.length} why${chain.length === 1 ? '' : 's'}: keep asking why until the cause is in the system (usually 5)`);
  const texts: [string, string][] = [
    ...allWhys(incident.whys).map((w, i) => [`why ${i + 1}`, w.answer] as [string, string]),
    ['root cause', incident.root_cause ?? ''],
    ...incident.contributing_factors.map((f, i) => [`contributing factor ${i + 1}`, f] as [string, string]),
    ...(['went_well', 'went_wrong', 'lucky'] as const).flatMap((k) => incident.lessons[k].map((l, i) => [`lesson (${k}) ${i + 1}`, l] as [string, string])),
  ];
  for (const [where, text] of texts) {
    for (const finding of findBlame(text, { people: incident.people })) warnings.push(`${where}: "${finding.phrase}" is blame: ${finding.suggestion}`);
  }
  // Line coverage is not scenario coverage: a why about tests needs an action about a scenario.
  const testWhy = chain.findIndex((answer) => TEST_WORDS.test(answer));
  if (testWhy >= 0 && !incident.actions.some((a) => a.check || SCENARIO_WORDS.test(a.title))) {
    warnings.push(`why ${testWhy + 1} is about tests, but no action adds a scenario (a smoke check, an end-to-end journey): line coverage is not scenario coverage`);
  }
  return { errors, warnings };
}
