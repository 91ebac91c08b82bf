// The peer tools the bench compares against live in bench/peers/, outside the root package:
// installed on demand from bench/peers/package-lock.json, never part of smoke-seal's own deps.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTimed } from './child.mjs';

/** Makes sure bench/peers/node_modules holds the pinned Step CI; returns its entry and version. */
export async function ensureStepci(benchDir, log) {
  const peersDir = join(benchDir, 'peers');
  const entry = join(peersDir, 'node_modules', 'stepci', 'dist', 'index.js');
  const pinned = JSON.parse(readFileSync(join(peersDir, 'package.json'), 'utf8')).dependencies.stepci;
  if (!existsSync(entry)) {
    log(`installing Step CI ${pinned} into bench/peers/node_modules (npm ci, once)...`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = await runTimed(npm, ['ci', '--prefix', peersDir, '--no-audit', '--no-fund'], {
      cwd: benchDir,
      env: process.env,
      timeoutMs: 10 * 60_000,
    });
    if (result.code !== 0 || !existsSync(entry)) {
      throw new Error(
        `npm ci --prefix bench/peers failed (exit ${result.code}${result.timedOut ? ', timed out' : ''}):\n${tail(result.stderr)}`,
      );
    }
    log(`installed in ${(result.ms / 1000).toFixed(1)} s`);
  }
  const installed = JSON.parse(readFileSync(join(peersDir, 'node_modules', 'stepci', 'package.json'), 'utf8')).version;
  if (installed !== pinned) {
    throw new Error(`bench/peers has stepci ${installed}, package.json pins ${pinned}: delete bench/peers/node_modules and rerun`);
  }
  return { entry, version: installed };
}

/**
 * Reads Step CI's own summary ("Tests: 0 failed, 40 passed, 40 total" and
 * "Workflow passed after 0.409s") from its plain-text output.
 */
export function parseStepciSummary(stdout) {
  const plain = stdout.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
  const tests = /Tests:\s*(\d+) failed, (\d+) passed, (\d+) total/.exec(plain);
  const after = /Workflow (passed|failed) after ([\d.]+)s/.exec(plain);
  return {
    failed: tests ? Number(tests[1]) : null,
    passed: tests ? Number(tests[2]) : null,
    total: tests ? Number(tests[3]) : null,
    workflowPassed: after ? after[1] === 'passed' : null,
    reportedMs: after ? Number(after[2]) * 1000 : null,
  };
}

/** The last lines of a tool's output, for an error message. */
export function tail(text, lines = 20) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
