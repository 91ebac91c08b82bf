/** Runs the real `./bin/seal` in a child process and captures what it printed. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What one CLI invocation produced. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `seal ...args`; the child is killed if it outlives `timeoutMs`. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; shell?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    // `shell` runs a whole command line instead (for wrappers such as script(1)).
    const [command, argv] = options.shell ? ['/bin/sh', ['-c', options.shell]] : [process.execPath, [`${ROOT}bin/seal`, ...args]];
    const child = spawn(command, argv, {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A `seal serve` child process. */
export interface ServeProcess {
  readonly url: string;
  /** SIGTERM, then what it printed and its exit code. */
  stop(): Promise<CliRun>;
}

/**
 * Starts `seal serve --port 0 …args` (or, with `command`, that command line) and resolves with the
 * board's URL once it listens and stderr matches `ready` (killed after `timeoutMs`).
 */
export function startServeCli(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; command?: string[]; ready?: RegExp } = {}): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}bin/seal`, ...(options.command ?? ['serve', '--port', '0']), ...args], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<CliRun>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    void exited.then(() => clearTimeout(killer));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /(?:board at|Board:) (http:\/\/\S+)\/deployments/.exec(stderr)?.[1];
      if (url && (!options.ready || options.ready.test(stderr))) resolve({ url, stop: () => (child.kill('SIGTERM'), exited) });
    });
    void exited.then((run) => reject(new Error(`seal serve exited (${run.code}) before listening:\n${run.stderr}`)));
  });
}

/** A `seal worker` child process. */
export interface WorkerProcess {
  readonly pid: number;
  /** What it printed so far (its JSON log lines on stdout). */
  output(): CliRun;
  /** SIGTERM, then what it printed and its exit code. */
  stop(): Promise<CliRun>;
  /** SIGKILL: as if its machine died. */
  kill(): Promise<CliRun>;
}

/** Starts `seal worker …args` and resolves once it says it takes jobs (killed after `timeoutMs`). */
export function startWorkerCli(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<WorkerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}bin/seal`, 'worker', ...args], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let code: number | null = null;
    const exited = new Promise<CliRun>((done) => child.on('close', (c) => ((code = c), done({ code: c, stdout, stderr }))));
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
    void exited.then(() => clearTimeout(killer));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/taking seal jobs/.test(stderr) && child.pid !== undefined)
        resolve({ pid: child.pid, output: () => ({ code, stdout, stderr }), stop: () => (child.kill('SIGTERM'), exited), kill: () => (child.kill('SIGKILL'), exited) });
    });
    void exited.then((run) => reject(new Error(`seal worker exited (${run.code}) before taking jobs:\n${run.stderr}`)));
  });
}
