/**
 * The JSON API (documented in openapi.ts, served at /api/openapi.json): releases, seals that CI
 * jobs report, screenshots, and smoke runs the server does itself. Bad input is a 400 that says
 * what and where; unknown apps and releases 404; oversized bodies 413; never a stack trace.
 */
import { AuditLog } from '../../store/audit.js';
import { creditOf, MAX_REPORT_BYTES, readReport, REPORT_FORMATS, type ReportFormat } from '../../evidence/reports.js';
import { ladderOf } from '../../evidence/ladder.js';
import { DEFAULT_VOCABULARY } from '../../evidence/tiers.js';
import { CreditStore } from '../../store/credits.js';
import { APP_NAME } from '../../config/schema.js';
import { randomUUID } from 'node:crypto';
import { QueueFullError } from '../../queue/types.js';
import { Hono, type Context, type Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { jsonDepthExceeds } from '../../redact/bounded-copy.js';
import { isInstant, MAX_NOTES_BYTES } from '../../release/instant.js';
import { recordOnLedger } from '../../seal/record.js';
import type { RunResult } from '../../runner/run-result.js';
import { MAX_EVIDENCE_BYTES } from '../../store/evidence.js';
import { requireToken, type AuthVariables } from '../auth.js';
import { DEFAULT_MAX_BODY_BYTES, type WebDeps } from '../deps.js';
import { OPENAPI } from './openapi.js';
import { ingestSchema, splitIngest } from './run-result-schema.js';

type Env = { Variables: AuthVariables };

/** How far ahead of the server's clock a reported run may have finished. */
const MAX_CLOCK_SKEW_MS = 10 * 60_000;

const releaseSchema = z.object({
  app: z.string().min(1).max(200),
  version: z.string().min(1).max(200),
  sha: z.string().max(200).nullable().optional(),
  merge_sha: z.string().max(200).nullable().optional(),
  branch: z.string().max(500).nullable().optional(),
  notes: z
    .string()
    .refine((notes) => Buffer.byteLength(notes) <= MAX_NOTES_BYTES, `release notes are limited to ${MAX_NOTES_BYTES} bytes`)
    .nullable()
    .optional(),
  deployed_at: z.string().refine(isInstant, 'must be an ISO 8601 date or date-time with an offset (2026-11-21T14:05:00+01:00)').nullable().optional(),
  merged_at: z.string().refine(isInstant, 'must be an ISO 8601 date or date-time with an offset (2026-11-21T14:05:00+01:00)').nullable().optional(),
});

/** A 4xx answer: what is wrong, and where when a field is. */
export function problem(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 501, error: string, details?: unknown) {
  return c.json(details === undefined ? { error } : { error, details }, status);
}

/**
 * The deepest JSON the API takes: a run result seal smoke makes nests at most about 40 levels
 * (its evidence is cut at 32, see bounded-copy.ts); deeper documents would only cost every
 * walk after this one (the store's JSON, the board).
 */
export const MAX_JSON_DEPTH = 64;

/** The body as JSON validated by `schema`, or the 400 to answer. */
async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<{ ok: true; value: z.infer<T> } | { ok: false; response: Response }> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) return { ok: false, response: problem(c, 400, `send the body as JSON (Content-Type: application/json), not ${JSON.stringify(type || 'nothing')}`) };
  const text = await c.req.text();
  const tooDeepAt = jsonDepthExceeds(text, MAX_JSON_DEPTH);
  if (tooDeepAt !== null) {
    return { ok: false, response: problem(c, 400, `the body nests deeper than this server accepts (${MAX_JSON_DEPTH} levels of arrays and objects; passed at byte ${tooDeepAt})`) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, response: problem(c, 400, `the body is not valid JSON: ${(error as Error).message}`) };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.slice(0, 50).map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
    return { ok: false, response: problem(c, 400, `the body is not valid: ${details.map((d) => `${d.path}: ${d.message}`).slice(0, 5).join('; ')}`, details) };
  }
  return { ok: true, value: parsed.data };
}

/** Who a credit names when a token sent it. */
function tokenName(token: { readonly name: string; readonly id: string } | null | undefined): string {
  return token ? `token ${token.name} (${token.id})` : 'unknown token';
}

function tooLarge(limit: number) {
  return (c: Context) => problem(c, 413, `the body is larger than this server accepts (${limit} bytes)`);
}

/** The /api routes. Reads are guarded by `readGuard` (open or token), writes by a write token. */
export function createApiRoutes(deps: WebDeps): Hono<Env> {
  const { ledger, tokens, evidence, events, jobs } = deps;
  const api = new Hono<Env>();
  const maxBody = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const write = requireToken(tokens, 'write');
  const jsonLimit = bodyLimit({ maxSize: maxBody, onError: tooLarge(maxBody) });
  const read = deps.readAccess === 'open' ? null : requireToken(tokens, 'read');
  if (read) {
    api.use('*', async function readGuard(c: Context<Env, string>, next: Next) {
      // The API description is public: it says how to authenticate.
      if (c.req.method === 'GET' && c.req.path === '/api/openapi.json') return next();
      return c.req.method === 'GET' || c.req.method === 'HEAD' ? read(c, next) : next();
    });
  }

  api.get('/openapi.json', (c) => c.json(OPENAPI));

  api.post('/releases', write, jsonLimit, async (c) => {
    const body = await parseBody(c, releaseSchema);
    if (!body.ok) return body.response;
    const input = body.value;
    const { release, created } = await ledger.recordRelease({
      app: input.app,
      version: input.version,
      ...(input.sha !== undefined ? { sha: input.sha } : {}),
      ...(input.merge_sha !== undefined ? { mergeSha: input.merge_sha } : {}),
      ...(input.branch !== undefined ? { branch: input.branch } : {}),
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
      ...(input.deployed_at !== undefined ? { deployedAt: input.deployed_at === null ? null : new Date(input.deployed_at).toISOString() } : {}),
      ...(input.merged_at !== undefined ? { mergedAt: input.merged_at === null ? null : new Date(input.merged_at).toISOString() } : {}),
    });
    if (created) events.publish({ type: 'release', app: release.app, version: release.version });
    return c.json({ created, release }, created ? 201 : 200);
  });

  api.get('/releases', async (c) => {
    const app = c.req.query('app') ?? null;
    const before = c.req.query('before');
    const limit = c.req.query('limit');
    const beforeId = before === undefined ? null : Number(before);
    const size = limit === undefined ? 50 : Number(limit);
    if (beforeId !== null && (!Number.isSafeInteger(beforeId) || beforeId < 1)) return problem(c, 400, `before must be a release id from a previous page's "next", got ${JSON.stringify(before)}`);
    if (!Number.isInteger(size) || size < 1 || size > 500) return problem(c, 400, `limit must be a whole number from 1 to 500, got ${JSON.stringify(limit)}`);
    if (app !== null && !(await ledger.appExists(app))) return problem(c, 404, `no app ${JSON.stringify(app)} in the ledger`);
    const page = await ledger.pageReleases({ app, before: beforeId, limit: size });
    return c.json({ releases: page.releases.map(({ id: _id, ...release }) => release), next: page.next === null ? null : String(page.next) });
  });

  api.get('/releases/:app/:version', async (c) => {
    const { app, version } = c.req.param();
    const release = await ledger.getRelease(app, version);
    if (!release) return notFound(c, app, version);
    const history = await ledger.sealHistory(app, version);
    const run = release.smoke_seal ? await ledger.getRun(release.smoke_seal.run_id) : null;
    const tiers = ladderOf(deps.tiers ?? DEFAULT_VOCABULARY, await new CreditStore(ledger.db).current(app, version), deps.expectTiers?.(app) ?? []);
    const trail = await new AuditLog(ledger.db).trail(app, { version, limit: 1000 });
    return c.json({ ...release, seal_history: history, current_run: run?.result ?? null, tiers, audit_trail: trail });
  });

  // The server's newest verification of the audit log (it verifies at start and every SEAL_AUDIT_VERIFY_EVERY_MS).
  api.get('/audit', (c) => c.json({ report: deps.audit?.latest() ?? null, failure: deps.audit ? deps.audit.failure() : 'this server does not verify the audit log' }));

  api.post('/releases/:app/:version/seals', write, jsonLimit, async (c) => {
    const { app, version } = c.req.param();
    const body = await parseBody(c, ingestSchema);
    if (!body.ok) return body.response;
    const { result: sent, flags } = splitIngest(body.value);
    // The rollback command comes from the server's own template and ledger. A reporter's command
    // (or template) is kept as text only, labelled with the token that sent it: a write token
    // must not be able to put `curl … | sh` on the board as a command to copy, or into Discord.
    const rollbackTemplate = deps.rollbackTemplate?.(app) ?? null;
    const sender = c.get('token');
    const result: RunResult = rollbackTemplate !== null || !sent.rollback
      ? { ...sent, rollback: null, reported_rollback: null }
      : { ...sent, rollback: null, reported_rollback: { command: sent.rollback, token: sender ? `${sender.name} (${sender.id})` : 'unknown' } };
    // A run from the future would stay the current seal for good.
    if (Date.parse(result.finished_at) > (deps.now?.() ?? new Date()).getTime() + MAX_CLOCK_SKEW_MS) {
      return problem(c, 400, `finished_at ${result.finished_at} is in the future (more than ${MAX_CLOCK_SKEW_MS / 60_000} min ahead of this server's clock)`, [{ path: 'finished_at', message: 'in the future' }]);
    }
    if (result.app !== app) return problem(c, 400, `the run result is for app ${JSON.stringify(result.app)} but the URL names ${JSON.stringify(app)}`, [{ path: 'app', message: 'does not match the URL' }]);
    if (result.release?.version && result.release.version !== version) {
      return problem(c, 400, `the run result is for release ${JSON.stringify(result.release.version)} but the URL names ${JSON.stringify(version)}`, [{ path: 'release.version', message: 'does not match the URL' }]);
    }
    const outcome = await recordOnLedger(ledger, result, {
      rollbackTemplate,
      flags: { release: version, ...flags },
      env: {},
      // The reporter redacted its own secrets; the server knows none of them.
      redact: (text) => text,
      where: 'the seal server',
      boardBase: deps.boardBase?.(app) ?? null,
      tiers: { vocabulary: deps.tiers ?? DEFAULT_VOCABULARY, expected: deps.expectTiers?.(app) ?? [] },
      // The run was made elsewhere: its production_smoke credit names the token that reported it.
      creditedBy: tokenName(sender),
    });
    events.publish({ type: 'seal', app, version, status: outcome.recorded?.current ? result.verdict : null });
    // A run recorded for the first time is told to the app's notifiers (never a replay).
    if (outcome.recorded?.inserted) deps.notify?.(outcome.result, outcome.recorded.current);
    // A release's seal reported from CI starts its app's soak seals, as one run here would.
    if (outcome.recorded?.inserted && outcome.recorded.current && outcome.release && !result.soak && !result.part_of) deps.sealed?.(app, outcome.release.version, tokenName(sender));
    deps.logger.info({ app, version, run_id: result.run_id, verdict: result.verdict, current: outcome.recorded?.current ?? false, token: c.get('token')?.id }, 'seal recorded');
    return c.json(
      { recorded: outcome.recorded?.inserted ?? false, current: outcome.recorded?.current ?? false, seal: outcome.recorded?.seal ?? null, release: outcome.release, result: outcome.result, url: `/releases/${encodeURIComponent(app)}/${encodeURIComponent(version)}` },
      outcome.recorded?.inserted ? 201 : 200,
    );
  });

  // A test report, sent as it was written (the bytes are hashed as received): ?tier=…&format=
  // junit|playwright-json|vitest-json. The tier is credited only if the server's own reading of
  // the report says so; the row names the token that sent it.
  const reportLimit = bodyLimit({ maxSize: MAX_REPORT_BYTES, onError: tooLarge(MAX_REPORT_BYTES) });
  api.post('/releases/:app/:version/credits', write, reportLimit, async (c) => {
    const { app, version } = c.req.param();
    const vocabulary = deps.tiers ?? DEFAULT_VOCABULARY;
    const tierName = c.req.query('tier');
    const format = c.req.query('format');
    if (!tierName) return problem(c, 400, `name the tier: ?tier=… (the known tiers are: ${vocabulary.describe()})`, [{ path: 'tier', message: 'missing' }]);
    const tier = vocabulary.resolve(tierName);
    if (tier === null) return problem(c, 400, `unknown test tier ${JSON.stringify(tierName)}; the known tiers are: ${vocabulary.describe()}`, [{ path: 'tier', message: 'unknown' }]);
    if (!format || !(REPORT_FORMATS as readonly string[]).includes(format)) return problem(c, 400, `format must be one of ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(format ?? null)} (a tier is credited only by a report the server reads itself)`, [{ path: 'format', message: 'unknown' }]);
    if (!APP_NAME.test(app)) return problem(c, 400, `app names use letters, digits, ".", "_" and "-" (at most 63), got ${JSON.stringify(app)}`, [{ path: 'app', message: 'invalid' }]);
    const bytes = Buffer.from(await c.req.arrayBuffer());
    const report = readReport(format as ReportFormat, bytes);
    const verdict = creditOf(report);
    const sender = c.get('token');
    const credit = await new CreditStore(ledger.db).record(app, version, {
      tier,
      credited: verdict.credited,
      reason: verdict.reason,
      format,
      ...(report.ok ? report.counts : { tests: 0, passed: 0, failed: 0, skipped: 0, flaky: 0 }),
      report_sha256: report.sha256,
      report_bytes: report.bytes,
      run_id: null,
      credited_by: tokenName(sender),
    });
    events.publish({ type: 'release', app, version });
    deps.logger.info({ app, version, tier, credited: credit.credited, sha256: credit.report_sha256, token: sender?.id }, 'tier credit recorded');
    return c.json({ app, release: version, ...credit }, 201);
  });

  api.post('/releases/:app/:version/smoke', write, async (c) => {
    const { app, version } = c.req.param();
    if (!jobs) return problem(c, 501, 'this server was started without a config, so it cannot run smoke suites: start it with `seal serve --config seal.config.yaml`');
    if (!deps.configuredApps.includes(app)) return problem(c, 404, `no app ${JSON.stringify(app)} in the server's config (apps: ${deps.configuredApps.join(', ') || 'none'})`);
    let status;
    try {
      status = await jobs.enqueue({ run_id: randomUUID(), app, version, requested_at: (deps.now?.() ?? new Date()).toISOString(), requested_by: tokenName(c.get('token')) });
    } catch (error) {
      if (error instanceof QueueFullError) return problem(c, 429, error.message);
      throw error;
    }
    return c.json({ ...status, status_url: `/api/runs/${status.run_id}` }, 202);
  });

  api.get('/runs/:runId', async (c) => {
    const runId = c.req.param('runId');
    // The ledger first: a job retried after its worker died may still be on the queue although its first attempt was recorded.
    const run = await ledger.getRun(runId);
    if (run) return c.json({ status: 'finished', version: run.version, result: run.result });
    const pending = await jobs?.status(runId);
    if (pending) return c.json(pending);
    return problem(c, 404, `no run ${JSON.stringify(runId)} (runs the server does itself are listed here once queued)`);
  });

  api.put('/runs/:runId/evidence/:name', write, bodyLimit({ maxSize: MAX_EVIDENCE_BYTES, onError: tooLarge(MAX_EVIDENCE_BYTES) }), async (c) => {
    const { runId, name } = c.req.param();
    if (!(await ledger.getRun(runId))) return problem(c, 404, `no run ${JSON.stringify(runId)}: report the seal before its evidence`);
    const data = new Uint8Array(await c.req.arrayBuffer());
    try {
      await evidence.put(runId, name, data);
    } catch (error) {
      if (error instanceof RangeError) return problem(c, 400, error.message);
      throw error;
    }
    return c.json({ name, url: `/runs/${runId}/evidence/${encodeURIComponent(name)}` }, 201);
  });

  api.notFound((c) => problem(c, 404, `no API route ${c.req.method} ${c.req.path} (see /api/openapi.json)`));
  return api;
}

function notFound(c: Context, app: string, version: string) {
  return problem(c, 404, `no release ${JSON.stringify(version)} of app ${JSON.stringify(app)}`);
}
