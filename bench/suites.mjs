// The suites both tools run, written into bench/.work/ for each bench run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** c01 ... c40 */
export function checkNames(count) {
  return Array.from({ length: count }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
}

/**
 * smoke-seal config: one app, `bench`, with `count` checks of GET /cNN expecting 200 and "ok",
 * all allowed to run at once; `huge: true` adds the check against the 200 MiB /huge endpoint.
 */
export function writeSealConfig(dir, fileName, { baseUrl, count, huge }) {
  const lines = [
    '# Written by bench/run.mjs for `npm run bench`; rewritten on every run.',
    'apps:',
    '  bench:',
    `    production_url: ${baseUrl}`,
    `    concurrency: ${count + (huge ? 1 : 0)}`,
    '    checks:',
    ...checkNames(count).map(
      (name) => `      - { name: ${name}, http: /${name}, expect: { status: 200, body_contains: "ok" } }`,
    ),
  ];
  if (huge) lines.push('      - { name: huge, http: /huge, expect: { status: 200 } }');
  const path = join(dir, fileName);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/**
 * Step CI workflow (format "1.1"). Step CI runs the steps of one test in sequence and its tests
 * side by side, at most `config.concurrency` at a time (default: the number of tests). So each
 * request is its own test, and concurrency is set to the test count explicitly: all 40 requests
 * in flight at once, as smoke-seal runs them with `concurrency: 40`.
 */
export function writeStepciWorkflow(dir, fileName, { baseUrl, count }) {
  const lines = [
    '# Written by bench/run.mjs for `npm run bench`; rewritten on every run.',
    'version: "1.1"',
    'name: smoke-seal bench',
    'config:',
    `  concurrency: ${count}`,
    'tests:',
  ];
  for (const name of checkNames(count)) {
    lines.push(
      `  ${name}:`,
      '    steps:',
      `      - name: ${name}`,
      '        http:',
      `          url: ${baseUrl}/${name}`,
      '          method: GET',
      '          check:',
      '            status: 200',
      '            body:',
      '              - in: ok',
    );
  }
  const path = join(dir, fileName);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
