import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { useGuardedProduction } from '../../test/helpers/guarded-production.js';
import { runGuarded } from './guarded-process.js';

/**
 * The preload alone (no sandbox) must send every Node client's writes to the guard, on every
 * Node the project supports. Node 22 and 24 come from the npm registry (test/node-versions,
 * installed by .ci/run); where they are not installed these cells are skipped with the reason,
 * and CI (CI=true) refuses to skip them.
 */
const VERSIONS_DIR = new URL('../../test/node-versions/node_modules/', import.meta.url).pathname;
const nodes: { name: string; path: string | null }[] = [
  { name: `this Node (${process.version})`, path: process.execPath },
  { name: 'Node 22', path: `${VERSIONS_DIR}node22/bin/node` },
  { name: 'Node 24', path: `${VERSIONS_DIR}node24/bin/node` },
].map((n) => ({ ...n, path: n.path && existsSync(n.path) ? n.path : null }));
const missing = nodes.filter((n) => n.path === null).map((n) => n.name);
if (missing.length > 0) {
  const reason = `${missing.join(' and ')} not installed (npm ci --prefix test/node-versions)`;
  if (process.env.CI === 'true') throw new Error(`CI=true requires the preload to be tested on every supported Node, but ${reason}`);
  // eslint-disable-next-line no-console -- a skipped test prints why
  console.warn(`preload tests skipped on: ${reason}`);
}
const AXIOS = createRequire(import.meta.url).resolve('axios');

const production = useGuardedProduction();

/** A script that writes with http.request, https.request (an explicit agent), fetch and axios (told to ignore proxy variables), and reads once. */
function script(http: string, https: string): string {
  return `
const http = require('node:http'), https = require('node:https');
const axios = require(${JSON.stringify(AXIOS)});
const send = (mod, url, options, body) => new Promise((resolve, reject) => {
  const req = mod.request(url, options, (res) => { let text = ''; res.on('data', (c) => (text += c)); res.on('end', () => resolve(res.statusCode + (text ? ' ' + text : ''))); });
  req.on('error', reject);
  req.end(body);
});
(async () => {
  const out = [];
  out.push('http.request ' + await send(http, '${http}/w/http-request', { method: 'POST' }, 'x'));
  out.push('https.request ' + await send(https, '${https}/w/https-request', { method: 'PUT', agent: new https.Agent({ keepAlive: false }) }, 'x'));
  out.push('fetch ' + (await fetch('${https}/w/fetch', { method: 'DELETE' })).status);
  out.push('axios ' + (await axios.post('${http}/w/axios', { a: 1 }, { proxy: false })).status);
  out.push('axios https ' + (await axios.patch('${https}/w/axios-https', { a: 1 }, { proxy: false })).status);
  out.push('read ' + await send(https, '${https}/r/read', { method: 'GET' }));
  console.log(out.join('\\n'));
})().catch((e) => { console.error(e.stack || e); process.exit(1); });
`;
}

describe('the guard preload on every supported Node, without the sandbox', () => {
  for (const { name, path } of nodes) {
    it.skipIf(path === null)(`${name}: http.request, https.request (global and explicit agents), fetch and axios all write to the guard, not production`, async () => {
      production.plain.writes.length = 0;
      production.secure.writes.length = 0;
      const channel = production.guard.channel({ check: name, client: 'exec' });
      const run = await runGuarded({
        command: path as string,
        args: ['-e', script(production.plain.url, `https://localhost:${production.secure.port}`)],
        cwd: tmpdir(),
        env: process.env,
        signal: AbortSignal.timeout(30_000),
        guard: production.guard,
        mode: 'off',
        unavailable: null,
        channel,
        productionPorts: [],
      });
      await channel.close();
      expect(run.stderr).toBe('');
      expect(run.stdout.trim().split('\n')).toEqual([
        'http.request 204',
        'https.request 204',
        'fetch 204',
        'axios 204',
        'axios https 204',
        'read 200 production saw GET /r/read',
      ]);
      expect(production.plain.writes).toEqual([]);
      expect(production.secure.writes).toEqual([]);
      expect(channel.blocked.map((b) => `${b.method} ${new URL(b.url).pathname}`)).toEqual(['POST /w/http-request', 'PUT /w/https-request', 'DELETE /w/fetch', 'POST /w/axios', 'PATCH /w/axios-https']);
    });
  }
});
