/**
 * The read-only guard for our own browser contexts: every request passes through a route;
 * one with a method other than GET, HEAD or OPTIONS is answered locally and never leaves the
 * machine. It is answered `204 No Content`, so a blocked form submission leaves the page where
 * it was (a 204 navigation does not navigate) and a blocked beacon or fetch raises no error.
 */
import type { BrowserContext, Route } from 'playwright-core';
import { READ_ONLY_METHODS } from '../../config/schema.js';
import type { BlockedRequest } from '../../runner/run-result.js';

/** Installs the guard on a context; blocked requests are appended to `blocked`. */
export async function guardContext(context: BrowserContext, check: string, blocked: BlockedRequest[]): Promise<void> {
  await context.route('**/*', function guardRequest(route: Route) {
    const request = route.request();
    const method = request.method().toUpperCase();
    if ((READ_ONLY_METHODS as readonly string[]).includes(method)) return route.fallback();
    blocked.push({ check, method, url: request.url() });
    return route.fulfill({ status: 204, headers: { 'x-smoke-seal': 'blocked-write' } });
  });
}
