/** Runs a child process with a bounded output capture; an abort kills its whole process group. */
import { spawn, type ChildProcess } from 'node:child_process';

/** How a child process ended and the tail of what it printed. */
export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it could not start (ENOENT, EACCES), or null. */
  readonly spawnError: string | null;
}

/** What to run. */
export interface ProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
  /** Characters kept of each stream (the end is kept: errors come last). */
  readonly keepChars?: number;
  /** Opens an IPC channel to the child and hands it the child process (the sandbox launcher talks over it). */
  readonly ipc?: (child: ChildProcess) => void;
}

/** Runs a process to its end (or until `signal` aborts, which kills its process group). */
export function runProcess({ command, args, cwd, env, signal, keepChars = 64 * 1024, ipc }: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    // detached: the child leads its own process group, so browsers and workers it starts die with it.
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc' as const] : [])] });
    if (ipc && child.pid !== undefined) ipc(child);
    const out = { stdout: '', stderr: '' };
    const keep = (stream: 'stdout' | 'stderr') => (text: string) => {
      const all = out[stream] + text;
      out[stream] = all.length > keepChars ? all.slice(-keepChars) : all;
    };
    // Decoded per stream, not per chunk: a character split across two chunks stays whole.
    child.stdout?.setEncoding('utf8').on('data', keep('stdout'));
    child.stderr?.setEncoding('utf8').on('data', keep('stderr'));
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    if (signal.aborted) kill();
    signal.addEventListener('abort', kill, { once: true });
    let spawnError: string | null = null;
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = `${error.code ?? 'error'}: ${error.message}`;
    });
    child.on('close', (code, killedBy) => {
      signal.removeEventListener('abort', kill);
      resolve({ code, signal: killedBy, stdout: out.stdout, stderr: out.stderr, spawnError });
    });
  });
}
