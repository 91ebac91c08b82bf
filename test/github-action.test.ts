// action.yml and the deployment_status example: the step's script run with bash as the runner
// would run it (inputs through env, outputs through $GITHUB_OUTPUT), against production on
// loopback and the fake GitHub, which receives the commit status.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startFakeGithub, type FakeGithub } from './helpers/fakes/github.js';
import { ROOT } from './helpers/cli.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

interface ActionYaml {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id: string; shell: string; env: Record<string, string>; run: string }[] };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYaml;
const step = action.runs.steps[0];
const SHA = '0123456789abcdef0123456789abcdef01234567';
let prod: TestServer;
let github: FakeGithub;
const dir = mkdtempSync(join(tmpdir(), 'seal-action-'));

beforeAll(async () => {
  prod = await startServer((req, res) => reply(res, req.url === '/broken' ? 500 : 200, 'OK'));
  github = await startFakeGithub('acme/studio', 'ghs_job_token');
  github.commits.add(SHA);
});

afterAll(async () => {
  await prod?.close();
  await github?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The step's env as the runner computes it: `${{ inputs.x }}` from the inputs (or their defaults), `${{ github.action_path }}`. */
function stepEnv(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, expression] of Object.entries(step?.env ?? {})) {
    const input = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(expression)?.[1];
    if (input) {
      const declared = action.inputs[input];
      expect(declared, `env ${name} reads an undeclared input ${input}`).toBeDefined();
      const fallback = declared?.default?.startsWith('${{') ? '' : (declared?.default ?? '');
      env[name] = inputs[input] ?? fallback;
    } else {
      expect(expression).toBe('${{ github.action_path }}');
      env[name] = ROOT;
    }
  }
  return env;
}

/** Runs the step's script with bash in `cwd`; resolves with its exit code, stderr and $GITHUB_OUTPUT. */
function runStep(cwd: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; outputs: Record<string, string> }> {
  const outputFile = join(cwd, `output-${Math.random().toString(36).slice(2)}`);
  writeFileSync(outputFile, '');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step?.run ?? ''], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: outputFile, RUNNER_TEMP: cwd, ...stepEnv(inputs), ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const outputs = Object.fromEntries(readFileSync(outputFile, 'utf8').split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      resolve({ code, stderr, outputs });
    });
  });
}

function project(name: string): string {
  const cwd = join(dir, name);
  mkdirSync(cwd);
  writeFileSync(
    join(cwd, 'seal.config.yaml'),
    [
      'apps:',
      '  studio:',
      '    production_url: ${DEPLOY_URL}',
      '    board_url: https://seal.example.com',
      `    github: { repo: acme/studio, token: "\${GITHUB_TOKEN}", api_url: "${github.apiUrl}", commit_status: true, release_notes: false }`,
      '    checks:',
      '      - { name: up, http: /up, expect: { status: 200 } }',
      '      - { name: page, http: "${CHECK_PATH}", expect: { status: 200 } }',
      '',
    ].join('\n'),
  );
  return cwd;
}

describe('action.yml', () => {
  it('declares the inputs and outputs the README names, and splices no input into the script', () => {
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['app', 'config', 'release', 'server', 'token']));
    expect(action.inputs.app?.required).toBe(true);
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['verdict', 'run-id']));
    expect(action.runs.using).toBe('composite');
    expect(step?.run).not.toContain('${{');
  });

  it('seals green with the seal built in the action\'s checkout: outputs verdict and run id, and GitHub gets the commit status', async () => {
    const cwd = project('green');
    const run = await runStep(cwd, { app: 'studio', release: 'v1.4.0', sha: SHA }, { DEPLOY_URL: prod.url, GITHUB_TOKEN: 'ghs_job_token', CHECK_PATH: '/' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ verdict: 'green', 'run-id': expect.stringMatching(/^[0-9a-f-]{36}$/), summary: '2/2 passed' });
    expect(github.statuses.get(SHA)?.at(-1)).toEqual({ state: 'success', context: 'smoke-seal/studio', description: 'green: 2/2 passed', target_url: 'https://seal.example.com/releases/studio/v1.4.0' });
  }, 120_000);

  it('uses the repository\'s own node_modules/.bin/seal; red exits 0 without gate and 1 with it, the outputs written either way', async () => {
    const cwd = project('red');
    mkdirSync(join(cwd, 'node_modules/.bin'), { recursive: true });
    symlinkSync(join(ROOT, 'bin/seal'), join(cwd, 'node_modules/.bin/seal'));
    const env = { DEPLOY_URL: prod.url, GITHUB_TOKEN: 'ghs_job_token', CHECK_PATH: '/broken' };
    const red = await runStep(cwd, { app: 'studio', release: 'v1.4.1', sha: SHA }, env);
    expect(red.code, red.stderr).toBe(0);
    expect(red.outputs).toMatchObject({ verdict: 'red' });
    expect(github.statuses.get(SHA)?.at(-1)).toMatchObject({ state: 'failure', context: 'smoke-seal/studio' });
    const gated = await runStep(cwd, { app: 'studio', release: 'v1.4.1', sha: SHA, gate: 'true' }, env);
    expect(gated.code).toBe(1);
    expect(gated.outputs).toMatchObject({ verdict: 'red' });
  }, 120_000);

  it('a hostile release input is an argument, never shell', async () => {
    const cwd = project('hostile');
    const marker = join(cwd, 'pwned');
    const run = await runStep(cwd, { app: 'studio', release: `v1$(touch ${marker})\`touch ${marker}\``, sha: SHA }, { DEPLOY_URL: prod.url, GITHUB_TOKEN: 'ghs_job_token', CHECK_PATH: '/' });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(run.outputs.verdict).toBeDefined();
  }, 120_000);
});

describe('examples/github/seal-on-deployment.yml', () => {
  it('runs on deployment_status success, seals the environment_url, and passes only inputs action.yml declares', () => {
    const workflow = parse(readFileSync(join(ROOT, 'examples/github/seal-on-deployment.yml'), 'utf8')) as {
      on: Record<string, unknown>;
      permissions: Record<string, string>;
      jobs: { seal: { if: string; steps: { uses?: string; with?: Record<string, string>; env?: Record<string, string> }[] } };
    };
    expect(Object.keys(workflow.on)).toEqual(['deployment_status']);
    expect(workflow.permissions.statuses).toBe('write');
    expect(workflow.jobs.seal.if).toContain("github.event.deployment_status.state == 'success'");
    const seal = workflow.jobs.seal.steps.find((s) => s.uses?.includes('smoke-seal'));
    expect(seal?.env?.DEPLOY_URL).toBe('${{ github.event.deployment_status.environment_url }}');
    for (const input of Object.keys(seal?.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
  });
});
