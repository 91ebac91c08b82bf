// How busy the machine is with other work, from /proc/stat (Linux).
import { readFileSync } from 'node:fs';

/**
 * Browser runs are CPU-bound on two cores, so other work on the machine shows in their figures:
 * waits, at most waitMs, until the CPUs were less than quietBusy busy over half a second
 * (nothing of the bench runs meanwhile). Returns the last reading, which the report shows.
 */
export async function waitForQuiet(log, quietBusy, waitMs) {
  const deadline = Date.now() + waitMs;
  let busy = await machineBusy(500);
  for (let i = 0; busy >= quietBusy && Date.now() < deadline && i < waitMs / 500; i += 1) {
    if (i === 0) log(`the machine is ${Math.round(busy * 100)} % busy with other work; waiting up to ${waitMs / 1000} s for it to settle`);
    busy = await machineBusy(500);
  }
  return busy;
}

/** How busy the machine's CPUs were over `durationMs` (0 to 1), from /proc/stat. */
async function machineBusy(durationMs) {
  const read = () => {
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { idle: ticks[3] + ticks[4], total: ticks.reduce((sum, t) => sum + t, 0) };
  };
  const before = read();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  const after = read();
  return after.total > before.total ? 1 - (after.idle - before.idle) / (after.total - before.total) : 0;
}
