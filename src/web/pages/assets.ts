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
.badge { display: inline-block; white-space: nowrap; padding: .05rem .5rem; border-radius: 1rem; font-size: .85rem; font-weight: 600; border: 1px solid currentColor; }
.badge-green { color: var(--green); } .badge-red { color: var(--red); } .badge-error { color: var(--grey); } .badge-pending { color: var(--amber); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.summary, td.url { overflow-wrap: anywhere; }
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
form.login { display: flex; flex-direction: column; gap: .75rem; max-width: 24rem; }
@media (max-width: 700px) {
  table.releases thead { display: none; }
  table.releases tr { display: block; border-bottom: 1px solid var(--line); padding: .5rem 0; }
  table.releases td { display: flex; gap: .75rem; border: 0; padding: .15rem 0; }
  table.releases td::before { min-width: 5.5rem; color: var(--muted); }
  table.releases td:nth-child(1)::before { content: "Seal"; } table.releases td:nth-child(2)::before { content: "App"; }
  table.releases td:nth-child(3)::before { content: "Version"; } table.releases td:nth-child(4)::before { content: "Commit"; }
  table.releases td:nth-child(5)::before { content: "Deployed"; } table.releases td:nth-child(6)::before { content: "Checked"; }
  table.releases td:nth-child(7)::before { content: "Summary"; }
  table.assertions td:nth-child(3), table.assertions th:nth-child(3) { display: none; }
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
