// The browser section's part of the tables, goals, targets, method and notes (see report.mjs).
import { NO_SECTION, goalRow, mb, ms, plural, summarize, times } from './report-format.mjs';

const GB = 1e9;
const median = (values) => (values.length ? summarize(values).median : null);
const measured = (s) => s.wall.length > 0;
const signed = (value) => (value == null ? 'n/a' : `${value >= 0 ? '+' : '−'}${Math.abs(Math.round(value))} ms`);
const kbToBytes = (kb) => kb * 1024;

/** Wall-time differences a − b, round by round, over the rounds where both were measured. */
function pairedDiffs(a, b) {
  const bByRound = new Map(b.rounds.map((round, i) => [round, b.wall[i]]));
  return a.rounds.flatMap((round, i) => (bByRound.has(round) ? [a.wall[i] - bByRound.get(round)] : []));
}

/** What the memory runs that failed their checks peaked at ("n/a" when there were none). */
function failedPeaks(s) {
  if (!s.mem.failedPeakKb.length) return 'n/a';
  const { min, max } = summarize(s.mem.failedPeakKb);
  const range = min === max ? mb(min) : `${mb(min)}–${mb(max)}`;
  return `no sampled run passed; the ${plural(s.mem.failedPeakKb.length, 'run')} that failed peaked at ${range}`;
}

function failureNote(s) {
  if (!s.failures.length) return '';
  const first = s.failures[0].message.split('\n')[0];
  return `${s.failures.length} failed run${s.failures.length === 1 ? '' : 's'}: ${first}`;
}

/** A series' timed runs that failed (warm-up included), as a clause for a row's figures; '' when none. */
function timedFailureClause(label, s) {
  const failed = s.failures.filter((f) => f.run !== 'memory run');
  if (!failed.length) return '';
  const timedRuns = s.wall.length + failed.length + (failed.some((f) => f.run === 'warm-up') ? 0 : 1);
  return `; but ${failed.length} of ${label}'s ${timedRuns} timed runs (warm-up included) failed their checks: ${failed[0].message.split('\n')[0]}`;
}

/** Why a comparison of these series (keys of b.series) has no figure, or null when all were measured. */
function unmeasured(b, keys) {
  const key = keys.find((k) => !measured(b.series[k]));
  return key ? `${LABELS[key]} has no timed run that passed (${failureNote(b.series[key]) || 'none ran'})` : null;
}

/** Median wall time of series a ÷ that of series b, as the tables show it. */
const wallRatio = (a, b) => (measured(a) && measured(b) ? (median(a.wall) / median(b.wall)).toFixed(2) : 'n/a');

/** The browser section's tables, as Markdown. */
export function renderBrowserTables(b) {
  const { sealBrowser, sealBrowserAll, playwright, floor, sealSpec } = b.series;
  const row = (label, s) => {
    if (!measured(s)) return `| ${label} | **not measured**: ${failureNote(s)} | – | – | – | – | – | – |`;
    const wall = summarize(s.wall);
    const mem = s.mem.pssKb.length ? summarize(s.mem.pssKb) : null;
    const memText = mem ? `${mb(mem.median)} / ${mb(mem.max)}` : failedPeaks(s);
    const failed = s.failures.length ? ` (${plural(s.failures.length, 'failed run')}, listed under Notes)` : '';
    return `| ${label}${failed} | ${ms(wall.median)} | ${ms(wall.min)} / ${ms(wall.max)} | ${ms(median(s.reported))} | ${memText} | ${median(s.mem.processes) ?? 'n/a'} | ${mb(median(s.cliRssKb))} | ${Math.max(...s.peakInFlight)} |`;
  };
  const lines = [
    `Time to seal in a browser: ${b.checks} pages, each answered ${b.delayMs} ms after the request arrives, opened in Chromium (${b.chromium}); wall time of the whole process from spawn to exit, ${plural(b.runs, 'run')} after 1 warm-up. Memory: the peak of the summed PSS of every process in the run's tree (CLI, Node workers, Chromium and its helpers), from separate runs with the sampler on.`,
    '',
    '| Run | median | min / max | time the tool reports for its own run (median) | peak memory of the whole tree, PSS (median / max) | processes in the tree at the peak (median) | the CLI process alone, peak RSS (median) | most pages in flight at the server |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| Floor: the slowest page's own latency | ${ms(b.delayMs)} | – | – | – | – | – | – |`,
    row(`Floor: bare playwright-core, a plain script (no test runner) opening the same ${b.checks} pages in the same Chromium with the same flags, ${b.workers} browser contexts at a time`, floor),
    row(`\`seal smoke\`, ${b.checks} \`browser\` checks, \`concurrency: ${b.checks}\`, pages open at once: the default \`browser_concurrency\` (${b.browserConcurrency} on this machine)`, sealBrowser),
    row(`\`npx playwright test\`, ${b.checks} tests, \`workers: ${b.workers}\``, playwright),
    `| seal ÷ Playwright (median wall time) | **${wallRatio(sealBrowser, playwright)}** | – | – | – | – | – | – |`,
    `| seal ÷ bare playwright-core floor (median wall time) | **${wallRatio(sealBrowser, floor)}** | – | – | – | – | – | – |`,
    row(`\`seal smoke\`, 1 \`playwright\` check running the same spec, \`workers: ${b.workers}\``, sealSpec),
    row(`context: \`seal smoke\`, the same ${b.checks} \`browser\` checks with \`browser_concurrency: ${b.checks}\` (all pages at once)`, sealBrowserAll),
    overheadRow(b),
    ...(b.honest ? [`| honest timings: one loopback HTTP check (answered at once), its own \`duration_ms\` in a seal of its own / beside the ${b.checks} browser checks (medians of ${b.honest.alone.length}; min–max) | ${ms(median(b.honest.alone))} / ${ms(median(b.honest.beside))} | ${ms(Math.min(...b.honest.alone))}–${ms(Math.max(...b.honest.alone))} / ${ms(Math.min(...b.honest.beside))}–${ms(Math.max(...b.honest.beside))} | – | – | – | – | – |`] : []),
    '',
    sealBrowserLine(b.checks, sealBrowser),
    '',
    specLine(sealSpec, playwright),
    '',
    memoryLine(b),
  ];
  return `${lines.join('\n')}\n`;
}

function overheadRow(b) {
  const { playwright, sealSpec } = b.series;
  if (!measured(sealSpec) || !measured(playwright)) return "| spec mode's overhead: seal (spec) − `npx playwright test` | not measured | – | – | – | – | – | – |";
  const paired = pairedDiffs(sealSpec, playwright);
  if (!paired.length) return "| spec mode's overhead: seal (spec) − `npx playwright test` | not measured (no round where both passed) | – | – | – | – | – | – |";
  const diffs = summarize(paired);
  const share = Math.round((median(sealSpec.wall) / median(playwright.wall) - 1) * 100);
  const memDiff = sealSpec.mem.pssKb.length && playwright.mem.pssKb.length ? median(sealSpec.mem.pssKb) - median(playwright.mem.pssKb) : null;
  const memText = memDiff == null ? 'n/a' : `${memDiff >= 0 ? '+' : '−'}${mb(Math.abs(memDiff))}`;
  return `| spec mode's overhead: seal (spec) − \`npx playwright test\`, per round (median; min / max) | **${signed(diffs.median)}** (${share >= 0 ? '+' : ''}${share} % on the medians) | ${signed(diffs.min)} / ${signed(diffs.max)} | – | ${memText} (medians) | – | – | – |`;
}

function sealBrowserLine(checks, s) {
  if (!measured(s) || !s.phases.startup.length) return "Where seal's time went with browser checks: not measured.";
  return (
    `Where seal's time went with browser checks (medians): start-up ${ms(median(s.phases.startup))} (process start to \`started_at\`), ` +
    `run ${ms(median(s.phases.run))} (\`duration_ms\`: Chromium's launch and the ${checks} checks; the slowest check alone took ${ms(median(s.slowestCheckMs))}), ` +
    `verdict to exit ${ms(median(s.phases.exit))} (recording the seal in the embedded ledger, reporting, teardown).`
  );
}

function specLine(spec, playwright) {
  if (!measured(spec) || !measured(playwright)) return "Where the spec mode's time went: not measured (see the failed runs above).";
  const startup = median(spec.phases.startup);
  const run = median(spec.phases.run);
  const inner = median(spec.innerMs);
  const exit = median(spec.phases.exit);
  const direct = median(playwright.wall);
  const directInner = median(playwright.reported);
  const wrapper = run - inner;
  return (
    `Where the spec mode's time went (medians): seal's start-up ${ms(startup)}, its run ${ms(run)} (\`duration_ms\`), ` +
    `of which Playwright's own run took ${ms(inner)} (the duration in the JSON report seal keeps) and everything around it ${ms(wrapper)} ` +
    `(guard proxy start with a CA made for the run, the wrapper config, starting and ending the runner, reading the report), then ${ms(exit)} to exit. ` +
    `Run directly, \`npx playwright test\` took ${ms(direct)}: its own run ${ms(directInner)}, Node and the runner's start and exit ${ms(direct - directInner)}. ` +
    `So, roughly: seal's own start and exit ${signed(startup + exit)}, the wrapper beyond the runner's own start and exit ${signed(wrapper - (direct - directInner))}, ` +
    `and Playwright's run itself ${signed(inner - directInner)} slower under seal's config (all traffic through the guard proxy, a trace recorded for every test and kept on failure).`
  );
}

function memoryLine(b) {
  const parts = Object.entries(b.series)
    .filter(([, s]) => s.mem.wall.length)
    .map(([key, s]) => `${LABELS[key]} ${ms(median(s.mem.wall))} (sampler CPU ${ms(median(s.mem.cpuMs))}, a sample every ${ms(median(s.mem.intervalMs))})`);
  if (!parts.length) return 'Memory runs: none succeeded.';
  return (
    `Memory runs (medians): wall time with the sampler on, which reads every process's \`smaps_rollup\` in the tree every ${b.sampleMs} ms ` +
    `(each read makes the kernel walk that process's page tables, so sampling costs the bench the CPU shown and a sample can take longer than ${b.sampleMs} ms): ${parts.join('; ')}.`
  );
}

const LABELS = { sealBrowser: 'seal (browser checks)', sealBrowserAll: `seal (browser checks, all pages at once)`, playwright: '`npx playwright test`', floor: 'the bare playwright-core floor', sealSpec: 'seal (spec)' };

/**
 * Issue 18's goals for the browser section (items 2, 3 and 4), each a ratio of medians measured
 * side by side in the same rounds; every row says "not measured" when `b` is missing.
 */
export function browserGoals(b) {
  /** seal's browser checks against another run of the same pages (key of b.series): wall time, seal ÷ it. */
  const against = (id, goal, key, limit) =>
    goalRow(id, goal, () => {
      if (!b) return NO_SECTION;
      const missing = unmeasured(b, ['sealBrowser', key]);
      if (missing) return missing;
      const { sealBrowser: seal, [key]: other } = b.series;
      const ratio = median(seal.wall) / median(other.wall);
      const failed = timedFailureClause('seal', seal);
      return { measured: `seal median ${ms(median(seal.wall))}, ${LABELS[key]} median ${ms(median(other.wall))}${failed}`, figure: times(ratio), met: ratio <= limit && !failed };
    });
  return [
    against('2a', '10 browser checks ≤ 0.6 × `npx playwright test` (2 workers, same pages, same Chromium flags), wall time', 'playwright', 0.6),
    against('2b', '10 browser checks ≤ 1.2 × the bare playwright-core floor (same Chromium, flags and pages, 2 contexts at a time), wall time', 'floor', 1.2),
    goalRow('2c', "10 browser checks: peak memory of the whole process tree ≤ 0.7 × `npx playwright test`'s", () => {
      if (!b) return NO_SECTION;
      const { sealBrowser: seal, playwright } = b.series;
      const missing = [['sealBrowser', seal], ['playwright', playwright]].find(([, s]) => !s.mem.pssKb.length);
      if (missing) return `${LABELS[missing[0]]}: ${missing[1].mem.failedPeakKb.length ? failedPeaks(missing[1]) : 'no sampled run passed'}`;
      const ratio = median(seal.mem.pssKb) / median(playwright.mem.pssKb);
      const peak = (s) => `${mb(median(s.mem.pssKb))} (max ${mb(Math.max(...s.mem.pssKb))})`;
      return { measured: `peak PSS, medians: seal ${peak(seal)}, Playwright ${peak(playwright)}`, figure: times(ratio), met: ratio <= 0.7 };
    }),
    goalRow('3', 'Spec mode: seal running the spec ≤ +15 % over `npx playwright test` running it directly, wall time', () => {
      if (!b) return NO_SECTION;
      const missing = unmeasured(b, ['sealSpec', 'playwright']);
      if (missing) return missing;
      const { sealSpec, playwright } = b.series;
      const share = median(sealSpec.wall) / median(playwright.wall) - 1;
      const paired = pairedDiffs(sealSpec, playwright);
      const perRound = paired.length ? `; per round ${signed(summarize(paired).median)} (median)` : '';
      const failed = timedFailureClause('seal (spec)', sealSpec);
      return {
        measured: `seal (spec) median ${ms(median(sealSpec.wall))}, Playwright median ${ms(median(playwright.wall))}${perRound}${failed}`,
        figure: `${share >= 0 ? '+' : '−'}${Math.abs(Math.round(share * 100))} %`,
        met: share <= 0.15 && !failed,
      };
    }),
    goalRow('4', 'Honest timings: a loopback HTTP check measures the same (within +20 ms) alone and beside the 10 browser checks', () => {
      if (!b?.honest) return NO_SECTION;
      const { alone, beside } = b.honest;
      const extra = median(beside) - median(alone);
      return { measured: `its \`duration_ms\`, medians: ${ms(median(alone))} alone, ${ms(median(beside))} beside them (max ${ms(Math.max(...beside))})`, figure: signed(extra), met: extra <= 20 };
    }),
  ];
}

/** The browser section's earlier targets (issue 18's are browserGoals): the measured figure and whether it was met. */
export function browserTargets(b) {
  const { sealBrowser, playwright, sealSpec } = b.series;
  const memTarget = (label, s) => {
    if (!s.mem.pssKb.length) {
      return { target: `Peak memory of the whole run under 1 GB: ${label}`, measured: `not measured in a run that passed its checks (${failedPeaks(s)}; ${failureNote(s)})`, met: null, note: '' };
    }
    const { median: mid, max } = summarize(s.mem.pssKb);
    return {
      target: `Peak memory of the whole run under 1 GB: ${label}`,
      measured: `peak of summed PSS: max ${mb(max)} over ${plural(s.mem.pssKb.length, 'run')} (median ${mb(mid)})`,
      met: kbToBytes(max) < GB,
      note: kbToBytes(max) < GB && kbToBytes(max) >= GB * 0.95 ? 'close to the limit' : '',
    };
  };
  const speed = (() => {
    const target = `${b.checks} parallel browser checks finish no slower than \`npx playwright test\` on the same pages with ${b.workers} workers`;
    if (!measured(sealBrowser) || !measured(playwright)) return { target, measured: 'not measured', met: null, note: '' };
    const seal = summarize(sealBrowser.wall);
    const pw = summarize(playwright.wall);
    const failures = timedFailureClause('seal', sealBrowser);
    return {
      target,
      measured: `seal median ${ms(seal.median)} vs Playwright median ${ms(pw.median)} (ratio ${(seal.median / pw.median).toFixed(2)})${failures}`,
      met: seal.median <= pw.median && !failures,
      note: '',
    };
  })();
  // The issue's 1 GB is for the run of browser checks. Running the team's spec, seal adds its own
  // process and guard to what Playwright itself uses, which on this spec alone is close to 1 GB:
  // shown for reference, against Playwright's own peak.
  const spec = (() => {
    const target = "For reference (no target): peak memory of `seal smoke` running the spec (`playwright` check), against `npx playwright test` alone";
    if (!sealSpec.mem.pssKb.length || !playwright.mem.pssKb.length) return { target, measured: 'not measured', met: null, note: '' };
    const s = summarize(sealSpec.mem.pssKb);
    const p = summarize(playwright.mem.pssKb);
    return { target, measured: `seal (spec) median ${mb(s.median)} (max ${mb(s.max)}) vs Playwright alone median ${mb(p.median)} (max ${mb(p.max)}): +${mb(s.median - p.median)}`, met: 'reference', note: '' };
  })();
  return [memTarget(`\`seal smoke\` with ${b.checks} browser checks`, sealBrowser), speed, spec];
}

/** Failed runs, listed in full (first lines of each message). */
export function browserFailures(b) {
  const lines = [];
  for (const [key, s] of Object.entries(b.series)) {
    for (const f of s.failures) {
      const memory = f.peakKb == null ? '' : `; the tree's peak memory in that run was ${mb(f.peakKb)}`;
      lines.push(`${LABELS[key]}, ${f.run} (${ms(f.ms)}${memory}): ${f.message.split('\n')[0].slice(0, 400)}`);
    }
  }
  return lines;
}

/** The browser section's method paragraph. */
export function browserMethod(b) {
  return `Browser section. The bench starts a second \`node:http\` server on 127.0.0.1 at a random port, serving \`/p01\`…\`/p${b.checks}\`: small HTML pages (a title "Page NN", a heading, a line of static text and an inline script that writes "Script ran on page NN" into the page), each answered ${b.delayMs} ms after the request arrives, so ${b.delayMs} ms is the floor of a run that loads them all at once. Into \`bench/.work/browser/\` it writes: a seal config with ${b.checks} \`browser\` checks (\`concurrency: ${b.checks}\`, so the app's limit lets all of them run, and seal's default \`browser_concurrency\`, ${b.browserConcurrency} pages at once on this machine; each check expects the title, the text the script writes and \`no_console_errors: true\`), and the same config with \`browser_concurrency: ${b.checks}\` (all pages at once); an equivalent Playwright Test spec (CommonJS, \`pages.spec.cjs\`, with a \`package.json\` saying so): ${b.checks} tests, each collecting \`console\` errors and \`pageerror\`s, going to its page and expecting the same title and text and no errors, in parallel mode (\`test.describe.configure({ mode: 'parallel' })\`, without which Playwright keeps a file's tests in one worker); a Playwright config for it (\`workers: ${b.workers}\`, \`baseURL\` the local server, Debian's \`/usr/bin/chromium\` with seal's own Chromium flags \`${b.chromiumArgs.join(' ')}\`, a JSON reporter); a second seal config with one \`playwright\` check running that same spec file (\`workers: ${b.workers}\`); and the input of the bare playwright-core floor, \`bench/browser-floor.mjs\`: a plain script, no test runner, that launches the same Chromium with the same flags through playwright-core, opens the same pages ${b.workers} browser contexts at a time (for each page a new context, \`goto\`, which waits for \`load\` as seal and Playwright do, the title read, the context closed), closes the browser and does nothing else. The five runs are \`node bin/seal smoke bench --config … --json\` (browser checks, with each of the two configs), \`node node_modules/@playwright/test/cli.js test --config …\`, \`node bench/browser-floor.mjs floor.json\` and \`node bin/seal smoke …\` (the spec), each a fresh child process of the bench with the same hooks, timed from spawn to exit. One warm-up round, then ${b.runs} rounds; each round runs the five one after another, timed, and then each once more with its memory sampled: every ${b.sampleMs} ms the sampler finds every process whose parent chain (\`/proc/<pid>/stat\`) leads to the run's root process and sums their PSS (\`Pss\` of \`/proc/<pid>/smaps_rollup\`; \`VmRSS\` of \`/proc/<pid>/status\` if that cannot be read), and the run's figure is the largest sum. Following parents rather than the process group matters: Playwright starts Chromium in a group of its own. Memory is sampled only in runs of its own because reading \`smaps_rollup\` is expensive for Chromium's processes (see the memory line above): in the timed runs the tree is only tracked, a plain \`stat\` scan every ${b.trackMs} ms, to find processes a run leaves behind. Every run is checked, or it counts as failed and is listed: seal must print verdict \`green\` with exactly the ${b.checks} expected checks passed (\`p01\`… or \`spec › p01\`…) and exit 0, Playwright's JSON report must say ${b.checks} expected and nothing unexpected, flaky or skipped, the floor must exit 0 having read all ${b.checks} expected titles, and in every case the server must have served all ${b.checks} pages. A tool whose timed runs fail twice in a row gets no more timed runs, and likewise for its sampled runs. A failed timed run makes \`npm run bench\` exit 1 once this page is written; a failed sampled run is only listed, since the sampler's own load can cause it. Each run has a time limit; on a time-out the whole tree is killed, pid by pid. Every Node process in each tree (Playwright's workers included) gets \`bench/net-guard.mjs\` through \`NODE_OPTIONS\`; Chromium itself runs with seal's flags that turn off its background networking. seal's runs get \`SEAL_DATA_DIR\` in \`bench/.work/\`, emptied before each run, from which the spec run's Playwright report is read.`;
}

/** Writes seal's guard blocked in passing runs: the pages make none, so any is Chromium's own. */
function blockedNote(b) {
  const parts = Object.entries(b.series)
    .filter(([, s]) => Object.keys(s.blocked).length)
    .map(([key, s]) => `${LABELS[key]}: ${Object.entries(s.blocked).map(([write, n]) => `${write} ×${n}`).join(', ')}`);
  if (!parts.length) return "seal's guard blocked no write in any passing run (the pages make none).";
  return (
    `Writes seal listed in \`blocked_requests\` over all passing runs (the pages make none, so these are Chromium's own requests, which in spec mode reach seal's guard proxy): ${parts.join('; ')}. ` +
    'Under `on_write: fail` they would count as writes the check attempted (docs/config.md).'
  );
}

/** How much the memory sampler slowed each tool down, and what it did to seal's browser checks. */
function samplerNote(b) {
  const slowdowns = Object.entries(b.series)
    .filter(([, s]) => s.wall.length && (s.mem.wall.length || s.mem.failedPeakKb.length))
    .map(([key, s]) => {
      const sampled = [...s.mem.wall, ...s.failures.filter((f) => f.run === 'memory run').map((f) => f.ms)];
      return `${LABELS[key]} ${ms(median(s.wall))} timed, ${ms(median(sampled))} sampled`;
    });
  if (!slowdowns.length) return '';
  const seal = ['sealBrowser', 'sealBrowserAll']
    .map((key) => {
      const s = b.series[key];
      const failedSampled = s.failures.filter((f) => f.run === 'memory run').length;
      if (!failedSampled) return '';
      return ` ${plural(failedSampled, 'sampled run')} of ${LABELS[key]} failed: in the timed runs its slowest check already took ${ms(median(s.slowestCheckMs))} (median) of the default 10 s \`timeout_ms\`, so the sampler's slowdown can push checks past it. Their memory is shown as what those failed runs peaked at, not as a figure of a passing run.`;
    })
    .join('');
  return `The sampler is not free: medians of the wall time with and without it (all sampled runs, failed ones included): ${slowdowns.join('; ')}.${seal}`;
}

/** Why spec mode's memory is a reference figure, not held to the 1 GB target. */
function specMemoryNote(b) {
  const { sealSpec, playwright } = b.series;
  if (!sealSpec.mem.pssKb.length || !playwright.mem.pssKb.length) return '';
  return (
    `The issue's 1 GB target is stated for the run of ${b.checks} browser checks. In spec mode the team's own Playwright does the work, with its runner, ${b.workers} workers and ${b.workers} Chromiums, ` +
    `and run directly on this spec it alone peaked at ${mb(median(playwright.mem.pssKb))} (median); seal adds its own process (the CLI and the guard proxy) and the trace it records for every test, ` +
    `${mb(median(sealSpec.mem.pssKb) - median(playwright.mem.pssKb))} on the medians. That figure is reported above; meeting 1 GB there would mean running the team's spec with fewer workers than they chose.`
  );
}

/** Notes about the browser section. */
export function browserNotes(b) {
  const spread = (values) => {
    if (values.length < 2) return 'n/a';
    const { min, median: mid, max } = summarize(values);
    return `${Math.round(((max - min) / mid) * 100)} %`;
  };
  const busy = b.busy.length ? summarize(b.busy) : null;
  const notes = [
    `Browser section noise (max − min, as a share of the median): seal (browser checks) ${spread(b.series.sealBrowser.wall)}, ` +
      `seal (browser checks, all pages at once) ${spread(b.series.sealBrowserAll.wall)}, \`npx playwright test\` ${spread(b.series.playwright.wall)}, the bare playwright-core floor ${spread(b.series.floor.wall)}, seal (spec) ${spread(b.series.sealSpec.wall)}.`,
    busy
      ? `Other load on the machine: before each browser round the bench waits, at most ${b.quietWaitMs / 1000} s, for the CPUs to be less than ${Math.round(b.quietBusy * 100)} % busy over half a second with nothing of its own running; ` +
        `they were then ${Math.round(busy.median * 100)} % busy (median; max ${Math.round(busy.max * 100)} %${busy.max >= b.quietBusy ? `; ${b.busy.filter((x) => x >= b.quietBusy).length} of ${b.busy.length} rounds started on a busy machine after the wait ran out` : ''}); ` +
        `load average ${b.loadBefore.map((l) => l.toFixed(1)).join(' / ')} before the section and ${b.loadAfter.map((l) => l.toFixed(1)).join(' / ')} after it (1 / 5 / 15 min; the section's own Chromiums count in the latter). ` +
        'Browser runs are CPU-bound on this machine, so any other load shows in these figures.'
      : '',
    'What each run does beyond loading the pages: seal\'s browser checks record a Playwright trace (screenshots and DOM snapshots) of every check and drop it when the check passes, so a failed check has one; ' +
      'seal\'s `playwright` check runs the spec with `trace: retain-on-failure` and `screenshot: only-on-failure` and sends all of its traffic through the guard proxy; ' +
      'the direct `npx playwright test` run and the bare playwright-core floor record no trace and use no proxy. Those costs are part of what seal does, so they are in its figures.',
    Object.values(b.series).some((s) => s.mem.rssFallbacks > 0)
      ? 'Some processes\' smaps_rollup could not be read and were counted with VmRSS (which counts shared pages in full).'
      : 'Every process\'s smaps_rollup could be read: the memory figures are all PSS.',
    samplerNote(b),
    blockedNote(b),
    'Chromium and the network (checked by hand with strace when this section was written): even with seal\'s flags, Chromium sends DNS queries for update.googleapis.com ' +
      '(its update check, a POST to /service/update2/json) to the system\'s resolver, in the browser-check runs and the direct Playwright runs alike; the resolver here answers nothing, ' +
      'so no connection follows. In spec mode the same requests go to seal\'s guard instead, which answers them itself with a 403 and never counts them as the team\'s writes (they reach no network). ' +
      'bench/net-guard.mjs covers the Node processes only, not Chromium.',
    specMemoryNote(b),
    '1 GB here is 10^9 bytes (1 MB = 10^6 bytes, as above).',
  ];
  return [...b.notes, ...notes.filter(Boolean), ...browserFailures(b).map((f) => `Failed run: ${f}`)];
}
