/**
 * Preloaded (NODE_OPTIONS=--import) into Node processes a spec or an exec probe starts: sends
 * Node's fetch through the proxy variables, hence through the guard. Node 20 ignores those
 * variables on its own; its fetch reads the global dispatcher this provides.
 *
 * The dispatcher is made on first use: undici costs a process about 16 MB and 50 ms to load,
 * and most of these processes (Playwright's runner and workers) never call fetch. Node's own
 * fetch reads this global slot when it first runs, which loads our proxy agent then.
 */
import { createRequire } from 'node:module';

const SLOT = Symbol.for('undici.globalDispatcher.1');

if (!(SLOT in globalThis)) {
  const require = createRequire(import.meta.url);
  let loading = false;
  const settle = (value: unknown): void => {
    // What undici's own setGlobalDispatcher would have defined.
    Object.defineProperty(globalThis, SLOT, { value, writable: true, enumerable: false, configurable: false });
  };
  Object.defineProperty(globalThis, SLOT, {
    configurable: true,
    enumerable: false,
    get() {
      // While our agent loads, undici's own module start-up looks here: nothing yet.
      if (loading) return undefined;
      loading = true;
      const { createProxyAgent } = require('./guard-agent.cjs') as { createProxyAgent: () => unknown };
      const agent = createProxyAgent();
      settle(agent);
      return agent;
    },
    // Code that sets its own dispatcher (undici's setGlobalDispatcher) replaces ours; the default
    // agent undici sets for itself while ours loads is ignored.
    set(value: unknown) {
      if (!loading) settle(value);
    },
  });
}
