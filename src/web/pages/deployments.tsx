/** @jsxImportSource hono/jsx */
/**
 * `/deployments`: each app's current seal with a chart of its last seals, then every release
 * newest first with its seal, run time, failing checks and incidents; filter by app and
 * verdict; paginated.
 */
import type { AuditStatus } from '../audit-watch.js';
import { AuditLine } from './audit.js';
import type { AppOverview, BoardDetails, BoardVerdict, ReleasePage } from '../../store/ledger.js';
import { sealChart } from './chart.js';
import { icon } from './icons.js';
import { formatAgo, formatDuration, formatUtc, releasePath } from './format.js';
import { html } from 'hono/html';
import { ListFilter, Page, sealBadge } from './layout.js';

/** What the page shows. */
export interface DeploymentsView {
  readonly page: ReleasePage;
  readonly details: ReadonlyMap<number, BoardDetails>;
  readonly overview: readonly AppOverview[];
  readonly apps: readonly string[];
  readonly app: string | null;
  readonly verdict: BoardVerdict | null;
  /** Whether this is an older page (a link back to the newest is shown). */
  readonly paged: boolean;
  /** The tier vocabulary's order, for each row's compact ladder (tiers it does not know go last). */
  readonly tierOrder: readonly string[];
  /** The audit log's newest verification (null: not yet, or not verified by this server). */
  readonly audit?: { readonly status: AuditStatus | null; readonly failure: string | null } | null;
  readonly now: Date;
}

/** A row's tiers as reported, in the ladder's order: a mark and the name each ("✓ unit ✗ e2e"). */
function tierMarks(tiers: BoardDetails['tiers'], order: readonly string[]) {
  if (tiers.length === 0) return '';
  const rank = (tier: string): number => (order.includes(tier) ? order.indexOf(tier) : order.length);
  const sorted = [...tiers].sort((a, b) => rank(a.tier) - rank(b.tier) || a.tier.localeCompare(b.tier));
  return html`<div class="tier-marks" title="test tiers reported on this release">${sorted.map((t) => html`<span class="${t.credited ? 'tier-credited' : 'tier-not_credited'}">${icon(t.credited ? 'passed' : 'failed')} ${t.tier}</span> `)}</div>`;
}

/** The verdicts the filter offers. */
export const BOARD_VERDICTS: readonly BoardVerdict[] = ['green', 'red', 'error', 'pending'];

function when(iso: string | null, now: Date) {
  if (!iso) return html`<span class="muted">-</span>`;
  return html`<time datetime="${iso}" title="${formatUtc(iso)}">${formatAgo(iso, now)}</time>`;
}

/** "Deployed": when it reached production, or (said so) when it was recorded, the same on every page. */
export function deployedCell(release: { deployed_at: string | null; created_at: string }, now: Date) {
  return release.deployed_at ? when(release.deployed_at, now) : html`<span>${when(release.created_at, now)} <span class="muted">(recorded)</span></span>`;
}

/** A release page link's text is the incident, so a red row leads to its post-mortem. */
function incidentLinks(incidents: BoardDetails['incidents']) {
  return incidents.map((i) => html` <a class="incident-link" href="/incidents/${i.id}" title="${i.title}">incident #${i.id} (SEV${i.severity})</a>`);
}

/**
 * One row. A tagged template rather than JSX: the board renders hundreds of rows a second and
 * this is about twice as fast (measured); `html` escapes every value all the same.
 */
function releaseRow(r: DeploymentsView['page']['releases'][number], detail: BoardDetails | undefined, now: Date, tierOrder: readonly string[]) {
  const status = r.smoke_seal?.status ?? 'pending';
  const failing = detail?.failing ?? [];
  const shownFailing = failing.slice(0, 5).join(', ') + (failing.length > 5 ? ` and ${failing.length - 5} more` : '');
  return html`<tr data-app="${r.app}" data-version="${r.version}" data-status="${status}"><td data-label="Seal">${sealBadge(r.smoke_seal)}</td><td data-label="App"><a href="/deployments?app=${encodeURIComponent(r.app)}">${r.app}</a></td><td data-label="Version"><a class="version" href="${releasePath(r.app, r.version)}">${r.version}</a></td><td data-label="Commit"><code>${r.sha ? r.sha.slice(0, 12) : '-'}</code></td><td data-label="Deployed">${deployedCell(r, now)}</td><td data-label="Checked">${when(r.smoke_seal?.checked_at ?? null, now)}</td><td data-label="Run time" class="num">${detail?.duration_ms == null ? html`<span class="muted">-</span>` : formatDuration(detail.duration_ms)}</td><td data-label="Failing" class="failing"><span>${failing.length > 0 ? shownFailing : html`<span class="muted">-</span>`}${incidentLinks(detail?.incidents ?? [])}</span></td><td data-label="Summary" class="summary"><div>${r.smoke_seal?.summary ?? 'not sealed yet'}${tierMarks(detail?.tiers ?? [], tierOrder)}</div></td></tr>`;
}

function Overview({ overview, now }: { overview: readonly AppOverview[]; now: Date }) {
  if (overview.length === 0) return null;
  return (
    <section class="overview" aria-label="Apps">
      {overview.map((o) => {
        const last = o.runs.at(-1);
        return (
          <div class="app-card" data-app={o.app}>
            <div class="app-head">
              <a class="app-name" href={`/deployments?app=${encodeURIComponent(o.app)}`}>{o.app}</a>
              {sealBadge(o.latest?.smoke_seal ?? null)}
            </div>
            <div class="muted">
              {o.latest ? <a href={releasePath(o.app, o.latest.version)}>{o.latest.version}</a> : 'no release'}
              {' · '}
              {last ? <>last checked {when(last.finished_at, now)}</> : 'never checked'}
            </div>
            {sealChart(o.app, o.runs)}
          </div>
        );
      })}
    </section>
  );
}

/** The board. */
export function DeploymentsPage({ page, details, overview, apps, app, verdict, paged, tierOrder, audit = null, now }: DeploymentsView) {
  const query = (extra: Record<string, string>) => `/deployments?${new URLSearchParams({ ...(app ? { app } : {}), ...(verdict ? { verdict } : {}), ...extra }).toString()}`;
  const title = `${app ? `${app}: ` : ''}${verdict ? `${verdict} ` : ''}deployments`;
  return (
    <Page title={title} live={app ?? '*'}>
      <div class="bar">
        <h1>{title.charAt(0).toUpperCase() + title.slice(1)}</h1>
        <ListFilter action="/deployments" apps={apps} app={app} verdicts={BOARD_VERDICTS} verdict={verdict} />
      </div>
      <Overview overview={overview} now={now} />
      {audit ? <AuditLine status={audit.status} failure={audit.failure} /> : null}
      {page.releases.length === 0 ? (
        verdict || paged ? (
          <p class="empty">No {verdict ? `${verdict} ` : ''}releases{app ? ` of ${app}` : ''} here. <a href="/deployments">Show every release</a></p>
        ) : (
          <p class="empty">
            No releases recorded yet. Record one with <code>seal release record APP --version V</code>, or report a seal with{' '}
            <code>seal smoke APP --server URL</code>.
          </p>
        )
      ) : (
        <table class="releases cards">
          <thead>
            <tr>
              <th>Seal</th>
              <th>App</th>
              <th>Version</th>
              <th>Commit</th>
              <th>Deployed</th>
              <th>Checked</th>
              <th>Run time</th>
              <th>Failing</th>
              <th>Summary</th>
            </tr>
          </thead>
          <tbody>
            {page.releases.map((r) => releaseRow(r, details.get(r.id), now, tierOrder))}
          </tbody>
        </table>
      )}
      <nav class="pages">
        {paged ? <a href={query({})}>← Newest</a> : null}
        {page.next !== null ? <a href={query({ before: String(page.next) })}>Older →</a> : null}
      </nav>
    </Page>
  );
}
