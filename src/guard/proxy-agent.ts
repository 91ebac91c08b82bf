/**
 * The proxy agent the guard preload installs on first use (built on its own, as CommonJS, into
 * dist/guard-agent.cjs, so that the preload can load it synchronously when fetch first asks).
 * Only undici's dispatcher files are bundled, not its fetch, WebSocket and cache: the agent loads
 * in about half the time (a probe pays for it on its first fetch).
 */
import type { Agent as UndiciAgent, Dispatcher, ProxyAgent as UndiciProxyAgent } from 'undici';
// @ts-expect-error undici ships no types for its own files; these are its public Agent and ProxyAgent.
import AgentClass from 'undici/lib/dispatcher/agent.js';
// @ts-expect-error as above.
import ProxyAgentClass from 'undici/lib/dispatcher/proxy-agent.js';
// @ts-expect-error as above.
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
// @ts-expect-error as above.
import api from 'undici/lib/api/index.js';

// What undici's index does: the request methods (ProxyAgent tunnels with `connect`) on every dispatcher.
Object.assign((DispatcherClass as { prototype: object }).prototype, api as object);
const Agent = AgentClass as typeof UndiciAgent;
const ProxyAgent = ProxyAgentClass as typeof UndiciProxyAgent;

/**
 * A dispatcher through the guard the proxy variables name. A plain ProxyAgent, not undici's
 * EnvHttpProxyAgent: that one prints an "experimental" warning into the probe's stderr on some
 * Node versions, and honours NO_PROXY, which the guard never wants honoured.
 */
export function createProxyAgent(): Dispatcher {
  const env = process.env;
  const proxy = env.SEAL_GUARD_PROXY || env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  return proxy ? new ProxyAgent(proxy) : new Agent();
}
