// Loaded with `node --import ./bench/maxrss-hook.mjs ...`: when the process exits, writes its
// peak resident set size (process.resourceUsage().maxRSS, in KiB) to the file named by
// SEAL_BENCH_MAXRSS_FILE. The 'exit' event also fires on process.exit(), so nothing is missed.
// With SEAL_BENCH_CLOCK_FILE set it also writes, as JSON, when the process started and when it
// exited (epoch ms), so the bench can split a run's wall time into start-up, run and exit.
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { performance } from 'node:perf_hooks';

const rssFile = process.env.SEAL_BENCH_MAXRSS_FILE;
const clockFile = process.env.SEAL_BENCH_CLOCK_FILE;
if (rssFile || clockFile) {
  process.on('exit', () => {
    if (rssFile) writeFileSync(rssFile, `${process.resourceUsage().maxRSS}\n`);
    if (clockFile) {
      const startedAt = performance.timeOrigin;
      writeFileSync(clockFile, JSON.stringify({ startedAt, exitedAt: startedAt + performance.now() }));
    }
  });
}
