/**
 * The parts of undici an HTTP check uses (an Agent, its connector, `request`), loaded from
 * undici's own files rather than its index: the index also loads fetch, WebSocket, EventSource,
 * the cache and cookies (most of its 1.2 MB), and its cookies module reads `globalThis.Headers`,
 * which makes Node load its own internal copy of undici as well. Every seal of an HTTP suite paid
 * for both at start-up (docs/performance.md). guard/proxy-agent.ts does the same for probes.
 */
import type { Agent as UndiciAgent, buildConnector as undiciBuildConnector, Dispatcher } from 'undici';
// @ts-expect-error undici ships no types for its own files; this is its public Agent.
import AgentClass from 'undici/lib/dispatcher/agent.js';
// @ts-expect-error as above: its public buildConnector.
import buildConnectorFunction from 'undici/lib/core/connect.js';
// @ts-expect-error as above: the `request` method undici's index puts on every dispatcher.
import requestMethod from 'undici/lib/api/api-request.js';

export const Agent = AgentClass as typeof UndiciAgent;
export type Agent = UndiciAgent;
export const buildConnector = buildConnectorFunction as typeof undiciBuildConnector;

/** undici's `request(url, options)`, on the dispatcher the options name (what its index does, for a URL). */
export function request(url: URL, options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { readonly dispatcher: Dispatcher }): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  const call = requestMethod as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
  return call.call(dispatcher, { ...rest, origin: url.origin, path: url.search ? `${url.pathname}${url.search}` : url.pathname, method: rest.method ?? 'GET' });
}
