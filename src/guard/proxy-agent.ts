/**
 * The proxy agent the guard preload installs on first use (built on its own, as CommonJS, into
 * dist/guard-agent.cjs, so that the preload can load it synchronously when fetch first asks).
 */
import { EnvHttpProxyAgent } from 'undici';

/** A dispatcher that honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY. */
export function createProxyAgent(): EnvHttpProxyAgent {
  return new EnvHttpProxyAgent();
}
