/** Sandbox tests need unprivileged user and network namespaces: they run wherever those work, and must run in CI. */
import { probeSandbox } from '../../src/guard/sandbox.js';

/** The reason sandbox tests are skipped here, or null when the sandbox works. */
export async function sandboxSkipReason(): Promise<string | null> {
  const why = await probeSandbox(process.env);
  if (why === null) return null;
  const reason = `network sandbox tests skipped: ${why}`;
  if (process.env.CI === 'true') throw new Error(`CI=true requires the network sandbox tests to run, but ${reason}`);
  // eslint-disable-next-line no-console -- a skipped test prints why
  console.warn(reason);
  return reason;
}
