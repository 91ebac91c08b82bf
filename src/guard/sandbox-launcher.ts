/**
 * Runs inside a fresh network namespace (started by `unshare --user --map-root-user --net`),
 * built on its own into dist/sandbox-launcher.js. Its namespace has nothing but loopback, and
 * every address is local to it (a `local` route for 0.0.0.0/0 and ::/0), so:
 *
 * - the proxy listeners (127.0.0.1, one per guard channel) are the only way to the guard;
 * - listeners on production's ports take any connection dialled to any address on those ports
 *   (a program that ignored the proxy), and the guard serves it by the address it dialled;
 * - every other connection is refused on the spot: nothing leaves the namespace.
 *
 * The listening sockets are handed to the parent over the IPC channel, so the guard (outside)
 * accepts those connections itself. Then the command runs, and its exit is passed on.
 *
 * The namespace has its own PIDs (`unshare --pid --fork --kill-child`, under `setpriv
 * --pdeathsig KILL`): the launcher is its init, so when the launcher ends, or seal is killed
 * with SIGKILL (which kills unshare, which kills the launcher), the kernel kills every process
 * the command left behind. No probe or spec runner outlives seal.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { constants as osConstants } from 'node:os';

/** What the parent sends: the command and the ports to listen on inside the namespace. */
export interface SandboxRequest {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly proxyPorts: readonly number[];
  readonly transparentPorts: readonly number[];
}

/** What the launcher tells the parent. */
export type SandboxMessage =
  | { readonly type: 'listener'; readonly role: 'proxy' | 'transparent'; readonly port: number }
  | { readonly type: 'started' }
  /**
   * How the command ended. The launcher is the init of its PID namespace and cannot end by a
   * signal sent to itself, so a signal is told here rather than by the launcher's own exit.
   */
  | { readonly type: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  /** The command could not be started (not installed, not executable). */
  | { readonly type: 'spawn-failed'; readonly message: string }
  /** The namespace could not be set up. */
  | { readonly type: 'failed'; readonly message: string };

const send = (message: SandboxMessage, handle?: Server): Promise<void> =>
  new Promise((resolve, reject) => {
    process.send?.(message, handle, {}, (error: Error | null) => (error ? reject(error) : resolve()));
  });

function listen(port: number, host: string, ipv6Only = false): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject).listen({ port, host, ipv6Only }, () => resolve(server));
  });
}

async function start(request: SandboxRequest): Promise<void> {
  // Loopback up, and every address local: a connection anywhere ends here. One `ip` for all three;
  // where it fails (a kernel without IPv6 refuses the last line), the IPv4 two alone, which must work.
  try {
    execFileSync('ip', ['-batch', '-'], { input: 'link set lo up\nroute add local 0.0.0.0/0 dev lo\nroute add local ::/0 dev lo\n', stdio: ['pipe', 'ignore', 'pipe'] });
  } catch {
    execFileSync('ip', ['-force', '-batch', '-'], { input: 'link set lo up\n', stdio: ['pipe', 'ignore', 'ignore'] });
    execFileSync('ip', ['route', 'replace', 'local', '0.0.0.0/0', 'dev', 'lo'], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  for (const port of request.proxyPorts) {
    const server = await listen(port, '127.0.0.1');
    await send({ type: 'listener', role: 'proxy', port }, server);
    server.close();
  }
  for (const port of request.transparentPorts) {
    const server = await listen(port, '::').catch(() => listen(port, '0.0.0.0'));
    await send({ type: 'listener', role: 'transparent', port }, server);
    server.close();
  }
  const child = spawn(request.command, [...request.args], { cwd: request.cwd, env: request.env, stdio: ['ignore', 'inherit', 'inherit'] });
  let spawned = false;
  child.once('error', (error: NodeJS.ErrnoException) => {
    if (spawned) return;
    void send({ type: 'spawn-failed', message: `${error.code ?? 'error'}: ${error.message}` }).finally(() => process.exit(127));
  });
  child.once('spawn', () => {
    spawned = true;
    void send({ type: 'started' }).catch(() => undefined);
  });
  child.once('exit', (code, signal) => {
    if (!spawned) return;
    // When the launcher ends, the kernel kills whatever the command left running in the namespace.
    const exit = (): never => process.exit(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 1));
    send({ type: 'exit', code, signal }).then(exit, exit);
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
}

// The channel is unreferenced once no 'message' listener is left: hold it until the last word
// is sent, or the launcher could end before the parent hears why.
process.channel?.ref();
process.once('message', (request: SandboxRequest) => {
  start(request).catch((error: Error & { stderr?: Buffer }) => {
    const detail = error.stderr?.toString().trim() || error.message;
    void send({ type: 'failed', message: detail }).finally(() => process.exit(125));
  });
});
