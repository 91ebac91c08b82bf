/**
 * `seal credit` on real reports: a tiny suite run here by vitest (JUnit and JSON reporters) and
 * by @playwright/test (JSON and JUnit reporters), passing, failing, empty, flaky; then the
 * release's ladder through `seal release show`, and production_smoke credited by a seal.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, startServeCli } from './helpers/cli.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

const dir = mkdtempSync(join(tmpdir(), 'seal-credit-'));
const env = { SEAL_DATA_DIR: join(dir, '.seal') };
const seal = (...args: string[]) => runCli(args, { env, cwd: dir, timeoutMs: 60_000 });
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
type Credit = { tier: string; credited: boolean; reason: string | null; tests: number; passed: number; failed: number; skipped: number; flaky: number; report_sha256: string; format: string };

/** A project of its own with the given test files, run by vitest with both reporters. */
function runVitest(name: string, files: Record<string, string>): { junit: string; json: string } {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
  const junit = join(root, 'junit.xml');
  const json = join(root, 'report.json');
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', root, '--reporter=junit', '--reporter=json', `--outputFile.junit=${junit}`, `--outputFile.json=${json}`, '--passWithNoTests'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(run.error).toBeUndefined();
  return { junit, json };
}

/** The same for @playwright/test (no browser: the tests use none). */
function runPlaywright(name: string, spec: string, retries = 0): { json: string; junit: string } {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'a.spec.mjs'), spec);
  // The spec imports @playwright/test as a team's would: from the project's node_modules.
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  const json = join(root, 'results.json');
  const junit = join(root, 'results.xml');
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', `--retries=${retries}`, '--reporter=json,junit', '--workers=1'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: json, PLAYWRIGHT_JUNIT_OUTPUT_NAME: junit, CI: '' },
  });
  expect(run.error).toBeUndefined();
  return { json, junit };
}

let prod: TestServer;
beforeAll(async () => {
  prod = await startServer((_req, res) => reply(res, 200, 'ok'));
  writeFileSync(join(dir, 'seal.config.yaml'), `tiers:\n  - unit\n  - { name: component, aliases: [components, widget] }\n  - e2e\napps:\n  web:\n    production_url: ${prod.url}\n    expect_tiers: [unit, widget, e2e]\n    checks:\n      - { name: home, http: /, expect: { status: 200 } }\n`);
});
afterAll(() => prod?.close());

describe('seal credit, on reports real runners wrote', () => {
  it('vitest: a passing suite credits its tier (JUnit and JSON), a failing one and an empty one do not', async () => {
    const passing = runVitest('vitest-pass', { 'a.test.mjs': "import { it, expect } from 'vitest';\nit('adds', () => expect(1 + 1).toBe(2));\nit('subtracts', () => expect(2 - 1).toBe(1));\nit.skip('later', () => {});\n" });
    const credited = await seal('credit', 'web', '--release', 'v1', '--tier', 'UNIT', '--junit', passing.junit, '--json');
    expect(credited.code).toBe(0);
    expect(JSON.parse(credited.stdout)).toMatchObject({ tier: 'unit', credited: true, reason: null, format: 'junit', tests: 3, passed: 2, skipped: 1, failed: 0, report_sha256: sha(passing.junit) });
    expect(credited.stderr).toContain(`web v1: unit credited (3 tests: 2 passed, 0 failed, 1 skipped, 0 flaky; junit sha256 ${sha(passing.junit)})`);
    const viaJson = await seal('credit', 'web', '--release', 'v1', '--tier', 'unit', '--vitest-json', passing.json, '--json');
    expect(JSON.parse(viaJson.stdout)).toMatchObject({ credited: true, format: 'vitest-json', tests: 3, passed: 2, skipped: 1 });

    const failing = runVitest('vitest-fail', { 'b.test.mjs': "import { it, expect } from 'vitest';\nit('works', () => expect(1).toBe(1));\nit('breaks', () => expect(1).toBe(2));\n" });
    const refused = await seal('credit', 'web', '--release', 'v2', '--tier', 'unit', '--junit', failing.junit, '--json');
    expect(refused.code).toBe(0);
    expect(JSON.parse(refused.stdout)).toMatchObject({ credited: false, reason: '1 of 2 tests failed', passed: 1, failed: 1 });
    expect(refused.stderr).toContain('web v2: unit not credited: 1 of 2 tests failed');

    const empty = runVitest('vitest-empty', { 'README.md': 'no tests here\n' });
    for (const [flag, file] of [['--junit', empty.junit], ['--vitest-json', empty.json]] as const) {
      const none = await seal('credit', 'web', '--release', 'v2', '--tier', 'unit', flag, file, '--json');
      expect(JSON.parse(none.stdout)).toMatchObject({ credited: false, reason: 'the report holds no test', tests: 0 });
    }
  });

  it('@playwright/test: JSON and JUnit credit the e2e tier; a flaky pass counts as flaky, a failure refuses', async () => {
    const marker = join(dir, 'flaky-once');
    const spec = `import { test, expect } from '@playwright/test';\nimport { existsSync, writeFileSync } from 'node:fs';\ntest('steady', () => expect(1).toBe(1));\ntest('flaky', () => { if (!existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); throw new Error('first try'); } });\n`;
    const flaky = runPlaywright('pw-flaky', spec, 1);
    const viaJson = await seal('credit', 'web', '--release', 'v1', '--tier', 'e2e', '--playwright-json', flaky.json, '--json');
    expect(JSON.parse(viaJson.stdout)).toMatchObject({ tier: 'e2e', credited: true, format: 'playwright-json', tests: 2, passed: 1, flaky: 1, failed: 0, report_sha256: sha(flaky.json) });
    const viaJunit = await seal('credit', 'web', '--release', 'v1', '--tier', 'e2e', '--junit', flaky.junit, '--json');
    expect(JSON.parse(viaJunit.stdout)).toMatchObject({ credited: true, format: 'junit', tests: 2, failed: 0 });

    const failing = runPlaywright('pw-fail', "import { test, expect } from '@playwright/test';\ntest('no', () => expect(1).toBe(2));\n");
    expect(JSON.parse((await seal('credit', 'web', '--release', 'v2', '--tier', 'e2e', '--playwright-json', failing.json, '--json')).stdout)).toMatchObject({ credited: false, reason: '1 of 1 test failed' });
  });

  it('refuses a bare claim, an unknown tier and a malformed report; a malformed one is recorded as not credited', async () => {
    const claim = await seal('credit', 'web', '--release', 'v1', '--tier', 'unit');
    expect(claim.code).toBe(2);
    expect(claim.stderr).toContain('name one report: --junit FILE, --playwright-json FILE or --vitest-json FILE');
    const unknown = await seal('credit', 'web', '--release', 'v1', '--tier', 'acceptance', '--junit', join(dir, 'seal.config.yaml'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown test tier "acceptance" (--tier); the known tiers are: unit, component (also components, widget), e2e, production_smoke');
    const missing = await seal('credit', 'web', '--release', 'v1', '--tier', 'unit', '--junit', join(dir, 'nope.xml'));
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining(`--junit ${join(dir, 'nope.xml')}: no such file`) });
    const html = join(dir, 'error-page.xml');
    writeFileSync(html, '<html><body>502 Bad Gateway</body></html>');
    const malformed = await seal('credit', 'web', '--release', 'v3', '--tier', 'component', '--junit', html, '--json');
    expect(malformed.code).toBe(0);
    expect(JSON.parse(malformed.stdout)).toMatchObject({ credited: false, reason: 'the report could not be read: not a JUnit report: the root element is <html>, not <testsuites> or <testsuite>', report_sha256: sha(html) });
    // A config that does not load refuses a credit (its vocabulary counts), but never hides a release.
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'apps:\n  web:\n    production_url: ${UNSET_URL_FOR_THIS_TEST}\n');
    expect((await seal('credit', 'web', '--release', 'v3', '--tier', 'unit', '--junit', html, '--config', broken)).code).toBe(2);
    const shown = await seal('release', 'show', 'web', 'v3', '--json', '--config', broken);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(/^warning: the config did not load, so the tiers are shown on the default ladder: .*UNSET_URL_FOR_THIS_TEST/m);
    expect((JSON.parse(shown.stdout) as { tiers: { tier: string; state: string }[] }).tiers.map((t) => [t.tier, t.state])).toEqual([['unit', 'missing'], ['component', 'not_credited'], ['integration', 'missing'], ['e2e', 'missing'], ['production_smoke', 'missing']]);
  });

  it('curl sends a report to a seal server: credited with the token named, in the server\'s vocabulary, shown by the CLI', async () => {
    const created = await seal('token', 'create', '--name', 'ci-runner', '--json');
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    const server = await startServeCli(['--config', join(dir, 'seal.config.yaml')], { env });
    try {
      const report = join(dir, 'sent.xml');
      writeFileSync(report, '<testsuites><testsuite><testcase name="login"/><testcase name="logout"/></testsuite></testsuites>');
      const curl = spawnSync('curl', ['-sS', '--max-time', '20', '-w', '\n%{http_code}', '-H', `authorization: Bearer ${token}`, '-H', 'content-type: application/xml', '--data-binary', `@${report}`, `${server.url}/api/releases/web/v5/credits?tier=widget&format=junit`], { encoding: 'utf8', timeout: 30_000 });
      const [body, status] = curl.stdout.trimEnd().split(/\n(?=\d+$)/);
      expect(status).toBe('201');
      expect(JSON.parse(body ?? '')).toMatchObject({ tier: 'component', credited: true, tests: 2, report_sha256: sha(report), credited_by: expect.stringMatching(/^token ci-runner \(/) });
      const unknown = spawnSync('curl', ['-sS', '--max-time', '20', '-H', `authorization: Bearer ${token}`, '--data-binary', `@${report}`, `${server.url}/api/releases/web/v5/credits?tier=units&format=junit`], { encoding: 'utf8', timeout: 30_000 });
      expect(JSON.parse(unknown.stdout)).toMatchObject({ error: 'unknown test tier "units"; the known tiers are: unit, component (also components, widget), e2e, production_smoke' });
      // The same through seal credit --server: the server reads the report, in its vocabulary.
      const viaCli = await runCli(['credit', 'web', '--release', 'v5', '--tier', 'E2E', '--junit', report, '--server', server.url, '--json'], { env: { ...env, SEAL_TOKEN: token }, cwd: dir, timeoutMs: 60_000 });
      expect(viaCli.code).toBe(0);
      expect(JSON.parse(viaCli.stdout)).toMatchObject({ tier: 'e2e', credited: true, tests: 2, report_sha256: sha(report), credited_by: expect.stringMatching(/^token ci-runner \(/) });
      expect(viaCli.stderr).toContain(`web v5: e2e credited (recorded by ${server.url} for token ci-runner (`);
      const refused = await runCli(['credit', 'web', '--release', 'v5', '--tier', 'units', '--junit', report, '--server', server.url], { env: { ...env, SEAL_TOKEN: token }, cwd: dir, timeoutMs: 60_000 });
      expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining(`seal: the seal server at ${server.url} did not record the credit: 400 unknown test tier "units"; the known tiers are: unit,`) });
      const noToken = await runCli(['credit', 'web', '--release', 'v5', '--tier', 'e2e', '--junit', report, '--server', server.url], { env, cwd: dir, timeoutMs: 60_000 });
      expect(noToken).toMatchObject({ code: 2, stderr: expect.stringContaining('--server needs a write token') });
    } finally {
      await server.stop();
    }
    const shown = JSON.parse((await seal('release', 'show', 'web', 'v5', '--json')).stdout) as { tiers: { tier: string; state: string; credit: Credit | null }[] };
    expect(shown.tiers.find((t) => t.tier === 'component')).toMatchObject({ state: 'credited', credit: { format: 'junit', tests: 2 } });
    expect(shown.tiers.find((t) => t.tier === 'e2e')).toMatchObject({ state: 'credited' });
    // A server that is not there: a clear error within the time allowed, exit 2.
    const gone = await startServer((_req, res) => reply(res, 200, ''));
    const downUrl = gone.url;
    await gone.close();
    const down = await runCli(['credit', 'web', '--release', 'v5', '--tier', 'e2e', '--junit', join(dir, 'sent.xml'), '--server', downUrl], { env: { ...env, SEAL_TOKEN: 'x', SEAL_SERVER_TIMEOUT_MS: '1500' }, cwd: dir, timeoutMs: 60_000 });
    expect(down.code).toBe(2);
    // A connection that never opened is tried again until the time allowed runs out.
    expect(down.stderr).toContain(`seal: the credit was not recorded: the seal server at ${downUrl}: no time left (ECONNREFUSED`);
    expect(down.stderr).toContain('(SEAL_SERVER_TIMEOUT_MS allows 1500 ms)');
  });

  it('the release shows its ladder; a seal credits production_smoke and warns about expected tiers it lacks', async () => {
    const smoke = await seal('smoke', 'web', '--release', 'v1', '--json');
    expect(smoke.code).toBe(0);
    const run = JSON.parse(smoke.stdout) as { verdict: string; run_id: string; warnings: string[] };
    expect(run.verdict).toBe('green');
    expect(smoke.stderr).toContain('warning: web v1 lacks expected test tiers (expect_tiers): component; credit them with seal credit');
    const shown = await seal('release', 'show', 'web', 'v1', '--json');
    const tiers = (JSON.parse(shown.stdout) as { tiers: { tier: string; state: string; expected: boolean; credit: Credit | null }[] }).tiers;
    expect(tiers.map((t) => [t.tier, t.state, t.expected])).toEqual([['unit', 'credited', true], ['component', 'missing', true], ['e2e', 'credited', true], ['production_smoke', 'credited', false]]);
    expect(tiers[3]?.credit).toMatchObject({ format: 'seal', tests: 1, passed: 1, credited: true });
    const text = await seal('release', 'show', 'web', 'v1');
    // After the seal history, a table aligned by the columns mechanism the other listings use.
    const ladder = text.stdout.slice(text.stdout.indexOf('\ntest tiers:\n') + 1);
    expect(text.stdout.indexOf('\ntest tiers:\n')).toBeGreaterThan(text.stdout.indexOf('  FINISHED'));
    expect(ladder.split('\n').slice(0, 2)).toEqual(['test tiers:', '  TIER              STATE       EVIDENCE']);
    expect(ladder).toMatch(/\n {2}unit {14}✓ credited {2}3 tests: 2 passed, 1 skipped \(vitest-json, sha256 [0-9a-f]{12}, by \S+@\S+, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [^)]+\)\n/);
    expect(ladder).toContain('\n  component         · missing   expected by the config\n');
  });
});
