/**
 * A probe's supervisor where the network sandbox is not used: `node supervisor.cjs`, sent the
 * command over its IPC channel. It runs the command in its own process group (the one seal
 * started it in) and ends with it. When seal ends, however (even `kill -9`), the kernel closes
 * the channel, and the supervisor kills the whole group, so nothing the probe started is left
 * running. It tells seal how the command ended, or that it could not start.
 *
 * Kept to Node's built-ins: it starts on every unsandboxed probe. It gets a clean environment
 * (the probe's NODE_OPTIONS, the guard's preload, is not for it); the command's comes with it.
 */
import { spawn } from 'node:child_process';

/** What seal sends: the command to run. */
export interface SupervisedRequest {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** What the supervisor tells seal. */
export type SupervisorMessage = { readonly type: 'spawn-failed'; readonly message: string } | { readonly type: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null };

/** Kills this process group: the command, whatever it started, and the supervisor. */
const killGroup = (): void => {
  try {
    process.kill(0, 'SIGKILL');
  } finally {
    process.exit(137);
  }
};

const send = (message: SupervisorMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected) resolve();
    else process.send?.(message, undefined, {}, () => resolve());
  });

// Seal gone: the channel closed under us.
process.on('disconnect', killGroup);
process.once('message', (request: SupervisedRequest) => {
  const child = spawn(request.command, [...request.args], { env: request.env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('error', (error: NodeJS.ErrnoException) => {
    void send({ type: 'spawn-failed', message: `${error.code ?? 'error'}: ${error.message}` }).then(() => process.exit(127));
  });
  child.on('exit', (code, signal) => {
    process.off('disconnect', killGroup);
    void send({ type: 'exit', code, signal }).then(() => process.exit(code ?? 1));
  });
});
