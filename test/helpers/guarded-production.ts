/** A write-counting "production" over HTTP and HTTPS on loopback, and a run's guard in front of it. */
import { afterAll, beforeAll } from 'vitest';
import { startRunGuard, type RunGuard } from '../../src/guard/guard.js';
import { makeCert, type TestCert } from './certs.js';
import { reply, startServer, type TestServer } from './servers.js';

/** Production (named localhost) and its guard. */
export interface GuardedProduction {
  readonly plain: TestServer;
  readonly secure: TestServer;
  readonly cert: TestCert;
  readonly guard: RunGuard;
  readonly close: () => Promise<void>;
}

/** Starts both servers (each answers `production saw METHOD URL`) and a guard that trusts their certificate. */
export async function startGuardedProduction(): Promise<GuardedProduction> {
  const cert = makeCert(30);
  const handler = (req: { method?: string; url?: string }, res: Parameters<typeof reply>[0]) => reply(res, 200, `production saw ${req.method ?? ''} ${req.url ?? ''}`);
  const plain = await startServer(handler);
  const secure = await startServer(handler, cert);
  const guard = await startRunGuard({ hostnames: ['localhost'], upstreamCa: cert.cert, allowRequests: [] });
  return {
    plain,
    secure,
    cert,
    guard,
    close: async () => {
      await guard.stop();
      await plain.close();
      await secure.close();
    },
  };
}

/** Starts a guarded production before the file's tests and closes it after them; its fields are set once they start. */
export function useGuardedProduction(): GuardedProduction {
  const production = {} as { -readonly [K in keyof GuardedProduction]: GuardedProduction[K] };
  beforeAll(async () => {
    Object.assign(production, await startGuardedProduction());
  });
  afterAll(() => production.close?.());
  return production;
}
