/**
 * The board's one stylesheet and one script, served from /assets (the CSP allows scripts and
 * styles from the server itself only, never inline). The script only adds: live refresh when a
 * seal lands, and the copy button. Everything works without it.
 */

/** /assets/board.css */
export const BOARD_CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #fff; --line: #d1d9e0; --soft: #f6f8fa;
  --green: #1a7f37; --red: #cf222e; --grey: #6e7781; --amber: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --soft: #151b23;
  --green: #3fb950; --red: #f85149; --grey: #9198a1; --amber: #d29922; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: inherit; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--soft); padding: .5rem .75rem; border-radius: 6px; margin: .25rem 0; max-height: 30rem; overflow: auto; }
header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1rem; border-bottom: 1px solid var(--line); }
header.top .brand { font-weight: 700; text-decoration: none; }
header.top nav { display: flex; gap: 1rem; }
main { padding: 1rem; max-width: 80rem; margin: 0 auto; }
h1 { font-size: 1.4rem; margin: .2rem 0; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
.bar { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; }
.muted { color: var(--muted); }
.tag { display: inline-block; margin-right: .4rem; padding: 0 .4rem; border-radius: .3rem; font-size: .8rem; border: 1px solid var(--muted); color: var(--muted); white-space: nowrap; }
.badge { display: inline-flex; align-items: center; gap: .3rem; white-space: nowrap; padding: .05rem .5rem .05rem .3rem; border-radius: 1rem; font-size: .85rem; font-weight: 600; border: 1px solid currentColor; }
.badge-green { color: var(--green); } .badge-red { color: var(--red); } .badge-error { color: var(--grey); } .badge-pending { color: var(--amber); }
svg.icon { width: 1em; height: 1em; flex: none; vertical-align: -.15em; fill: currentColor; }
svg.icon .mark { fill: none; stroke: var(--bg); stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
svg.icon .ring { fill: none; stroke: currentColor; stroke-width: 1.6; } svg.icon .hand { fill: none; stroke: currentColor; stroke-width: 1.6; stroke-linecap: round; }
.tone-green { color: var(--green); } .tone-red { color: var(--red); } .tone-grey { color: var(--grey); } .tone-amber { color: var(--amber); }
.status { font-size: .8rem; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.status-passed { color: var(--green); } .status-failed { color: var(--red); } .status-error, .status-skipped { color: var(--grey); } .status-flaky { color: var(--amber); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
section.overview { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.app-card { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .75rem; display: flex; flex-direction: column; gap: .35rem; min-width: 0; }
.app-head { display: flex; justify-content: space-between; align-items: center; gap: .5rem; } .app-name { font-weight: 700; font-size: 1.05rem; overflow-wrap: anywhere; }
svg.seal-chart { max-width: 100%; height: auto; }
.bar-green { fill: var(--green); } .bar-red { fill: var(--red); } .bar-error { fill: var(--grey); }
form.filter { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
td.num { white-space: nowrap; } td.failing { color: var(--red); overflow-wrap: anywhere; } td.failing .muted { color: var(--muted); }
a.incident-link { display: inline-block; margin-left: .3rem; color: var(--red); font-weight: 600; white-space: nowrap; }
figure.timings { margin: .4rem 0; } figure.timings svg { display: block; border-radius: 3px; }
figure.timings figcaption { display: flex; flex-wrap: wrap; gap: .2rem .9rem; font-size: .85rem; color: var(--muted); }
.swatch { display: inline-block; width: .7rem; height: .7rem; border-radius: 2px; margin-right: .25rem; vertical-align: -.05rem; }
.timing-track { fill: var(--soft); }
.timing-dns { fill: #8250df; background: #8250df; } .timing-connect { fill: #bf8700; background: #bf8700; } .timing-tls { fill: #0969da; background: #0969da; }
.timing-wait { fill: #1a7f37; background: #1a7f37; } .timing-download { fill: #57606a; background: #57606a; }
table.headers { margin: .4rem 0; font-size: .9rem; } table.headers caption { text-align: left; font-weight: 600; padding: .2rem 0; }
table.headers th { font-weight: 500; color: var(--muted); width: 14rem; overflow-wrap: anywhere; } table.headers td { overflow-wrap: anywhere; }
.exchange .url, .url { overflow-wrap: break-word; word-break: normal; }
details.body > summary { cursor: pointer; color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.summary { overflow-wrap: anywhere; } td.url { overflow-wrap: break-word; }
tr.fresh { animation: fresh 3s ease-out; }
@keyframes fresh { from { background: var(--soft); } }
.pages { display: flex; gap: 1rem; margin-top: 1rem; }
.empty, .notice { padding: .75rem; background: var(--soft); border-radius: 6px; }
.summary.verdict-red { color: var(--red); font-weight: 600; } .summary.verdict-green { color: var(--green); font-weight: 600; }
.rollback { border: 2px solid var(--red); border-radius: 8px; padding: .5rem 1rem; }
.copy { display: flex; gap: .5rem; align-items: flex-start; } .copy pre { flex: 1; }
button { font: inherit; padding: .25rem .75rem; border-radius: 6px; border: 1px solid var(--line); background: var(--soft); color: inherit; cursor: pointer; }
.warnings { color: var(--amber); }
details.check { border: 1px solid var(--line); border-radius: 6px; margin: .4rem 0; padding: .4rem .75rem; }
details.check > summary { cursor: pointer; }
details.check-failed, details.check-error { border-color: var(--red); }
.blocked-writes { display: inline-block; white-space: nowrap; padding: 0 .45rem; border-radius: 1rem; font-size: .85rem; font-weight: 600; color: var(--amber); border: 1px solid currentColor; }
.check-blocked ul { margin: .2rem 0; padding-left: 1.2rem; } .check-blocked .url { overflow-wrap: anywhere; }
img.shot { max-width: 100%; max-height: 40rem; border: 1px solid var(--line); border-radius: 4px; margin: .5rem 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.evidence dt { font-weight: 600; margin-top: .4rem; } .evidence dd { margin: 0; }
span.overdue, strong.overdue { color: var(--red); font-weight: 700; } tr.overdue { background-color: color-mix(in srgb, var(--red) 12%, transparent); } tr.overdue > td:first-child { box-shadow: inset 3px 0 0 var(--red); }
.errors { color: var(--red); }
.blameless { font-style: italic; color: var(--muted); }
.prose { white-space: pre-wrap; overflow-wrap: anywhere; }
.wide { overflow-x: auto; }
ul.timeline, ol.whys { padding-left: 1.5rem; } ol.whys ul { margin: .2rem 0; }
table.impact th, table.metrics th { width: 18rem; font-weight: 600; }
.tier-marks { margin-top: .2rem; font-size: .85rem; color: var(--muted); } .tier-marks span { white-space: nowrap; margin-right: .4rem; }
table.tiers td code { overflow-wrap: anywhere; }
p.audit { font-size: .9rem; margin: .5rem 0; } p.audit svg { vertical-align: -2px; } .audit-ok { color: var(--muted); } .audit-ok svg { color: var(--green); } .audit-broken { color: var(--red); font-weight: 600; overflow-wrap: anywhere; }
table.trail td { overflow-wrap: anywhere; font-size: .9rem; }
form.login { display: flex; flex-direction: column; gap: .75rem; max-width: 24rem; }
@media (max-width: 700px) {
  main { padding: .75rem; }
  header.top { flex-wrap: wrap; gap: .5rem 1rem; }
  table.cards thead { display: none; }
  table.cards, table.cards tbody { display: block; }
  table.cards tr { display: block; border: 1px solid var(--line); border-radius: 8px; padding: .5rem .75rem; margin: .5rem 0; }
  table.cards td { display: flex; gap: .75rem; border: 0; padding: .15rem 0; min-width: 0; }
  table.cards td > * { min-width: 0; }
  table.cards td::before { content: attr(data-label); flex: none; width: 5.5rem; color: var(--muted); }
  table.assertions td:nth-child(3), table.assertions th:nth-child(3) { display: none; }
  table.headers th { width: 40%; }
}
`;

/** /assets/board.js */
export const BOARD_JS = `'use strict';
// Copy buttons: the rollback command to the clipboard (selected instead where the clipboard is not allowed).
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-copy]');
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const select = () => { const range = document.createRange(); range.selectNodeContents(source); const s = getSelection(); s.removeAllRanges(); s.addRange(range); };
  const done = (label) => { button.textContent = label; setTimeout(() => { button.textContent = 'Copy'; }, 2000); };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(source.textContent).then(() => done('Copied'), () => { select(); done('Selected'); });
  else { select(); done('Selected: press Ctrl+C'); }
});
// Live board: when a seal or release lands, the page reloads its own content in place.
(() => {
  const live = document.getElementById('live');
  if (!live || !live.dataset.live || !('EventSource' in window)) return;
  const watched = live.dataset.live;
  let timer = null;
  const refresh = async () => {
    const response = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
    if (!response.ok) return;
    const next = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('live');
    const current = document.getElementById('live');
    if (!next || !current) return;
    const before = new Set([...current.querySelectorAll('tr[data-version]')].map((row) => row.dataset.app + '\\u0000' + row.dataset.version + '\\u0000' + row.dataset.status));
    const open = new Set([...current.querySelectorAll('details[open] > summary')].map((s) => s.textContent));
    for (const details of next.querySelectorAll('details')) { const s = details.querySelector('summary'); if (s && open.has(s.textContent)) details.open = true; }
    for (const row of next.querySelectorAll('tr[data-version]')) if (!before.has(row.dataset.app + '\\u0000' + row.dataset.version + '\\u0000' + row.dataset.status)) row.classList.add('fresh');
    current.replaceWith(next);
    document.documentElement.dataset.refreshed = String(Number(document.documentElement.dataset.refreshed || 0) + 1);
  };
  const source = new EventSource('/events');
  const onEvent = (event) => {
    let data = {};
    try { data = JSON.parse(event.data); } catch { return; }
    if (watched !== '*' && data.app && data.app !== watched) return;
    clearTimeout(timer);
    timer = setTimeout(() => { refresh().catch(() => undefined); }, 250);
  };
  for (const type of ['seal', 'release', 'change']) source.addEventListener(type, onEvent);
})();
`;
