/** The API's OpenAPI 3.1 description, served at /api/openapi.json (a test keeps it and the routes in step). */

const error = { $ref: '#/components/schemas/Error' };
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const answer = (description: string, schema: unknown = error) => ({ description, ...json(schema) });
const path = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const appParam = path('app', 'app name (URL-encoded)');
const versionParam = path('version', 'release version (URL-encoded)');
const runParam = { ...path('runId', 'run id (UUID)'), schema: { type: 'string', format: 'uuid' } };
const unauthorized = answer('no token, or a malformed, unknown or revoked one (WWW-Authenticate: Bearer)');
const forbidden = answer('a read token where a write token is needed');
const write = [{ bearer: [] }];

/** The document. */
export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'smoke-seal server',
    version: '1',
    description:
      'Releases, their seals, and the runs CI jobs report. Writes need a write token (`seal token create --name NAME`) as `Authorization: Bearer`. ' +
      'Reads are open on a server bound to loopback or started with --public; otherwise they need a token too. Errors are `{ "error": "…" }` with a status: ' +
      '400 bad input (with `details`: path and message per problem), 401/403 auth, 404 unknown app, release or run, 413 body too large (JSON bodies nested deeper than 64 levels: 400).',
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'seal_<id>_<secret>' } },
    schemas: {
      AuditEvent: {
        type: 'object',
        description: 'One change to a release, seal, credit, incident, token or evidence file; hash = SHA-256 of prev_hash, a newline and JSON [seq, at, actor, action, kind, subject, app, version, digest, detail]',
        properties: { seq: { type: 'integer' }, at: { type: 'string' }, actor: { type: 'string' }, action: { enum: ['recorded', 'changed', 'adopted'] }, kind: { enum: ['release', 'seal', 'credit', 'incident', 'token', 'evidence'] }, subject: { type: 'string' }, app: { type: ['string', 'null'] }, version: { type: ['string', 'null'] }, digest: { type: 'string' }, detail: { type: 'string' }, prev_hash: { type: 'string' }, hash: { type: 'string' } },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'string' }, details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } } },
      },
      SmokeSeal: {
        type: ['object', 'null'],
        properties: { status: { enum: ['green', 'red', 'error'] }, summary: { type: 'string' }, checked_at: { type: 'string', format: 'date-time' }, run_id: { type: 'string', format: 'uuid' } },
      },
      Release: {
        type: 'object',
        properties: {
          app: { type: 'string' },
          version: { type: 'string' },
          sha: { type: ['string', 'null'] },
          merge_sha: { type: ['string', 'null'] },
          branch: { type: ['string', 'null'] },
          deployed_at: { type: ['string', 'null'], format: 'date-time' },
          merged_at: { type: ['string', 'null'], format: 'date-time', description: 'when the change was merged (a post-mortem starts its timeline there)' },
          notes: { type: ['string', 'null'] },
          previous_version: { type: ['string', 'null'] },
          created_at: { type: 'string', format: 'date-time' },
          smoke_seal: { $ref: '#/components/schemas/SmokeSeal' },
        },
      },
      ReleaseInput: {
        type: 'object',
        required: ['app', 'version'],
        description: 'Fields left out keep their recorded values.',
        properties: {
          app: { type: 'string', maxLength: 200 },
          version: { type: 'string', maxLength: 200 },
          sha: { type: ['string', 'null'] },
          merge_sha: { type: ['string', 'null'] },
          branch: { type: ['string', 'null'] },
          notes: { type: ['string', 'null'], description: 'at most 1 MiB' },
          deployed_at: { type: ['string', 'null'], description: 'ISO 8601 with an offset' },
          merged_at: { type: ['string', 'null'], description: 'when the change was merged, ISO 8601 with an offset' },
        },
      },
      RunResult: {
        type: 'object',
        description: 'What `seal smoke --json` prints (see the README). The server renders the rollback command from its own config only; a reported `rollback` for an app it has no template of is kept as `reported_rollback` (text, with the token that sent it). `rollback_template` is accepted and ignored.',
        required: ['run_id', 'app', 'base_url', 'verdict', 'summary', 'started_at', 'finished_at', 'duration_ms', 'release', 'checks', 'blocked_requests', 'rollback'],
        properties: {
          run_id: { type: 'string', format: 'uuid' },
          app: { type: 'string' },
          verdict: { enum: ['green', 'red', 'error'] },
          summary: { type: 'string' },
          checks: { type: 'array', items: { type: 'object', description: 'A check; `blocked_requests` lists the writes the read-only guard answered for it.', properties: { blocked_requests: { type: 'array', items: { $ref: '#/components/schemas/BlockedRequest' } } } } },
          blocked_requests: { type: 'array', items: { $ref: '#/components/schemas/BlockedRequest' }, description: 'Every check\'s blocked writes, in check order.' },
          rollback_template: { type: ['string', 'null'] },
          release_flags: {
            type: 'object',
            description: 'What the reporter was told on its command line; only these overwrite the recorded release. The run\'s own release.sha is used only when the release is new.',
            properties: { sha: { type: ['string', 'null'] }, merge_sha: { type: ['string', 'null'] }, previous_version: { type: ['string', 'null'] } },
          },
        },
      },
      BlockedRequest: {
        type: 'object',
        required: ['check', 'method', 'url'],
        properties: {
          check: { type: 'string', description: 'the check (for a spec, the test\'s check) that made it' },
          method: { type: 'string' },
          url: { type: 'string' },
          reason: { type: 'string', description: 'why it counts as a write when its method alone does not say' },
          test: { type: 'string', description: 'a spec test\'s title' },
          location: { type: 'string', description: 'a spec test\'s file:line' },
        },
      },
      JobStatus: {
        type: 'object',
        properties: {
          run_id: { type: 'string', format: 'uuid' },
          app: { type: 'string' },
          version: { type: 'string' },
          status: { enum: ['queued', 'running', 'retrying', 'failed', 'cancelled', 'finished'], description: 'retrying: its worker died or its run ended without a seal, and it waits to be run again; failed: given up after its retries (see error)' },
          ahead: { type: 'integer', description: 'jobs before it in its queue' },
          retries: { type: 'integer', description: 'times it was started again (durable queue on Postgres)' },
          error: { type: ['string', 'null'], description: 'why its last attempt ended without a seal' },
          requested_by: { type: 'string' },
          status_url: { type: 'string' },
        },
      },
    },
  },
  paths: {
    '/api/releases': {
      post: {
        summary: 'Record a release, or update the fields given of one already recorded',
        security: write,
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/ReleaseInput' }) },
        responses: { 201: answer('recorded', { type: 'object', properties: { created: { const: true }, release: { $ref: '#/components/schemas/Release' } } }), 200: answer('updated'), 400: answer('bad input'), 401: unauthorized, 403: forbidden, 413: answer('body too large') },
      },
      get: {
        summary: 'Releases, newest first, across apps or of one',
        parameters: [
          { name: 'app', in: 'query', schema: { type: 'string' } },
          { name: 'before', in: 'query', description: 'the `next` of the previous page', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        ],
        responses: { 200: answer('a page', { type: 'object', properties: { releases: { type: 'array', items: { $ref: '#/components/schemas/Release' } }, next: { type: ['string', 'null'] } } }), 400: answer('bad paging'), 404: answer('unknown app') },
      },
    },
    '/api/releases/{app}/{version}': {
      get: {
        summary: 'One release with its current seal, its run, its seal history, its test tiers (the evidence ladder) and its audit trail (the newest 1,000 events, oldest first)',
        parameters: [appParam, versionParam],
        responses: { 200: answer('the release', { allOf: [{ $ref: '#/components/schemas/Release' }, { type: 'object', properties: { seal_history: { type: 'array' }, current_run: { $ref: '#/components/schemas/RunResult' }, tiers: { type: 'array', items: { type: 'object', properties: { tier: { type: 'string' }, state: { enum: ['credited', 'not_credited', 'missing'] }, expected: { type: 'boolean' }, credit: { type: ['object', 'null'] } } } }, audit_trail: { type: 'array', items: { $ref: '#/components/schemas/AuditEvent' } } } }] }), 404: answer('unknown app or release') },
      },
    },
    '/api/audit': {
      get: {
        summary: 'The server\'s newest verification of the hash-chained audit log (made at start and every SEAL_AUDIT_VERIFY_EVERY_MS, default 10 minutes): ok, the head, what was checked, and the first problems',
        responses: { 200: answer('the newest report (null before the first verification ends) and why the last one could not run, if it could not', { type: 'object', properties: { report: { type: ['object', 'null'], properties: { ok: { type: 'boolean' }, verified_at: { type: 'string' }, head: { type: 'object' }, events: { type: 'integer' }, problems: { type: 'array', items: { type: 'object', properties: { type: { enum: ['chain', 'row', 'file'] }, message: { type: 'string' } } } }, problem_count: { type: 'integer' } } }, failure: { type: ['string', 'null'] } } }) },
      },
    },
    '/api/releases/{app}/{version}/seals': {
      post: {
        summary: 'Report a run of the smoke suite (what `seal smoke --server` sends); the same run_id twice is recorded once',
        security: write,
        parameters: [appParam, versionParam],
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/RunResult' }) },
        responses: { 201: answer('recorded', { type: 'object', properties: { recorded: { type: 'boolean' }, current: { type: 'boolean' }, seal: { $ref: '#/components/schemas/SmokeSeal' }, release: { $ref: '#/components/schemas/Release' }, result: { $ref: '#/components/schemas/RunResult' }, url: { type: 'string' } } }), 200: answer('already recorded (nothing changed)'), 400: answer('bad input, nested deeper than 64 levels, app/version differ from the URL, or finished_at in the future'), 401: unauthorized, 403: forbidden, 413: answer('body too large') },
      },
    },
    '/api/releases/{app}/{version}/credits': {
      post: {
        summary: 'Credit a test tier on a release from a test report the server reads itself (never from a claim): credited when it parses, ran tests and failed none; recorded either way, with the report\'s SHA-256 and the token that sent it',
        security: write,
        parameters: [
          appParam,
          versionParam,
          { name: 'tier', in: 'query', required: true, description: 'a tier name or alias of the server\'s vocabulary', schema: { type: 'string' } },
          { name: 'format', in: 'query', required: true, schema: { enum: ['junit', 'playwright-json', 'vitest-json'] } },
        ],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary', description: 'the report as the runner wrote it (at most 32 MiB)' } } } },
        responses: { 201: answer('recorded', { type: 'object', properties: { tier: { type: 'string' }, credited: { type: 'boolean' }, reason: { type: ['string', 'null'] }, tests: { type: 'integer' }, report_sha256: { type: 'string' }, credited_by: { type: 'string' } } }), 400: answer('no or unknown tier, unknown format, bad app name'), 401: unauthorized, 403: forbidden, 413: answer('report too large') },
      },
    },
    '/api/releases/{app}/{version}/smoke': {
      post: {
        summary: "Ask the server to run the app's smoke suite (from its own config) against production and seal this release",
        security: write,
        parameters: [appParam, versionParam],
        responses: { 202: answer('queued', { $ref: '#/components/schemas/JobStatus' }), 401: unauthorized, 403: forbidden, 404: answer("app not in the server's config"), 429: answer('queue full'), 501: answer('server started without a config') },
      },
    },
    '/api/runs/{runId}': {
      get: {
        summary: 'A run: queued, running, retrying or failed (runs the server queued, run by itself or by `seal worker` processes), or finished with its result',
        parameters: [runParam],
        responses: { 200: answer('the run', { $ref: '#/components/schemas/JobStatus' }), 404: answer('unknown run') },
      },
    },
    '/api/runs/{runId}/evidence/{name}': {
      put: {
        summary: 'Upload a screenshot of a reported run (PNG or JPEG, at most 5 MiB, 20 per run) for the board',
        security: write,
        parameters: [runParam, path('name', 'the file base name the run result refers to (…/name.png)')],
        requestBody: { required: true, content: { 'image/png': { schema: { type: 'string', format: 'binary' } }, 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } },
        responses: { 201: answer('kept', { type: 'object', properties: { name: { type: 'string' }, url: { type: 'string' } } }), 400: answer('not a PNG/JPEG, bad name, or too many files'), 401: unauthorized, 403: forbidden, 404: answer('unknown run'), 413: answer('file too large') },
      },
    },
    '/api/openapi.json': { get: { summary: 'This document', responses: { 200: answer('OpenAPI 3.1', { type: 'object' }) } } },
  },
} as const;
