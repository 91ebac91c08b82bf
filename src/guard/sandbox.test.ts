import { mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useGuardedProduction } from '../../test/helpers/guarded-production.js';
import { sandboxSkipReason } from '../../test/helpers/sandbox.js';
import { reply, startServer } from '../../test/helpers/servers.js';
import { runGuarded } from './guarded-process.js';
import { probeSandbox } from './sandbox.js';

const skip = await sandboxSkipReason();

/** A /proc file's text, or '' once the process is gone. */
function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
const production = useGuardedProduction();

/** Runs a bash script in the sandbox on a fresh channel. */
async function sandboxed(script: string, timeoutMs = 20_000) {
  const channel = production.guard.channel({ check: 'probe', client: 'exec' });
  const run = await runGuarded({
    command: 'bash',
    args: ['-c', script],
    cwd: tmpdir(),
    env: process.env,
    signal: AbortSignal.timeout(timeoutMs),
    guard: production.guard,
    mode: 'required',
    unavailable: null,
    channel,
    productionPorts: [80, 443, production.plain.port, production.secure.port],
  });
  await channel.close();
  return { run, channel };
}

describe.skipIf(skip !== null)('the network sandbox (a user and network namespace whose only way out is the guard)', () => {
  it('programs that remove or ignore the proxy variables reach nothing but the guard: their writes are blocked and listed', async () => {
    production.plain.writes.length = 0;
    production.secure.writes.length = 0;
    const https = `https://localhost:${production.secure.port}`;
    const { run, channel } = await sandboxed([
      `curl -sS --noproxy '*' ${https}/read-around-the-proxy; echo`,
      `curl -sS --noproxy '*' -X POST -d x -o /dev/null -w 'curl:%{http_code}\\n' ${https}/curl-noproxy`,
      `env -u http_proxy -u HTTP_PROXY -u ALL_PROXY -u all_proxy curl -sS -X DELETE -o /dev/null -w 'env-u:%{http_code}\\n' http://127.0.0.1:${production.plain.port}/env-u`,
      `exec 3<>/dev/tcp/127.0.0.1/${production.plain.port}; printf 'PUT /dev-tcp HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n' >&3; head -1 <&3; exec 3>&-`,
      `env -u NODE_OPTIONS node -e "require('http').request('http://localhost:${production.plain.port}/node-without-preload', { method: 'POST', agent: false }, (r) => console.log('node:' + r.statusCode)).end('x')"`,
      `curl -sS --noproxy '*' --max-time 5 http://10.9.8.7:${production.plain.port}/elsewhere || echo 'elsewhere:refused'`,
    ].join('\n'));
    expect(run.sandbox).toBe('on');
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      'production saw GET /read-around-the-proxy',
      'curl:204',
      'env-u:204',
      'HTTP/1.1 204 No Content\r',
      'node:204',
      'elsewhere:refused',
    ]);
    expect(production.plain.writes).toEqual([]);
    expect(production.secure.writes).toEqual([]);
    expect(channel.blocked.map((b) => `${b.method} ${new URL(b.url).pathname}`)).toEqual(['POST /curl-noproxy', 'DELETE /env-u', 'PUT /dev-tcp', 'POST /node-without-preload']);
    expect(channel.outsideProxy).toMatchObject([{ target: `10.9.8.7:${production.plain.port}` }]);
  });

  it('the proxy variables still work inside, and a name that does not resolve there fails at once', async () => {
    const { run, channel } = await sandboxed([
      `curl -sS -X PATCH -o /dev/null -w 'proxied:%{http_code}\\n' https://localhost:${production.secure.port}/through-the-proxy`,
      `curl -sS --noproxy '*' --max-time 5 http://no-such-host.invalid/ 2>&1 | head -1`,
    ].join('\n'));
    expect(run.stdout).toMatch(/^proxied:204\ncurl: \(6\) Could not resolve host: no-such-host\.invalid/);
    expect(channel.blocked).toMatchObject([{ method: 'PATCH', url: `https://localhost:${production.secure.port}/through-the-proxy` }]);
  });

  it('a port production does not serve is refused by the kernel inside, and nothing reaches it', async () => {
    const closed = await startServer((_req, res) => reply(res, 200, 'should never be reached'));
    const port = closed.port;
    const { run, channel } = await sandboxed(`curl -sS --noproxy '*' --max-time 5 -X POST http://127.0.0.1:${port}/x || echo 'refused'`);
    expect(run.stdout).toBe('refused\n');
    expect(closed.requests).toEqual([]);
    expect(channel.blocked).toEqual([]);
    await closed.close();
  });

  it('without the sandbox (network_sandbox: off), a program that removes the proxy variables reaches production: the limit the sandbox closes', async () => {
    production.plain.writes.length = 0;
    const channel = production.guard.channel({ check: 'unsandboxed', client: 'exec' });
    const run = await runGuarded({ command: 'curl', args: ['-sS', '--noproxy', '*', '-X', 'POST', '-d', 'x', `${production.plain.url}/leaked`], cwd: tmpdir(), env: process.env, signal: AbortSignal.timeout(20_000), guard: production.guard, mode: 'off', unavailable: null, channel, productionPorts: [] });
    await channel.close();
    expect(run.sandbox).toBe('off (network_sandbox: off)');
    expect(production.plain.writes).toEqual(['POST /leaked']);
    expect(channel.blocked).toEqual([]);
  });

  it('a command that is not installed is reported as such, not as a sandbox failure', async () => {
    const channel = production.guard.channel({ check: 'missing', client: 'exec' });
    const run = await runGuarded({ command: 'kubectl-that-is-not-installed', args: [], cwd: tmpdir(), env: process.env, signal: AbortSignal.timeout(20_000), guard: production.guard, mode: 'auto', unavailable: null, channel, productionPorts: [80] });
    expect(run).toMatchObject({ sandbox: 'on', sandboxError: null, spawnError: expect.stringMatching(/^ENOENT/) });
  });

  it('has PIDs of its own: what the command leaves running ends with it, and a command killed by a signal says which', async () => {
    const marker = `${5000 + Math.floor(Math.random() * 1000)}.5`;
    const left = await sandboxed(`sleep ${marker} & echo "inside: $$"`);
    // The shell is not init (the launcher is), and its background sleep did not outlive it.
    expect(left.run.stdout).toMatch(/^inside: \d+\n$/);
    expect(Number(left.run.stdout.slice('inside: '.length))).toBeGreaterThan(1);
    const alive = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && readOr(`/proc/${p}/cmdline`).replaceAll('\0', ' ').includes(`sleep ${marker}`) && !/^\S+ \(.*\) Z/.test(readOr(`/proc/${p}/stat`)));
    expect(alive).toEqual([]);
    const killed = await sandboxed('kill -TERM $$');
    expect(killed.run).toMatchObject({ code: null, signal: 'SIGTERM', sandboxError: null });
  });

  it('says why it cannot run where iproute2 is missing', async () => {
    // A PATH with util-linux's setpriv and unshare and nothing else.
    const bin = mkdtempSync(join(tmpdir(), 'seal-no-ip-'));
    symlinkSync('/usr/bin/setpriv', join(bin, 'setpriv'));
    symlinkSync('/usr/bin/unshare', join(bin, 'unshare'));
    expect(await probeSandbox({ PATH: bin })).toMatch(/^iproute2's ip is not installed \(unshare: failed to execute ip: No such file or directory\)$/);
  });
});
