// The scale section of BENCHMARKS.md (issue 19): one worker's throughput, and 2 servers + 4
// workers in 2 locations draining 200 queued releases of 50 apps.
import { NO_SECTION, goalRow, mb, ms } from './report-format.mjs';

const n1 = (value) => value.toFixed(1);

/** The scale tables. */
export function renderScaleTables(s) {
  const r = s.row;
  const worst = Math.max(...r.rss.filter((p) => p.what === 'worker').map((p) => p.kb));
  const server = Math.max(...r.rss.filter((p) => p.what === 'serve').map((p) => p.kb));
  return [
    `\`seal serve\` and \`seal worker\` processes on Postgres ${s.postgres}, the queue pg-boss's; production answers each check ${s.one.floorMs} ms after it arrives; every seal tells a webhook (a loopback server).`,
    '',
    '| Run | seals | time | throughput | per seal | floor |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| One \`seal worker\` (one job at a time), ${s.one.seals} queued seals of an app with 2 HTTP checks | ${s.one.seals} | ${ms(s.one.ms)} (start-up ${ms(s.one.startMs)}) | **${n1(s.one.seals / ((s.one.ms - s.one.startMs) / 1000))} seals/s** | ${ms(s.one.perSealMs)} | ${ms(s.one.floorMs)} (the slowest check) |`,
    `| ${r.servers} servers (queueing only) + ${r.workers} workers in ${r.locations.length} locations (${r.locations.join(', ')}; ${r.workerConcurrency} jobs at a time each): ${r.releases} queued releases of ${r.apps} apps, each sealed from both locations | ${r.releases} seals (${r.partRuns} location runs) | ${ms(r.drainMs)} from the workers' start (their start-up ${ms(r.workersReadyMs)}) | **${n1(r.sealsPerSecond)} seals/s** (${n1(r.runsPerSecond)} location runs/s) | – | – |`,
    '',
    `Queueing the ${r.releases} seals through the two servers' API, one request at a time: ${ms(r.enqueueMs)} (${n1(r.releases / (r.enqueueMs / 1000))} requests/s; each located seal is 3 jobs). Exactly once, checked in the store and at the webhook: **${r.lost} lost, ${r.duplicated} duplicated** (every asked seal recorded once with one run per location; ${r.toldTwice} told twice, ${r.partsTold} location runs told on their own); ${r.notGreen} not green; both servers' live streams showed a \`seal\` event for every release; \`seal audit verify\` ${r.auditVerified ? 'verified' : 'did NOT verify'} the chain afterwards. Peak RSS: a worker ${mb(worst)}, a server ${mb(server)}.`,
  ].join('\n');
}

/** How the scale section was measured. */
export function scaleMethod(s) {
  return `Scale section (bench/scale-run.mjs). A database of its own on the machine's Postgres, dropped afterwards; a config of 51 apps with 2 HTTP checks each against a \`node:http\` server in the bench process that answers ${s.one.floorMs} ms after each request, 50 of them with \`locations: [${s.row.locations.join(', ')}]\`, each telling a webhook (another loopback server in the bench that counts deliveries by \`X-Seal-Delivery\`). First one \`seal worker --concurrency 1\` drains ${s.one.seals} seals queued through \`POST …/smoke\` (time from its spawn to the last seal in the store; throughput leaves out its start-up). Then a second \`seal serve --worker-concurrency 0\` joins, both servers' \`/events\` streams are watched, ${s.row.releases} seals are queued alternately through the two servers, and ${s.row.workers} \`seal worker --location … --concurrency ${s.row.workerConcurrency}\` are started together; the time runs from their spawn to the last combined seal in the store (polled every 50 ms). Then the store, the webhook's counts, the live streams and \`seal audit verify\` are checked; any seal lost or duplicated fails the section.`;
}

/** The scale row as a goal (issue 19 sets no figure: the row must show zero lost or duplicated). */
export function scaleGoals(s) {
  return [
    goalRow('7', 'Issue 19: 2 servers + 4 workers in 2 locations seal 200 queued releases of 50 apps, none lost or duplicated', () =>
      s ? { measured: `${ms(s.row.drainMs)}, ${s.row.lost} lost, ${s.row.duplicated} duplicated`, figure: `${n1(s.row.sealsPerSecond)} seals/s`, met: s.row.lost === 0 && s.row.duplicated === 0 } : NO_SECTION,
    ),
  ];
}
