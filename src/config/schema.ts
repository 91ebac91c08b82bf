/**
 * The raw shape of `seal.config.yaml`, as zod schemas. One schema serves three jobs:
 * validation (with path-named errors), the TypeScript input types, and the published
 * JSON Schema that editors use for autocompletion.
 */
import { z } from 'zod';
import { LOCATION_PATTERN } from '../queue/types.js';
import { formatDuration, parseDuration } from './duration.js';
import { githubSchema, notifierSchema } from '../notify/config.js';

/** HTTP methods a smoke suite may use: nothing that can change production's state. */
export const READ_ONLY_METHODS = ['GET', 'HEAD', 'OPTIONS'] as const;

const positiveInt = z.number({ error: 'expected a number' }).int('expected a whole number').positive('expected a number above 0');
const nonNegativeInt = z.number({ error: 'expected a number' }).int('expected a whole number').min(0, 'expected 0 or more');
const httpStatus = z.number({ error: 'expected a number' }).int('expected a whole number').min(100, 'expected an HTTP status (100-599)').max(599, 'expected an HTTP status (100-599)');
/** `10m`, `1h`, `90s`, `2d`, `500ms`, or whole milliseconds (see duration.ts). */
const duration = (what: string, minMs: number, maxMs: number) =>
  z.union([z.number(), z.string()], { error: `expected a duration like 10m, 1h or 90s` }).refine(
    (value) => {
      const ms = parseDuration(value);
      return ms !== null && ms >= minMs && ms <= maxMs;
    },
    { error: `expected ${what}: a duration like 10m, 1h or 90s (or whole milliseconds), from ${formatDuration(minMs)} to ${formatDuration(maxMs)}` },
  );
const stringOrList = z.union([z.string(), z.array(z.string()).min(1)], { error: 'expected a string or a list of strings' });

const absoluteUrl = z.string({ error: 'expected a URL' }).refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: (issue) => `expected an absolute http(s) URL, got ${JSON.stringify(issue.input)}` },
);

const readOnlyMethod = z.string({ error: 'expected a string' }).refine(
  (method) => (READ_ONLY_METHODS as readonly string[]).includes(method.toUpperCase()),
  {
    error: (issue) =>
      `method ${String(issue.input)} is refused: the smoke suite is read-only (only ${READ_ONLY_METHODS.join(', ')} may be sent to production)`,
  },
);

/** A `/pattern/flags` string or a plain pattern; invalid regular expressions are config errors. */
const regexString = z.string({ error: 'expected a string' }).refine(
  (value) => {
    try {
      parseRegex(value);
      return true;
    } catch {
      return false;
    }
  },
  { error: (issue) => `invalid regular expression ${JSON.stringify(issue.input)}` },
);

/** Knobs shared by an app (its defaults) and each check (its overrides). */
const tuning = {
  concurrency: positiveInt.optional().describe('Most checks running at once (app); on a check: most checks running while it runs.'),
  timeout_ms: positiveInt.optional().describe('Per-attempt timeout covering the whole exchange.'),
  retries: nonNegativeInt.optional().describe('Extra attempts after a failure; passing on a retry makes the check "flaky".'),
  retry_delay_ms: nonNegativeInt.optional().describe('Pause between attempts.'),
  max_body_bytes: positiveInt.optional().describe('Response bytes read for assertions and evidence; the rest is not downloaded.'),
  allow_hosts: z.array(z.string()).optional().describe('Extra hosts that requests and redirects may reach besides the app\'s own.'),
};

export const expectSchema = z
  .strictObject({
    status: z.union([httpStatus, z.array(httpStatus).min(1)], { error: 'expected a number or a list of numbers' }).optional(),
    max_ms: positiveInt.optional(),
    body_contains: stringOrList.optional(),
    body_not_contains: stringOrList.optional(),
    body_matches: regexString.optional(),
    json: z.record(z.string().startsWith('$', 'expected a JSONPath starting with "$"'), z.unknown()).optional(),
    headers: z.record(z.string(), z.union([z.string(), z.boolean()], { error: 'expected a string, /regex/, true (present) or false (absent)' })).optional(),
    min_days_left: z.number({ error: 'expected a number' }).optional(),
    trusted: z.boolean({ error: 'expected true or false' }).optional(),
    title: z.string().optional(),
    visible: z.array(z.string()).optional(),
    text_contains: stringOrList.optional(),
    no_console_errors: z.boolean().optional(),
    exit_code: z.number().int().optional(),
    stdout_contains: stringOrList.optional(),
  })
  .describe('What must hold for the check to pass.');

const httpObject = z.strictObject({
  path: z.string({ error: 'expected a path such as /up, or an absolute URL' }),
  method: readOnlyMethod.optional(),
  headers: z.record(z.string(), z.string({ error: 'expected a string' })).optional(),
  follow_redirects: z.boolean({ error: 'expected true or false' }).optional(),
  max_redirects: nonNegativeInt.optional(),
});

const tlsObject = z.strictObject({
  host: z.string().optional(),
  port: positiveInt.optional(),
  servername: z.string().optional(),
});

const browserObject = z.strictObject({
  path: z.string({ error: 'expected a path such as /, or an absolute URL' }),
  viewport: z.strictObject({ width: positiveInt, height: positiveInt }).optional(),
  wait_for: z.string().optional().describe('"load" (default), "domcontentloaded", "networkidle", or a selector that must appear.'),
});
const browserSpec = z.union([z.string(), browserObject], { error: 'expected a path or { path, viewport, wait_for }' });
const playwrightSpec = z.strictObject({
  spec: z.string({ error: 'expected the path of a Playwright spec file' }).describe('Spec file, relative to this config file.'),
  grep: z.string().optional().describe('Only tests whose title matches run (e.g. "@qa-readonly").'),
  config: z.string().optional().describe('The team\'s playwright.config, relative to this config file.'),
  workers: positiveInt.optional(),
});
const execSpec = z.strictObject({
  command: z.array(z.string(), { error: 'expected the command as a list: [program, arg, …]' }).min(1, 'the command needs at least the program'),
  cwd: z.string().optional().describe('Working directory, relative to this config file.'),
  env: z.record(z.string(), z.string({ error: 'expected a string' })).optional(),
  timeout_ms: positiveInt.optional(),
});


/** Each check names exactly one kind key; the key is the discriminator. */
export const CHECK_KINDS = ['http', 'tls', 'browser', 'playwright', 'exec'] as const;
/** A check kind, named after its config key. */
export type CheckKind = (typeof CHECK_KINDS)[number];

const networkSandbox = z.enum(['auto', 'required', 'off'], { error: 'expected auto, required or off' })
  .describe('Exec probes and specs in a network namespace whose only way out is the guard: auto (where available), required, off.');

const allowRequest = z.strictObject({
  method: z.string({ error: 'expected an HTTP method such as POST' }).regex(/^[A-Za-z]+$/, 'expected an HTTP method such as POST'),
  path: z.string({ error: 'expected a path such as /graphql' }).startsWith('/', 'expected a path starting with "/" (a trailing * matches a prefix)'),
  reason: z.string({ error: 'say why this request only reads; it is shown beside every request it lets through' }).trim().min(1, 'say why this request only reads; it is shown beside every request it lets through'),
  graphql: z.enum(['queries'], { error: 'expected "queries": only GraphQL queries go through' }).optional(),
}).describe('A request that writes by its method but only reads (a search over POST, a GraphQL query).');

export const checkSchema = z.strictObject({
  name: z.string({ error: 'expected a name' }).min(1, 'a check needs a non-empty name'),
  http: z.union([z.string(), httpObject], { error: 'expected a path or { path, headers, follow_redirects }' }).optional(),
  tls: tlsObject.optional(),
  browser: browserSpec.optional(),
  playwright: playwrightSpec.optional(),
  exec: execSpec.optional(),
  expect: expectSchema.optional(),
  skip: z.union([z.boolean(), z.string()]).optional().describe('true or a reason: the check is listed as skipped and not run.'),
  screenshot: z.enum(['on-failure', 'always']).optional(),
  on_write: z.enum(['record', 'fail']).optional(),
  network_sandbox: networkSandbox.optional(),
  ...tuning,
});

export const appSchema = z.strictObject({
  production_url: absoluteUrl.describe('Canonical base URL of the suite (required).'),
  smoke_url: absoluteUrl.optional().describe('The deploy\'s own health URL; checked when the app lists no checks.'),
  ca_file: z.string().optional().describe('PEM file of extra trusted certificate authorities (for private CAs).'),
  rollback: z.string().optional().describe('Rollback command template: {app} {version} {sha} {merge_sha} {previous_version}.'),
  notify: z.array(z.string()).optional().describe('Notifiers (under notifiers:) told of every seal.'),
  alert: z.array(z.string()).optional().describe('Notifiers told only when the seal is red (besides notify).'),
  github: githubSchema.optional().describe('Keep the GitHub release of each version in step: its body gets the seal block.'),
  board_url: absoluteUrl.optional().describe('The seal server\'s address, for links in notifications and release notes (default: none from seal smoke; a seal server uses its own address).'),
  on_write: z.enum(['record', 'fail']).optional(),
  network_sandbox: networkSandbox.optional(),
  allow_requests: z.array(allowRequest, { error: 'expected a list of { method, path, reason }' }).optional()
    .describe('Requests the guard lets through although their method writes, each with the reason it only reads.'),
  deadline_ms: positiveInt.optional().describe('Overall deadline for the whole run.'),
  locations: z.array(z.string({ error: 'expected a location name' }).regex(LOCATION_PATTERN, 'a location name is lower-case letters, digits and hyphens (at most 32), like eu-west'), { error: 'expected a list of location names' })
    .min(1, 'expected at least one location')
    .max(16, 'at most 16 locations')
    .refine((list) => new Set(list).size === list.length, { error: 'a location is listed twice' })
    .optional()
    .describe('Where the suite runs from (with seal worker --location on Postgres): one run per location, the seal green only when every location is green.'),
  location_timeout: duration('the wait for a worker of each location', 1000, 86_400_000).optional()
    .describe('How long a location\'s run may wait for a live worker of that location before it counts as an error (default 5m).'),
  soak: z.array(duration('a soak delay', 1000, 7 * 86_400_000), { error: 'expected a list of durations, like [10m, 1h]' }).max(10, 'at most 10 soak delays').optional()
    .describe('Seal the same release again this long after its first seal (like [10m, 1h]), on a seal server or workers; cancelled when a newer release is sealed.'),
  browser_concurrency: positiveInt.optional().describe('Most browser checks with a page open at once (default: the number of CPU cores, from 2 to 8).'),
  checks: z.array(checkSchema, { error: 'expected a list of checks' }).optional(),
  expect_tiers: z.array(z.string({ error: 'expected a tier name' }), { error: 'expected a list of tier names' }).optional()
    .describe('Test tiers each release of this app is expected to have credited (names or aliases from tiers:); a missing one is a warning on the seal, never a gate.'),
  ...tuning,
});

const tierSchema = z.union([
  z.string(),
  z.strictObject({
    name: z.string({ error: 'expected the tier\'s name' }),
    aliases: z.array(z.string({ error: 'expected a name' }), { error: 'expected a list of names' }).optional().describe('Older names that mean this tier.'),
  }),
], { error: 'expected a tier name or { name, aliases }' });


/** An app name is used in URLs and file names, so it is kept to a safe alphabet. */
export const APP_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/i;

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    apps: z.record(
      z.string().regex(APP_NAME, 'app names use letters, digits, ".", "_" and "-" (at most 63)'),
      appSchema,
      { error: (issue) => (issue.code === 'invalid_type' ? 'expected a map of app name to app' : undefined) },
    ),
    notifiers: z.record(z.string(), notifierSchema).optional(),
    tiers: z.array(tierSchema, { error: 'expected a list of tiers, lowest first' }).optional()
      .describe('The test tiers, lowest first, each with the older names that mean it (default: unit, component, integration, e2e, production_smoke).'),
  })
  .describe('smoke-seal configuration (seal.config.yaml)');

/** The config as written, after validation. */
export type RawConfig = z.infer<typeof configSchema>;
/** One app as written. */
export type RawApp = z.infer<typeof appSchema>;
/** One check as written. */
export type RawCheck = z.infer<typeof checkSchema>;
/** One `expect` block as written. */
export type RawExpect = z.infer<typeof expectSchema>;

/** Parses `/pattern/flags` (or a bare pattern) into a RegExp; throws on invalid syntax. */
export function parseRegex(value: string): RegExp {
  const match = /^\/(.*)\/([dgimsuvy]*)$/s.exec(value);
  return match ? new RegExp(match[1] ?? '', match[2]) : new RegExp(value);
}
