import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { redactEvidenceFolder } from './evidence-files.js';
import { createRedactor } from './redact.js';

const SECRET = 'tr4ce-s3cret-Value';

/** Every byte under a folder, zips unpacked. */
function everyByte(dir: string): Buffer[] {
  const out: Buffer[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const path = stack.pop() as string;
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) stack.push(full);
      else {
        const data = readFileSync(full);
        out.push(data);
        if (name.endsWith('.zip')) for (const entry of Object.values(unzipSync(data))) out.push(Buffer.from(entry));
      }
    }
  }
  return out;
}

describe('redactEvidenceFolder', () => {
  it('leaves no secret in any byte: text files, trace zips (text and binary entries), in any form the redactor knows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seal-evidence-'));
    const nested = join(dir, 'playwright-x', 'results', 'test-1');
    mkdirSync(nested, { recursive: true });
    const trace = zipSync({
      'trace.trace': Buffer.from(`{"type":"before","params":{"url":"https://x.example.com/?token=${SECRET}"}}\n`),
      'trace.network': Buffer.from(`{"request":{"headers":[{"name":"authorization","value":"Bearer ${SECRET}"}],"url":"https://x.example.com/${encodeURIComponent(SECRET)}"}}\n`),
      'resources/abc123': new Uint8Array([0xff, 0xfe, 0x00, ...Buffer.from(SECRET), 0x00, 0x80]),
      'resources/page@1.jpeg': new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
    });
    writeFileSync(join(nested, 'trace.zip'), trace);
    writeFileSync(join(dir, 'report.json'), JSON.stringify({ title: `opens ${SECRET.toUpperCase()}`, b64: Buffer.from(SECRET).toString('base64') }));
    writeFileSync(join(dir, 'shot.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2]));
    const { notes, files } = await redactEvidenceFolder(dir, createRedactor([SECRET]));
    expect(notes).toEqual([]);
    // Every file left, with the SHA-256 and size of its bytes as they are on disk now (redacted), sorted by path.
    expect(files.map((f) => f.path)).toEqual(['playwright-x/results/test-1/trace.zip', 'report.json', 'shot.png']);
    for (const file of files) {
      const bytes = readFileSync(join(dir, ...file.path.split('/')));
      expect(file).toEqual({ path: file.path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    }
    for (const bytes of everyByte(dir)) {
      const latin1 = bytes.toString('latin1');
      for (const form of [SECRET, SECRET.toUpperCase(), encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64')]) expect(latin1).not.toContain(form);
    }
    // The trace is still a zip with its entries, the image entry untouched, the binary entry the same length.
    const entries = unzipSync(readFileSync(join(nested, 'trace.zip')));
    expect(Object.keys(entries).sort()).toEqual(['resources/abc123', 'resources/page@1.jpeg', 'trace.network', 'trace.trace']);
    expect(Array.from(entries['resources/page@1.jpeg'] ?? [])).toEqual([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    expect(entries['resources/abc123']?.length).toBe(3 + SECRET.length + 2);
    expect(Buffer.from(entries['trace.trace'] ?? []).toString()).toContain('token=[REDACTED]');
  });

  it('removes what it cannot redact, and says so: a zip that does not unpack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seal-evidence-'));
    writeFileSync(join(dir, 'broken.trace.zip'), Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.from(SECRET)]));
    const { notes, files } = await redactEvidenceFolder(dir, createRedactor([SECRET]));
    expect(notes).toEqual([expect.stringMatching(/^evidence broken\.trace\.zip was removed: it could not be redacted \(/)]);
    expect(files).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });
});
