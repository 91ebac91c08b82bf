/**
 * The `exec` probe: a command run on this machine for a look inside the running process
 * (`kubectl exec deploy/web -- curl localhost:3000/up`). Its HTTP(S) traffic is sent through
 * the guard proxy via the usual proxy variables, with the guard's CA in the usual bundles.
 * What a command does elsewhere (inside a pod, over other protocols) is out of the guard's
 * reach: see README, "Read-only by construction".
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecCheckSpec } from '../../config/types.js';
import { proxyEnvironment, startGuardProxy } from '../../guard/guard-proxy.js';
import type { AttemptOutcome } from '../../runner/run-result.js';
import { makeAssertion, outcomeOf } from '../assertion.js';
import { fileNameOf } from '../browser/browser-check.js';
import { runProcess } from '../process.js';
import type { CheckContext } from '../types.js';
import { assertExec } from './assertions.js';

/** How much of stdout and stderr is kept as evidence. */
const EXCERPT_CHARS = 4096;

/** Runs one attempt of an exec probe. */
export async function runExecCheck(spec: ExecCheckSpec, { app, signal, resources, redact, attempt }: CheckContext): Promise<AttemptOutcome> {
  // Node reports a missing working directory as a missing program; say which it is.
  if (!existsSync(spec.cwd)) return { outcome: 'error', assertions: [], error: `working directory not found: ${spec.cwd}`, evidence: { command: spec.command } };
  // The folder name comes from the redacted check name: a secret must not end up in a path.
  const dir = join(resources.evidenceDir, `exec-${fileNameOf(redact(spec.name))}${attempt > 1 ? `-attempt${attempt}` : ''}`);
  mkdirSync(dir, { recursive: true });
  // Production's HTTPS is intercepted; other hosts (the cluster API kubectl talks to, with its
  // own CA) are tunnelled untouched, or the probe could not run at all.
  const guard = await startGuardProxy({ check: spec.name, dir, upstreamCa: app.ca, interceptOnly: app.hostnames, authority: await resources.guardAuthority() });
  const started = performance.now();
  try {
    const [program, ...args] = spec.command as [string, ...string[]];
    // The probe's own env (its NODE_OPTIONS included) is what the guard's variables build on.
    const env = { ...resources.env, ...spec.env };
    const run = await runProcess({ command: program, args, cwd: spec.cwd, env: { ...env, ...proxyEnvironment(guard, env) }, signal });
    const durationMs = Math.round(performance.now() - started);
    const evidence = {
      command: spec.command,
      cwd: spec.cwd,
      env: Object.keys(spec.env),
      exit_code: run.code,
      signal: run.signal,
      duration_ms: durationMs,
      stdout: excerpt(redact(run.stdout)),
      stderr: excerpt(redact(run.stderr)),
    };
    if (run.spawnError) {
      return { outcome: 'error', assertions: [], error: `could not run ${program}: ${run.spawnError}`, evidence, blocked: guard.blocked };
    }
    const assertions = assertExec(spec.expect, { exitCode: run.code, signal: run.signal, stdout: run.stdout, durationMs });
    if (spec.onWrite === 'fail') {
      const count = guard.blocked.length;
      assertions.push(makeAssertion('no write attempted', count === 0, 0, count, `the command tried ${count} write${count === 1 ? '' : 's'} (blocked; on_write: fail)`));
    }
    return { outcome: outcomeOf(assertions), assertions, error: null, evidence, blocked: guard.blocked };
  } finally {
    await guard.stop();
  }
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `…${text.slice(-EXCERPT_CHARS)}` : text;
}
