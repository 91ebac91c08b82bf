/** The `seal` command line. Commands are thin: they parse flags and call the core. */
import { errorMessage } from '../errors.js';
import { Command, Option } from 'commander';
import type { IncidentFields } from '../incidents/edit.js';
import type { ActionOptions, OpenOptions } from './commands/incident.js';
import type { CreditOptions } from './commands/credit.js';
import type { RecordOptions } from './commands/release.js';
import type { SmokeOptions } from './commands/smoke.js';
import { EXAMPLES } from './examples.js';
import { processIo } from './io.js';

// Commands load their modules only when they run: `seal --version` should not pay for zod and undici.

const io = processIo();
const program = new Command('seal')
  .description('A seal of approval for every production release: read-only smoke checks, a verdict with evidence.')
  .version('0.1.0')
  .showHelpAfterError()
  // Options before the command are the program's (--version), after it the command's
  // (`seal release record --version V`).
  .enablePositionalOptions()
  .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });

const configOption = (): Option => new Option('--config <path>', 'config file (default: $SEAL_CONFIG or ./seal.config.yaml)');

program
  .command('smoke')
  .description('run the app\'s read-only smoke suite against production and seal the release')
  .argument('<app>', 'app name from the config')
  .addOption(configOption())
  .option('--release <version>', 'the release being sealed')
  .option('--sha <sha>', 'commit of the release (default: the CI system\'s, e.g. $GITHUB_SHA)')
  .option('--merge-sha <sha>', 'merge commit, for the rollback command')
  .option('--previous-version <version>', 'the release before this one, for the rollback command')
  .option('--json', 'print the run result as one JSON document on stdout')
  .option('--junit <path>', 'write a JUnit XML report')
  .option('--gate', 'exit 1 on red and 2 on error (by default a seal never fails the command)')
  .option('--server <url>', 'report the run to a seal server instead of the local store (default: $SEAL_SERVER_URL; token: $SEAL_TOKEN)', io.env.SEAL_SERVER_URL)
  .action(async (app: string, options: SmokeOptions) => {
    const { smokeCommand } = await import('./commands/smoke.js');
    process.exitCode = await smokeCommand(app, options, io);
  });

program
  .command('init')
  .description('write a first seal.config.yaml for an app, checks that hold today, ready for `seal smoke`')
  .argument('[url]', 'the production URL (looked at with two GETs: /up and the page)')
  .option('--app <name>', 'app name (default: from the URL\'s host, e.g. studio for https://studio.example.com)')
  .addOption(configOption())
  .option('--force', 'replace an existing config file')
  .action(async (url: string | undefined, options: { app?: string; config?: string; force?: boolean }) => {
    const { initCommand } = await import('./commands/init.js');
    process.exitCode = await initCommand(url, options, io);
  });

const config = program.command('config').description('validate the config or print its JSON Schema');
config
  .command('check')
  .description('report every problem in the config with its path; exit 1 on errors')
  .addOption(configOption())
  .option('--json', 'print the report as one JSON document on stdout')
  .action(async (options: { config?: string; json?: boolean }) => {
    const { configCheckCommand } = await import('./commands/config.js');
    process.exitCode = configCheckCommand(options, io);
  });
config
  .command('schema')
  .description('print the JSON Schema of seal.config.yaml (for editors)')
  .addOption(configOption())
  .action(async () => {
    const { configSchemaCommand } = await import('./commands/config.js');
    process.exitCode = configSchemaCommand(io);
  });

const release = program.command('release').description('the release ledger: record releases, list them, show one with its seals');
release
  .command('record')
  .description('record a release (or update the fields given for one already recorded)')
  .argument('<app>', 'app name')
  .requiredOption('--version <version>', 'the release\'s version (tag or name)')
  .option('--sha <sha>', 'commit of the release')
  .option('--merge-sha <sha>', 'merge commit (the default rollback reverts it)')
  .option('--branch <branch>', 'branch it was built from')
  .option('--notes-file <path>', 'release notes (Markdown, at most 1 MiB)')
  .option('--deployed-at <iso>', 'when it reached production (ISO 8601 with offset)')
  .option('--merged-at <iso>', 'when its change was merged (ISO 8601 with offset; a post-mortem\'s timeline starts there)')
  .addOption(configOption())
  .option('--json', 'print the release as one JSON document on stdout')
  .action(async (app: string, options: RecordOptions) => {
    const { releaseRecordCommand } = await import('./commands/release.js');
    process.exitCode = await releaseRecordCommand(app, options, io);
  });
release
  .command('list')
  .description('releases of an app, newest first, with their seals')
  .argument('<app>', 'app name')
  .option('--limit <n>', 'how many (default 50)')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (app: string, options: { json?: boolean; limit?: string }) => {
    const { releaseListCommand } = await import('./commands/release.js');
    process.exitCode = await releaseListCommand(app, options, io);
  });
release
  .command('show')
  .description('one release: its current seal and every seal run on it')
  .argument('<app>', 'app name')
  .argument('<version>', 'release version')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout (smoke_seal and seal_history included)')
  .action(async (app: string, version: string, options: { json?: boolean }) => {
    const { releaseShowCommand } = await import('./commands/release.js');
    process.exitCode = await releaseShowCommand(app, version, options, io);
  });

program
  .command('credit')
  .description('credit a test tier on a release from a test report seal reads itself (never from a claim)')
  .argument('<app>', 'app name')
  .requiredOption('--release <version>', 'the release the tests ran for (recorded if the ledger does not know it yet)')
  .requiredOption('--tier <tier>', 'the tier, by name or alias (tiers: in the config, or the default ladder)')
  .option('--junit <file>', 'a JUnit XML report')
  .option('--playwright-json <file>', "a Playwright JSON report (--reporter=json)")
  .option('--vitest-json <file>', 'a Vitest (or Jest) JSON report (--reporter=json)')
  .option('--server <url>', 'send the report to a seal server, which reads it and records the credit (default: $SEAL_SERVER_URL; token: $SEAL_TOKEN)', io.env.SEAL_SERVER_URL)
  .addOption(configOption())
  .option('--json', 'print the recorded credit as one JSON document on stdout')
  .action(async (app: string, options: CreditOptions) => {
    const { creditCommand } = await import('./commands/credit.js');
    process.exitCode = await creditCommand(app, options, io);
  });

const attest = program
  .command('attest')
  .description('in-toto attestations of a release\'s test results: its seal and each credited tier (DSSE-signed with $SEAL_SIGNING_KEY)')
  .argument('[app]', 'app name')
  .argument('[version]', 'release version')
  .option('--out <file>', 'write the attestations (one per line) to a file instead of stdout')
  .option('--board <url>', 'the board\'s address, for links in the attestations (default: $SEAL_BOARD_URL)', io.env.SEAL_BOARD_URL)
  .action(async (app: string | undefined, version: string | undefined, options: { out?: string; board?: string }) => {
    if (!app || !version) {
      attest.help({ error: true });
      return;
    }
    const { attestCommand } = await import('./commands/attest.js');
    process.exitCode = await attestCommand(app, version, options, io);
  });
attest
  .command('verify')
  .description('check every signed attestation in a file against a public key (Ed25519 PEM)')
  .argument('<file>', 'the attestations, as seal attest wrote them (- for stdin)')
  .requiredOption('--key <file>', 'the public key (Ed25519, PEM)')
  .option('--json', 'print one JSON document on stdout')
  .action(async (file: string, options: { key: string; json?: boolean }) => {
    const { attestVerifyCommand } = await import('./commands/attest.js');
    process.exitCode = await attestVerifyCommand(file, options, io);
  });

const audit = program.command('audit').description('the hash-chained audit log of every change to releases, seals, credits, incidents and tokens');
audit
  .command('verify')
  .description('recompute the chain, every recorded row and every evidence file\'s hash; name the first broken link or changed row or file')
  .option('--head <seq:hash>', 'also check that a head published earlier (an attestation keeps one) is still in the chain; may be repeated', (value: string, previous: string[] = []) => [...previous, value])
  .option('--json', 'print one JSON document on stdout')
  .action(async (options: { json?: boolean; head?: string[] }) => {
    const { auditVerifyCommand } = await import('./commands/audit.js');
    process.exitCode = await auditVerifyCommand(options, io);
  });
audit
  .command('log')
  .description('the audit trail of an app, or of one release')
  .argument('<app>', 'app name')
  .option('--release <version>', 'only this release (its seals, credits and incidents)')
  .option('--limit <n>', 'newest events shown (default 200)')
  .option('--json', 'print one JSON document on stdout')
  .action(async (app: string, options: { release?: string; limit?: string; json?: boolean }) => {
    const { auditLogCommand } = await import('./commands/audit.js');
    process.exitCode = await auditLogCommand(app, options, io);
  });

program
  .command('stats')
  .description('delivery metrics: deployments, seal pass rate, change failure rate')
  .argument('<app>', 'app name')
  .option('--days <n>', 'window in days (default 30)')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (app: string, options: { json?: boolean; days?: string }) => {
    const { statsCommand } = await import('./commands/release.js');
    process.exitCode = await statsCommand(app, options, io);
  });

const outbox = program.command('outbox').description('seals that could not be recorded when they were made, waiting in <data dir>/outbox/');
outbox
  .command('list')
  .description('the seals waiting in the outbox')
  .option('--json', 'print one JSON document on stdout')
  .action(async (options: { json?: boolean }) => {
    const { outboxListCommand } = await import('./commands/outbox.js');
    process.exitCode = outboxListCommand(options, io);
  });
outbox
  .command('flush')
  .description('record the seals waiting in the outbox (exit 1 if any could not be, 2 if the store cannot be opened)')
  .option('--json', 'print one JSON document on stdout')
  .action(async (options: { json?: boolean }) => {
    const { outboxFlushCommand } = await import('./commands/outbox.js');
    process.exitCode = await outboxFlushCommand(options, io);
  });

program
  .command('notify')
  .description("tell the app's notifiers of a release's current seal again, and refresh its release notes block")
  .argument('<app>', 'app name from the config')
  .argument('<version>', 'release version')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (app: string, version: string, options: { config?: string; json?: boolean }) => {
    const { notifyCommand } = await import('./commands/notify.js');
    process.exitCode = await notifyCommand(app, version, options, io);
  });

program
  .command('serve')
  .description('serve the deployments board, badges and the API that CI reports to (until Ctrl-C)')
  .option('--port <port>', `port (default: $SEAL_PORT or 4400; 0: any free port)`)
  .option('--host <host>', 'address to listen on (default 127.0.0.1; another address makes reading need a token unless --public)')
  .option('--public', 'let anyone who reaches the server read the board (writes still need a token)')
  .option('--private', 'reading needs a token even on 127.0.0.1 (behind a reverse proxy on the same machine)')
  .option('--worker-concurrency <n>', 'smoke runs this server runs at once itself (default 1); 0 on Postgres: only queue them, for `seal worker`')
  .addOption(configOption())
  .action(async (options: { port?: string; host?: string; public?: boolean; private?: boolean; config?: string; workerConcurrency?: string }) => {
    const { serveCommand } = await import('./commands/serve.js');
    process.exitCode = await serveCommand(options, io);
  });

program
  .command('worker')
  .description('take seal jobs from the queue on Postgres (DATABASE_URL) and run them, until Ctrl-C; any number of workers on any machines')
  .option('--location <name>', 'where this worker is (eu-west): it takes that location\'s jobs, and jobs for any location')
  .option('--concurrency <n>', 'jobs run at once (default 1)')
  .option('--board <url>', 'the board\'s address, for links in notifications (default: $SEAL_BOARD_URL)')
  .addOption(configOption())
  .action(async (options: { location?: string; concurrency?: string; config?: string; board?: string }) => {
    const { workerCommand } = await import('./commands/worker.js');
    process.exitCode = await workerCommand(options, io);
  });

const token = program.command('token').description('API tokens of the seal server: create, list, revoke');
token
  .command('create')
  .description('create a token and print it once (only its hash is stored)')
  .requiredOption('--name <name>', 'what it is for (e.g. "github-actions")')
  .option('--scope <scope>', 'write (report seals and releases) or read (view the board)', 'write')
  .addOption(configOption())
  .option('--json', 'print the token and its details as one JSON document on stdout')
  .action(async (options: { name: string; scope?: string; json?: boolean }) => {
    const { tokenCreateCommand } = await import('./commands/token.js');
    process.exitCode = await tokenCreateCommand(options, io);
  });
token
  .command('list')
  .description('every token (never its secret), revoked ones marked')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (options: { json?: boolean }) => {
    const { tokenListCommand } = await import('./commands/token.js');
    process.exitCode = await tokenListCommand(options, io);
  });
token
  .command('revoke')
  .description('revoke a token by id or name: it stops working at once')
  .argument('<id-or-name>', 'token id (from `seal token list`) or name')
  .addOption(configOption())
  .action(async (idOrName: string) => {
    const { tokenRevokeCommand } = await import('./commands/token.js');
    process.exitCode = await tokenRevokeCommand(idOrName, io);
  });

const incident = program.command('incident').description('blameless post-mortems that start from a red seal: timeline, impact, whys, root cause, owned and dated actions');
const many = (value: string, previous: string[]): string[] => [...previous, value];
incident
  .command('open')
  .description('open an incident on a release; the timeline is pre-filled from the ledger and its red seal')
  .argument('<app>', 'app name (in the ledger)')
  .option('--release <version>', 'the release that caused it (pre-fills merged, deployed and detected)')
  .requiredOption('--title <title>', 'what users saw ("Patients could not book appointments")')
  .option('--severity <n>', '1 (worst) to 4 (default 2)')
  .option('--summary <text>', 'a few sentences: what happened, to whom, how it ended')
  .option('--freeze-at <iso>', 'the release freeze: releases changed within 24 h of it are flagged as deadline pressure')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (app: string, options: OpenOptions) => {
    const { incidentOpenCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentOpenCommand(app, options, io);
  });
incident
  .command('list')
  .description('incidents newest first, with their outage and open (and overdue) actions')
  .option('--app <app>', 'only this app')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (options: { app?: string; json?: boolean }) => {
    const { incidentListCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentListCommand(options, io);
  });
incident
  .command('show')
  .description('one incident: timeline, computed durations, whys, actions, what publishing still needs')
  .argument('<id>', 'incident id')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (id: string, options: { json?: boolean }) => {
    const { incidentShowCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentShowCommand(id, options, io);
  });
incident
  .command('event')
  .description('add a timeline event, or mark (move) a milestone')
  .argument('<id>', 'incident id')
  .requiredOption('--at <iso>', 'when, with an offset (2026-11-20T18:14:00+13:00); stored in UTC')
  .option('--milestone <m>', 'change_merged, deployed, impact_started, detected, acknowledged, mitigated or resolved')
  .option('--text <text>', 'what happened')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (id: string, options: { at: string; milestone?: string; text?: string; json?: boolean }) => {
    const { incidentEventCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentEventCommand(id, options, io);
  });
incident
  .command('impact')
  .description('who was affected: users, support calls ("unknown" needs --unknown-reason)')
  .argument('<id>', 'incident id')
  .option('--users <n>', 'users affected')
  .option('--support-calls <n>', 'support calls')
  .option('--text <text>', 'what they could not do')
  .option('--unknown-reason <text>', 'why a figure is unknown')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (id: string, options: { users?: string; supportCalls?: string; text?: string; unknownReason?: string; json?: boolean }) => {
    const { incidentImpactCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentImpactCommand(id, options, io);
  });
incident
  .command('why')
  .description('append the next why to the chain (or a branch with --under)')
  .argument('<id>', 'incident id')
  .argument('<answer>', 'the answer to "why?"')
  .option('--under <path>', 'branch under this why ("3", or "3.1" for a branch\'s branch)')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (id: string, answer: string, options: { under?: string; json?: boolean }) => {
    const { incidentWhyCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentWhyCommand(id, answer, options, io);
  });
incident
  .command('root-cause')
  .description('the systemic cause the whys lead to')
  .argument('<id>', 'incident id')
  .argument('<text>', 'the root cause, in terms of the system')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (id: string, text: string, options: { json?: boolean }) => {
    const { incidentRootCauseCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentRootCauseCommand(id, text, options, io);
  });
incident
  .command('action')
  .description('add an action item: a real owner and a due date, always')
  .argument('<id>', 'incident id')
  .requiredOption('--title <title>', 'what will exist or be true when it is done')
  .requiredOption('--owner <name>', 'the person who will do it (not TBD, someone or team)')
  .requiredOption('--due <date>', 'YYYY-MM-DD, not in the past')
  .option('--type <type>', 'prevent, detect, mitigate or process (default prevent)')
  .option('--why <n>', 'the why of the chain it addresses')
  .option('--check <name>', 'the smoke check that proves it: done when it passes in a later green seal')
  .option('--link <url>', 'the ticket or pull request')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (id: string, options: ActionOptions) => {
    const { incidentActionCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentActionCommand(id, options, io);
  });
incident
  .command('done')
  .description('mark an action done (one proved by a smoke check is marked by its green seal)')
  .argument('<id>', 'incident id')
  .argument('<action>', 'action number')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (id: string, action: string, options: { json?: boolean }) => {
    const { incidentDoneCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentDoneCommand(id, action, options, io);
  });
incident
  .command('reassign')
  .description('give an action a new owner or due date (checked like a new one)')
  .argument('<id>', 'incident id')
  .argument('<action>', 'action number')
  .option('--owner <name>', 'the person who will do it')
  .option('--due <date>', 'YYYY-MM-DD, not in the past')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (id: string, action: string, options: { owner?: string; due?: string; json?: boolean }) => {
    const { incidentReassignCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentReassignCommand(id, action, options, io);
  });
incident
  .command('set')
  .description('title, summary, severity, status (publishing runs the check), people, factors, lessons, supporting links')
  .argument('<id>', 'incident id')
  .option('--title <title>', 'new title')
  .option('--summary <text>', 'the summary')
  .option('--severity <n>', '1 (worst) to 4')
  .option('--status <status>', 'draft, in-review or published')
  .option('--person <name>', 'someone involved (repeatable): the blame lint flags their name in the text', many, [])
  .option('--factor <text>', 'a contributing factor (repeatable)', many, [])
  .option('--went-well <text>', 'what went well (repeatable)', many, [])
  .option('--went-wrong <text>', 'what went wrong (repeatable)', many, [])
  .option('--lucky <text>', 'where we got lucky (repeatable)', many, [])
  .option('--supporting <text>', 'a link or note for supporting information (repeatable)', many, [])
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (id: string, options: IncidentFields & { person?: string[]; json?: boolean }) => {
    const { incidentSetCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentSetCommand(id, { ...options, people: options.person ?? [] }, io);
  });
incident
  .command('check')
  .description('errors (what publishing needs) and warnings (blame, vague actions, few whys, …); exit 1 on errors')
  .argument('<id>', 'incident id')
  .addOption(configOption())
  .option('--json', 'print one JSON document on stdout')
  .action(async (id: string, options: { json?: boolean }) => {
    const { incidentCheckCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentCheckCommand(id, options, io);
  });
incident
  .command('export')
  .description('the post-mortem report (Markdown) on stdout or to a file')
  .argument('<id>', 'incident id')
  .option('--format <format>', 'md or json', 'md')
  .option('--output <path>', 'write to this file instead of stdout')
  .addOption(configOption())
  .option('--json', 'the same as --format json')
  .action(async (id: string, options: { format?: string; output?: string; json?: boolean }) => {
    const { incidentExportCommand } = await import('./commands/incident.js');
    process.exitCode = await incidentExportCommand(id, options, io);
  });

program
  .command('demo')
  .description('start a demo production app, seal two releases of it, and serve the board (what `npm start` runs)')
  .option('--no-serve', 'seal into the local store and exit, without the board')
  .option('--port <port>', 'the board\'s port (default SEAL_PORT or 4400; when that is taken, any free port, said so)')
  .action(async (options: { serve: boolean; port?: string }) => {
    const { demoCommand } = await import('./commands/demo.js');
    process.exitCode = await demoCommand(io, { serve: options.serve, ...(options.port !== undefined ? { port: options.port } : {}) });
  });

// Every --help ends with examples: walk the tree, so that a command without any is noticed by its test.
(function addExamples(command: Command, name: string): void {
  const lines = EXAMPLES[name];
  if (lines) command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`);
  for (const sub of command.commands) addExamples(sub, name ? `${name} ${sub.name()}` : sub.name());
})(program, '');

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Last line of defence: a command must end with a message, never a stack trace.
  io.stderr.write(`seal: ${errorMessage(error)}\n`);
  process.exitCode = 2;
}
// Every command has finished its work when parseAsync resolves (a long-running command must
// await its own end). Left to itself, Node would then wait for V8's background compile and GC
// tasks before exiting: ~100 ms of every seal on two cores. Flush the output, then leave.
await Promise.all([flush(process.stdout), flush(process.stderr)]);
process.exit();

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
