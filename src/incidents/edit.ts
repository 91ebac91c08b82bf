/**
 * Every change `seal incident …` makes, as pure functions from one incident to the next. A
 * change that is wrong throws an IncidentInputError listing every problem with the flag it
 * came from; the caller then stores nothing. Pure: `now` and `today` are given.
 */
import { SealError } from '../errors.js';
import { ACTION_TYPES, actionErrors, type ActionType } from './actions.js';
import { checkIncident, overdueProblem } from './check.js';
import { MILESTONES, type Milestone } from './durations.js';
import { isOverdue, type ActionItem, type Impact, type Incident, type IncidentStatus, type TimelineEvent, type Why } from './model.js';

/** What is wrong with a change, every problem at once; nothing was saved. */
export class IncidentInputError extends SealError {
  override readonly name = 'IncidentInputError';
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? (problems[0] as string) : `${problems.length} problems:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** Longest text a field takes (a post-mortem, not a log dump: link to those). */
export const MAX_TEXT = 4000;
export const STATUSES: readonly IncidentStatus[] = ['draft', 'in review', 'published'];

/** A date-time with a time and an offset: incident times must say where on Earth they were read. */
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The instant in UTC, or a problem naming `what`. */
export function eventTime(text: string, what: string): string {
  const [y, m, d] = text.trim().slice(0, 10).split('-').map(Number) as [number, number, number];
  // Date.parse takes 2026-02-30 as 2 March: the day must exist in its month.
  const realDay = m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (!EVENT_TIME.test(text.trim()) || !realDay || Number.isNaN(Date.parse(text.trim()))) {
    throw new IncidentInputError([`${what}: ${JSON.stringify(text)} is not a date-time with an offset (2026-11-20T18:14:00+13:00 or …Z)`]);
  }
  return new Date(text.trim()).toISOString();
}

function text(value: string, what: string, problems: string[], { required = true } = {}): string {
  const clean = value.replace(/\r\n?/g, '\n').trim();
  if (required && !clean) problems.push(`${what}: must not be empty`);
  if (clean.length > MAX_TEXT) problems.push(`${what}: ${clean.length} characters; at most ${MAX_TEXT} (link to longer material with --supporting)`);
  return clean;
}

function done(problems: string[]): void {
  if (problems.length) throw new IncidentInputError(problems);
}

/** The fields of a new incident, checked. */
export function newIncident(input: { app: string; release: string | null; title: string; severity?: string | number; summary?: string }): Omit<Incident, 'id'> {
  const problems: string[] = [];
  const title = text(input.title, '--title', problems);
  const severity = parseSeverity(input.severity ?? 2, problems);
  const summary = text(input.summary ?? '', '--summary', problems, { required: false });
  done(problems);
  return {
    app: input.app,
    release: input.release,
    title,
    severity,
    status: 'draft',
    summary,
    timeline: [],
    impact: null,
    whys: [],
    root_cause: null,
    contributing_factors: [],
    lessons: { went_well: [], went_wrong: [], lucky: [] },
    actions: [],
    people: [],
    supporting: [],
  };
}

function parseSeverity(value: string | number, problems: string[]): Incident['severity'] {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 4) {
    problems.push(`--severity: ${JSON.stringify(String(value))} is not 1 (worst) to 4`);
    return 2;
  }
  return n as Incident['severity'];
}

/** `seal incident event <id> --at ISO [--milestone M] [--text T]` */
export function addEvent(incident: Incident, input: { at: string; milestone?: string; text?: string }): Incident {
  const problems: string[] = [];
  let at = '';
  try {
    at = eventTime(input.at, '--at');
  } catch (error) {
    problems.push(...(error as IncidentInputError).problems);
  }
  const milestone = input.milestone?.trim().replace(/-/g, '_');
  if (milestone !== undefined && !(MILESTONES as readonly string[]).includes(milestone)) problems.push(`--milestone: ${JSON.stringify(input.milestone)} is not one of ${MILESTONES.join(', ')}`);
  const what = text(input.text ?? '', '--text', problems, { required: !milestone });
  done(problems);
  const event: TimelineEvent = { at, text: what || (milestone as string).replace(/_/g, ' '), ...(milestone ? { milestone: milestone as Milestone } : {}) };
  // A milestone is marked once: marking it again moves it (the pre-filled guess corrected). An
  // event pre-filled from a seal stays, as a plain event: it is evidence (the failing checks).
  const others = milestone
    ? incident.timeline.flatMap((e) => (e.milestone !== milestone ? [e] : e.from_seal ? [{ at: e.at, text: e.text, from_seal: e.from_seal }] : []))
    : incident.timeline;
  const timeline = [...others, event].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { ...incident, timeline };
}

function count(value: string | undefined, what: string, problems: string[]): number | null | undefined {
  if (value === undefined) return undefined;
  if (/^(unknown|\?)$/i.test(value.trim())) return null;
  const n = Number(value.replace(/[,_ ]/g, ''));
  if (!/^\d[\d,_ ]*$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    problems.push(`${what}: ${JSON.stringify(value)} is not a whole number (or "unknown" with --unknown-reason)`);
    return undefined;
  }
  return n;
}

/** `seal incident impact <id> --users N --support-calls N [--text T] [--unknown-reason R]`: figures not given stay as they were. */
export function setImpact(incident: Incident, input: { users?: string; supportCalls?: string; text?: string; unknownReason?: string }): Incident {
  const problems: string[] = [];
  const before: Impact = incident.impact ?? { users: null, support_calls: null, text: '' };
  const users = count(input.users, '--users', problems);
  const calls = count(input.supportCalls, '--support-calls', problems);
  if (input.users === undefined && input.supportCalls === undefined && input.text === undefined && input.unknownReason === undefined) throw new IncidentInputError(['give --users, --support-calls, --text or --unknown-reason']);
  const impact: Impact = {
    users: users === undefined ? before.users : users,
    support_calls: calls === undefined ? before.support_calls : calls,
    text: input.text === undefined ? before.text : text(input.text, '--text', problems, { required: false }),
    ...(input.unknownReason !== undefined ? { unknown_reason: text(input.unknownReason, '--unknown-reason', problems, { required: false }) } : before.unknown_reason ? { unknown_reason: before.unknown_reason } : {}),
  };
  if ((impact.users === null || impact.support_calls === null) && !impact.unknown_reason) {
    const which = [impact.users === null ? 'users' : null, impact.support_calls === null ? 'support calls' : null].filter(Boolean).join(' and ');
    problems.push(`impact: ${which} unknown needs a reason (--unknown-reason "logs before 18:00 were rotated")`);
  }
  done(problems);
  return { ...incident, impact };
}

/** Where a why sits: "3" is the third of the chain, "3.1" the first branch under it. */
function whyAt(whys: readonly Why[], path: string): number[] | null {
  if (!/^\d+(\.\d+)*$/.test(path)) return null;
  const indexes = path.split('.').map((n) => Number(n) - 1);
  let level: readonly Why[] = whys;
  for (const [depth, i] of indexes.entries()) {
    const why = level[i];
    if (!why) return null;
    if (depth < indexes.length - 1) level = why.children ?? [];
  }
  return indexes;
}

function withChild(whys: readonly Why[], indexes: readonly number[], child: Why): Why[] {
  const [first, ...rest] = indexes as [number, ...number[]];
  return whys.map((w, i) => (i !== first ? w : rest.length ? { ...w, children: withChild(w.children ?? [], rest, child) } : { ...w, children: [...(w.children ?? []), child] }));
}

/** `seal incident why <id> "answer" [--under PATH]`: the next why of the chain, or a branch under one. Returns where it went ("4", "2.1"). */
export function addWhy(incident: Incident, input: { answer: string; under?: string }): { incident: Incident; position: string } {
  const problems: string[] = [];
  const answer = text(input.answer, 'the answer', problems);
  const under = input.under === undefined ? null : whyAt(incident.whys, input.under.trim());
  if (input.under !== undefined && !under) problems.push(`--under: no why ${JSON.stringify(input.under)} (the chain has ${incident.whys.length}; a branch is "2.1")`);
  done(problems);
  if (!under) return { incident: { ...incident, whys: [...incident.whys, { answer }] }, position: String(incident.whys.length + 1) };
  let parent: Why | undefined;
  let level: readonly Why[] = incident.whys;
  for (const i of under) {
    parent = level[i];
    level = parent?.children ?? [];
  }
  const position = `${input.under?.trim()}.${(parent?.children?.length ?? 0) + 1}`;
  return { incident: { ...incident, whys: withChild(incident.whys, under, { answer }) }, position };
}

/** `seal incident root-cause <id> "text"` */
export function setRootCause(incident: Incident, cause: string): Incident {
  const problems: string[] = [];
  const root_cause = text(cause, 'the root cause', problems);
  done(problems);
  return { ...incident, root_cause };
}

/** Fields set by `seal incident set`. */
export interface IncidentFields {
  readonly title?: string;
  readonly summary?: string;
  readonly severity?: string;
  readonly status?: string;
  readonly people?: readonly string[];
  readonly factor?: readonly string[];
  readonly wentWell?: readonly string[];
  readonly wentWrong?: readonly string[];
  readonly lucky?: readonly string[];
  readonly supporting?: readonly string[];
}

/** `seal incident set <id> …`: lists are appended to; publishing runs the whole check first. */
export function setFields(incident: Incident, input: IncidentFields, today: string): Incident {
  const problems: string[] = [];
  const keys = ['title', 'summary', 'severity', 'status', 'people', 'factor', 'wentWell', 'wentWrong', 'lucky', 'supporting'] as const;
  const given = keys.filter((k) => { const v = input[k]; return Array.isArray(v) ? v.length > 0 : v !== undefined; });
  if (given.length === 0) problems.push('nothing to set: give --title, --summary, --severity, --status, --person, --factor, --went-well, --went-wrong, --lucky or --supporting');
  const items = (values: readonly string[] | undefined, what: string): string[] => (values ?? []).map((v) => text(v, what, problems));
  let next: Incident = {
    ...incident,
    ...(input.title !== undefined ? { title: text(input.title, '--title', problems) } : {}),
    ...(input.summary !== undefined ? { summary: text(input.summary, '--summary', problems, { required: false }) } : {}),
    ...(input.severity !== undefined ? { severity: parseSeverity(input.severity, problems) } : {}),
    people: [...new Set([...incident.people, ...items(input.people, '--person')])],
    contributing_factors: [...incident.contributing_factors, ...items(input.factor, '--factor')],
    lessons: {
      went_well: [...incident.lessons.went_well, ...items(input.wentWell, '--went-well')],
      went_wrong: [...incident.lessons.went_wrong, ...items(input.wentWrong, '--went-wrong')],
      lucky: [...incident.lessons.lucky, ...items(input.lucky, '--lucky')],
    },
    supporting: [...incident.supporting, ...items(input.supporting, '--supporting')],
  };
  if (input.status !== undefined) {
    const status = input.status.trim().toLowerCase().replace(/[-_]/g, ' ') as IncidentStatus;
    if (!STATUSES.includes(status)) problems.push(`--status: ${JSON.stringify(input.status)} is not one of ${STATUSES.join(', ')}`);
    else next = { ...next, status };
  }
  done(problems);
  if (next.status === 'published') keepPublishable(next, today, { publishing: incident.status !== 'published' });
  return next;
}

/**
 * A published report must stand on its own: publishing runs the whole check (and refuses open
 * actions already overdue: re-date or close them first), and every later change to a published
 * report must keep it passing. Throws with every problem.
 */
export function keepPublishable(next: Incident, today: string, { publishing }: { publishing: boolean }): void {
  const { errors } = checkIncident(next, today, { forPublishing: true });
  const overdue = publishing
    ? next.actions.filter((a) => isOverdue(a, today)).map((a) => overdueProblem(next, a))
    : [];
  const all = [...errors, ...overdue];
  if (all.length) throw new IncidentInputError(all.map((e) => (publishing ? `cannot publish: ${e}` : `the post-mortem is published and must stay complete: ${e}`)));
}

/** `seal incident action <id> --title --owner --due [--type] [--why N] [--check NAME] [--link URL]` */
export function addAction(incident: Incident, input: { title: string; owner: string; due: string; type?: string; why?: string; check?: string; link?: string }, { today, now }: { today: string; now: string }): { incident: Incident; action: ActionItem } {
  const problems = actionErrors(input, today);
  const title = input.title.trim();
  if (title.length > MAX_TEXT) problems.push(`--title: ${title.length} characters; at most ${MAX_TEXT}`);
  const chain = incident.whys.length;
  let why: number | undefined;
  if (input.why !== undefined) {
    why = Number(input.why);
    if (!Number.isInteger(why) || why < 1 || why > chain) {
      problems.push(`--why: ${JSON.stringify(input.why)} is not a why of the chain (1 to ${chain}${chain === 0 ? ': add whys first' : ''})`);
    }
  }
  const check = input.check === undefined ? undefined : text(input.check, '--check', problems);
  let link: string | undefined;
  if (input.link !== undefined) {
    try {
      link = new URL(input.link.trim()).href;
      if (!/^https?:$/.test(new URL(link).protocol)) throw new Error('not http');
    } catch {
      problems.push(`--link: ${JSON.stringify(input.link)} is not an http(s) URL`);
    }
  }
  done(problems);
  const action: ActionItem = {
    id: Math.max(0, ...incident.actions.map((a) => a.id)) + 1,
    title,
    type: (input.type ?? 'prevent') as ActionType,
    owner: input.owner.trim(),
    due: input.due,
    status: 'open',
    ...(link ? { link } : {}),
    ...(why !== undefined ? { addresses_why: why } : {}),
    ...(check ? { check } : {}),
    created_at: now,
  };
  return { incident: { ...incident, actions: [...incident.actions, action] }, action };
}

/** The action numbered `actionId` ("2" or "#2"), or an error naming the actions there are. */
export function findAction(incident: Incident, actionId: string): ActionItem {
  const action = incident.actions.find((a) => String(a.id) === actionId.trim().replace(/^#/, ''));
  if (!action) throw new IncidentInputError([`no action ${actionId} in incident ${incident.id} (actions: ${incident.actions.map((a) => a.id).join(', ') || 'none'})`]);
  return action;
}

/** `seal incident done <id> <action>`: closes an action by hand; one proved by a smoke check closes only when the check passes. */
export function closeAction(incident: Incident, actionId: string): Incident {
  const action = findAction(incident, actionId);
  if (action.check && action.status !== 'done') {
    throw new IncidentInputError([`action ${action.id} is proved by the smoke check "${action.check}": it is marked done when that check is in ${incident.app}'s suite and passes in a green seal recorded after the action (seal smoke ${incident.app})`]);
  }
  return { ...incident, actions: incident.actions.map((a) => (a.id === action.id ? { ...a, status: 'done' } : a)) };
}

/** `seal incident reassign <id> <action> [--owner O] [--due D]`: a new owner or due date, checked like a new action. */
export function reassignAction(incident: Incident, actionId: string, input: { owner?: string; due?: string }, today: string): Incident {
  const action = findAction(incident, actionId);
  if (input.owner === undefined && input.due === undefined) throw new IncidentInputError(['give --owner or --due']);
  const next = { ...action, ...(input.owner !== undefined ? { owner: input.owner.trim() } : {}), ...(input.due !== undefined ? { due: input.due.trim() } : {}) };
  const problems = actionErrors(next, today).filter((p) => (input.owner !== undefined && p.startsWith('--owner')) || (input.due !== undefined && p.startsWith('--due')));
  if (problems.length) throw new IncidentInputError(problems);
  return { ...incident, actions: incident.actions.map((a) => (a.id === action.id ? next : a)) };
}

/** A green seal in which an action's smoke check passed. */
export interface Proof {
  readonly run_id: string;
  readonly version: string | null;
  /** When the check passed (the runner's clock). */
  readonly at: string;
  /** When the store recorded the seal (its own clock, the one `created_at` of an action comes from). */
  readonly recorded_at: string;
}

/** Marks done the open actions with a proof (by action id) recorded after the action was added; null when none changes. */
export function creditActions(incident: Incident, proofs: ReadonlyMap<number, Proof>): Incident | null {
  let changed = false;
  const actions = incident.actions.map((a) => {
    const proof = proofs.get(a.id);
    if (!proof || a.status !== 'open' || !a.check || (a.created_at && Date.parse(proof.recorded_at) <= Date.parse(a.created_at))) return a;
    changed = true;
    return { ...a, status: 'done' as const, credited: proof };
  });
  return changed ? { ...incident, actions } : null;
}

export { ACTION_TYPES };
