/**
 * The network sandbox: exec probes and the team's spec run in a network namespace of their own
 * whose only way out is the guard (see sandbox-launcher.ts). Programs that ignore or remove the
 * proxy variables (`curl --noproxy '*'`, `env -u NODE_OPTIONS node …`, bash's `/dev/tcp`) then
 * reach nothing but the guard: read-only by construction, not by convention.
 *
 * It needs Linux with unprivileged user, network and PID namespaces, util-linux's `setpriv` and
 * `unshare`, and iproute2's `ip`. Whether they work is found out once per process, by trying.
 */
import type { Server } from 'node:net';
import { builtFile } from '../package-root.js';
import { runProcess, type ProcessResult } from '../checks/process.js';
import type { Channel } from './guard.js';
import type { SandboxMessage, SandboxRequest } from './sandbox-launcher.js';
import { workerOfConnection } from './socket-owner.js';

/** `auto`: used where available (a warning says why not); `required`: a check errors without it; `off`: never. */
export type SandboxMode = 'auto' | 'required' | 'off';

/** Where the launcher lives once built. */
const LAUNCHER = builtFile('sandbox-launcher.js');

/** How long the namespace may take to come up before the check gives up on it. */
const START_TIMEOUT_MS = 10_000;

/**
 * setpriv makes unshare die with seal (even on SIGKILL); unshare makes a user, network and PID
 * namespace whose init (the launcher) takes every process in it along when it ends.
 */
const PREFIX = ['--pdeathsig', 'KILL', 'unshare', '--user', '--map-root-user', '--net', '--pid', '--fork', '--kill-child', '--'];

let availability: Promise<string | null> | null = null;

/** Null when the sandbox works here, else why not (said in the warning or the error); found out once per process. */
export function sandboxUnavailableReason(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  availability ??= probeSandbox(env);
  return availability;
}

/** Tries the sandbox's two steps (a user and network namespace, then `ip`): null when they work, else why not. */
export async function probeSandbox(env: NodeJS.ProcessEnv): Promise<string | null> {
  if (process.platform !== 'linux') return `network namespaces are Linux only (this is ${process.platform})`;
  if (!LAUNCHER) return 'dist/sandbox-launcher.js is missing (run npm run build)';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), START_TIMEOUT_MS);
  try {
    const run = await runProcess({ command: 'setpriv', args: [...PREFIX, 'ip', 'link', 'set', 'lo', 'up'], cwd: '/', env: { PATH: env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' }, signal: controller.signal });
    if (run.spawnError) return `util-linux's setpriv could not be started (${run.spawnError})`;
    if (run.code === 0) return null;
    const said = (run.stderr.trim().split('\n').at(-1) ?? '').trim();
    if (/ip: (not found|No such file)|execvp.*ip|failed to execute ip/i.test(said)) return `iproute2's ip is not installed (${said})`;
    return `unprivileged user and network namespaces are not available (${said || `unshare exited ${String(run.code ?? run.signal)}`})`;
  } finally {
    clearTimeout(timer);
  }
}

/** What to run in the sandbox and where its listeners go. */
export interface SandboxRun {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** Channels reached through 127.0.0.1:<port> inside the namespace. */
  readonly proxies: readonly { readonly port: number; readonly channel: Channel }[];
  /** Production's ports: a connection dialled straight to any address on them is served by `transparent`. */
  readonly transparentPorts: readonly number[];
  readonly transparent: Channel;
  /** Find which Playwright worker dialled each direct connection (a spec run). */
  readonly traceWorkers: boolean;
}

/** Runs a command in a fresh network namespace; like runProcess, it never throws. */
export async function runInSandbox(run: SandboxRun): Promise<ProcessResult & { readonly sandboxError: string | null }> {
  const servers: Server[] = [];
  let sandboxError: string | null = null;
  let spawnError: string | null = null;
  let launcherPid = 0;
  // Set by the launcher's last message (a holder: TypeScript does not see callbacks assign).
  const last: { ended: { readonly code: number | null; readonly signal: NodeJS.Signals | null } | null } = { ended: null };
  const request: SandboxRequest = {
    command: run.command,
    args: run.args,
    cwd: run.cwd,
    env: run.env,
    proxyPorts: run.proxies.map((p) => p.port),
    transparentPorts: run.transparentPorts,
  };
  const onMessage = (message: SandboxMessage, handle: unknown): void => {
    if (message.type === 'failed') sandboxError = message.message;
    if (message.type === 'spawn-failed') spawnError = message.message;
    if (message.type === 'exit') last.ended = message;
    if (message.type !== 'listener' || !handle) return;
    const server = handle as Server;
    servers.push(server);
    if (message.role === 'transparent') {
      server.on('connection', (socket) => run.transparent.accept(socket, true, run.traceWorkers && launcherPid ? workerOfConnection(launcherPid, socket) : undefined));
    } else {
      const channel = run.proxies.find((p) => p.port === message.port)?.channel;
      server.on('connection', (socket) => (channel ? channel.accept(socket, false) : socket.destroy()));
    }
  };
  // The launcher is ours and gets a clean environment (the probe's NODE_OPTIONS is not for it);
  // the command's environment travels over the IPC channel.
  const result = await runProcess({
    command: 'setpriv',
    args: [...PREFIX, process.execPath, LAUNCHER ?? 'dist/sandbox-launcher.js'],
    cwd: run.cwd,
    env: { PATH: run.env.PATH ?? process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    signal: run.signal,
    ipc: (child) => {
      launcherPid = child.pid ?? 0;
      child.on('message', onMessage);
      child.send(request);
    },
  });
  for (const server of servers) server.close();
  // The launcher's own start failing (no setpriv) is the sandbox's failure, not the command's.
  if (result.spawnError) return { ...result, spawnError: null, sandboxError: `setpriv: ${result.spawnError}` };
  // The command's own end, as the launcher saw it (unless the launcher itself was killed).
  const exit = last.ended && result.signal !== 'SIGKILL' ? { code: last.ended.code, signal: last.ended.signal } : {};
  return { ...result, ...exit, spawnError, sandboxError };
}
