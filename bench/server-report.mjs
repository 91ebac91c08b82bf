// The server section of BENCHMARKS.md: tables, goals, targets, method.
import { NO_SECTION, goalRow, mb, ms } from './report-format.mjs';

const n = (value) => Math.round(value).toLocaleString('en-US');

/** The server tables. */
export function renderServerTables(s) {
  return [
    `\`seal serve\` on Postgres ${s.postgres} holding ${n(s.releases)} releases of ${s.apps} apps; the load comes from a second Node process (undici, ${s.concurrency} connections, each sending its next request as soon as the last one answered), which measures every request's latency itself.`,
    '',
    '| Load | requests | errors | throughput | p50 | p95 | p99 | max |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| \`GET /deployments\` for ${s.boardMs / 1000} s (newest page, one app's page, an older page, in turn; ${n(s.board.meanBytes)} bytes of HTML each on average) | ${n(s.board.requests)} | ${s.board.errors} | ${n(s.board.rps)} pages/s | ${ms(s.board.p50)} | ${ms(s.board.p95)} | ${ms(s.board.p99)} | ${ms(s.board.max)} |`,
    `| \`POST /api/releases/<app>/<version>/seals\`: ${n(s.ingest.seals)} run results of 5 checks, each sealing a release it records | ${n(s.ingest.seals)} | ${s.ingest.errors} | **${n(s.ingest.perSecond)} seals/s** | ${ms(s.ingest.p50)} | ${ms(s.ingest.p95)} | – | – |`,
    ...(s.heavy ? [heavyRow(s.heavy)] : []),
    '',
    `The store held ${n(s.storedRuns)} runs afterwards (every seal recorded once, the heavy run besides). Peak RSS of the server process: ${mb(s.serverRssKb)}.`,
  ].join('\n');
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The release page of the largest run the API accepts. */
function heavyRow(h) {
  return `| \`GET /releases/heavy/v1\`, the page of the largest run the API accepts (${n(h.bodyBytes)} bytes posted, nested 63 deep; ${n(h.pageBytes)} bytes of HTML): 10 one after another, then 3 at once with \`/healthz\` beside them | 13 | 0 | – | ${ms(median(h.sequentialMs))} | – | – | ${ms(Math.max(...h.sequentialMs))}; 3 at once: max ${ms(Math.max(...h.togetherMs))}; /healthz ${ms(h.healthzMs)} |`;
}

/** Issue 18's goal for the server section (item 6, beside the curve's): ingest at twice the earlier target. */
export function serverGoals(s) {
  return [
    goalRow('6e', 'Ingest ≥ 1,000 seals/s on Postgres (run results posted through the API)', () =>
      s ? { measured: `${n(s.ingest.seals)} seals, ${s.concurrency} at a time (p95 ${ms(s.ingest.p95)})`, figure: `${n(s.ingest.perSecond)} seals/s`, met: s.ingest.perSecond >= 1000 } : NO_SECTION,
    ),
  ];
}

/** The earlier targets for the server. */
export function serverTargets(s) {
  return [
    { target: `Board: p95 of /deployments under 50 ms with ${n(s.releases)} releases under concurrent load`, measured: `p95 ${ms(s.board.p95)} (p50 ${ms(s.board.p50)}) at ${n(s.board.rps)} pages/s, ${s.concurrency} concurrent`, met: s.board.p95 < 50, note: '' },
    { target: 'Ingest: at least 500 seals per second on Postgres', measured: `${n(s.ingest.perSecond)} seals/s (${s.concurrency} concurrent, p95 ${ms(s.ingest.p95)})`, met: s.ingest.perSecond >= 500, note: '' },
    ...(s.heavy
      ? [{ target: 'The largest run the API accepts renders in under 200 ms', measured: `median ${ms(median(s.heavy.sequentialMs))}, max ${ms(Math.max(...s.heavy.sequentialMs))} (3 at once: max ${ms(Math.max(...s.heavy.togetherMs))}; /healthz beside them ${ms(s.heavy.healthzMs)})`, met: median(s.heavy.sequentialMs) < 200, note: '' }]
      : []),
  ];
}

/** How the server section was measured. */
export function serverMethod(s) {
  return `Server section. The bench creates a database on the machine's Postgres (dropped at the end), runs \`seal token create\` against it (which also applies the migrations), seeds ${n(s.releases)} releases of ${s.apps} apps by SQL (four in five sealed, one in seven of those red), and starts the real CLI, \`seal serve --port 0\`, with \`DATABASE_URL\` and its default logging (one JSON line per request, read and dropped). A second process (\`bench/server-load.mjs\`) first warms the server up for 1.5 s with 4 connections, then keeps ${s.concurrency} requests in flight for ${s.boardMs / 1000} s: the newest page of \`/deployments\`, one app's page, and an older page (\`?before=\`), in turn; every answer must be 200 and contain releases. Then it posts ${n(s.ingest.seals)} distinct run results (5 checks each, one in ten red, spread over ${s.apps} apps and 250 new versions of each, so each seal also records its release), ${s.concurrency} at a time, with a write token; each must be answered 201, and the store must hold exactly that many runs afterwards. Last, the bench itself posts one run as large as the API accepts (just under the 4 MiB body limit, 10 checks whose evidence and assertion values are arrays of 3,500 objects nested 57 deep: 63 levels in all, the limit being 64) and times its release page from the bench process: 10 requests one after another, then 3 at once with \`/healthz\` sent beside them. Everything runs on the same machine: the server, Postgres and the load share its cores.`;
}
