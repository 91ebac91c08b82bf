/** @jsxImportSource hono/jsx */
/**
 * `/releases/<app>/<version>`: the seal, its history, every check with its assertions, timings
 * and evidence, the writes the guard blocked and, on red, the exact rollback command. Everything
 * from production is text in the page, escaped by JSX, capped in size.
 */
import { basename } from 'node:path';
import { isRollbackWarning } from '../../runner/rollback.js';
import { blockedOf, describeBlocked, type CheckResult, type RunResult } from '../../runner/run-result.js';
import type { DeliveryRecord } from '../../store/deliveries.js';
import type { Incident } from '../../incidents/model.js';
import type { ReleaseRecord, SealHistoryEntry } from '../../store/ledger.js';
import { capText, evidenceText, formatAgo, formatDuration, formatUtc, releasePath } from './format.js';
import { Page, SealBadge } from './layout.js';

/** What the page shows. */
export interface ReleaseView {
  readonly release: ReleaseRecord;
  readonly history: readonly SealHistoryEntry[];
  /** The run shown: the current seal's, or the one asked for with ?run=. */
  readonly run: RunResult | null;
  /** Names of the run's screenshots kept in the store. */
  readonly images: readonly string[];
  /** How telling people of the shown run went. */
  readonly deliveries: readonly DeliveryRecord[];
  /** Incidents opened on this release. */
  readonly incidents: readonly Pick<Incident, 'id' | 'title' | 'severity'>[];
  readonly now: Date;
}

const STATUS_ICON: Record<CheckResult['status'], string> = { passed: '✅', failed: '❌', flaky: '⚠️', error: '⚪', skipped: '⏭' };

/** Blocked writes shown on a check's row (the rest are counted). */
const SHOWN_BLOCKED = 20;

function Check({ check, run, images }: { check: CheckResult; run: RunResult; images: readonly string[] }) {
  const bad = check.status === 'failed' || check.status === 'error' || check.status === 'flaky';
  const blocked = blockedOf(check);
  return (
    <details class={`check check-${check.status}`} open={bad || blocked.length > 0}>
      <summary>
        <span class="icon" aria-label={check.status}>{STATUS_ICON[check.status]}</span> <strong>{check.name}</strong>{' '}
        <span class="muted">{check.kind} · {formatDuration(check.duration_ms)}{check.attempts > 1 ? ` · ${check.attempts} attempts` : ''}</span>
        {blocked.length > 0 ? <> <span class="blocked-writes">{describeBlocked(blocked.length)}</span></> : null}
      </summary>
      {check.error ? <pre class="error">{capText(check.error, 4000)}</pre> : null}
      {blocked.length > 0 ? (
        <div class="check-blocked">
          <p class="muted">Answered by the read-only guard itself (204), never sent to production: what this check saw after them came from the guard.</p>
          <ul>
            {blocked.slice(0, SHOWN_BLOCKED).map((b) => (
              <li><code>{b.method}</code> <span class="url">{capText(b.url, 500)}</span>{b.location ? <span class="muted"> · {capText(b.location, 300)}</span> : null}{b.reason ? <span class="muted"> · {capText(b.reason, 300)}</span> : null}</li>
            ))}
          </ul>
          {blocked.length > SHOWN_BLOCKED ? <p class="muted">… and {blocked.length - SHOWN_BLOCKED} more.</p> : null}
        </div>
      ) : null}
      {check.assertions.length > 0 ? (
        <table class="assertions">
          <thead>
            <tr><th></th><th>Assertion</th><th>Expected</th><th>Actual</th></tr>
          </thead>
          <tbody>
            {check.assertions.map((a) => (
              <tr class={a.ok ? 'ok' : 'not-ok'}>
                <td>{a.ok ? '✅' : '❌'}</td>
                <td>{a.label}{a.message ? <div class="muted">{capText(a.message, 1000)}</div> : null}</td>
                <td><code>{evidenceText(a.expected, 500)}</code></td>
                <td><code>{evidenceText(a.actual, 500)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Evidence evidence={check.evidence} run={run} images={images} name={check.name} />
    </details>
  );
}

function Image({ path, run, images, alt }: { path: unknown; run: RunResult; images: readonly string[]; alt: string }) {
  if (typeof path !== 'string') return null;
  const name = basename(path);
  if (images.includes(name)) {
    const src = `/runs/${run.run_id}/evidence/${encodeURIComponent(name)}`;
    return <a href={src}><img class="shot" src={src} alt={alt} loading="lazy" /></a>;
  }
  return <p class="muted">Screenshot on the machine that ran the seal: <code>{path}</code></p>;
}

function Evidence({ evidence, run, images, name }: { evidence: CheckResult['evidence']; run: RunResult; images: readonly string[]; name: string }) {
  const entries = Object.entries(evidence)
    .filter(([key]) => key !== 'screenshot' && key !== 'trace' && key !== 'attachments')
    .flatMap(([key, value]) => splitLongText(key, value));
  const attachments = Array.isArray(evidence.attachments) ? (evidence.attachments as { name?: unknown; path?: unknown; content_type?: unknown }[]) : [];
  return (
    <div class="evidence">
      <Image path={evidence.screenshot} run={run} images={images} alt={`screenshot of ${name}`} />
      {attachments.filter((a) => typeof a.content_type === 'string' && a.content_type.startsWith('image/')).map((a) => (
        <Image path={a.path} run={run} images={images} alt={`${String(a.name)} of ${name}`} />
      ))}
      {typeof evidence.trace === 'string' ? (
        <p class="muted">Playwright trace on the machine that ran the seal: <code>npx playwright show-trace {evidence.trace}</code></p>
      ) : null}
      {entries.length > 0 ? (
        <dl>
          {entries.map(([key, value]) => (
            <>
              <dt>{key}</dt>
              <dd><pre>{evidenceText(value)}</pre></dd>
            </>
          ))}
        </dl>
      ) : null}
    </div>
  );
}

/** Long text inside an evidence object (a response body excerpt) gets its own block instead of a JSON string with escapes. */
function splitLongText(key: string, value: unknown): [string, unknown][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [[key, value]];
  const rest: Record<string, unknown> = {};
  const long: [string, unknown][] = [];
  for (const [field, inner] of Object.entries(value)) {
    if (typeof inner === 'string' && (inner.length > 120 || inner.includes('\n'))) long.push([`${key}.${field}`, inner]);
    else rest[field] = inner;
  }
  return [[key, rest], ...long];
}

function Rollback({ run }: { run: RunResult }) {
  if (run.verdict !== 'red') return null;
  return (
    <section class="rollback">
      <h2>Roll back</h2>
      {run.rollback ? (
        <>
          <p>The operator decides: smoke-seal never runs this command.</p>
          <div class="copy">
            <pre id="rollback-command">{run.rollback}</pre>
            <button type="button" data-copy="rollback-command">Copy</button>
          </div>
        </>
      ) : run.reported_rollback ? (
        <>
          <p>
            This server has no rollback template for {run.app} (start it with <code>seal serve --config</code> naming the app), so it shows no command to copy. The reporter, token <strong>{run.reported_rollback.token}</strong>, sent this text, which this server has not checked:
          </p>
          <blockquote class="reported-rollback">{run.reported_rollback.command}</blockquote>
        </>
      ) : (
        <p>The rollback command is incomplete: {run.warnings.find(isRollbackWarning) ?? 'the app has no rollback template value for this release'}.</p>
      )}
    </section>
  );
}

/** The release page. */
const DELIVERY_ICON: Record<DeliveryRecord['status'], string> = { delivered: '✅', unchanged: '➖', failed: '❌', skipped: '⏭' };

function Deliveries({ deliveries }: { deliveries: readonly DeliveryRecord[] }) {
  if (deliveries.length === 0) return <p class="muted">No notifier was told of this run (see notify: in the config).</p>;
  return (
    <table class="deliveries">
      <thead><tr><th></th><th>Where</th><th>What happened</th><th>Attempts</th><th>Time</th></tr></thead>
      <tbody>
        {deliveries.map((d) => (
          <tr data-target={d.target} data-status={d.status}>
            <td>{DELIVERY_ICON[d.status]}</td>
            <td>{d.target}</td>
            <td class="summary">{capText(d.detail, 1000)}</td>
            <td>{d.attempts}</td>
            <td>{formatDuration(d.duration_ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ReleasePage({ release, history, run, images, deliveries, incidents, now }: ReleaseView) {
  const current = release.smoke_seal?.run_id ?? null;
  return (
    <Page title={`${release.app} ${release.version}`} live={release.app}>
      <div class="bar">
        <h1>
          <a href={`/deployments?app=${encodeURIComponent(release.app)}`}>{release.app}</a> {release.version} <SealBadge seal={release.smoke_seal} />
        </h1>
      </div>
      <dl class="facts">
        <dt>Commit</dt><dd><code>{release.sha ?? '-'}</code></dd>
        <dt>Merge commit</dt><dd><code>{release.merge_sha ?? '-'}</code></dd>
        <dt>Branch</dt><dd>{release.branch ?? '-'}</dd>
        <dt>Deployed</dt><dd>{release.deployed_at ? formatUtc(release.deployed_at) : `- (recorded ${formatUtc(release.created_at)})`}</dd>
        <dt>Previous</dt><dd>{release.previous_version ? <a href={releasePath(release.app, release.previous_version)}>{release.previous_version}</a> : '-'}</dd>
        <dt>Checked</dt><dd>{release.smoke_seal ? `${formatUtc(release.smoke_seal.checked_at)} (${formatAgo(release.smoke_seal.checked_at, now)})` : 'not sealed yet'}</dd>
      </dl>
      {incidents.length > 0 ? (
        <p class="incidents">
          Incidents:{' '}
          {incidents.map((i, n) => (
            <>{n > 0 ? ', ' : ''}<a href={`/incidents/${i.id}`}>#{i.id} SEV{i.severity}: {i.title}</a></>
          ))}
        </p>
      ) : null}
      {run ? (
        <>
          {run.run_id !== current ? (
            <p class="notice">
              Showing an earlier run ({formatUtc(run.finished_at)}). <a href={releasePath(release.app, release.version)}>Show the current seal</a>
            </p>
          ) : null}
          <p class={`summary verdict-${run.verdict}`}>{run.summary}</p>
          <Rollback run={run} />
          {run.warnings.length > 0 ? (
            <ul class="warnings">{run.warnings.map((w) => <li>{capText(w, 2000)}</li>)}</ul>
          ) : null}
          <h2>Checks</h2>
          <p class="muted">Against <code>{run.base_url}</code> · {formatDuration(run.duration_ms)} · run {run.run_id}</p>
          {run.checks.map((check) => <Check check={check} run={run} images={images} />)}
          <h2>Told</h2>
          <Deliveries deliveries={deliveries} />
          <h2>Blocked writes</h2>
          {run.blocked_requests.length === 0 ? (
            <p class="muted">None: no check tried to write to production.</p>
          ) : (
            <table class="blocked">
              <thead><tr><th>Check</th><th>Method</th><th>URL</th></tr></thead>
              <tbody>
                {run.blocked_requests.slice(0, 200).map((b) => (
                  <tr><td>{b.check}{b.location ? <div class="muted">{capText(b.location, 300)}</div> : null}</td><td>{b.method}</td><td class="url">{capText(b.url, 500)}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : (
        <p class="empty">Not sealed yet. Seal it with <code>seal smoke {release.app} --release {release.version}</code>.</p>
      )}
      <h2>Seal history</h2>
      {history.length === 0 ? (
        <p class="muted">No seal runs yet.</p>
      ) : (
        <table class="history">
          <thead><tr><th>Finished</th><th>Seal</th><th>Summary</th><th></th></tr></thead>
          <tbody>
            {history.map((h) => (
              <tr class={h.run_id === run?.run_id ? 'shown' : ''}>
                <td>{formatUtc(h.finished_at)}</td>
                <td><SealBadge seal={{ status: h.status, summary: h.summary, checked_at: h.finished_at, run_id: h.run_id }} /></td>
                <td class="summary">{h.summary}</td>
                <td>{h.run_id === current ? 'current' : <a href={`${releasePath(release.app, release.version)}?run=${h.run_id}`}>show</a>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {release.notes ? (
        <details class="notes">
          <summary>Release notes</summary>
          <pre>{capText(release.notes, 100_000)}</pre>
        </details>
      ) : null}
    </Page>
  );
}
