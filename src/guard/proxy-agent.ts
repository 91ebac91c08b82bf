/**
 * The proxy agent the guard preload installs on first use (built on its own, as CommonJS, into
 * dist/guard-agent.cjs, so that the preload can load it synchronously when fetch first asks).
 */
import { Agent, ProxyAgent, type Dispatcher } from 'undici';

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
