/** The `seal` command line. Commands are thin: they parse flags and call the core. */
import { Command, Option } from 'commander';
import type { SmokeOptions } from './commands/smoke.js';
import { processIo } from './io.js';

// Commands load their modules only when they run: `seal --version` should not pay for zod and undici.

const io = processIo();
const program = new Command('seal')
  .description('A seal of approval for every production release: read-only smoke checks, a verdict with evidence.')
  .version('0.1.0')
  .showHelpAfterError()
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
  .option('--server <url>', 'report to a seal server (not supported by this version yet)', io.env.SEAL_SERVER_URL)
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

program
  .command('demo')
  .description('start a demo production app and seal two releases of it (what `npm start` runs)')
  .action(async () => {
    const { demoCommand } = await import('./commands/demo.js');
    process.exitCode = await demoCommand(io);
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
