// The exec section of `npm run bench`: what running a command as an exec probe costs beside
// running it directly. Each command (curl, and Node's fetch) runs directly as a child process
// of the bench, and as exec checks of one `seal smoke` run, one at a time (`concurrency: 1`),
// in the network sandbox and without it. The probe's cost is its check's own duration_ms (the
// guard channel, the sandbox and the preload included; the run's guard starts before the first
// check's clock) minus the command's direct wall time. Loopback only; every run has a time limit.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTimed } from './child.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work', 'exec');
/** Probes per seal run, run one after another. */
const PROBES = 10;
const RUN_TIMEOUT_MS = 120_000;

/** The commands measured, each given the server's base URL. */
const COMMANDS = {
  curl: (base) => ['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}', `${base}/up`],
  'node fetch': (base) => [process.execPath, '-e', `fetch('${base}/up').then((r) => process.stdout.write(String(r.status)))`],
};

/** Measures every command directly and as probes (sandbox on and off), `runs` rounds after a warm-up. */
export async function measureExec({ runs, log, env }) {
  mkdirSync(WORK, { recursive: true });
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    log(`exec section: server on ${base}; ${runs} runs after 1 warm-up, ${PROBES} probes a run`);
    const result = { runs, probes: PROBES, commands: {} };
    for (const [name, command] of Object.entries(COMMANDS)) {
      const argv = command(base);
      const configs = {
        sandbox: writeConfig(`${name}-sandbox`, base, argv, 'required'),
        plain: writeConfig(`${name}-off`, base, argv, 'off'),
      };
      const series = { direct: [], sandbox: [], plain: [], sandboxUnavailable: null };
      for (let round = 0; round <= runs; round++) {
        const warm = round === 0;
        for (let i = 0; i < PROBES; i++) {
          const direct = await runTimed(argv[0], argv.slice(1), { cwd: WORK, env: env(), timeoutMs: RUN_TIMEOUT_MS });
          if (direct.code !== 0 || direct.stdout !== '200') throw new Error(`${name} run directly failed: exit ${direct.code}, ${direct.stdout}${direct.stderr}`);
          if (!warm) series.direct.push(direct.ms);
        }
        for (const mode of ['sandbox', 'plain']) {
          const durations = await probeDurations(configs[mode], env, series, mode);
          if (!warm && durations) series[mode].push(...durations);
        }
      }
      result.commands[name] = { argv: argv.map((a) => a.replace(base, '<base>')), ...series };
    }
    return result;
  } finally {
    server.close();
  }
}

function writeConfig(name, base, argv, sandbox) {
  const lines = [
    '# Written by bench/exec-run.mjs for `npm run bench`; rewritten on every run.',
    'apps:',
    '  exec:',
    `    production_url: ${base}`,
    '    concurrency: 1',
    `    network_sandbox: ${sandbox}`,
    '    checks:',
    ...Array.from({ length: PROBES }, (_, i) => `      - { name: p${i + 1}, exec: { command: ${JSON.stringify(argv)} }, expect: { stdout_contains: "200" } }`),
  ];
  const path = join(WORK, `${name.replace(/\W+/g, '-')}.yaml`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The probes' own durations in one seal run; null when the sandbox is unavailable (recorded once). */
async function probeDurations(config, env, series, mode) {
  const run = await runTimed(process.execPath, ['bin/seal', 'smoke', 'exec', '--config', config, '--json'], { cwd: ROOT, env: env({ SEAL_DATA_DIR: join(WORK, 'seal-data') }), timeoutMs: RUN_TIMEOUT_MS });
  const json = JSON.parse(run.stdout);
  if (mode === 'sandbox' && json.checks.some((c) => /network_sandbox: required, but/.test(c.error ?? ''))) {
    series.sandboxUnavailable = json.checks[0].error;
    return null;
  }
  if (json.verdict !== 'green' || json.checks.length !== PROBES) throw new Error(`seal (${mode}) did not pass its ${PROBES} probes: ${json.summary}`);
  return json.checks.map((c) => c.duration_ms);
}
