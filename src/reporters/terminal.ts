/** The human reporter: live progress per check and a final summary table, on stderr. */
import type { CheckRef, RunListener, RunStart } from '../runner/listener.js';
import { blockedOf, describeBlocked, type CheckResult, type CheckStatus, type RunResult, type Verdict } from '../runner/run-result.js';
import { describeProblem } from '../runner/verdict.js';
import { displayWidth, padTo } from './columns.js';
import { createPainter, wantsColor, type Painter } from './style.js';

const MARK: Record<CheckStatus, string> = { passed: '✓', flaky: '~', failed: '✗', error: '!', skipped: '-' };
const STATUS_COLOR: Record<CheckStatus, Parameters<Painter>[0]> = { passed: 'green', flaky: 'yellow', failed: 'red', error: 'magenta', skipped: 'gray' };
/** The badge each verdict is shown with, everywhere. */
export const VERDICT_BADGE: Record<Verdict, string> = { green: '🟢 green', red: '🔴 red', error: '⚪ error' };
const DETAIL_WIDTH = 100;
const SHOWN_BLOCKED = 5;

/** Options for the terminal reporter; `interactive` means a TTY whose last line may be redrawn. */
export interface TerminalReporterOptions {
  readonly stream: NodeJS.WritableStream;
  readonly interactive?: boolean;
  readonly color?: boolean;
}

/** Creates the terminal reporter for a stream. */
export function createTerminalReporter({ stream, interactive = Boolean((stream as NodeJS.WriteStream).isTTY), color = wantsColor(stream) }: TerminalReporterOptions): RunListener {
  const paint = createPainter(color);
  const running = new Set<string>();
  let total = 0;
  let done = 0;
  let statusShown = false;

  const write = (line: string): void => {
    clearStatus();
    stream.write(`${line}\n`);
    drawStatus();
  };
  function clearStatus(): void {
    if (statusShown) stream.write('\r\x1b[2K');
    statusShown = false;
  }
  function drawStatus(): void {
    if (!interactive || running.size === 0) return;
    const names = [...running].join(', ');
    stream.write(paint('dim', `  … ${done} finished (${total} configured); running: ${names.length > 60 ? `${names.slice(0, 59)}…` : names}`));
    statusShown = true;
  }

  return {
    onRunStart({ app, base_url, checks }: RunStart) {
      total = checks.length;
      write(`${paint('bold', `Sealing ${app}`)} against ${base_url}: ${checks.length} check${checks.length === 1 ? '' : 's'}`);
    },
    onCheckStart(check: CheckRef) {
      running.add(check.name);
      clearStatus();
      drawStatus();
    },
    onCheckFinish(result: CheckResult) {
      // A spec check finishes as one result per test, named "<check> › <test>".
      for (const name of running) if (result.name === name || result.name.startsWith(`${name} › `)) running.delete(name);
      done++;
      const detail = result.status === 'passed' ? '' : `  ${truncate(result.status === 'flaky' ? `passed on attempt ${result.attempts}` : describeProblem(result))}`;
      const writes = blockedOf(result).length;
      const guarded = writes > 0 ? `  ${paint('yellow', `· ${describeBlocked(writes)}`)}` : '';
      write(`  ${paint(STATUS_COLOR[result.status], `${MARK[result.status]} ${result.name}`)}  ${paint('dim', `${result.duration_ms} ms`)}${guarded}${detail}`);
    },
    onRunFinish(result: RunResult) {
      clearStatus();
      stream.write(`\n${renderTable(result, paint)}\n\n${renderVerdict(result, paint)}\n`);
    },
  };
}

/** The final table: one row per check with status, kind, time, attempts and the reason. */
export function renderTable(result: RunResult, paint: Painter): string {
  const header = ['STATUS', 'CHECK', 'KIND', 'TIME', 'TRIES', 'DETAIL'];
  const rows = result.checks.map((check) => [
    check.status,
    check.name,
    check.kind,
    `${check.duration_ms} ms`,
    String(check.attempts),
    truncate([blockedOf(check).length > 0 ? describeBlocked(blockedOf(check).length) : '', check.status === 'passed' ? '' : check.status === 'flaky' ? `passed on attempt ${check.attempts}` : describeProblem(check)].filter(Boolean).join('; ')),
  ]);
  const widths = header.map((title, column) => Math.min(40, Math.max(displayWidth(title), ...rows.map((row) => displayWidth(row[column] ?? '')))));
  const format = (cells: string[]): string => cells.map((cell, column) => (column === cells.length - 1 ? cell : padTo(cell, widths[column] ?? 0))).join('  ').trimEnd();
  return [
    paint('bold', format(header)),
    ...rows.map((row, index) => {
      const status = result.checks[index]?.status ?? 'passed';
      return paint(STATUS_COLOR[status], format(row.map((cell, column) => (column === 1 && cell.length > 40 ? `${cell.slice(0, 39)}…` : cell))));
    }),
  ].join('\n');
}

/** The verdict block: badge and summary, warnings, and on red the exact rollback command. */
export function renderVerdict(result: RunResult, paint: Painter): string {
  const release = result.release?.version ? ` ${result.release.version}` : '';
  const lines = [`${paint('bold', `Seal: ${VERDICT_BADGE[result.verdict]}`)}  ${result.app}${release}: ${result.summary}  (${result.duration_ms} ms)`];
  for (const warning of result.warnings) lines.push(paint('yellow', `warning: ${warning}`));
  if (result.blocked_requests.length > 0) {
    const shown = result.blocked_requests.slice(0, SHOWN_BLOCKED);
    lines.push(`Blocked ${result.blocked_requests.length} write${result.blocked_requests.length === 1 ? '' : 's'} (answered locally, never sent to production):`);
    for (const b of shown) lines.push(paint('dim', `  ${b.method} ${b.url}  (${b.check}${b.location ? `, ${b.location}` : ''}${b.reason ? `: ${b.reason}` : ''})`));
    if (result.blocked_requests.length > shown.length) lines.push(paint('dim', `  … and ${result.blocked_requests.length - shown.length} more (see --json)`));
  }
  if (result.verdict === 'red') {
    lines.push('');
    lines.push(paint('bold', 'Production is not healthy. smoke-seal never rolls back by itself; you decide.'));
    lines.push(result.rollback ? `To roll back, run:\n\n    ${result.rollback}\n` : 'No rollback command could be rendered (see the warning above).');
  }
  return lines.join('\n');
}

function truncate(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > DETAIL_WIDTH ? `${line.slice(0, DETAIL_WIDTH - 1)}…` : line;
}
