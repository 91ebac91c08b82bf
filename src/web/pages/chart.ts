/**
 * The small chart of an app's last seals on the board's overview: one bar per seal, oldest on
 * the left, its height the run's time (against the slowest shown), its colour the verdict, and
 * a word for it in the bar's title. Server-rendered SVG: no script, within the CSP (no inline style).
 */
import { html } from 'hono/html';
import type { AppOverview } from '../../store/ledger.js';
import { formatDuration, formatUtc, releasePath } from './format.js';

const BAR = 7;
const GAP = 2;
const HEIGHT = 36;
/** The shortest bar drawn, so that a fast seal is still seen. */
const MIN_BAR = 3;

/** The chart of `runs` (oldest first), or a word when there are none. */
export function sealChart(app: string, runs: AppOverview['runs']) {
  if (runs.length === 0) return html`<span class="muted">no seals yet</span>`;
  const slowest = Math.max(...runs.map((r) => r.duration_ms), 1);
  const width = runs.length * (BAR + GAP) - GAP;
  const bars = runs.map((run, i) => {
    const height = Math.max(MIN_BAR, Math.round((run.duration_ms / slowest) * HEIGHT));
    const label = `${run.version ?? 'no release'}: ${run.verdict}, ${formatDuration(run.duration_ms)}, ${formatUtc(run.finished_at)}`;
    const href = run.version ? `${releasePath(app, run.version)}?run=${run.run_id}` : null;
    const rect = html`<rect class="bar-${run.verdict}" x="${i * (BAR + GAP)}" y="${HEIGHT - height}" width="${BAR}" height="${height}" rx="1"><title>${label}</title></rect>`;
    return href ? html`<a href="${href}">${rect}</a>` : rect;
  });
  const counts = { green: 0, red: 0, error: 0 };
  for (const run of runs) counts[run.verdict] += 1;
  const summary = `last ${runs.length} seal${runs.length === 1 ? '' : 's'}: ${counts.green} green, ${counts.red} red, ${counts.error} error; bar height is run time (slowest ${formatDuration(slowest)})`;
  return html`<svg class="seal-chart" viewBox="0 0 ${width} ${HEIGHT}" width="${width}" height="${HEIGHT}" role="img" aria-label="${summary}"><title>${summary}</title>${bars}</svg>`;
}
