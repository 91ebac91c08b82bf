// The bench's target: a node:http server on 127.0.0.1 (random port), in the bench's own process.
//   /cNN   answers 200 "ok" after `delayMs` (the check's own latency, the floor of a run)
//   /huge  streams `hugeBytes` of body in 64 KiB chunks, generated on the fly with backpressure,
//          and stops writing as soon as the client goes away
// It counts requests in flight so the report can show how concurrently each tool really ran.
import http from 'node:http';
import { once } from 'node:events';

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * Starts the server and resolves once it listens.
 * @param {{ delayMs: number, hugeBytes: number }} options
 */
export async function startServer({ delayMs, hugeBytes }) {
  const stats = { requests: 0, inFlight: 0, peakInFlight: 0, hugeBytesSent: 0, hugeClosedEarly: false };

  const server = http.createServer((req, res) => {
    stats.requests += 1;
    stats.inFlight += 1;
    stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
    res.once('close', () => {
      stats.inFlight -= 1;
    });
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/huge') {
      streamHuge(res, hugeBytes, stats).catch(() => res.destroy());
    } else if (/^\/c\d+$/.test(path)) {
      const timer = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
        res.end('ok');
      }, delayMs);
      res.once('close', () => clearTimeout(timer));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('bench server: no TCP address');

  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    stats,
    /** Zeroes the counters between runs. */
    reset() {
      Object.assign(stats, { requests: 0, inFlight: 0, peakInFlight: 0, hugeBytesSent: 0, hugeClosedEarly: false });
    },
    /** Stops listening and drops every open connection, so the bench can exit. */
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

/** Writes `total` bytes in 64 KiB chunks, waiting for 'drain' whenever the socket is full. */
async function streamHuge(res, total, stats) {
  res.on('error', () => {}); // a client hanging up mid-body is expected, not a bench failure
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
  let sent = 0;
  // Bounded: at most total / 64 KiB iterations, fewer if the client hangs up.
  while (sent < total && !res.destroyed) {
    const chunk = total - sent >= CHUNK.length ? CHUNK : CHUNK.subarray(0, total - sent);
    sent += chunk.length;
    stats.hugeBytesSent = sent;
    if (!res.write(chunk)) await drainOrClose(res);
  }
  if (sent < total) stats.hugeClosedEarly = true;
  else res.end();
}

/** Resolves on the first of 'drain' and 'close', leaving no listener behind. */
function drainOrClose(res) {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve(undefined);
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve(undefined);
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
