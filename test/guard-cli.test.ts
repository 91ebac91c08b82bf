// The read-only guard through the built CLI, as users meet it: the check line, JUnit, GraphQL
// over POST, the network sandbox where the kernel refuses it, and what config check says.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { RunResult } from '../src/runner/run-result.js';
import { ROOT, runCli } from './helpers/cli.js';
import { sandboxSkipReason } from './helpers/sandbox.js';
import { startServer, type TestServer } from './helpers/servers.js';

const noSandbox = await sandboxSkipReason();
let prod: TestServer;
let dir: string;
const bodies: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seal-guard-cli-'));
  prod = await startServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (body) bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"viewer":{"name":"smoke"}}}');
    });
  });
});
afterAll(() => prod?.close());

function writeConfig(name: string, document: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(document));
  return path;
}
const env = () => ({ SEAL_DATA_DIR: join(dir, 'data') });

describe('the guard through the CLI', () => {
  it('GraphQL over POST: a query reaches production and is listed with its reason, a mutation is blocked and shown on its check', async () => {
    bodies.length = 0;
    prod.writes.length = 0;
    const post = (query: string) => `curl -sS -o /dev/null -w '%{http_code}\\n' -H 'content-type: application/json' --data-binary '${JSON.stringify({ query })}' ${prod.url}/graphql`;
    const config = writeConfig('graphql.yaml', { apps: { api: {
      production_url: prod.url,
      allow_requests: [{ method: 'POST', path: '/graphql', graphql: 'queries', reason: 'GraphQL queries only read' }],
      checks: [
        { name: 'query', exec: { command: ['sh', '-c', post('{ viewer { name } }')] }, expect: { stdout_contains: '200' } },
        { name: 'mutation', exec: { command: ['sh', '-c', post('mutation { deleteViewer }')] }, expect: { stdout_contains: '204' } },
      ],
    } } });
    const junit = join(dir, 'graphql.xml');
    const run = await runCli(['smoke', 'api', '--config', config, '--json', '--junit', junit], { env: env(), timeoutMs: 60_000 });
    const result = JSON.parse(run.stdout) as RunResult;
    expect(bodies).toEqual(['{"query":"{ viewer { name } }"}']);
    expect(prod.writes).toEqual(['POST /graphql']);
    expect(result.checks[0]?.evidence.allowed_requests).toEqual([{ method: 'POST', url: `${prod.url}/graphql`, reason: 'GraphQL queries only read' }]);
    expect(result.checks[0]?.blocked_requests).toEqual([]);
    expect(result.checks[1]?.blocked_requests).toEqual([{ check: 'mutation', method: 'POST', url: `${prod.url}/graphql`, reason: 'POST /graphql: a GraphQL mutation' }]);
    // The check's own line, the table and JUnit say it.
    expect(run.stderr).toMatch(/✓ mutation {2}\d+ ms {2}· 1 write blocked\n/);
    expect(run.stderr).toMatch(/passed {2}mutation +exec +\d+ ms +1 +1 write blocked/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<property name="blocked_writes" value="1"/>');
    expect(xml).toContain(`<property name="blocked_write" value="POST ${prod.url}/graphql"/>`);
  });

  it('a probe that runs out of time says so with its setting, not as an exit code', async () => {
    const config = writeConfig('slow.yaml', { apps: { api: { production_url: prod.url, checks: [{ name: 'slow', exec: { command: ['sleep', '30'], timeout_ms: 300 } }] } } });
    const run = await runCli(['smoke', 'api', '--config', config], { env: env(), timeoutMs: 60_000 });
    expect(run.stderr).toMatch(/✗ slow {2}\d+ ms {2}timed out after 300 ms \(timeout_ms\)\n/);
    expect(run.stderr).not.toContain('SIGKILL');
  });

  it('config check requires a reason for an allowed request', async () => {
    const config = writeConfig('reasonless.yaml', { apps: { api: { production_url: 'https://api.example.com', allow_requests: [{ method: 'POST', path: '/search' }] } } });
    const run = await runCli(['config', 'check', '--config', config]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: apps.api.allow_requests[0].reason: required (say why this request only reads; it is shown beside every request it lets through)');
  });

  it('config check names every way around the guard', async () => {
    const config = writeConfig('lint.yaml', { apps: { api: {
      production_url: 'https://api.example.com',
      allow_requests: [{ method: 'GET', path: '/x', reason: 'a read anyway' }],
      checks: [
        { name: 'noproxy', exec: { command: ['curl', '--noproxy', '*', '-X', 'POST', 'https://api.example.com/x'] } },
        { name: 'unset', exec: { command: ['sh', '-c', 'env -u NODE_OPTIONS node probe.js'] } },
        { name: 'secret', exec: { command: ['sh', '-c', 'curl -H "Authorization: Bearer ${TOKEN}" https://api.example.com/me'] } },
        { name: 'psql', exec: { command: ['psql', '-c', 'select 1'] } },
        { name: 'override', http: { path: '/items/1', headers: { 'X-HTTP-Method-Override': 'DELETE' } } },
        { name: 'method param', http: '/items/1?_method=DELETE' },
      ],
    } } });
    const run = await runCli(['config', 'check', '--config', config], { env: { TOKEN: 'tok-lint-secret-value' } });
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n');
    const said = (path: string) => lines.find((line) => line.includes(`apps.api.${path}:`)) ?? '';
    expect(said('allow_requests[0].method')).toContain('GET is a read and always goes through');
    expect(said('checks[0].exec.command')).toMatch(/^warning: .*steps around the read-only guard's proxy \(curl --noproxy\)/);
    expect(said('checks[1].exec.command')).toMatch(/env -u \(removing the proxy variables or the preload\)/);
    expect(said('checks[2].exec.command[2]')).toMatch(/^warning: .*a \$\{VAR\} value pasted into a shell script/);
    expect(said('checks[3].exec.command[0]')).toMatch(/psql needs a direct connection, which the network sandbox refuses: give this check network_sandbox: off/);
    expect(said('checks[4].http.headers.X-HTTP-Method-Override')).toMatch(/^error: .*turns this read into a DELETE/);
    expect(said('checks[5].http')).toMatch(/^error: .*_method=DELETE turns this read into a DELETE/);
    expect(run.stderr).not.toContain('tok-lint-secret-value');
  });
});

describe.skipIf(noSandbox !== null)('the network sandbox on a machine whose kernel refuses it', () => {
  // A user namespace that may create no further ones: unshare fails as on a locked-down host.
  const refusing = (args: readonly string[]): string => {
    const quoted = [process.execPath, `${ROOT}bin/seal`, ...args].map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(' ');
    return `unshare --user --map-root-user -- sh -c 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"' sh ${quoted}`;
  };
  const probeConfig = (mode: string) => writeConfig(`sandbox-${mode}.yaml`, { apps: { api: { production_url: prod.url, network_sandbox: mode, checks: [
    { name: 'probe', exec: { command: ['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', `${prod.url}/x`] }, expect: { stdout_contains: '204' } },
  ] } } });

  it('required: the check is an error that says why, and nothing runs', async () => {
    const run = await runCli([], { shell: refusing(['smoke', 'api', '--config', probeConfig('required'), '--json']), env: env(), timeoutMs: 60_000 });
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.verdict).toBe('error');
    expect(result.checks[0]?.error).toMatch(/^network_sandbox: required, but the network sandbox cannot be used on this machine: unprivileged user and network namespaces are not available \(unshare: unshare failed: No space left on device\)$/);
  });

  it('auto: the probe runs with the proxy variables alone, and the run warns why', async () => {
    prod.writes.length = 0;
    const run = await runCli([], { shell: refusing(['smoke', 'api', '--config', probeConfig('auto'), '--json']), env: env(), timeoutMs: 60_000 });
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.checks[0]).toMatchObject({ status: 'passed', evidence: { network_sandbox: expect.stringMatching(/^off \(unavailable: unprivileged user and network namespaces are not available/) } });
    expect(result.warnings).toContainEqual(expect.stringMatching(/^network sandbox unavailable \(unprivileged user and network namespaces are not available \(unshare: unshare failed: No space left on device\)\): exec probes and specs ran with the guard's proxy variables only/));
    expect(prod.writes).toEqual([]);
    expect(run.stderr).toContain('warning: network sandbox unavailable');
  });
});
