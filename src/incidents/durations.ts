/**
 * The durations a post-mortem reports, computed from the timeline's milestones, never typed:
 * time to detect, to mitigate (the outage), to resolve, and merge-to-impact latency. Times carry
 * their offsets when given and are compared as instants (UTC), so midnight and time zones do
 * not matter. Pure.
 */

/** The milestones a timeline can mark. */
export const MILESTONES = ['change_merged', 'deployed', 'impact_started', 'detected', 'acknowledged', 'mitigated', 'resolved'] as const;
/** A milestone. */
export type Milestone = (typeof MILESTONES)[number];

/** When each milestone happened (ISO 8601 instants), where known. */
export type MilestoneTimes = Partial<Record<Milestone, string>>;

/** A computed duration: milliseconds, or null with what is missing. */
export interface Duration {
  readonly ms: number | null;
  /** "2h 54m"; "unknown (needs impact_started, mitigated)" when a milestone is missing. */
  readonly text: string;
}

/** The durations of an incident. */
export interface IncidentDurations {
  readonly timeToDetect: Duration;
  /** impact_started to mitigated: the outage as users saw it. */
  readonly timeToMitigate: Duration;
  readonly timeToResolve: Duration;
  readonly mergeToImpact: Duration;
}

/** "2h 54m", "3d 4h", "45m", "30s", "0m". */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const total = Math.round(Math.abs(ms) / 1000);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  if (days > 0) return `${sign}${days}d ${hours}h${minutes ? ` ${minutes}m` : ''}`;
  if (hours > 0) return `${sign}${hours}h ${minutes}m`;
  if (minutes > 0) return `${sign}${minutes}m`;
  return total > 0 ? `${sign}${total}s` : '0m';
}

function between(times: MilestoneTimes, from: Milestone, to: Milestone): Duration {
  const start = times[from];
  const end = times[to];
  const missing = [from, to].filter((m) => !times[m]);
  if (!start || !end) return { ms: null, text: `unknown (needs ${missing.join(', ')})` };
  const ms = Date.parse(end) - Date.parse(start);
  return { ms, text: formatDuration(ms) };
}

/** Every duration the report shows. */
export function computeDurations(times: MilestoneTimes): IncidentDurations {
  return {
    timeToDetect: between(times, 'impact_started', 'detected'),
    timeToMitigate: between(times, 'impact_started', 'mitigated'),
    timeToResolve: between(times, 'impact_started', 'resolved'),
    mergeToImpact: between(times, 'change_merged', 'impact_started'),
  };
}

/** Milestones recorded out of their natural order (a warning: usually a typo in a time or an offset). */
export function milestonesOutOfOrder(times: MilestoneTimes): string[] {
  const known = MILESTONES.filter((m) => times[m]).map((m) => ({ m, at: Date.parse(times[m] as string) }));
  const problems: string[] = [];
  for (let i = 1; i < known.length; i++) {
    const before = known.slice(0, i).reduce((latest, k) => (k.at > latest.at ? k : latest));
    const current = known[i] as { m: Milestone; at: number };
    if (current.at < before.at) problems.push(`${current.m} (${new Date(current.at).toISOString()}) is before ${before.m} (${new Date(before.at).toISOString()})`);
  }
  return problems;
}
