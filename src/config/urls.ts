/** URLs and hosts of an app: where its checks point and which hosts they may reach. */
import { isIP } from 'node:net';
import type { RawApp, RawCheck } from './schema.js';

/**
 * Resolves a check's path against the base URL, keeping the base's own path: with
 * `https://x.com/studio`, `/up` is `https://x.com/studio/up` (a base URL is a prefix, not a
 * page). An absolute URL stays as written.
 */
export function resolveCheckUrl(base: string, path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return new URL(path).href;
  const root = new URL(base);
  const prefix = root.pathname.replace(/\/+$/, '');
  return new URL(`${prefix}${path.startsWith('/') ? '' : '/'}${path}`, root.origin).href;
}

/** True when a URL's host is listed, as `host:port` or as a bare hostname (any port). */
export function isAllowedHost(url: URL, hosts: readonly string[]): boolean {
  const bare = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return hosts.some((host) => {
    const entry = host.toLowerCase();
    return entry === url.host || entry === url.hostname || entry === bare;
  });
}

/** The host name of a `host`, `host:port`, `[v6]:port` or bare IP entry, without brackets or port. */
export function hostnameOf(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1] ?? host;
  return isIP(host) !== 0 ? host : host.replace(/:\d+$/, '');
}

/** Hosts (`host:port`) a check may reach: the app's own plus its and the check's allow_hosts. */
export function hostsOf(app: RawApp, check?: RawCheck): string[] {
  const hosts = [new URL(app.production_url).host];
  if (app.smoke_url) hosts.push(new URL(app.smoke_url).host);
  return [...hosts, ...(app.allow_hosts ?? []), ...(check?.allow_hosts ?? [])];
}
