/**
 * Runs a command under the supervisor (supervisor.ts): like runProcess, but when seal ends by
 * `kill -9` the command's whole process group goes with it. Used where the network sandbox
 * (whose PID namespace does the same) is off or unavailable. Without the built supervisor (a
 * source checkout that was not built) the command runs as before, unsupervised.
 */
import { builtFile } from '../package-root.js';
import { runProcess, type ProcessOptions, type ProcessResult } from '../checks/process.js';
import type { SupervisedRequest, SupervisorMessage } from './supervisor.js';

const SUPERVISOR = builtFile('supervisor.cjs');

/** Runs the command under the supervisor; never throws. */
export async function runSupervised(run: Omit<ProcessOptions, 'ipc'>): Promise<ProcessResult> {
  if (!SUPERVISOR) return runProcess(run);
  const env = Object.fromEntries(Object.entries(run.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const request: SupervisedRequest = { command: run.command, args: run.args, env };
  const last: { ended: { readonly code: number | null; readonly signal: NodeJS.Signals | null } | null; spawnError: string | null } = { ended: null, spawnError: null };
  const result = await runProcess({
    ...run,
    command: process.execPath,
    args: [SUPERVISOR],
    // The supervisor's own environment: enough to find the command (PATH is the command's).
    env: { PATH: env.PATH ?? process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    ipc: (child) => {
      child.on('message', (message: SupervisorMessage) => {
        if (message.type === 'spawn-failed') last.spawnError = message.message;
        if (message.type === 'exit') last.ended = message;
      });
      child.send(request);
    },
  });
  // Node itself not starting is said as it is; the command's end is as the supervisor saw it.
  if (result.spawnError) return result;
  if (last.spawnError) return { ...result, code: null, signal: null, spawnError: last.spawnError };
  return last.ended && result.signal !== 'SIGKILL' ? { ...result, code: last.ended.code, signal: last.ended.signal } : result;
}
