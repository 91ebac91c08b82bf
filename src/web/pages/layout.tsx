/** @jsxImportSource hono/jsx */
/** The page frame: no inline script or style (the CSP forbids them), readable without JavaScript. */
import type { Child } from 'hono/jsx';
import { html, raw } from 'hono/html';
import type { SmokeSeal } from '../../store/schema.js';
import { icon } from './icons.js';

/** The badge of a seal, or of a release nobody has sealed yet (a template: the board renders many): icon, colour and word. */
export function sealBadge(seal: SmokeSeal | null) {
  const status = seal?.status ?? 'pending';
  return html`<span class="badge badge-${status}" title="${seal ? `${status}: ${seal.summary}` : 'not sealed yet'}">${icon(status)}<span>${status}</span></span>`;
}

/** The badge as a component. */
export function SealBadge({ seal }: { seal: SmokeSeal | null }) {
  return <>{sealBadge(seal)}</>;
}

/** A whole page. `live`: the app whose seals refresh this page ("*": any). */
export function Page({ title, live, children }: { title: string; live?: string; children: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · smoke-seal`}</title>
          <link rel="stylesheet" href="/assets/board.css" />
          <script src="/assets/board.js" defer></script>
        </head>
        <body>
          <header class="top">
            <a class="brand" href="/deployments">smoke-seal</a>
            <nav>
              <a href="/deployments">Deployments</a>
              <a href="/incidents">Incidents</a>
              <a href="/api/openapi.json">API</a>
            </nav>
          </header>
          <main id="live" data-live={live}>
            {children}
          </main>
        </body>
      </html>
    </>
  );
}

/** One filter of a list page: a labelled select whose empty choice means "any". */
function Choice({ label, name, any, options, selected }: { label: string; name: string; any: string; options: readonly string[]; selected: string | null }) {
  return (
    <label>
      {label}{' '}
      <select name={name}>
        <option value="">{any}</option>
        {options.map((option) => (
          <option value={option} selected={option === selected}>{option}</option>
        ))}
      </select>
    </label>
  );
}

/**
 * The "App: [all apps ▾] (Seal: [any ▾]) Show" filter of a list page; works without JavaScript.
 * `verdicts`: offer a seal filter too (the deployments board).
 */
export function ListFilter({ action, apps, app, verdicts, verdict = null }: { action: string; apps: readonly string[]; app: string | null; verdicts?: readonly string[]; verdict?: string | null }) {
  return (
    <form method="get" action={action} class="filter">
      <Choice label="App" name="app" any="All apps" options={apps} selected={app} />
      {verdicts ? <Choice label="Seal" name="verdict" any="Any seal" options={verdicts} selected={verdict} /> : null}
      <button type="submit">Show</button>
    </form>
  );
}
