/**
 * The `exec` probe: a command run on this machine for a look inside the running process
 * (`kubectl exec deploy/web -- curl localhost:3000/up`). It runs behind the run's guard, on a
 * channel of its own: in the network sandbox where available (nothing but the guard is
 * reachable), with the proxy variables and the guard's CA in every client's trust setting.
 * What a command does elsewhere (inside a pod) is out of the guard's reach: see
 * docs/config.md, "What the guard covers".
 */
import { existsSync } from 'node:fs';
import type { ExecCheckSpec } from '../../config/types.js';
import { runGuarded } from '../../guard/guarded-process.js';
import { describeTlsRefusal } from '../../guard/trust-hints.js';
import type { AttemptOutcome } from '../../runner/run-result.js';
import { makeAssertion, outcomeOf } from '../assertion.js';
import { blockedBy, guardEvidence, sandboxWarning } from '../guard-evidence.js';
import type { CheckContext } from '../types.js';
import { assertExec } from './assertions.js';

/** How much of stdout and stderr is kept as evidence. */
const EXCERPT_CHARS = 4096;

/** Runs one attempt of an exec probe. */
export async function runExecCheck(spec: ExecCheckSpec, { app, signal, resources, redact }: CheckContext): Promise<AttemptOutcome> {
  // Node reports a missing working directory as a missing program; say which it is.
  if (!existsSync(spec.cwd)) return { outcome: 'error', assertions: [], error: `working directory not found: ${spec.cwd}`, evidence: { command: spec.command } };
  const guard = await resources.guard();
  const unavailable = await resources.sandboxUnavailable();
  const channel = guard.channel({ check: spec.name, client: 'exec' });
  const started = performance.now();
  try {
    const [program, ...args] = spec.command as [string, ...string[]];
    const run = await runGuarded({
      command: program,
      args,
      cwd: spec.cwd,
      // The probe's own env (its NODE_OPTIONS included) is what the guard's variables build on.
      env: { ...resources.env, ...spec.env },
      signal,
      guard,
      mode: spec.networkSandbox,
      unavailable,
      channel,
      productionPorts: app.productionPorts,
    });
    const durationMs = Math.round(performance.now() - started);
    // Its connections' last events (a hang-up after the TLS handshake) are in before the lists are read.
    await channel.close();
    const blocked = blockedBy(channel, spec.name);
    const evidence: Record<string, unknown> = {
      command: spec.command,
      cwd: spec.cwd,
      env: Object.keys(spec.env),
      exit_code: run.code,
      signal: run.signal,
      duration_ms: durationMs,
      network_sandbox: run.sandbox,
      stdout: excerpt(redact(run.stdout)),
      stderr: excerpt(redact(run.stderr)),
      ...guardEvidence(channel, blocked),
    };
    const warnings = run.sandbox.startsWith('off (unavailable') ? [sandboxWarning(unavailable ?? '')] : [];
    const done = (outcome: Omit<AttemptOutcome, 'blocked' | 'warnings' | 'evidence'>): AttemptOutcome => ({ ...outcome, evidence, blocked, warnings });
    if (run.sandboxError) return done({ outcome: 'error', assertions: [], error: `the network sandbox could not be set up: ${run.sandboxError}` });
    if (run.spawnError) return done({ outcome: 'error', assertions: [], error: `could not run ${program}: ${run.spawnError}` });
    // Killed at its timeout (or the run's deadline): what it printed so far is evidence, its exit is not.
    if (signal.aborted) return done({ outcome: 'failed', assertions: [], error: `timed out after ${spec.timeoutMs} ms (timeout_ms)` });
    const assertions = assertExec(spec.expect, { exitCode: run.code, signal: run.signal, stdout: run.stdout, durationMs });
    if (spec.onWrite === 'fail') {
      assertions.push(makeAssertion('no write attempted', blocked.length === 0, 0, blocked.length, `the command tried ${blocked.length} write${blocked.length === 1 ? '' : 's'} (blocked; on_write: fail)`));
    }
    // A client that refused the guard's certificate failed because of the guard, not production.
    if (outcomeOf(assertions) === 'failed' && channel.tlsRefusals.length > 0) {
      return done({ outcome: 'error', assertions, error: describeTlsRefusal(spec.command, channel.tlsRefusals) });
    }
    return done({ outcome: outcomeOf(assertions), assertions, error: null });
  } finally {
    await channel.close();
  }
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `…${text.slice(-EXCERPT_CHARS)}` : text;
}
