// Turns the measurements into the tables printed to stdout and the BENCHMARKS.md page. Any
// section may be missing (it failed, or did not run): its rows then say "not measured".
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { browserGoals, browserMethod, browserNotes, browserTargets, renderBrowserTables } from './browser-report.mjs';
import { execMethod, execTargets, renderExecTables } from './exec-report.mjs';
import { NO_SECTION, goalRow, mb, mib, ms, plural, summarize, times, yes } from './report-format.mjs';
import { renderServerTables, serverGoals, serverMethod, serverTargets } from './server-report.mjs';
import { curveGoals, renderCurveTable } from './curve-report.mjs';
import { renderScaleTables, scaleGoals, scaleMethod } from './scale-report.mjs';

/** Written by hand after a run; the page carries it verbatim when it exists. */
const FINDINGS = new URL('./findings.md', import.meta.url);
const MB = 1e6;
const kbToMB = (kb) => (kb * 1024) / MB;

export { summarize };

/** The machine the figures were taken on. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
  };
}


/** Every section's results tables, as Markdown (also what the bench prints). */
export function renderTables(r) {
  const section = (title, data, render) => `\n### ${title}\n\n${data ? render(data).trimEnd() : `Not measured: ${NO_SECTION}.`}\n`;
  return [
    section('HTTP checks', r.series && r, renderHttpTables),
    section('Browser checks', r.browser, renderBrowserTables),
    section('Exec probes', r.exec, renderExecTables),
    section('The seal server', r.server, renderServerTables),
    section('The seal server as the ledger grows', r.curve, renderCurveTable),
    section('Seal workers on Postgres', r.scale, renderScaleTables),
  ].join('');
}

/** The HTTP section's tables (its results are the top level of the results object). */
export function renderHttpTables(r) {
  const row = (label, s, floorNote = '') => {
    const wall = summarize(s.wall);
    const reported = s.reported.length ? summarize(s.reported).median : null;
    const rss = summarize(s.rssKb).median;
    const inflight = s.peakInFlight.length ? Math.max(...s.peakInFlight) : null;
    return `| ${label} | ${ms(wall.median)} | ${ms(wall.min)} / ${ms(wall.max)} | ${floorNote || ms(reported)} | ${mb(rss)} | ${inflight ?? '–'} |`;
  };
  /** A context run's row, or the row saying why it was not measured. */
  const contextRow = (label, s, floorNote) => (typeof s === 'string' ? `| ${label} | not measured: ${s} | – | – | – | – |` : row(label, s, floorNote));
  const seal = summarize(r.series.seal.wall);
  const stepci = summarize(r.series.stepci.wall);
  const lines = [
    `Time to seal: ${r.checks} HTTP checks, each answered after ${r.delayMs} ms, all allowed to run at once; wall time of the whole process from spawn to exit, ${plural(r.runs, 'run')} after 1 warm-up.`,
    '',
    '| Run | median | min / max | time the tool reports for its own run (median) | peak RSS (median) | most requests in flight at the server |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| Floor: the slowest check's own latency | ${ms(r.delayMs)} | – | – | – | – |`,
    row('`seal smoke bench --json`, 40 checks', r.series.seal),
    row(`Step CI ${r.stepciVersion}, \`stepci run\`, 40 tests`, r.series.stepci),
    `| seal ÷ Step CI (median wall time) | **${(seal.median / stepci.median).toFixed(2)}** | – | – | – | – |`,
    row('context: `node -e ""` (bare Node start and exit)', r.series.nodeEmpty, '–'),
    row('context: `seal --version` (CLI start-up, no checks)', r.series.sealVersion, '–'),
    row('context: the same `seal smoke` as a first seal, on an empty `SEAL_DATA_DIR` (the embedded store is created)', r.series.sealFirst),
    contextRow(`context: the same \`seal smoke\` with \`DATABASE_URL\` (the machine's Postgres${postgresVersion(r)})`, contextRun(r, 'sealPostgres', r.postgres)),
    contextRow(`context: \`node22 -e ""\` (bare ${node22Name(r)} start and exit)`, contextRun(r, 'node22Empty', r.node22), '–'),
    contextRow(`context: the same \`seal smoke\` (embedded store) run by ${node22Name(r)}, compile cache on`, contextRun(r, 'sealNode22', r.node22)),
    '',
    phaseLine(r.series.seal.phases),
    '',
    ...phaseTable(r),
    '',
    `Memory: the same 40 checks plus \`huge\`, a GET of /huge, which streams a ${mib(r.huge.hugeBytes)} body; one run.`,
    '',
    '| Run | wall time | peak RSS | verdict | body bytes seal read (truncated?) | bytes the server got out before the client hung up |',
    '| --- | ---: | ---: | --- | ---: | ---: |',
    `| \`seal smoke\`, 40 checks + huge | ${ms(r.huge.wallMs)} | ${mb(r.huge.rssKb)} | ${r.huge.verdict}, ${r.huge.checks} checks | ${r.huge.bodyBytes ?? 'n/a'} (${r.huge.truncated ?? 'n/a'}) | ${mib(r.huge.serverBytesSent)}${r.huge.closedEarly ? '' : ' (the whole body!)'} |`,
  ];
  return lines.join('\n');
}

/** seal's wall time split into start-up, run and exit (medians), when the clocks were read. */
function phaseLine(phases) {
  if (!phases.startup.length) return "Where seal's time went: not measured.";
  const median = (values) => ms(summarize(values).median);
  return (
    `Where seal's wall time went (medians): start-up ${median(phases.startup)} ` +
    `(process start to the suite's \`started_at\`: Node, module loading, config), ` +
    `run ${median(phases.run)} (\`duration_ms\`), verdict to exit ${median(phases.exit)} ` +
    `(\`finished_at\` to process exit: recording the seal in the embedded ledger, reporting, JSON, teardown).`
  );
}

/**
 * A context run's series, or why it was not measured: its own reason (no Postgres, no Node 22),
 * or, in results from a bench that had no such run, that.
 */
function contextRun(r, key, context) {
  if (r.series[key]?.wall.length) return r.series[key];
  return context?.missing ?? 'this bench had no such run';
}

const postgresVersion = (r) => (r.postgres?.version ? `, PostgreSQL ${r.postgres.version.split(' ')[0]}` : '');
/** Node 22 as the rows name it: with its exact version once it ran. */
const node22Name = (r) => (r.node22?.version ? `Node ${r.node22.version}` : 'Node 22');

/** Every seal run's phases side by side (medians): the default, and the context runs. */
function phaseTable(r) {
  const median = (values) => ms(summarize(values).median);
  const row = (label, s) => {
    if (typeof s === 'string') return `| ${label} | not measured: ${s} | – | – | – |`;
    if (!s.phases.startup.length) return `| ${label} | not measured: seal's clocks were not read | – | – | – |`;
    return `| ${label} | ${median(s.phases.startup)} | ${median(s.phases.run)} | ${median(s.phases.exit)} | ${ms(summarize(s.wall).median)} |`;
  };
  return [
    'The same split for the context runs beside it (medians):',
    '',
    "| seal run | start-up (process start to `started_at`) | run (`duration_ms`) | verdict to exit (`finished_at` to process exit) | wall time |",
    '| --- | ---: | ---: | ---: | ---: |',
    row(`embedded store (the default), Node ${r.node ?? 'running the bench'}`, r.series.seal),
    row(`store on the machine's Postgres (\`DATABASE_URL\`${postgresVersion(r)}), Node ${r.node ?? 'running the bench'}`, contextRun(r, 'sealPostgres', r.postgres)),
    row(`embedded store, ${node22Name(r)} (compile cache on)`, contextRun(r, 'sealNode22', r.node22)),
  ];
}

/**
 * Issue 18's goals for the HTTP section: time (item 1) and memory (item 5), each from figures
 * measured in the same interleaved rounds; every row says "not measured" without the section.
 */
export function httpGoals(r) {
  const http = r.series ? r : null;
  const median = (values) => summarize(values).median;
  const phases = http?.series.seal.phases;
  /** A context run's series, or why there is none (the whole section missing included). */
  const context = (key, info) => (http ? contextRun(http, key, info) : NO_SECTION);
  const postgres = context('sealPostgres', http?.postgres);
  const node22 = context('sealNode22', http?.node22);
  return [
    goalRow('1a', 'Time to seal ≤ 0.4 × Step CI on the same 40 × 300 ms suite (whole process, embedded store recording included)', () => {
      if (!http) return NO_SECTION;
      const ratio = median(http.series.seal.wall) / median(http.series.stepci.wall);
      return { measured: `seal median ${ms(median(http.series.seal.wall))}, Step CI median ${ms(median(http.series.stepci.wall))}`, figure: times(ratio), met: ratio <= 0.4 };
    }),
    goalRow('1a′', 'The same with its store on Postgres (`DATABASE_URL`): time to seal ≤ 0.4 × Step CI', () => {
      if (typeof postgres === 'string') return postgres;
      const ratio = median(postgres.wall) / median(http.series.stepci.wall);
      return { measured: `seal with \`DATABASE_URL\` median ${ms(median(postgres.wall))}, Step CI median ${ms(median(http.series.stepci.wall))}`, figure: times(ratio), met: ratio <= 0.4 };
    }),
    goalRow('1b', 'Start-up ≤ bare `node -e ""` + 60 ms', () => {
      if (!http) return NO_SECTION;
      if (!phases.startup.length) return "seal's clocks were not read";
      const extra = median(phases.startup) - median(http.series.nodeEmpty.wall);
      return {
        measured: `seal's start-up (process start to \`started_at\`) median ${ms(median(phases.startup))}, \`node -e ""\` (spawn to exit) median ${ms(median(http.series.nodeEmpty.wall))}`,
        figure: `bare Node ${extra >= 0 ? '+' : '−'} ${ms(Math.abs(extra))}`,
        met: extra <= 60,
      };
    }),
    goalRow('1b″', 'Start-up on Node 22 ≤ bare Node 22 + 60 ms (context, same rule as 1b)', () => {
      if (typeof node22 === 'string') return node22;
      if (!node22.phases.startup.length) return "seal's clocks were not read";
      const bare = http.series.node22Empty;
      if (!bare?.wall.length) return '`node22 -e ""` was not run';
      const extra = median(node22.phases.startup) - median(bare.wall);
      return {
        measured: `seal's start-up on ${node22Name(http)} median ${ms(median(node22.phases.startup))}, \`node22 -e ""\` (spawn to exit) median ${ms(median(bare.wall))}`,
        figure: `bare Node 22 ${extra >= 0 ? '+' : '−'} ${ms(Math.abs(extra))}`,
        met: extra <= 60,
      };
    }),
    goalRow('1c', 'Verdict to exit ≤ 100 ms', () => {
      if (!http) return NO_SECTION;
      if (!phases.exit.length) return "seal's clocks were not read";
      const exit = summarize(phases.exit);
      return { measured: `\`finished_at\` to process exit: median ${ms(exit.median)} (min ${ms(exit.min)}, max ${ms(exit.max)})`, figure: ms(exit.median), met: exit.median <= 100 };
    }),
    goalRow('1c′', 'The same with its store on Postgres (`DATABASE_URL`): verdict to exit ≤ 100 ms', () => {
      if (typeof postgres === 'string') return postgres;
      if (!postgres.phases.exit.length) return "seal's clocks were not read";
      const exit = summarize(postgres.phases.exit);
      return { measured: `\`finished_at\` to process exit with \`DATABASE_URL\`: median ${ms(exit.median)} (min ${ms(exit.min)}, max ${ms(exit.max)})`, figure: ms(exit.median), met: exit.median <= 100 };
    }),
    // A peak is a limit every run must keep, so the goal holds the largest of the runs to it.
    goalRow('5a', 'An HTTP-only seal (the 40 checks) ≤ 100 MB peak RSS, on its embedded store (the default)', () => {
      if (!http) return NO_SECTION;
      const rss = summarize(http.series.seal.rssKb);
      return { measured: `peak RSS of the CLI process, embedded store (PGlite in \`SEAL_DATA_DIR\`): max ${mb(rss.max)} over ${plural(rss.n, 'run')} (median ${mb(rss.median)})`, figure: mb(rss.max), met: kbToMB(rss.max) <= 100 };
    }),
    goalRow('5a′', 'The same with its store on Postgres (`DATABASE_URL`): ≤ 100 MB peak RSS', () => {
      if (typeof postgres === 'string') return postgres;
      const rss = summarize(postgres.rssKb);
      return { measured: `peak RSS of the CLI process with \`DATABASE_URL\`: max ${mb(rss.max)} over ${plural(rss.n, 'run')} (median ${mb(rss.median)})`, figure: mb(rss.max), met: kbToMB(rss.max) <= 100 };
    }),
    goalRow('5b', 'The suite with a 200 MiB response stays under 100 MB peak RSS', () => {
      if (!http) return NO_SECTION;
      return { measured: `40 checks + \`huge\`: peak RSS ${mb(http.huge.rssKb)} (one run, ${ms(http.huge.wallMs)})`, figure: mb(http.huge.rssKb), met: kbToMB(http.huge.rssKb) < 100 };
    }),
  ];
}

/** Every goal of issue 18, in the issue's order (1a, 1b, … 6e), whichever sections are missing. */
export function goals(r) {
  const rows = [...httpGoals(r), ...browserGoals(r.browser), ...curveGoals(r.curve), ...serverGoals(r.server), ...scaleGoals(r.scale)];
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}

/** A goals table, as Markdown (the whole of issue 18's, or one section's with `--only`). */
export function renderGoalTable(rows) {
  return [
    '| Goal | Measured | Ratio or figure | Met? |',
    '| --- | --- | ---: | --- |',
    ...rows.map((g) => `| ${g.id}. ${g.goal} | ${g.measured} | ${g.figure} | ${yes(g.met)} |`),
  ].join('\n');
}

/** Issue 18's goals, then the earlier targets: the top of the page, and what the bench prints last. */
export function renderGoals(r) {
  const rows = earlierTargets(r)
    .map((t) => `| ${t.target} | ${t.measured} | ${yes(t.met)}${t.note ? ` (${t.note})` : ''} |`)
    .join('\n');
  return `## Goals (issues 18 and 19)

Each goal compares figures measured side by side in this one run: medians of the interleaved rounds below, unless the row says otherwise.

${renderGoalTable(goals(r))}

## Earlier targets (issues 2–5)

| Target | Measured | Met? |
| --- | --- | --- |
${rows}
`;
}

/** A missing section's one row in the earlier targets. */
const missingTargets = (name) => ({ target: `The ${name} section's targets`, measured: `not measured: ${NO_SECTION}`, met: null, note: '' });

/** The earlier issues' targets, with the measured figure and whether it was met. */
export function earlierTargets(r) {
  return [
    ...(r.series ? httpTargets(r) : [missingTargets('HTTP')]),
    ...(r.browser ? browserTargets(r.browser) : [missingTargets('browser')]),
    ...(r.exec ? execTargets(r.exec) : [missingTargets('exec')]),
    ...(r.server ? serverTargets(r.server) : [missingTargets('server')]),
  ];
}

/** The HTTP section's earlier targets. */
function httpTargets(r) {
  const seal = summarize(r.series.seal.wall);
  const stepci = summarize(r.series.stepci.wall);
  const rssMB = kbToMB(r.huge.rssKb);
  return [
    {
      target: `Whole CLI run for ${r.checks} checks × ${r.delayMs} ms: at most 1 s`,
      measured: `median ${ms(seal.median)} (max ${ms(seal.max)})`,
      met: seal.median <= 1000,
      note: seal.median <= 1000 && seal.max > 1000 ? `on the median; the slowest run took ${ms(seal.max)}` : '',
    },
    {
      target: 'No slower than Step CI on the same requests',
      measured: `seal median ${ms(seal.median)} vs Step CI median ${ms(stepci.median)} (ratio ${(seal.median / stepci.median).toFixed(2)})`,
      met: seal.median <= stepci.median,
      note: '',
    },
    {
      target: `Peak RSS under 200 MB with a ${mib(r.huge.hugeBytes)} response in the suite`,
      measured: `${rssMB.toFixed(1)} MB, run took ${ms(r.huge.wallMs)}`,
      met: rssMB < 200,
      note: '',
    },
    (() => {
      const first = summarize(r.series.sealFirst.wall);
      const extra = first.median - seal.median;
      return {
        target: 'A fresh embedded store in under a second (first seal minus a later one, same suite)',
        measured: `+${ms(extra)} (first seal ${ms(first.median)}, later ${ms(seal.median)}; peak RSS ${mb(summarize(r.series.sealFirst.rssKb).median)} vs ${mb(summarize(r.series.seal.rssKb).median)})`,
        met: extra < 1000,
        note: '',
      };
    })(),
  ];
}

/** The whole BENCHMARKS.md page. */
export function renderMarkdown(r) {
  const m = r.machine;
  const methods = [r.series && httpMethod(r), r.browser && browserMethod(r.browser), r.exec && execMethod(r.exec), r.server && serverMethod(r.server), r.scale && scaleMethod(r.scale)];
  return `# Benchmarks

Generated by \`npm run bench\` (bench/run.mjs); every run overwrites this file.

- Date: ${r.date}
- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, Node ${m.node}, ${m.os}
- Code: ${r.code}

${renderGoals(r)}${findings()}
## Results
${renderTables(r)}
## Method

${methods.filter(Boolean).join('\n\n') || 'No section was measured.'}

## Notes

${[...r.notes, ...standingNotes(r), ...(r.browser ? browserNotes(r.browser) : [])].map((n) => `- ${n}`).join('\n')}
`;
}

/** bench/findings.md under its heading, verbatim; nothing when there is no such file. */
function findings() {
  if (!existsSync(FINDINGS)) return '';
  return `\n## Findings: where the time goes, what was tried, and why a goal is not met\n\n${readFileSync(FINDINGS, 'utf8').trimEnd()}\n`;
}

/** The HTTP section's method paragraph. */
function httpMethod(r) {
  return `HTTP section. The bench starts a \`node:http\` server on 127.0.0.1 at a random port inside its own process. \`/c01\`…\`/c${r.checks}\` answer \`200 ok\` ${r.delayMs} ms after the request arrives, so ${r.delayMs} ms is the floor of any run that sends all ${r.checks} requests at once; \`/huge\` streams a ${mib(r.huge.hugeBytes)} body in 64 KiB chunks generated on the fly, writing only when the socket drains and stopping when the client hangs up. Into \`bench/.work/\` it writes a seal config (one app, \`concurrency: ${r.checks}\`, ${r.checks} checks expecting status 200 and a body containing \`ok\`) and a Step CI workflow (version "1.1", one test per request so that Step CI, which runs a test's steps in sequence but its tests side by side, sends all ${r.checks} at once; \`config.concurrency: ${r.checks}\`; each step checks status 200 and \`body: [{ in: ok }]\`). Each tool runs as a fresh \`node\` child process of the bench, and its wall time is measured from spawn to process exit, so it includes Node's start-up, module loading, the checks, reporting and exit. One warm-up round, then ${r.runs} rounds, each running the tools one after another (interleaved, so drift on the machine hits all of them alike). Every run is checked, or the bench fails: seal must exit 0 with \`--json\` verdict \`green\` and ${r.checks} passed checks, Step CI must exit 0 and print \`Tests: 0 failed, ${r.checks} passed\`, and the server must have seen every request; it also counts requests in flight, so the last column shows whether a tool really sent all of them at once. Every child is started with \`--import bench/maxrss-hook.mjs\`, which writes \`process.resourceUsage().maxRSS\` at exit (the peak RSS figures), and \`--import bench/net-guard.mjs\`, which refuses, and logs, any TCP connection to a non-loopback host; the bench fails if anything was refused. Step CI runs with \`STEPCI_DISABLE_ANALYTICS=1\` (otherwise it sends a usage ping to PostHog when it exits) and with \`XDG_CONFIG_HOME\` pointed into \`bench/.work/\` (it stores an anonymous user id there even with analytics off). The memory run is one more seal run with the ${r.checks} checks plus \`huge\`; seal reads a body only up to its 1 MiB cap and then stops downloading. Peak RSS is the maximum resident set size of the CLI process (kernel \`maxrss\`, KiB; 1 MB = 10^6 bytes here). Issue 18's start-up goal sets seal's start-up phase (from the process's own start, \`performance.timeOrigin\`, to the suite's \`started_at\`; \`bench/maxrss-hook.mjs\` writes both ends of the process's clock to \`SEAL_BENCH_CLOCK_FILE\`) against the whole wall time of \`node -e ""\` (spawn to exit, the same hooks loaded); its verdict-to-exit goal is the phase from \`finished_at\` to process exit, read from the same clock. ${httpContextMethod(r)}`;
}

/** The HTTP method's sentences on the two context runs (Postgres, Node 22). */
function httpContextMethod(r) {
  const missing = [
    r.postgres?.missing && `the Postgres run was not measured (${r.postgres.missing})`,
    r.node22?.missing && `the Node 22 runs were not measured (${r.node22.missing})`,
  ].filter(Boolean);
  return (
    'Each round also runs three processes that give the goals context and are not goals themselves. ' +
    `The first is the same \`seal smoke\` with \`DATABASE_URL\` pointing to a database on the machine's Postgres (${r.postgres?.version ? `PostgreSQL ${r.postgres.version.split(' ')[0]} on ` : ''}127.0.0.1:5432, or \`SEAL_BENCH_POSTGRES_URL\`), which the bench creates for the section (\`seal_http_…\`, its schema made by the warm-up's seal) and drops at its end whatever happens: ` +
    "the seal is the same, but recording it is a connection and a few statements instead of opening the embedded PGlite store, which shows up in its verdict-to-exit phase and its peak RSS. " +
    `It is checked like the other seal runs, and at the end the database must hold one seal per run. ` +
    `The other two are the same \`seal smoke\` on the embedded store, run by ${node22Name(r)} (\`test/node-versions/node_modules/node22/bin/node\`, installed by \`npm ci --prefix test/node-versions\`) instead of the Node running the bench${r.node ? ` (${r.node})` : ''}, and \`node22 -e ""\` as its bare Node: ` +
    "from Node 22.1, `bin/seal` turns on Node's compile cache (`module.enableCompileCache()`), which keeps V8's compiled code of the bundle in the OS's temp directory between runs, so start-up differs from the Node that has none. " +
    "The warm-up fills that cache, so the timed rounds see it warm, as every seal after a user's first does; the Node 22 start-up row holds it to the same rule as the goal, against bare Node 22. " +
    'All three get the same hooks and checks, and their phases are read from the same clock. ' +
    `Without Postgres (it cannot be reached) or without Node 22, the section goes on and those rows say why they were not measured${missing.length ? `; in this run ${missing.join(', and ')}` : ''}.`
  );
}

/** Notes every report carries: how noisy this run was, and what is known about the setup. */
function standingNotes(r) {
  return [
    'Every seal run records its seal in the embedded ledger (PGlite in `bench/.work/seal-data/`, or `bench/.work/browser/seal-data/` for the browser section), created in the warm-up and kept across runs as a user\'s is: opening it, writing the run and closing it is part of each run\'s "verdict to exit". With `DATABASE_URL` (Postgres) that step is a connection and a few statements instead (the HTTP section\'s context run on Postgres measures it).',
    'Both `--import` hooks together add about 10–20 ms to a process\'s start-up (measured by hand with and without them, ' +
      'within run-to-run noise); every measured process gets both, so the comparison stays even.',
    ...(r.series ? httpNotes(r) : []),
  ];
}

/** Notes about the HTTP section: its noise, and Step CI's telemetry. */
function httpNotes(r) {
  const spread = (values) => {
    const { min, median, max } = summarize(values);
    return `${Math.round(((max - min) / median) * 100)} %`;
  };
  return [
    `Run-to-run noise in this run (max − min, as a share of the median): seal ${spread(r.series.seal.wall)}, ` +
      `Step CI ${spread(r.series.stepci.wall)}. Compare figures within one bench run; across runs, only large changes mean something.`,
    `Step CI telemetry (checked by hand with ${r.stepciVersion} when this bench was written, under bench/net-guard.mjs, so nothing left the machine): ` +
      'without `STEPCI_DISABLE_ANALYTICS`, Step CI prints "Anonymous usage data collected" and, when it exits, posts a ping to eu.posthog.com, ' +
      'retrying 3 times 3 s apart. With that connection refused, a run of this suite took about 14.6–14.9 s instead of 2.4–2.9 s and exited 1 ' +
      'on an unhandled AxiosError although all 40 tests passed. With the variable set it attempts no connection at all ' +
      '(the guard logged none in any run above), so telemetry costs the figures above nothing.',
  ];
}
