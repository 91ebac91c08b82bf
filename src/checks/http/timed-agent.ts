/**
 * An undici Agent whose connections report their phase timings. Each check attempt gets its
 * own agent, so DNS, TCP and TLS are measured cold, as a new visitor would meet them.
 */
import type { Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, buildConnector } from './undici-core.js';
import { verifyServerIdentity } from '../tls/identity.js';

/** Phase timings of one exchange, in milliseconds; absent phases did not happen (IP literal, http). */
export interface Timings {
  dns_ms?: number;
  connect_ms?: number;
  tls_ms?: number;
  first_byte_ms?: number;
  download_ms?: number;
  total_ms?: number;
}

/** Options for a per-attempt agent. */
export interface TimedAgentOptions {
  readonly connectTimeoutMs: number;
  /** Extra trusted CA certificates (PEM), added to Node's own roots. */
  readonly ca: string | null;
}

/** Creates an agent that writes connection phase timings of its first connection into `timings`. */
export function createTimedAgent({ connectTimeoutMs, ca }: TimedAgentOptions, timings: Timings): Agent {
  const connector = buildConnector({ timeout: connectTimeoutMs, checkServerIdentity: verifyServerIdentity, ...(ca ? { ca: [...rootCertificates, ca] } : {}) });
  return new Agent({
    connections: 1,
    connect: function connectTimed(options, callback) {
      const started = performance.now();
      // undici's connector returns the socket it creates; its typings say void.
      const socket = (connector as unknown as (o: typeof options, c: typeof callback) => Socket | undefined)(options, callback);
      if (socket && timings.connect_ms === undefined) {
        let mark = started;
        const phase = (): number => {
          const now = performance.now();
          const elapsed = Math.round(now - mark);
          mark = now;
          return elapsed;
        };
        socket.once('lookup', () => (timings.dns_ms = phase()));
        socket.once('connect', () => (timings.connect_ms = phase()));
        socket.once('secureConnect', () => (timings.tls_ms = phase()));
      }
    },
  });
}
