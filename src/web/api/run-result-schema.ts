/**
 * What a seal server accepts as a run result (the body of `POST …/seals`): the shape `seal smoke
 * --json` prints, checked field by field, with bounds. Anything from production inside it stays
 * data: it is escaped when shown, never interpreted.
 */
import { z } from 'zod';
import { CHECK_KINDS } from '../../config/schema.js';
import { isInstant } from '../../release/instant.js';
import type { ReleaseFlags } from '../../release/release-info.js';
import type { RunResult } from '../../runner/run-result.js';

const text = (max: number) => z.string().max(max);
const isoTime = z.string().max(64).refine(isInstant, 'must be an ISO 8601 date-time with an offset');
const VERDICTS = ['green', 'red', 'error'] as const;
const STATUSES = ['passed', 'failed', 'flaky', 'error', 'skipped'] as const;

const assertion = z.object({
  label: text(1000),
  ok: z.boolean(),
  expected: z.unknown(),
  actual: z.unknown(),
  message: text(4000).optional(),
});

const blockedRequest = z.object({
  check: text(500),
  method: text(20),
  url: text(4000),
  reason: text(1000).optional(),
  test: text(1000).optional(),
  location: text(1000).optional(),
});

const check = z.object({
  name: text(500),
  kind: z.enum(CHECK_KINDS),
  status: z.enum(STATUSES),
  duration_ms: z.number().nonnegative().finite(),
  attempts: z.number().int().nonnegative().max(1000),
  assertions: z.array(assertion).max(500),
  error: text(20_000).nullable(),
  evidence: z.record(z.string().max(200), z.unknown()),
  blocked_requests: z.array(blockedRequest).max(10_000).default([]),
});

/** A run result as a server receives it; `rollback_template` (sent by older reporters) is accepted and ignored. */
export const ingestSchema = z.object({
  run_id: z.uuid(),
  app: text(200).min(1),
  base_url: text(2000),
  verdict: z.enum(VERDICTS),
  summary: text(4000),
  started_at: isoTime,
  finished_at: isoTime,
  duration_ms: z.number().nonnegative().finite(),
  release: z
    .object({ version: text(200).nullable(), sha: text(200).nullable(), merge_sha: text(200).nullable(), previous_version: text(200).nullable().optional() })
    .nullable(),
  checks: z.array(check).max(2000),
  blocked_requests: z.array(blockedRequest).max(10_000),
  rollback: text(4000).nullable(),
  warnings: z.array(text(4000)).max(200).default([]),
  evidence_dir: text(4000).nullable().default(null),
  evidence_files: z.array(z.object({ path: text(1000).min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() })).max(5_000).optional(),
  rollback_template: text(1000).nullable().optional(),
  /** What the reporter was told on its command line (--sha, --merge-sha, --previous-version): only these overwrite what the ledger recorded. */
  release_flags: z.object({ sha: text(200).nullable().optional(), merge_sha: text(200).nullable().optional(), previous_version: text(200).nullable().optional() }).optional(),
});

/** The run result and flags of a validated body. */
// rollback_template is accepted and dropped: the server renders rollback commands from its own config.
export function splitIngest({ rollback_template: _template, release_flags: given, ...result }: z.infer<typeof ingestSchema>): { result: RunResult; flags: ReleaseFlags } {
  const flags = { ...(given?.sha ? { sha: given.sha } : {}), ...(given?.merge_sha ? { mergeSha: given.merge_sha } : {}), ...(given?.previous_version ? { previousVersion: given.previous_version } : {}) };
  return { result, flags };
}
