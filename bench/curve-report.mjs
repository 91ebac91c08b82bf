// The cost curve's table, goals and SVG chart (bench/server-curve.mjs measures them).
import { NO_SECTION, goalRow, ms, times } from './report-format.mjs';

const n = (value) => Math.round(value).toLocaleString('en-US');

/** The curve as a Markdown table, one row per size. */
export function renderCurveTable(c) {
  return [
    `The same \`seal serve\` on Postgres ${c.postgres}, grown in place by SQL; ${c.concurrency} clients at once from a second process, ${c.loadMs / 1000} s per row and kind; the CLI commands as whole processes (\`seal release list\`: the median of 5). Chart: [BENCHMARKS-curve.svg](BENCHMARKS-curve.svg).`,
    '',
    '| releases | check results | `/deployments` p50 / p95 | release page p50 / p95 | badge p50 / p95 | `seal release list` | `seal audit verify` |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...c.points.map((p) => `| ${n(p.releases)} | ${n(p.checks)} | ${ms(p.board.p50)} / ${ms(p.board.p95)} | ${ms(p.page.p50)} / ${ms(p.page.p95)} | ${ms(p.badge.p50)} / ${ms(p.badge.p95)} | ${ms(p.listMs)} | ${ms(p.verifyMs)} |`),
  ].join('\n');
}

/** Issue 18's goals for the curve (item 6); every row says "not measured" when `c` is missing. */
export function curveGoals(c) {
  const p95 = (id, what, key) =>
    goalRow(id, `${what}: p95 ≤ 50 ms at every size of the curve, under concurrent load`, () => {
      if (!c) return NO_SECTION;
      const worst = Math.max(...c.points.map((p) => p[key].p95));
      return { measured: `${c.points.map((p) => `${ms(p[key].p95)} at ${n(p.releases)}`).join('; ')} (${c.concurrency} clients)`, figure: `${ms(worst)} at worst`, met: worst <= 50 };
    });
  return [
    p95('6a', '`/deployments`', 'board'),
    p95('6b', 'Release pages', 'page'),
    p95('6c', 'Badges', 'badge'),
    goalRow('6d', '`seal release list` at the largest size ≤ 1.2 × its time at the smallest', () => {
      if (!c) return NO_SECTION;
      const [first, last] = [c.points[0], c.points.at(-1)];
      return { measured: `${ms(last.listMs)} at ${n(last.releases)} releases, ${ms(first.listMs)} at ${n(first.releases)}`, figure: times(last.listMs / first.listMs), met: last.listMs <= 1.2 * first.listMs };
    }),
  ];
}

/** An SVG line chart of the three p95s against the size (log scale), with the 50 ms goal. */
export function renderCurveSvg(c) {
  const W = 640;
  const H = 340;
  const left = 60;
  const right = 150;
  const top = 30;
  const bottom = 50;
  const sizes = c.points.map((p) => p.releases);
  const lo = Math.log10(Math.min(...sizes));
  const hi = Math.log10(Math.max(...sizes));
  const yMax = Math.max(60, ...c.points.flatMap((p) => [p.board.p95, p.page.p95, p.badge.p95])) * 1.1;
  const x = (size) => left + (hi === lo ? 0.5 : (Math.log10(size) - lo) / (hi - lo)) * (W - left - right);
  const y = (value) => top + (1 - value / yMax) * (H - top - bottom);
  const series = [
    ['board', '/deployments', '#cf222e'],
    ['page', 'release page', '#0969da'],
    ['badge', 'badge', '#1a7f37'],
  ];
  const esc = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const lines = series.map(([key, label, colour], i) => {
    const points = c.points.map((p) => `${x(p.releases).toFixed(1)},${y(p[key].p95).toFixed(1)}`).join(' ');
    const dots = c.points.map((p) => `<circle cx="${x(p.releases).toFixed(1)}" cy="${y(p[key].p95).toFixed(1)}" r="3" fill="${colour}"/>`).join('');
    return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points}"/>${dots}<text x="${W - right + 12}" y="${top + 20 + i * 20}" fill="${colour}" font-size="13">${esc(label)} p95</text>`;
  });
  const ticks = Array.from({ length: 5 }, (_, i) => (yMax / 4) * i);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="bold">seal serve on Postgres: p95 latency against the ledger's size (${c.concurrency} clients)</text>`,
    ...ticks.map((t) => `<line x1="${left}" x2="${W - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#d0d7de"/><text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" font-size="11" text-anchor="end">${Math.round(t)} ms</text>`),
    `<line x1="${left}" x2="${W - right}" y1="${y(50).toFixed(1)}" y2="${y(50).toFixed(1)}" stroke="#9a6700" stroke-dasharray="6 4"/><text x="${W - right + 12}" y="${(y(50) + 4).toFixed(1)}" fill="#9a6700" font-size="12">goal: 50 ms</text>`,
    ...c.points.map((p) => `<text x="${x(p.releases).toFixed(1)}" y="${H - bottom + 18}" font-size="11" text-anchor="middle">${n(p.releases)}</text>`),
    `<text x="${(left + W - right) / 2}" y="${H - 12}" font-size="12" text-anchor="middle">releases in the ledger (log scale; ten check results per release)</text>`,
    ...lines,
    '</svg>',
    '',
  ].join('\n');
}
