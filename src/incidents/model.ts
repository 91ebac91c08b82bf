/** An incident and its post-mortem, as plain data (stored as one document, changed whole). */
import type { ActionType } from './actions.js';
import { computeDurations, type IncidentDurations, type Milestone } from './durations.js';

/** Where the post-mortem stands. */
export type IncidentStatus = 'draft' | 'in review' | 'published';

/** One line of the timeline; a milestone marks the moments the durations are computed from. */
export interface TimelineEvent {
  /** ISO 8601 in UTC (given with an offset, stored as UTC). */
  readonly at: string;
  readonly text: string;
  readonly milestone?: Milestone;
  /** The seal run it was pre-filled from: its text came from production (escaped in Markdown). */
  readonly from_seal?: string;
}

/** Who and what was affected; unknown figures need a reason. */
export interface Impact {
  readonly users: number | null;
  readonly support_calls: number | null;
  readonly text: string;
  /** Why a figure is unknown (required when one is null). */
  readonly unknown_reason?: string;
}

/** One answer in the chain of whys; `children` are branches from it, when a team needs a tree. */
export interface Why {
  readonly answer: string;
  readonly children?: readonly Why[];
}

/** An action item. */
export interface ActionItem {
  readonly id: number;
  readonly title: string;
  readonly type: ActionType;
  readonly owner: string;
  /** YYYY-MM-DD */
  readonly due: string;
  readonly status: 'open' | 'done';
  readonly link?: string;
  /** Which why it addresses (1-based position along the first chain). */
  readonly addresses_why?: number;
  /** The smoke check that proves it (credited done when it passes in a later green seal). */
  readonly check?: string;
  /** When it was added (UTC): only a seal after this can prove it. */
  readonly created_at?: string;
  /** The green seal that proved it, when its check passed there. */
  readonly credited?: { readonly run_id: string; readonly version: string | null; readonly at: string; readonly recorded_at?: string };
}

/** An incident with its post-mortem. */
export interface Incident {
  readonly id: number;
  readonly app: string;
  readonly release: string | null;
  readonly title: string;
  /** 1 (worst) to 4. */
  readonly severity: 1 | 2 | 3 | 4;
  readonly status: IncidentStatus;
  readonly summary: string;
  readonly timeline: readonly TimelineEvent[];
  readonly impact: Impact | null;
  readonly whys: readonly Why[];
  readonly root_cause: string | null;
  readonly contributing_factors: readonly string[];
  readonly lessons: { readonly went_well: readonly string[]; readonly went_wrong: readonly string[]; readonly lucky: readonly string[] };
  readonly actions: readonly ActionItem[];
  /** Names of the people involved (the blame lint flags them in the text). */
  readonly people: readonly string[];
  readonly supporting: readonly string[];
}

/** The main chain of whys, top to bottom (branches hang off a why as `children`). */
export function whyChain(whys: readonly Why[]): string[] {
  return whys.map((w) => w.answer);
}

/** When each milestone happened, from the timeline (the last mark of a milestone wins). */
export function milestoneTimes(timeline: readonly TimelineEvent[]): Partial<Record<Milestone, string>> {
  const times: Partial<Record<Milestone, string>> = {};
  for (const event of timeline) if (event.milestone) times[event.milestone] = event.at;
  return times;
}

/** The machine's local date (YYYY-MM-DD): what "not in the past" and "overdue" are measured against. */
export function localDate(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/** Whether an action is still open after its due date (`today`, YYYY-MM-DD). */
export function isOverdue(action: Pick<ActionItem, 'status' | 'due'>, today: string): boolean {
  return action.status === 'open' && action.due < today;
}

/** The incident's durations, from its timeline's milestones. */
export function incidentDurations(incident: Pick<Incident, 'timeline'>): IncidentDurations {
  return computeDurations(milestoneTimes(incident.timeline));
}
