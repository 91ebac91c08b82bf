/** @jsxImportSource hono/jsx */
/** The audit log on the board: the chain's newest verification, and a release's trail. */
import type { AuditEvent } from '../../store/audit.js';
import type { AuditStatus } from '../audit-watch.js';
import { capText, formatUtc } from './format.js';
import { icon } from './icons.js';

/** "Audit chain verified at …" (or the first problem), as the server last found it. */
export function AuditLine({ status, failure }: { status: AuditStatus | null; failure?: string | null }) {
  if (!status) {
    return <p class="audit audit-pending muted">{failure ? `Audit chain not verified: ${capText(failure, 300)}` : 'Audit chain: being verified…'}</p>;
  }
  if (status.ok) {
    return (
      <p class="audit audit-ok" title={`head #${status.head.seq} ${status.head.hash}`}>
        {icon('green')} Audit chain verified at {formatUtc(status.verified_at)}: {status.events} event{status.events === 1 ? '' : 's'}, head <code>{status.head.hash.slice(0, 12)}</code>
      </p>
    );
  }
  return (
    <p class="audit audit-broken">
      {icon('red')} Audit chain does not verify ({formatUtc(status.verified_at)}, {status.problem_count} problem{status.problem_count === 1 ? '' : 's'}): {capText(status.first_problem ?? '', 500)} <span class="muted">Run <code>seal audit verify</code>.</span>
    </p>
  );
}

/** A release's audit trail, oldest first. */
export function AuditTrail({ events }: { events: readonly AuditEvent[] }) {
  if (events.length === 0) return <p class="muted">No audit events for this release.</p>;
  return (
    <table class="trail">
      <thead><tr><th>#</th><th>When</th><th>Who</th><th>What</th><th>Detail</th><th>Hash</th></tr></thead>
      <tbody>
        {events.map((e) => (
          <tr>
            <td>{e.seq}</td>
            <td>{formatUtc(e.at)}</td>
            <td>{capText(e.actor, 120)}</td>
            <td>{e.kind} {e.action}</td>
            <td>{capText(e.detail, 300)}</td>
            <td><code title={e.hash}>{e.hash.slice(0, 12)}</code></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
