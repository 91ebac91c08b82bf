/**
 * `seal incident …`: blameless post-mortems from the command line. Every change is checked
 * before it is stored and stored whole (nothing half-saved). Listings and `show` print on stdout, messages on stderr; `--json`
 * puts one document on stdout. Exit 0 on success, 1 when there is no such incident (or `check`
 * finds errors), 2 on bad input or an unusable store.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { findConfigPath, loadConfig } from '../../config/load.js';
import type { SealConfig } from '../../config/types.js';
import { SealError } from '../../errors.js';
import { checkIncident } from '../../incidents/check.js';
import { addAction, addEvent, addWhy, closeAction, findAction, keepPublishable, reassignAction, eventTime, IncidentInputError, newIncident, setFields, setImpact, setRootCause, type IncidentFields } from '../../incidents/edit.js';
import { renderReport } from '../../incidents/export.js';
import { incidentDurations, isOverdue, localDate as localToday, type Incident } from '../../incidents/model.js';
import { prefill } from '../../incidents/prefill.js';
import { incidentId, IncidentStore, type StoredIncident } from '../../store/incidents.js';
import { Ledger } from '../../store/ledger.js';
import type { LedgerDb } from '../../store/db.js';
import type { CliIo } from '../io.js';
import { withStore } from '../store.js';
import { table } from '../../reporters/columns.js';
import { localTime } from '../text.js';
import { oneLine } from '../../notify/message.js';

/** Options every incident command takes. */
interface Common {
  readonly json?: boolean;
  readonly config?: string;
}


/** The config when one is there (for the board's address and the app's suite); null otherwise. */
function optionalConfig(options: Common, io: CliIo): SealConfig | null {
  try {
    return loadConfig(findConfigPath(options.config, io.env, io.cwd), io.env);
  } catch (error) {
    if (options.config) throw error;
    return null;
  }
}

/** Runs `work` on the store; bad input (every problem) and unknown incidents end the command cleanly. */
function run(io: CliIo, options: Common, work: (store: IncidentStore, db: LedgerDb) => Promise<number>): Promise<number> {
  return withStore(io, async (db) => {
    try {
      return await work(new IncidentStore(db), db);
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      if (options.json) io.stdout.write(`${JSON.stringify({ error: error.message, ...(error instanceof IncidentInputError ? { problems: error.problems } : {}) })}\n`);
      io.stderr.write(`seal: ${error.message}\n${error instanceof IncidentInputError ? 'nothing was changed\n' : ''}`);
      return 2;
    }
  });
}

function idOf(text: string): number {
  const id = incidentId(text);
  if (id === null) throw new SealError(`${JSON.stringify(text)} is not an incident id (a number, as \`seal incident list\` shows)`);
  return id;
}

function notFound(io: CliIo, options: Common, id: number): number {
  if (options.json) io.stdout.write(`${JSON.stringify({ error: `no incident ${id}` })}\n`);
  io.stderr.write(`seal: no incident ${id} (seal incident list)\n`);
  return 1;
}

/** Changes an incident with `change`; prints it (and `extra` in JSON). */
function change(id: string, options: Common, io: CliIo, edit: (incident: Incident, now: string) => Incident, said: (incident: StoredIncident) => string): Promise<number> {
  return run(io, options, async (store) => {
    const n = idOf(id);
    const today = localToday();
    let before: readonly string[] = [];
    const incident = await store.update(n, (current, now) => {
      before = checkIncident(current, today, { forPublishing: false }).warnings;
      const next = edit(current, now);
      if (current.status === 'published' && next.status === 'published') keepPublishable(next, today, { publishing: false });
      return next;
    });
    if (!incident) return notFound(io, options, n);
    const { warnings } = checkIncident(incident, today, { forPublishing: false });
    // What this change brought: the rest is for `seal incident check`.
    const added = warnings.filter((w) => !before.includes(w));
    const message = said(incident);
    if (options.json) io.stdout.write(`${JSON.stringify({ incident, warnings: added })}\n`);
    io.stderr.write(`${message}\n`);
    for (const warning of added) io.stderr.write(`warning: ${warning}\n`);
    return 0;
  });
}

/** Flags of `seal incident open`. */
export interface OpenOptions extends Common {
  readonly release?: string;
  readonly title: string;
  readonly severity?: string;
  readonly summary?: string;
  readonly freezeAt?: string;
}

/** `seal incident open <app> --release V --title T [--freeze-at ISO]`: pre-filled from the ledger and the red seal. */
export function incidentOpenCommand(app: string, options: OpenOptions, io: CliIo): Promise<number> {
  return run(io, options, async (store, db) => {
    // Every problem with the flags at once.
    const problems: string[] = [];
    const checked = <T>(work: () => T): T | null => {
      try {
        return work();
      } catch (error) {
        if (!(error instanceof IncidentInputError)) throw error;
        problems.push(...error.problems);
        return null;
      }
    };
    const base = checked(() => newIncident({ app, release: options.release ?? null, title: options.title, ...(options.severity !== undefined ? { severity: options.severity } : {}), ...(options.summary !== undefined ? { summary: options.summary } : {}) }));
    const freezeAt = options.freezeAt === undefined ? null : checked(() => eventTime(options.freezeAt as string, '--freeze-at'));
    if (!base || problems.length) throw new IncidentInputError(problems);
    const ledger = new Ledger(db);
    let filled: ReturnType<typeof prefill> | null = null;
    if (options.release !== undefined) {
      const release = await ledger.getRelease(app, options.release);
      if (!release) {
        const known = (await ledger.listReleases(app, { limit: 5 })).map((r) => r.version);
        throw new SealError(`--release: no release ${JSON.stringify(options.release)} of ${app} in the ledger${known.length ? ` (latest: ${known.join(', ')})` : ''}`);
      }
      const releases = await ledger.listReleases(app, { limit: 500 });
      const later = releases.filter((r) => r.created_at >= release.created_at).reverse();
      const history = (await Promise.all(later.slice(0, 5).map(async (r) => (await ledger.sealHistory(app, r.version)).map((s) => ({ version: r.version, status: s.status, finished_at: s.finished_at, run_id: s.run_id }))))).flat();
      const seals = history.sort((a, b) => Date.parse(a.finished_at) - Date.parse(b.finished_at));
      const firstRed = seals.find((s) => s.version === release.version && s.status === 'red');
      const redRun = firstRed ? ((await ledger.getRun(firstRed.run_id))?.result ?? null) : null;
      const boardBase = optionalConfig(options, io)?.apps[app]?.boardUrl ?? null;
      filled = prefill({ release, seals, redRun, releases, freezeAt, boardUrl: boardBase ? `${boardBase}/releases/${encodeURIComponent(app)}/${encodeURIComponent(release.version)}` : null });
    }
    const incident = await store.create({
      ...base,
      timeline: filled?.timeline ?? [],
      contributing_factors: filled?.contributing_factors ?? [],
      supporting: filled?.supporting ?? [],
    });
    const missing = (filled?.missing ?? ['the timeline: no --release, so nothing was pre-filled (seal incident event <id> --milestone … --at ISO)']).map((m) => m.replace(/<id>/g, String(incident.id)).replace(/<app>/g, app));
    if (options.json) io.stdout.write(`${JSON.stringify({ incident, missing, deadline_pressure: filled?.deadline_pressure ?? [] })}\n`);
    io.stderr.write(`opened incident ${incident.id}: ${incident.title} (${app}${incident.release ? ` ${incident.release}` : ''}, severity ${incident.severity}, draft)\n`);
    for (const event of incident.timeline) io.stderr.write(`  ${event.at}  ${event.milestone ? `${event.milestone}: ` : ''}${event.text}\n`);
    for (const factor of incident.contributing_factors) io.stderr.write(`contributing factor: ${factor}\n`);
    for (const m of missing) io.stderr.write(`to add: ${m}\n`);
    return 0;
  });
}

/** `seal incident list [--app A]` */
export function incidentListCommand(options: Common & { app?: string }, io: CliIo): Promise<number> {
  return run(io, options, async (store) => {
    const today = localToday();
    const incidents = await store.list({ app: options.app ?? null });
    const rows = incidents.map((i) => ({
      id: i.id,
      app: i.app,
      release: i.release,
      title: i.title,
      severity: i.severity,
      status: i.status,
      outage: incidentDurations(i).timeToMitigate.text,
      open_actions: i.actions.filter((a) => a.status === 'open').length,
      overdue_actions: i.actions.filter((a) => isOverdue(a, today)).length,
      created_at: i.created_at,
    }));
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ incidents: rows })}\n`);
      return 0;
    }
    if (rows.length === 0) {
      io.stderr.write(`no incidents${options.app ? ` of ${options.app}` : ''} (seal incident open <app> --release V --title T)\n`);
      return 0;
    }
    const cells = rows.map((r) => [
      `#${r.id}`,
      `SEV${r.severity}`,
      r.status,
      `${r.app}${r.release ? ` ${r.release}` : ''}`,
      localTime(r.created_at),
      r.outage,
      `${r.open_actions} open${r.overdue_actions ? `, ${r.overdue_actions} OVERDUE` : ''}`,
      oneLine(r.title, 120),
    ]);
    io.stdout.write(`${table(['ID', 'SEV', 'STATUS', 'RELEASE', 'OPENED', 'OUTAGE', 'ACTIONS', 'TITLE'], cells)}\n`);
    return 0;
  });
}

/** The incident after crediting the actions its app's green seals have proved. */
async function current(store: IncidentStore, id: number): Promise<StoredIncident | null> {
  const incident = await store.get(id);
  if (!incident) return null;
  const credited = await store.creditProvedActions(incident.app);
  return credited.some((c) => c.incident === id) ? store.get(id) : incident;
}

/** `seal incident show <id>` */
export function incidentShowCommand(id: string, options: Common, io: CliIo): Promise<number> {
  return run(io, options, async (store) => {
    const n = idOf(id);
    const incident = await current(store, n);
    if (!incident) return notFound(io, options, n);
    const today = localToday();
    const durations = incidentDurations(incident);
    const check = checkIncident(incident, today, { forPublishing: true });
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ incident, durations, check })}\n`);
      return 0;
    }
    const lines = [
      `#${incident.id} ${incident.title}`,
      `  ${incident.app}${incident.release ? ` ${incident.release}` : ''}, severity ${incident.severity}, ${incident.status}, opened ${localTime(incident.created_at)}`,
      `  outage ${durations.timeToMitigate.text}; detected after ${durations.timeToDetect.text}; resolved after ${durations.timeToResolve.text}; merge to impact ${durations.mergeToImpact.text}`,
      incident.impact ? `  impact: ${incident.impact.users ?? 'unknown'} users, ${incident.impact.support_calls ?? 'unknown'} support calls` : '  impact: not recorded',
      'timeline:',
      ...incident.timeline.map((e) => `  ${localTime(e.at)}  ${e.milestone ? `${e.milestone.toUpperCase()}: ` : ''}${e.text}`),
      `whys (${incident.whys.length}):`,
      ...incident.whys.map((w, i) => `  ${i + 1}. ${w.answer}${w.children?.length ? ` (+${w.children.length} branch${w.children.length === 1 ? '' : 'es'})` : ''}`),
      `root cause: ${incident.root_cause ?? '-'}`,
      `actions (${incident.actions.length}):`,
      ...incident.actions.map((a) => `  ${a.id}. [${isOverdue(a, today) ? 'OVERDUE' : a.status}] ${a.title} (${a.type}; ${a.owner}; due ${a.due}${a.check ? `; proved by "${a.check}"${a.credited ? ` in run ${a.credited.run_id}` : ''}` : ''})`),
      `check: ${check.errors.length} error${check.errors.length === 1 ? '' : 's'} before publishing, ${check.warnings.length} warning${check.warnings.length === 1 ? '' : 's'} (seal incident check ${incident.id})`,
      '',
    ];
    io.stdout.write(lines.join('\n'));
    return 0;
  });
}

/** `seal incident check <id>`: what stands between the post-mortem and publishing; exit 1 on errors. */
export function incidentCheckCommand(id: string, options: Common, io: CliIo): Promise<number> {
  return run(io, options, async (store) => {
    const n = idOf(id);
    const incident = await current(store, n);
    if (!incident) return notFound(io, options, n);
    const result = checkIncident(incident, localToday(), { forPublishing: true });
    if (options.json) io.stdout.write(`${JSON.stringify({ id: n, ...result })}\n`);
    for (const error of result.errors) io.stderr.write(`error: ${error}\n`);
    for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
    io.stderr.write(`incident ${n}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}, ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}${result.errors.length === 0 ? ' (ready to publish: seal incident set ' + n + ' --status published)' : ''}\n`);
    return result.errors.length ? 1 : 0;
  });
}

/** `seal incident export <id> --format md|json [--output PATH]` */
export function incidentExportCommand(id: string, options: Common & { format?: string; output?: string }, io: CliIo): Promise<number> {
  // The report is the document on stdout: errors are not JSON unless the report is.
  const format = options.json ? 'json' : (options.format ?? 'md');
  return run(io, { ...options, json: format === 'json' }, async (store) => {
    if (format !== 'md' && format !== 'json') throw new SealError(`--format: ${JSON.stringify(format)} is not md or json`);
    const n = idOf(id);
    const incident = await current(store, n);
    if (!incident) return notFound(io, options, n);
    const text = format === 'md' ? renderReport(incident, { today: localToday() }) : `${JSON.stringify({ incident, durations: incidentDurations(incident) }, null, 2)}\n`;
    if (options.output) {
      const path = resolve(io.cwd, options.output);
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
      } catch (error) {
        throw new SealError(`--output ${path}: ${(error as Error).message}`);
      }
      io.stderr.write(`wrote the post-mortem of incident ${n} to ${path}\n`);
    } else {
      io.stdout.write(text);
    }
    return 0;
  });
}

/** `seal incident event <id> --at ISO [--milestone M] [--text T]` */
export function incidentEventCommand(id: string, options: Common & { at: string; milestone?: string; text?: string }, io: CliIo): Promise<number> {
  return change(id, options, io, (i) => addEvent(i, options), (i) => `incident ${i.id}: ${options.milestone ? `${options.milestone} marked` : 'event added'}; the timeline has ${i.timeline.length} event${i.timeline.length === 1 ? '' : 's'}`);
}

/** `seal incident impact <id> --users N --support-calls N [--text T] [--unknown-reason R]` */
export function incidentImpactCommand(id: string, options: Common & { users?: string; supportCalls?: string; text?: string; unknownReason?: string }, io: CliIo): Promise<number> {
  return change(id, options, io, (i) => setImpact(i, options), (i) => `incident ${i.id}: impact ${i.impact?.users ?? 'unknown'} users, ${i.impact?.support_calls ?? 'unknown'} support calls`);
}

/** `seal incident why <id> "answer" [--under PATH]` */
export function incidentWhyCommand(id: string, answer: string, options: Common & { under?: string }, io: CliIo): Promise<number> {
  let position = '';
  return change(
    id,
    options,
    io,
    (i) => {
      const added = addWhy(i, { answer, ...(options.under !== undefined ? { under: options.under } : {}) });
      position = added.position;
      return added.incident;
    },
    (i) => `incident ${i.id}: why ${position} added (${i.whys.length} in the chain)`,
  );
}

/** `seal incident root-cause <id> "text"` */
export function incidentRootCauseCommand(id: string, cause: string, options: Common, io: CliIo): Promise<number> {
  return change(id, options, io, (i) => setRootCause(i, cause), (i) => `incident ${i.id}: root cause set`);
}

/** Flags of `seal incident action`. */
export interface ActionOptions extends Common {
  readonly title: string;
  readonly owner: string;
  readonly due: string;
  readonly type?: string;
  readonly why?: string;
  readonly check?: string;
  readonly link?: string;
}

/** `seal incident action <id> --title --owner --due YYYY-MM-DD [--type] [--why N] [--check NAME] [--link URL]` */
export function incidentActionCommand(id: string, options: ActionOptions, io: CliIo): Promise<number> {
  let added = 0;
  let app = '';
  return change(
    id,
    options,
    io,
    (i, now) => {
      app = i.app;
      // Added at the database's time: only a seal the database records after it can prove it.
      const result = addAction(i, options, { today: localToday(), now });
      added = result.action.id;
      return result.incident;
    },
    (i) => {
      const lines = [`incident ${i.id}: action ${added} added (owner ${options.owner.trim()}, due ${options.due})`];
      if (options.check) {
        // The action is saved: a config that does not load only costs this hint.
        let suite: string[] | null;
        try {
          suite = optionalConfig({ ...(options.config ? { config: options.config } : {}) }, io)?.apps[app]?.checks.map((c) => c.name) ?? null;
        } catch {
          suite = null;
        }
        lines.push(
          suite && !suite.includes(options.check.trim())
            ? `warning: ${app}'s suite has no check "${options.check.trim()}" yet: the action is done once a check of that name is added and passes in a green seal`
            : `it is marked done when the smoke check "${options.check.trim()}" passes in a green seal of ${app} recorded from now on`,
        );
      }
      return lines.join('\n');
    },
  );
}

/** `seal incident done <id> <action>` */
export function incidentDoneCommand(id: string, action: string, options: Common, io: CliIo): Promise<number> {
  return change(id, options, io, (i) => closeAction(i, action), (i) => `incident ${i.id}: action ${action} done`);
}

/** `seal incident reassign <id> <action> [--owner O] [--due D]` */
export function incidentReassignCommand(id: string, action: string, options: Common & { owner?: string; due?: string }, io: CliIo): Promise<number> {
  return change(id, options, io, (i) => reassignAction(i, action, options, localToday()), (i) => {
    const a = findAction(i, action);
    return `incident ${i.id}: action ${a.id} is owned by ${a.owner}, due ${a.due}`;
  });
}

/** `seal incident set <id> [--title] [--summary] [--severity] [--status] [--person] [--factor] [--went-well] [--went-wrong] [--lucky] [--supporting]` */
export function incidentSetCommand(id: string, options: Common & IncidentFields, io: CliIo): Promise<number> {
  return change(id, options, io, (i) => setFields(i, options, localToday()), (i) => `incident ${i.id}: updated (${i.status})`);
}
