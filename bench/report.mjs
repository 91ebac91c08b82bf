// Turns the measurements into the tables printed to stdout and the BENCHMARKS.md page.
import os from 'node:os';
import { browserMethod, browserNotes, browserTargets, renderBrowserTables } from './browser-report.mjs';
import { execMethod, execTargets, renderExecTables } from './exec-report.mjs';
import { mb, mib, ms, plural, summarize, yes } from './report-format.mjs';
import { renderServerTables, serverMethod, serverTargets } from './server-report.mjs';
import { curveTargets, renderCurveTable } from './curve-report.mjs';

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


/** The results tables, as Markdown (also what the bench prints). */
export function renderTables(r) {
  const row = (label, s, floorNote = '') => {
    const wall = summarize(s.wall);
    const reported = s.reported.length ? summarize(s.reported).median : null;
    const rss = summarize(s.rssKb).median;
    const inflight = s.peakInFlight.length ? Math.max(...s.peakInFlight) : null;
    return `| ${label} | ${ms(wall.median)} | ${ms(wall.min)} / ${ms(wall.max)} | ${floorNote || ms(reported)} | ${mb(rss)} | ${inflight ?? '–'} |`;
  };
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
    '',
    phaseLine(r.series.seal.phases),
    '',
    `Memory: the same 40 checks plus \`huge\`, a GET of /huge, which streams a ${mib(r.huge.hugeBytes)} body; one run.`,
    '',
    '| Run | wall time | peak RSS | verdict | body bytes seal read (truncated?) | bytes the server got out before the client hung up |',
    '| --- | ---: | ---: | --- | ---: | ---: |',
    `| \`seal smoke\`, 40 checks + huge | ${ms(r.huge.wallMs)} | ${mb(r.huge.rssKb)} | ${r.huge.verdict}, ${r.huge.checks} checks | ${r.huge.bodyBytes ?? 'n/a'} (${r.huge.truncated ?? 'n/a'}) | ${mib(r.huge.serverBytesSent)}${r.huge.closedEarly ? '' : ' (the whole body!)'} |`,
  ];
  const browser = r.browser ? `\n### Browser checks\n\n${renderBrowserTables(r.browser)}` : '';
  const exec = r.exec ? `\n### Exec probes\n\n${renderExecTables(r.exec)}\n` : '';
  const server = r.server ? `\n### The seal server\n\n${renderServerTables(r.server)}\n` : '';
  const curve = r.curve ? `\n### The seal server as the ledger grows\n\n${renderCurveTable(r.curve)}\n` : '';
  return `### HTTP checks\n\n${lines.join('\n')}\n${browser}${exec}${server}${curve}`;
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

/** Each target of the issue, with the measured figure and whether it was met. */
export function targets(r) {
  const seal = summarize(r.series.seal.wall);
  const stepci = summarize(r.series.stepci.wall);
  const rssMB = (r.huge.rssKb * 1024) / 1e6;
  const http = [
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
  return [...http, ...(r.browser ? browserTargets(r.browser) : []), ...(r.exec ? execTargets(r.exec) : []), ...(r.server ? serverTargets(r.server) : []), ...(r.curve ? curveTargets(r.curve) : [])];
}

/** The whole BENCHMARKS.md page. */
export function renderMarkdown(r) {
  const m = r.machine;
  const rows = targets(r)
    .map((t) => `| ${t.target} | ${t.measured} | ${yes(t.met)}${t.note ? ` (${t.note})` : ''} |`)
    .join('\n');
  return `# Benchmarks

Generated by \`npm run bench\` (bench/run.mjs); every run overwrites this file.

- Date: ${r.date}
- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, Node ${m.node}, ${m.os}
- Code: ${r.code}

## Results

${renderTables(r)}
## Targets

| Target (from the issue) | Measured | Met? |
| --- | --- | --- |
${rows}

## Method

HTTP section. The bench starts a \`node:http\` server on 127.0.0.1 at a random port inside its own process. \`/c01\`…\`/c${r.checks}\` answer \`200 ok\` ${r.delayMs} ms after the request arrives, so ${r.delayMs} ms is the floor of any run that sends all ${r.checks} requests at once; \`/huge\` streams a ${mib(r.huge.hugeBytes)} body in 64 KiB chunks generated on the fly, writing only when the socket drains and stopping when the client hangs up. Into \`bench/.work/\` it writes a seal config (one app, \`concurrency: ${r.checks}\`, ${r.checks} checks expecting status 200 and a body containing \`ok\`) and a Step CI workflow (version "1.1", one test per request so that Step CI, which runs a test's steps in sequence but its tests side by side, sends all ${r.checks} at once; \`config.concurrency: ${r.checks}\`; each step checks status 200 and \`body: [{ in: ok }]\`). Each tool runs as a fresh \`node\` child process of the bench, and its wall time is measured from spawn to process exit, so it includes Node's start-up, module loading, the checks, reporting and exit. One warm-up round, then ${r.runs} rounds, each running the tools one after another (interleaved, so drift on the machine hits all of them alike). Every run is checked, or the bench fails: seal must exit 0 with \`--json\` verdict \`green\` and ${r.checks} passed checks, Step CI must exit 0 and print \`Tests: 0 failed, ${r.checks} passed\`, and the server must have seen every request; it also counts requests in flight, so the last column shows whether a tool really sent all of them at once. Every child is started with \`--import bench/maxrss-hook.mjs\`, which writes \`process.resourceUsage().maxRSS\` at exit (the peak RSS figures), and \`--import bench/net-guard.mjs\`, which refuses, and logs, any TCP connection to a non-loopback host; the bench fails if anything was refused. Step CI runs with \`STEPCI_DISABLE_ANALYTICS=1\` (otherwise it sends a usage ping to PostHog when it exits) and with \`XDG_CONFIG_HOME\` pointed into \`bench/.work/\` (it stores an anonymous user id there even with analytics off). The memory run is one more seal run with the ${r.checks} checks plus \`huge\`; seal reads a body only up to its 1 MiB cap and then stops downloading. Peak RSS is the maximum resident set size of the CLI process (kernel \`maxrss\`, KiB; 1 MB = 10^6 bytes here).
${r.browser ? `\n${browserMethod(r.browser)}\n` : ''}${r.exec ? `\n${execMethod(r.exec)}\n` : ''}${r.server ? `\n${serverMethod(r.server)}\n` : ''}
## Notes

${[...r.notes, ...standingNotes(r), ...(r.browser ? browserNotes(r.browser) : [])].map((n) => `- ${n}`).join('\n')}
`;
}

/** Notes every report carries: how noisy this run was, and what is known about the setup. */
function standingNotes(r) {
  const spread = (values) => {
    const { min, median, max } = summarize(values);
    return `${Math.round(((max - min) / median) * 100)} %`;
  };
  return [
    'Every seal run records its seal in the embedded ledger (PGlite in `bench/.work/seal-data/`, or `bench/.work/browser/seal-data/` for the browser section), created in the warm-up and kept across runs as a user\'s is: opening it, writing the run and closing it is part of each run\'s "verdict to exit". With `DATABASE_URL` (Postgres) that step is a connection and a few statements instead.',
    `Run-to-run noise in this run (max − min, as a share of the median): seal ${spread(r.series.seal.wall)}, ` +
      `Step CI ${spread(r.series.stepci.wall)}. Compare figures within one bench run; across runs, only large changes mean something.`,
    'Both `--import` hooks together add about 10–20 ms to a process\'s start-up (measured by hand with and without them, ' +
      'within run-to-run noise); every measured process gets both, so the comparison stays even.',
    `Step CI telemetry (checked by hand with ${r.stepciVersion} when this bench was written, under bench/net-guard.mjs, so nothing left the machine): ` +
      'without `STEPCI_DISABLE_ANALYTICS`, Step CI prints "Anonymous usage data collected" and, when it exits, posts a ping to eu.posthog.com, ' +
      'retrying 3 times 3 s apart. With that connection refused, a run of this suite took about 14.6–14.9 s instead of 2.4–2.9 s and exited 1 ' +
      'on an unhandled AxiosError although all 40 tests passed. With the variable set it attempts no connection at all ' +
      '(the guard logged none in any run above), so telemetry costs the figures above nothing.',
  ];
}
