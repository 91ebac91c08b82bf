/**
 * Preloaded (NODE_OPTIONS=--import) into Node processes a spec or an exec probe starts: sends
 * Node's fetch through the proxy variables, hence through the guard. Node 20 ignores those
 * variables on its own; its fetch reads the global dispatcher this sets.
 */
import { EnvHttpProxyAgent, setGlobalDispatcher } from 'undici';

setGlobalDispatcher(new EnvHttpProxyAgent());
