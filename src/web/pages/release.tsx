/** @jsxImportSource hono/jsx */
/**
 * `/releases/<app>/<version>`: the seal, its history, every check with its assertions, timings
 * and evidence, the writes the guard blocked and, on red, the exact rollback command. Everything
 * from production is text in the page, escaped by JSX, capped in size.
 */
import type { AuditEvent } from '../../store/audit.js';
import type { AuditStatus } from '../audit-watch.js';
import { AuditLine, AuditTrail } from './audit.js';
import { isRollbackWarning } from '../../runner/rollback.js';
import { blockedOf, describeBlocked, type CheckResult, type RunResult } from '../../runner/run-result.js';
import type { DeliveryRecord } from '../../store/deliveries.js';
import type { Incident } from '../../incidents/model.js';
import { countsText, type Rung } from '../../evidence/ladder.js';
import type { ReleaseRecord, SealHistoryEntry } from '../../store/ledger.js';
import { capText, evidenceText, formatAgo, formatDuration, formatUtc, releasePath } from './format.js';
import { BreakableUrl, EvidenceView } from './evidence.js';
import { icon, type IconName } from './icons.js';
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
  /** The release's evidence ladder: each tier credited, not credited, or missing. */
  readonly tiers: readonly Rung[];
  /** The release's audit trail, oldest first. */
  readonly trail?: readonly AuditEvent[];
  /** The audit log's newest verification (null: not yet, or not verified by this server). */
  readonly audit?: { readonly status: AuditStatus | null; readonly failure: string | null } | null;
  readonly now: Date;
}

const RUNG_ICON: Record<Rung['state'], IconName> = { credited: 'passed', not_credited: 'failed', missing: 'pending' };
const RUNG_WORD: Record<Rung['state'], string> = { credited: 'credited', not_credited: 'not credited', missing: 'missing' };

/** The tiers, lowest first: what credited each (tests, report hash, who, when) or why not. */
function Tiers({ tiers }: { tiers: readonly Rung[] }) {
  return (
    <table class="tiers cards">
      <thead><tr><th>Tier</th><th>State</th><th>Evidence</th></tr></thead>
      <tbody>
        {tiers.map((r) => {
          const c = r.credit;
          return (
            <tr class={`tier-${r.state}`}>
              <td data-label="Tier">{r.tier}{r.expected ? <div class="muted">expected</div> : null}</td>
              <td data-label="State">{icon(RUNG_ICON[r.state])} {RUNG_WORD[r.state]}</td>
              <td data-label="Evidence">
                {c ? (
                  <>
                    {c.credited ? countsText(c) : capText(c.reason ?? '', 500)}
                    <div class="muted">{c.format} · sha256 <code title={c.report_sha256}>{c.report_sha256.slice(0, 12)}</code> · {capText(c.credited_by, 200)} · {formatUtc(c.created_at)}</div>
                  </>
                ) : r.expected ? 'expected by the config, not reported' : <span class="muted">not reported</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}


/** Blocked writes shown on a check's row (the rest are counted). */
const SHOWN_BLOCKED = 20;

function Check({ check, run, images }: { check: CheckResult; run: RunResult; images: readonly string[] }) {
  const bad = check.status === 'failed' || check.status === 'error' || check.status === 'flaky';
  const blocked = blockedOf(check);
  return (
    <details class={`check check-${check.status}`} open={bad || blocked.length > 0}>
      <summary>
        {icon(check.status)} <strong>{check.name}</strong> <span class={`status status-${check.status}`}>{check.status}</span>{' '}
        <span class="muted">{check.kind} · {formatDuration(check.duration_ms)}{check.attempts > 1 ? ` · ${check.attempts} attempts` : ''}</span>
        {blocked.length > 0 ? <> <span class="blocked-writes">{describeBlocked(blocked.length)}</span></> : null}
      </summary>
      {check.error ? <pre class="error">{capText(check.error, 4000)}</pre> : null}
      {blocked.length > 0 ? (
        <div class="check-blocked">
          <p class="muted">Answered by the read-only guard itself (204), never sent to production: what this check saw after them came from the guard.</p>
          <ul>
            {blocked.slice(0, SHOWN_BLOCKED).map((b) => (
              <li><code>{b.method}</code> <BreakableUrl url={capText(b.url, 500)} />{b.location ? <span class="muted"> · {capText(b.location, 300)}</span> : null}{b.reason ? <span class="muted"> · {capText(b.reason, 300)}</span> : null}</li>
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
                <td>{icon(a.ok ? 'passed' : 'failed')}<span class="visually-hidden">{a.ok ? 'ok' : 'not ok'}</span></td>
                <td>{a.label}{a.message ? <div class="muted">{capText(a.message, 1000)}</div> : null}</td>
                <td><code>{evidenceText(a.expected, 500)}</code></td>
                <td><code>{evidenceText(a.actual, 500)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <EvidenceView check={check} run={run} images={images} />
    </details>
  );
}

/** The run's warnings, less the one the rollback panel of a red run shows. */
function otherWarnings(run: RunResult): readonly string[] {
  return run.verdict === 'red' && !run.rollback && !run.reported_rollback ? run.warnings.filter((w) => !isRollbackWarning(w)) : run.warnings;
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
        <p>No command to copy: {run.warnings.find(isRollbackWarning) ?? 'the app has no rollback template, or no value for one of its placeholders, for this release'}.</p>
      )}
    </section>
  );
}

/** The release page. */
const DELIVERY_ICON: Record<DeliveryRecord['status'], IconName> = { delivered: 'delivered', unchanged: 'unchanged', failed: 'failed', skipped: 'skipped' };

function Deliveries({ deliveries }: { deliveries: readonly DeliveryRecord[] }) {
  if (deliveries.length === 0) return <p class="muted">No notifier was told of this run (see notify: in the config).</p>;
  return (
    <table class="deliveries">
      <thead><tr><th></th><th>Where</th><th>What happened</th><th>Attempts</th><th>Time</th></tr></thead>
      <tbody>
        {deliveries.map((d) => (
          <tr data-target={d.target} data-status={d.status}>
            <td>{icon(DELIVERY_ICON[d.status])}<span class="visually-hidden">{d.status}</span></td>
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

export function ReleasePage({ release, history, run, images, deliveries, incidents, tiers, trail = [], audit = null, now }: ReleaseView) {
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
        <dt>Deployed</dt><dd>{release.deployed_at ? `${formatUtc(release.deployed_at)} (${formatAgo(release.deployed_at, now)})` : <>{formatUtc(release.created_at)} ({formatAgo(release.created_at, now)}) <span class="muted">(recorded)</span></>}</dd>
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
          {/* The rollback panel says its own warning; the list does not say it again. */}
          {otherWarnings(run).length > 0 ? (
            <ul class="warnings">{otherWarnings(run).map((w) => <li>{capText(w, 2000)}</li>)}</ul>
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
                  <tr><td>{b.check}{b.location ? <div class="muted">{capText(b.location, 300)}</div> : null}</td><td>{b.method}</td><td><BreakableUrl url={capText(b.url, 500)} /></td></tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : (
        <p class="empty">Not sealed yet. Seal it with <code>seal smoke {release.app} --release {release.version}</code>.</p>
      )}
      <h2>Test tiers</h2>
      <Tiers tiers={tiers} />
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
                <td class="summary">
                  {h.soak ? <span class="tag">soak {h.soak}</span> : null}
                  {h.location ? <span class="tag">{h.part_of ? `${h.location} (one location of a seal)` : h.location}</span> : null}
                  {h.summary}
                </td>
                <td>{h.run_id === current ? 'current' : <a href={`${releasePath(release.app, release.version)}?run=${h.run_id}`}>show</a>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Audit trail</h2>
      {audit ? <AuditLine status={audit.status} failure={audit.failure} /> : null}
      <AuditTrail events={trail} />
      {release.notes ? (
        <details class="notes">
          <summary>Release notes</summary>
          <pre>{capText(release.notes, 100_000)}</pre>
        </details>
      ) : null}
    </Page>
  );
}
