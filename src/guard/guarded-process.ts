/**
 * Runs a process behind the guard: in the network sandbox where it is on and available, else
 * with the proxy variables alone. Exec probes and the team's spec both start here, so they get
 * the same environment, the same trust settings and the same sandbox rules.
 */
import { SealError } from '../errors.js';
import type { ProcessResult } from '../checks/process.js';
import { guardEnvironment } from './client-env.js';
import type { Channel, RunGuard } from './guard.js';
import { runInSandbox, type SandboxMode } from './sandbox.js';
import { runSupervised } from './supervised.js';

/** Where the first proxy listener goes inside a sandbox (a fresh namespace: every port is free but production's). */
const SANDBOX_PROXY_BASE_PORT = 48_100;

/** A process to run behind the guard. */
export interface GuardedRun {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The process's own environment (the probe's `env:` included); the guard's variables go on top. */
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
  readonly guard: RunGuard;
  readonly mode: SandboxMode;
  /** Why the sandbox cannot be used here, or null (from RunResources.sandboxUnavailable). */
  readonly unavailable: string | null;
  /** The process's channel; connections around the proxy are charged to it too. */
  readonly channel: Channel;
  /** Playwright workers' channels, by parallel index (their processes pick theirs). */
  readonly workers?: readonly Channel[];
  /** Production's ports, caught inside the sandbox when dialled directly. */
  readonly productionPorts: readonly number[];
}

/** How the process ended, and whether it ran sandboxed (for the evidence). */
export interface GuardedResult extends ProcessResult {
  /** `on`, `off (network_sandbox: off)` or `off (unavailable: …)`. */
  readonly sandbox: string;
  /** The sandbox could not be set up for this run (the process did not run). */
  readonly sandboxError: string | null;
}

/** Runs the process; throws a SealError only when the sandbox is required and cannot be used. */
export async function runGuarded(run: GuardedRun): Promise<GuardedResult> {
  const workers = run.workers ?? [];
  if (run.mode === 'required' && run.unavailable) {
    throw new SealError(`network_sandbox: required, but the network sandbox cannot be used on this machine: ${run.unavailable}`);
  }
  if (run.mode === 'off' || run.unavailable) {
    const proxy = await run.channel.listen();
    const workerProxies = await Promise.all(workers.map((w) => w.listen()));
    const env = { ...run.env, ...guardEnvironment(proxy, run.guard.trust, run.env, workerProxies) };
    const result = await runSupervised({ command: run.command, args: run.args, cwd: run.cwd, env, signal: run.signal });
    return { ...result, sandbox: run.mode === 'off' ? 'off (network_sandbox: off)' : `off (unavailable: ${run.unavailable ?? ''})`, sandboxError: null };
  }
  const ports = freePorts(1 + workers.length, run.productionPorts);
  const [proxyPort, ...workerPorts] = ports as [number, ...number[]];
  const proxy = `http://127.0.0.1:${proxyPort}`;
  const env = { ...run.env, ...guardEnvironment(proxy, run.guard.trust, run.env, workerPorts.map((p) => `http://127.0.0.1:${p}`)) };
  const result = await runInSandbox({
    command: run.command,
    args: run.args,
    cwd: run.cwd,
    env: definedOnly(env),
    signal: run.signal,
    proxies: [{ port: proxyPort, channel: run.channel }, ...workers.map((channel, index) => ({ port: workerPorts[index] as number, channel }))],
    transparentPorts: run.productionPorts,
    transparent: run.channel,
    traceWorkers: workers.length > 0,
  });
  return { ...result, sandbox: 'on' };
}

/** `count` ports from the base that are not production's (those are caught for the transparent path). */
function freePorts(count: number, taken: readonly number[]): number[] {
  const out: number[] = [];
  for (let port = SANDBOX_PROXY_BASE_PORT; out.length < count; port++) if (!taken.includes(port)) out.push(port);
  return out;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
