/** @jsxImportSource hono/jsx */
/**
 * `/incidents` and `/incidents/<id>`: the post-mortems, with the same sections as
 * `seal incident export`. Everything people typed is text in the page, escaped by JSX; a link
 * they gave is a link only when it is http(s).
 */
import { checkIncident } from '../../incidents/check.js';
import { BLAMELESS_STATEMENT } from '../../incidents/export.js';
import { incidentDurations, isOverdue, localDate as localDay, type ActionItem, type Incident, type Why } from '../../incidents/model.js';
import type { StoredIncident } from '../../store/incidents.js';
import { capText, formatUtc, releasePath } from './format.js';
import { ListFilter, Page } from './layout.js';



/** The board path of an incident. */
export function incidentPath(id: number): string {
  return `/incidents/${id}`;
}

/** "2026-11-21 14:05 UTC", or the text as typed when it is not a time (the store does not validate). */
function utcOf(iso: string): string {
  return Number.isNaN(Date.parse(iso)) ? iso : formatUtc(iso);
}

function ReleaseLink({ incident }: { incident: Pick<Incident, 'app' | 'release'> }) {
  return incident.release ? <a href={releasePath(incident.app, incident.release)}>{incident.release}</a> : <span class="muted">-</span>;
}

/** What the list shows. */
export interface IncidentsView {
  readonly incidents: readonly StoredIncident[];
  readonly apps: readonly string[];
  readonly app: string | null;
  readonly now: Date;
}

/** The list of post-mortems, newest first. */
export function IncidentsPage({ incidents, apps, app, now }: IncidentsView) {
  const today = localDay(now);
  return (
    <Page title={app ? `${app} incidents` : 'Incidents'}>
      <div class="bar">
        <h1>{app ? `${app}: incidents` : 'Incidents'}</h1>
        <ListFilter action="/incidents" apps={apps} app={app} />
      </div>
      {incidents.length === 0 ? (
        <p class="empty">
          No incidents{app ? ` of ${app}` : ''} yet. Open a post-mortem with <code>seal incident open {app ?? '<app>'} --release V --title T</code>.
        </p>
      ) : (
        <div class="wide">
          <table class="incidents cards">
            <thead>
              <tr><th>#</th><th>Severity</th><th>Status</th><th>App</th><th>Release</th><th>Title</th><th>Outage</th><th>Open actions</th><th>Overdue</th></tr>
            </thead>
            <tbody>
              {incidents.map((i) => {
                const overdue = i.actions.filter((a) => isOverdue(a, today)).length;
                return (
                  <tr data-incident={String(i.id)}>
                    <td data-label="#"><a href={incidentPath(i.id)}>#{i.id}</a></td>
                    <td data-label="Severity">SEV{i.severity}</td>
                    <td data-label="Status">{i.status}</td>
                    <td data-label="App"><a href={`/incidents?app=${encodeURIComponent(i.app)}`}>{i.app}</a></td>
                    <td data-label="Release"><ReleaseLink incident={i} /></td>
                    <td data-label="Title" class="summary"><a href={incidentPath(i.id)}>{i.title}</a></td>
                    <td data-label="Outage">{incidentDurations(i).timeToMitigate.text}</td>
                    <td data-label="Open actions">{i.actions.filter((a) => a.status === 'open').length}</td>
                    <td data-label="Overdue">{overdue > 0 ? <span class="overdue">{overdue} overdue</span> : <span class="muted">0</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

function Lines({ items }: { items: readonly string[] }) {
  return items.length === 0 ? <p class="muted">(none recorded)</p> : <ul>{items.map((item) => <li>{item}</li>)}</ul>;
}

function Branches({ whys }: { whys: readonly Why[] }) {
  if (whys.length === 0) return null;
  return <ul>{whys.map((w) => <li>{w.answer}<Branches whys={w.children ?? []} /></li>)}</ul>;
}

/** A user-supplied link: an anchor only when it is http(s), never `javascript:` or `data:`. */
function ActionLink({ link }: { link: string | undefined }) {
  if (!link) return <span class="muted">-</span>;
  const text = capText(link, 300);
  return /^https?:\/\/[^\s]+$/i.test(link) && URL.canParse(link) ? <a href={link} rel="noopener noreferrer">{text}</a> : <>{text}</>;
}

function Actions({ app, actions, today }: { app: string; actions: readonly ActionItem[]; today: string }) {
  if (actions.length === 0) return <p class="muted">(none yet)</p>;
  return (
    <div class="wide">
      <table class="actions">
        <thead>
          <tr><th>#</th><th>Action</th><th>Type</th><th>Owner</th><th>Due</th><th>Status</th><th>Link</th></tr>
        </thead>
        <tbody>
          {actions.map((a) => {
            const overdue = isOverdue(a, today);
            return (
              <tr class={overdue ? 'overdue' : ''} data-action={String(a.id)}>
                <td>{a.id}</td>
                <td class="summary">
                  {a.title}
                  {a.addresses_why ? <span class="muted"> (addresses why {a.addresses_why})</span> : null}
                  {a.check ? (
                    <div class="muted">
                      proved by smoke check <code>{a.check}</code>
                      {a.credited ? <> · passed in run {a.credited.version ? <a href={`${releasePath(app, a.credited.version)}?run=${encodeURIComponent(a.credited.run_id)}`}><code>{a.credited.run_id}</code></a> : <code>{a.credited.run_id}</code>}{a.credited.version ? ` (${a.credited.version})` : ''}, {utcOf(a.credited.at)}</> : null}
                    </div>
                  ) : null}
                </td>
                <td>{a.type}</td>
                <td>{a.owner}</td>
                <td>{a.due}</td>
                <td>{overdue ? <strong class="overdue">overdue</strong> : a.status}</td>
                <td class="url"><ActionLink link={a.link} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** What one post-mortem page shows. */
export interface IncidentView {
  readonly incident: StoredIncident;
  readonly now: Date;
}

/** One post-mortem, in the order of the exported report. */
export function IncidentPage({ incident, now }: IncidentView) {
  const today = localDay(now);
  const d = incidentDurations(incident);
  const impact = incident.impact;
  const timeline = [...incident.timeline].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const check = checkIncident(incident, today, { forPublishing: true });
  const figure = (n: number | null | undefined) => (typeof n === 'number' ? n.toLocaleString('en-US') : 'unknown');
  return (
    <Page title={`Incident ${incident.id}`}>
      <h1>Post-mortem #{incident.id}: {incident.title}</h1>
      <p class="blameless">{BLAMELESS_STATEMENT}</p>
      <dl class="facts">
        <dt>App</dt><dd><a href={`/incidents?app=${encodeURIComponent(incident.app)}`}>{incident.app}</a></dd>
        <dt>Release</dt><dd><ReleaseLink incident={incident} /></dd>
        <dt>Severity</dt><dd>SEV{incident.severity}</dd>
        <dt>Status</dt><dd>{incident.status}</dd>
        <dt>Opened</dt><dd>{utcOf(incident.created_at)} (updated {utcOf(incident.updated_at)})</dd>
      </dl>
      <h2>Summary</h2>
      {incident.summary ? <p class="prose">{incident.summary}</p> : <p class="muted">(no summary yet)</p>}
      <h2>Impact</h2>
      <table class="impact">
        <tbody>
          <tr><th>Users affected</th><td>{figure(impact?.users)}</td></tr>
          <tr><th>Support calls</th><td>{figure(impact?.support_calls)}</td></tr>
          <tr><th>Outage (impact to mitigation)</th><td>{d.timeToMitigate.text}</td></tr>
        </tbody>
      </table>
      {impact?.text ? <p class="prose">{impact.text}</p> : null}
      {impact?.unknown_reason ? <p>Unknown figures: {impact.unknown_reason}</p> : null}
      <h2>Timeline (UTC)</h2>
      {timeline.length === 0 ? (
        <p class="muted">(no events yet)</p>
      ) : (
        <ul class="timeline">
          {timeline.map((e) => (
            <li>
              <time datetime={e.at}>{utcOf(e.at)}</time>: {e.milestone ? <><strong>{e.milestone.replace(/_/g, ' ')}</strong>: </> : null}
              {capText(e.text, 4000)}
            </li>
          ))}
        </ul>
      )}
      <h2>Key metrics</h2>
      <table class="metrics">
        <tbody>
          <tr><th>Time to detect</th><td>{d.timeToDetect.text}</td></tr>
          <tr><th>Time to mitigate (outage)</th><td>{d.timeToMitigate.text}</td></tr>
          <tr><th>Time to resolve</th><td>{d.timeToResolve.text}</td></tr>
          <tr><th>Merge to impact</th><td>{d.mergeToImpact.text}</td></tr>
        </tbody>
      </table>
      <h2>Root cause</h2>
      {incident.whys.length === 0 ? (
        <p class="muted">(no whys yet)</p>
      ) : (
        <ol class="whys">
          {incident.whys.map((w) => <li>Why? {w.answer}<Branches whys={w.children ?? []} /></li>)}
        </ol>
      )}
      <p><strong>Systemic cause:</strong> {incident.root_cause ?? <span class="muted">(not yet stated)</span>}</p>
      <h2>Contributing factors</h2>
      <Lines items={incident.contributing_factors} />
      <h2>What went well</h2>
      <Lines items={incident.lessons.went_well} />
      <h2>What went wrong</h2>
      <Lines items={incident.lessons.went_wrong} />
      <h2>Where we got lucky</h2>
      <Lines items={incident.lessons.lucky} />
      <h2>Action items</h2>
      <Actions app={incident.app} actions={incident.actions} today={today} />
      <h2>Supporting information</h2>
      <Lines items={incident.supporting} />
      <h2>What publishing still needs</h2>
      {check.errors.length === 0 && check.warnings.length === 0 ? <p class="muted">Nothing: the post-mortem passes <code>seal incident check</code>.</p> : null}
      {check.errors.length > 0 ? <ul class="errors">{check.errors.map((e) => <li>{e}</li>)}</ul> : null}
      {check.warnings.length > 0 ? <ul class="warnings">{check.warnings.map((w) => <li>{w}</li>)}</ul> : null}
    </Page>
  );
}
