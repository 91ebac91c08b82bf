/** @jsxImportSource hono/jsx */
/** `/deployments`: every release newest first, with its seal; filter by app; paginated. */
import type { ReleasePage } from '../../store/ledger.js';
import { formatAgo, formatUtc, releasePath } from './format.js';
import { Page, SealBadge } from './layout.js';

/** What the page shows. */
export interface DeploymentsView {
  readonly page: ReleasePage;
  readonly apps: readonly string[];
  readonly app: string | null;
  /** Whether this is an older page (a link back to the newest is shown). */
  readonly paged: boolean;
  readonly now: Date;
}

function When({ iso, now }: { iso: string | null; now: Date }) {
  if (!iso) return <span class="muted">-</span>;
  return <time datetime={iso} title={formatUtc(iso)}>{formatAgo(iso, now)}</time>;
}

/** The board. */
export function DeploymentsPage({ page, apps, app, paged, now }: DeploymentsView) {
  const query = (extra: Record<string, string>) => `/deployments?${new URLSearchParams({ ...(app ? { app } : {}), ...extra }).toString()}`;
  return (
    <Page title={app ? `${app} deployments` : 'Deployments'} live={app ?? '*'}>
      <div class="bar">
        <h1>{app ? `${app}: deployments` : 'Deployments'}</h1>
        <form method="get" action="/deployments" class="filter">
          <label>
            App{' '}
            <select name="app">
              <option value="">All apps</option>
              {apps.map((name) => (
                <option value={name} selected={name === app}>{name}</option>
              ))}
            </select>
          </label>
          <button type="submit">Show</button>
        </form>
      </div>
      {page.releases.length === 0 ? (
        <p class="empty">
          No releases recorded yet. Record one with <code>seal release record APP --version V</code>, or report a seal with{' '}
          <code>seal smoke APP --server URL</code>.
        </p>
      ) : (
        <table class="releases">
          <thead>
            <tr>
              <th>Seal</th>
              <th>App</th>
              <th>Version</th>
              <th>Commit</th>
              <th>Deployed</th>
              <th>Checked</th>
              <th>Summary</th>
            </tr>
          </thead>
          <tbody>
            {page.releases.map((r) => (
              <tr data-app={r.app} data-version={r.version} data-status={r.smoke_seal?.status ?? 'pending'}>
                <td data-label="Seal"><SealBadge seal={r.smoke_seal} /></td>
                <td data-label="App"><a href={`/deployments?app=${encodeURIComponent(r.app)}`}>{r.app}</a></td>
                <td data-label="Version"><a class="version" href={releasePath(r.app, r.version)}>{r.version}</a></td>
                <td data-label="Commit"><code>{r.sha ? r.sha.slice(0, 12) : '-'}</code></td>
                <td data-label="Deployed"><When iso={r.deployed_at ?? r.created_at} now={now} /></td>
                <td data-label="Checked"><When iso={r.smoke_seal?.checked_at ?? null} now={now} /></td>
                <td data-label="Summary" class="summary">{r.smoke_seal?.summary ?? 'not sealed yet'}</td>
              </tr>
            ))}
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
