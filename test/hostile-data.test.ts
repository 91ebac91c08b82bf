/**
 * Production's data is hostile: JSON nested thousands of levels deep, checked by a `json:`
 * assertion, must not crash `seal smoke` nor its recording, on either store. Through the real
 * CLI, against a real server on loopback, with a fake Discord that must be told.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_LIMITS } from '../src/redact/bounded-copy.js';
import type { RunResult } from '../src/runner/run-result.js';
import { runCli } from './helpers/cli.js';
import { startFakeDiscord, type FakeDiscord } from './helpers/fakes/discord.js';
import { createTestDatabase, postgresSkipReason } from './helpers/postgres.js';
import { startServer, type TestServer } from './helpers/servers.js';

/** `{"status":"ok","data":[[[…"bottom"…]]]}` with `depth` nested arrays. */
const deepJson = (depth: number) => `{"status":"ok","data":${'['.repeat(depth)}"bottom"${']'.repeat(depth)}}`;

let prod: TestServer;
let discord: FakeDiscord;
let dir: string;
const pgSkip = await postgresSkipReason();

beforeAll(async () => {
  prod = await startServer((req, res) => {
    const depth = req.url === '/deeper' ? 200_000 : 3_000;
    res.writeHead(200, { 'content-type': 'application/json' }).end(deepJson(depth));
  });
  discord = await startFakeDiscord();
  dir = mkdtempSync(join(tmpdir(), 'seal-hostile-'));
  writeFileSync(
    join(dir, 'seal.config.yaml'),
    `apps:
  hostile:
    production_url: ${prod.url}
    notify: [release-notes]
    checks:
      - { name: deep, http: /deep, expect: { status: 200, json: { "$.status": ok, "$.data": [1] } } }
      - { name: deeper, http: /deeper, expect: { status: 200, json: { "$..nothing": 1 } } }
      - { name: still fine, http: /deep, expect: { json: { "$.status": ok } } }
notifiers:
  release-notes: { type: discord, webhook_url: "\${DISCORD_WEBHOOK_URL}", thread_id: "777", timeout_ms: 5000 }
`,
  );
}, 60_000);

afterAll(async () => {
  await prod?.close();
  await discord?.close();
});

/** One seal and what the store then says of the release. */
async function sealOnce(env: NodeJS.ProcessEnv, version: string) {
  const before = discord.messages.size;
  const run = await runCli(['smoke', 'hostile', '--config', join(dir, 'seal.config.yaml'), '--release', version, '--json'], { env: { DISCORD_WEBHOOK_URL: discord.webhookUrl, ...env }, timeoutMs: 90_000 });
  const show = await runCli(['release', 'show', 'hostile', version, '--json', '--config', join(dir, 'seal.config.yaml')], { env, timeoutMs: 60_000 });
  return { run, show, told: discord.messages.size - before };
}

function expectSealedDespiteTheDepth({ run, show, told }: Awaited<ReturnType<typeof sealOnce>>): void {
  expect(run.stderr).not.toMatch(/RangeError:|\n\s+at .*:\d+:\d+/);
  expect(run.code).toBe(0);
  const result = JSON.parse(run.stdout) as RunResult;
  expect(result.verdict).toBe('red');
  const [deep, deeper, fine] = result.checks;
  expect(fine?.status).toBe('passed');
  // The deep value is kept only to the limit, with a marker saying so.
  const data = deep?.assertions.find((a) => a.label.startsWith('$.data'));
  expect(data?.ok).toBe(false);
  expect(JSON.stringify(data?.actual)).toContain(`[cut: nested deeper than ${DATA_LIMITS.depth} levels]`);
  // 200,000 levels: the evaluator's own stack runs out; that is the assertion's failure, not a crash.
  expect(deeper?.status).toBe('failed');
  expect(deeper?.assertions.find((a) => a.label.startsWith('$..nothing'))?.message).toBe('the body nests too deep for $..nothing to be evaluated (the JSONPath evaluator ran out of stack)');
  // Recorded, and the notifier told.
  expect(show.code).toBe(0);
  expect((JSON.parse(show.stdout) as { smoke_seal: { status: string; run_id: string } | null }).smoke_seal).toMatchObject({ status: 'red', run_id: result.run_id });
  expect(told).toBe(1);
}

describe('JSON nested thousands deep from production', () => {
  it('on the embedded store: the verdict, the seal recorded, the notifier told', async () => {
    expectSealedDespiteTheDepth(await sealOnce({ SEAL_DATA_DIR: join(dir, 'data') }, 'v1'));
  }, 120_000);

  it.skipIf(pgSkip !== null)('on Postgres: the same', async () => {
    const db = await createTestDatabase();
    try {
      expectSealedDespiteTheDepth(await sealOnce({ DATABASE_URL: db.url }, 'v1'));
    } finally {
      await db.drop();
    }
  }, 120_000);
});
