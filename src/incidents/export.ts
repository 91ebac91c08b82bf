/**
 * `seal incident export --format md`: the post-mortem as the document people read. Blameless
 * statement, summary, impact, timeline in UTC with milestones in bold, key metrics (computed),
 * the whys then the systemic cause, contributing factors, lessons, owned and dated action items,
 * supporting information. Pure: `today` marks overdue actions.
 */
import { escapeNotesText } from '../seal/notes-block.js';
import { incidentDurations, isOverdue, type Incident, type Why } from './model.js';

/** The statement every report opens with. */
export const BLAMELESS_STATEMENT =
  'This is a blameless post-mortem. It describes what the system made easy and hard, not who is at fault: people did what made sense with what they knew at the time.';

/** People's text: Markdown they typed stays, but no raw HTML (the report is rendered elsewhere). */
const block = (text: string): string => text.replaceAll('<', '&lt;').replaceAll('>', '&gt;');
/** On one line (a heading, a list item, a why): a newline cannot start a heading of its own. */
const inline = (text: string): string => block(text).replace(/\s*\r?\n\s*/g, ' ');
const cell = (text: string): string => inline(text).replace(/\|/g, '\\|');
const utc = (iso: string): string => `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const list = (items: readonly string[]): string => (items.length ? items.map((i) => `- ${inline(i)}`).join('\n') : '- (none recorded)');

function whyLines(whys: readonly Why[], depth: number, numbered: boolean): string[] {
  return whys.flatMap((w, i) => [`${'   '.repeat(depth)}${numbered && depth === 0 ? `${i + 1}.` : '-'} ${depth === 0 ? `Why? ${inline(w.answer)}` : inline(w.answer)}`, ...whyLines(w.children ?? [], depth + 1, false)]);
}

/** The report in Markdown. */
export function renderReport(incident: Incident, { today }: { today: string }): string {
  const d = incidentDurations(incident);
  const impact = incident.impact;
  const timeline = [...incident.timeline].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const sections = [
    `# Post-mortem: ${inline(incident.title)}`,
    `_${BLAMELESS_STATEMENT}_`,
    `| | |\n|---|---|\n| App | ${cell(incident.app)} |\n| Release | ${cell(incident.release ?? '-')} |\n| Severity | ${incident.severity} |\n| Status | ${incident.status} |`,
    `## Summary\n\n${block(incident.summary) || '(no summary yet)'}`,
    `## Impact\n\n| | |\n|---|---|\n| Users affected | ${impact?.users?.toLocaleString('en-US') ?? 'unknown'} |\n| Support calls | ${impact?.support_calls?.toLocaleString('en-US') ?? 'unknown'} |\n| Outage (impact to mitigation) | ${d.timeToMitigate.text} |${impact?.text ? `\n\n${block(impact.text)}` : ''}${impact?.unknown_reason ? `\n\nUnknown figures: ${inline(impact.unknown_reason)}` : ''}`,
    `## Timeline (UTC)\n\n${timeline.length ? timeline.map((e) => `- ${utc(e.at)}: ${e.milestone ? `**${e.milestone.replace(/_/g, ' ')}**: ` : ''}${e.from_seal ? escapeNotesText(e.text) : inline(e.text)}`).join('\n') : '- (no events yet)'}`,
    `## Key metrics\n\n| Metric | Value |\n|---|---|\n| Time to detect | ${d.timeToDetect.text} |\n| Time to mitigate (outage) | ${d.timeToMitigate.text} |\n| Time to resolve | ${d.timeToResolve.text} |\n| Merge to impact | ${d.mergeToImpact.text} |`,
    `## Root cause\n\n${incident.whys.length ? whyLines(incident.whys, 0, true).join('\n') : '(no whys yet)'}\n\n**Systemic cause:** ${incident.root_cause ? block(incident.root_cause) : '(not yet stated)'}`,
    `## Contributing factors\n\n${list(incident.contributing_factors)}`,
    `## What went well\n\n${list(incident.lessons.went_well)}\n\n## What went wrong\n\n${list(incident.lessons.went_wrong)}\n\n## Where we got lucky\n\n${list(incident.lessons.lucky)}`,
    `## Action items\n\n| Action | Type | Owner | Due | Status | Link |\n|---|---|---|---|---|---|\n${
      incident.actions.length
        ? incident.actions.map((a) => `| ${cell(a.title)}${a.check ? ` (proved by smoke check "${cell(a.check)}")` : ''} | ${a.type} | ${cell(a.owner)} | ${a.due} | ${isOverdue(a, today) ? '**overdue**' : a.status} | ${a.link ? cell(a.link) : '-'} |`).join('\n')
        : '| (none yet) | | | | | |'
    }`,
    `## Supporting information\n\n${list(incident.supporting)}`,
  ];
  return `${sections.join('\n\n')}\n`;
}
