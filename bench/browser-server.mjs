// The browser section's target: a node:http server on 127.0.0.1 (random port), in the bench's
// own process, serving small HTML pages.
//   /pNN          answers after `delayMs` (the page's own latency, the floor of a run) with a
//                 page titled "Page NN": a heading, some static text and a tiny inline script
//                 that writes "Script ran on page NN" into the page, so the text check proves
//                 the script ran
//   /favicon.ico  204 (the pages also declare an empty data: icon, so none should be asked for)
// It counts page requests and requests in flight, so the report can show how concurrently each
// tool loaded the pages.
import http from 'node:http';
import { once } from 'node:events';

/** p01 ... p10 */
export function pageNames(count) {
  return Array.from({ length: count }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
}

/** "Page 07" for p07: the title every tool expects. */
export const pageTitle = (name) => `Page ${name.slice(1)}`;

/** The text the page's script writes: what every tool expects in the page's text. */
export const scriptText = (name) => `Script ran on page ${name.slice(1)}`;

function pageHtml(name) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>${pageTitle(name)}</title>
</head>
<body>
<h1>${pageTitle(name)}</h1>
<p>Static text of ${name}: a small page for the smoke-seal bench, served from 127.0.0.1.</p>
<p id="js">script not run</p>
<script>document.getElementById('js').textContent = ${JSON.stringify(scriptText(name))};</script>
</body>
</html>
`;
}

/**
 * Starts the server and resolves once it listens.
 * @param {{ delayMs: number, count: number }} options
 */
export async function startPageServer({ delayMs, count }) {
  const pages = new Map(pageNames(count).map((name) => [`/${name}`, Buffer.from(pageHtml(name))]));
  const fresh = () => ({ pageRequests: 0, pagesSeen: new Set(), other: 0, inFlight: 0, peakInFlight: 0 });
  const stats = fresh();

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const page = pages.get(path);
    if (!page) {
      stats.other += 1;
      res.writeHead(path === '/favicon.ico' ? 204 : 404, { 'content-type': 'text/plain' });
      res.end();
      return;
    }
    stats.pageRequests += 1;
    stats.pagesSeen.add(path);
    stats.inFlight += 1;
    stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
    res.once('close', () => {
      stats.inFlight -= 1;
    });
    const timer = setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(page.length), 'cache-control': 'no-store' });
      res.end(page);
    }, delayMs);
    res.once('close', () => clearTimeout(timer));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('bench page server: no TCP address');

  return {
    url: `http://127.0.0.1:${address.port}`,
    stats,
    /** Zeroes the counters between runs. */
    reset() {
      Object.assign(stats, fresh());
    },
    /** Stops listening and drops every open connection, so the bench can exit. */
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
