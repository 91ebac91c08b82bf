/**
 * A small "production" app for the demo: release v1.0.0 is healthy; release v1.1.0 leaks its
 * /devops page and reports a degraded health, so the demo can show a red seal too.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The releases the demo app can be switched between. */
export type DemoRelease = 'v1.0.0' | 'v1.1.0';

/** A running demo app. */
export interface DemoApp {
  readonly url: string;
  readonly token: string;
  deploy(release: DemoRelease): void;
  /** Writes that reached the app (the seal should leave this at 0). */
  writes(): number;
  close(): Promise<void>;
}

/** Starts the demo app on 127.0.0.1 (a free port) with a random API token. */
export async function startDemoApp(token: string): Promise<DemoApp> {
  let release: DemoRelease = 'v1.0.0';
  let writes = 0;
  const server: Server = createServer(function handleDemoRequest(req, res) {
    const broken = release === 'v1.1.0';
    const path = new URL(req.url ?? '/', 'http://demo').pathname;
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'x-release': release }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') writes++;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'read-only demo');
    switch (path) {
      case '/up':
        return send(200, 'text/plain', 'OK');
      case '/':
        // Like many production pages, it reports a page view on load: the seal must not let it through.
        return send(200, 'text/html; charset=utf-8', `<!doctype html><title>Studio</title><h1>Studio ${release}</h1><a href="/login">Sign in</a><script>navigator.sendBeacon('/analytics/pageview', '{}')</script>`);
      case '/analytics/pageview':
        writes++;
        return send(204, 'text/plain', '');
      case '/devops':
        return broken ? send(200, 'text/html', '<h1>DevOps console</h1>') : send(404, 'text/plain', 'Not Found');
      case '/api/health':
        return send(200, 'application/json', JSON.stringify({ status: broken ? 'degraded' : 'ok', release }));
      case '/api/me':
        return req.headers.authorization === `Bearer ${token}`
          ? send(200, 'application/json', JSON.stringify({ user: 'smoke-bot', role: 'viewer' }))
          : send(401, 'application/json', JSON.stringify({ error: 'unauthorized' }));
      default:
        return send(404, 'text/plain', 'Not Found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    deploy: (next) => {
      release = next;
    },
    writes: () => writes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
