// Runs one command as a child process and times it from spawn to exit, wall clock.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/**
 * Runs `command args` and resolves with its wall time, exit code and captured output.
 * A run that outlives `timeoutMs` is killed and reported as timed out: nothing here can hang.
 * `onSpawn(child)` is called once the child is started (to watch it); `onTimeout(child)` runs
 * before the child itself is killed on a time-out (to kill what it started, e.g. a browser).
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number,
 *   onSpawn?: (child: import('node:child_process').ChildProcess) => void,
 *   onTimeout?: (child: import('node:child_process').ChildProcess) => void }} options
 */
export function runTimed(command, args, { cwd, env, timeoutMs, onSpawn, onTimeout }) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(child);
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        onTimeout?.(child);
      } finally {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'exit' marks the end of the process itself; 'close' would also wait for its pipes to drain.
    let exited = null;
    child.once('exit', (code, signal) => {
      exited = { ms: performance.now() - started, code, signal };
    });
    child.once('close', () => {
      clearTimeout(timer);
      resolve({
        ...exited,
        timedOut,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}
