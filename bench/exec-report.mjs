// The exec section's table, target and method, for the printed tables and BENCHMARKS.md.
import { ms, summarize } from './report-format.mjs';

const median = (values) => (values.length ? summarize(values).median : null);
const overhead = (c, mode) => (c[mode].length ? median(c[mode]) - median(c.direct) : null);

/** The table: each command run directly, and as a probe with and without the sandbox. */
export function renderExecTables(r) {
  const rows = Object.values(r.commands).flatMap((c) => {
    const d = summarize(c.direct);
    const probe = (mode, label) => {
      if (!c[mode].length) return `| ${label} | ${mode === 'sandbox' && c.sandboxUnavailable ? `not measured: ${c.sandboxUnavailable}` : 'n/a'} | – | – |`;
      const s = summarize(c[mode]);
      return `| ${label} | ${ms(s.median)} | ${ms(s.min)} / ${ms(s.max)} | **+${ms(overhead(c, mode))}** |`;
    };
    return [
      `| \`${c.argv.join(' ')}\` run directly (wall time, spawn to exit) | ${ms(d.median)} | ${ms(d.min)} / ${ms(d.max)} | – |`,
      probe('sandbox', `the same as an exec probe, in the network sandbox (check's \`duration_ms\`)`),
      probe('plain', `the same as an exec probe, \`network_sandbox: off\` (check's \`duration_ms\`)`),
    ];
  });
  return [
    `What an exec probe costs beside its command: ${r.probes} probes a run, one at a time, ${r.runs} runs after 1 warm-up (medians over every probe).`,
    '',
    '| Run | median | min / max | more than the command run directly (medians) |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/** The issue's target: a probe costs at most ~150 ms more than its command, for each command, in the sandbox (the dearer mode). */
export function execTargets(r) {
  return Object.entries(r.commands).map(([name, c]) => {
    const extra = overhead(c, 'sandbox');
    return {
      target: `An exec probe costs at most ~150 ms more than its command (${name}, network sandbox on)`,
      measured: extra === null ? `not measured (${c.sandboxUnavailable ?? 'no sandboxed runs'})` : `+${ms(extra)} (probe ${ms(median(c.sandbox))}, ${name} alone ${ms(median(c.direct))}); without the sandbox +${ms(overhead(c, 'plain'))}`,
      met: extra === null ? null : extra <= 150,
      note: '',
    };
  });
}

/** How the section measures. */
export function execMethod(r) {
  return `Exec section. The bench starts a \`node:http\` server on 127.0.0.1 answering \`GET /up\` with \`200 ok\` at once. For each command (${Object.values(r.commands).map((c) => `\`${c.argv.join(' ')}\``).join(', ')}) it runs the command ${r.probes} times directly as a child process of the bench, timed from spawn to exit, then one \`seal smoke\` run with ${r.probes} exec checks of that command (\`concurrency: 1\`, so one probe at a time and nothing else competing), with \`network_sandbox: required\`, then the same with \`network_sandbox: off\`; one warm-up round, then ${r.runs} rounds. A probe's figure is its check's \`duration_ms\`, which covers the whole attempt: its guard channel, the sandbox (\`unshare\`, \`ip\` and the launcher's Node start) or the proxy variables, the command with the guard's preload (for Node) and the channel closing once its connections end. The run's guard itself (its CA and production's addresses) starts before the first check's clock, once per run, and is not in these figures. Every seal run must be green with all ${r.probes} probes passed, and every direct run must print \`200\`, or the bench fails.`;
}
