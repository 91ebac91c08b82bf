/** The `seal` command line. Commands are thin: they parse flags and call the core. */
import { Command, Option } from 'commander';
import type { RecordOptions } from './commands/release.js';
import type { SmokeOptions } from './commands/smoke.js';
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
  .addOption(configOption())
  .action(async (options: { port?: string; host?: string; public?: boolean; private?: boolean; config?: string }) => {
    const { serveCommand } = await import('./commands/serve.js');
    process.exitCode = await serveCommand(options, io);
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

program
  .command('demo')
  .description('start a demo production app, seal two releases of it, and serve the board (what `npm start` runs)')
  .option('--no-serve', 'seal into the local store and exit, without the board')
  .action(async (options: { serve: boolean }) => {
    const { demoCommand } = await import('./commands/demo.js');
    process.exitCode = await demoCommand(io, { serve: options.serve });
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Last line of defence: a command must end with a message, never a stack trace.
  io.stderr.write(`seal: ${(error as Error).message ?? String(error)}\n`);
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
