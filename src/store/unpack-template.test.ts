/**
 * The template unpacker on archives made here (GNU tar's ustar layout, as PGlite writes it):
 * a store appears whole or not at all, trailing zeros come back as zeros (and take no disk),
 * and an archive that is not a plain tree of files is refused without touching the store.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { builtFile } from '../package-root.js';
import { TemplateError, unpackTemplate } from './unpack-template.js';

const root = mkdtempSync(join(tmpdir(), 'seal-unpack-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const dir = join(root, `case-${(n += 1)}`);
  mkdirSync(dir);
  return dir;
};

/** One ustar header, checksum included. */
function header(name: string, size: number, type: '0' | '5' | '2'): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write('0000600\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136);
  block.write(type, 156);
  block.write('ustar\0' + '00', 257);
  block.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

function archive(entries: { name: string; type?: '0' | '5' | '2'; body?: Buffer; size?: number }[]): string {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const body = entry.body ?? Buffer.alloc(0);
    parts.push(header(entry.name, entry.size ?? body.length, entry.type ?? '0'), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  const file = join(fresh(), 'template.tar.gz');
  writeFileSync(file, gzipSync(Buffer.concat(parts)));
  return file;
}

describe('unpacking the store template', () => {
  it('writes the tree, and a file ending in zeros reads back whole while its zeros take no disk', () => {
    const wal = Buffer.concat([Buffer.from('record'), Buffer.alloc(4 * 1024 * 1024)]);
    const file = archive([{ name: '/pg_wal', type: '5' }, { name: '/pg_wal/000000010000000000000001', body: wal }, { name: '/PG_VERSION', body: Buffer.from('17\n') }]);
    const dir = join(fresh(), 'db');
    expect(unpackTemplate(file, dir)).toEqual({ files: 2, bytes: wal.length + 3 });
    expect(readFileSync(join(dir, 'PG_VERSION'), 'utf8')).toBe('17\n');
    expect(readFileSync(join(dir, 'pg_wal', '000000010000000000000001')).equals(wal)).toBe(true);
    const stat = statSync(join(dir, 'pg_wal', '000000010000000000000001'));
    expect(stat.size).toBe(wal.length);
    expect(stat.blocks * 512).toBeLessThan(wal.length / 4);
    expect(readdirSync(join(dir, '..'))).toEqual(['db']);
  });

  it('also unpacks what tar(1) makes, and the shipped template has a PG_VERSION', () => {
    const src = fresh();
    mkdirSync(join(src, 'base', '1'), { recursive: true });
    writeFileSync(join(src, 'base', '1', '1259'), Buffer.concat([Buffer.from([1, 2, 3]), Buffer.alloc(8189)]));
    const file = join(fresh(), 'made-by-tar.tar.gz');
    execFileSync('tar', ['-czf', file, '-C', src, '.']);
    const dir = join(fresh(), 'db');
    unpackTemplate(file, dir);
    expect(readFileSync(join(dir, 'base', '1', '1259'))).toEqual(readFileSync(join(src, 'base', '1', '1259')));
    const shipped = builtFile('store-template.tar.gz');
    expect(shipped).not.toBeNull();
    const store = join(fresh(), 'db');
    expect(unpackTemplate(shipped!, store).files).toBeGreaterThan(100);
    expect(existsSync(join(store, 'PG_VERSION'))).toBe(true);
  });

  it.each([
    ['a path outside the store', [{ name: '../escaped', body: Buffer.from('x') }], /points outside the store/],
    ['a symbolic link', [{ name: 'link', type: '2' as const }], /of type "2", not a file or a directory/],
    ['a size past the end', [{ name: 'big', body: Buffer.from('x'), size: 1_000_000 }], /claims 00003641100 bytes, past the archive's end/],
    ['no file at all', [{ name: 'empty', type: '5' as const }], /holds no file/],
  ])('refuses %s, and leaves neither the store nor a staging directory', (_what, entries, message) => {
    const file = archive(entries);
    const parent = fresh();
    const dir = join(parent, 'db');
    expect(() => unpackTemplate(file, dir)).toThrow(TemplateError);
    expect(() => unpackTemplate(file, dir)).toThrow(message);
    expect(readdirSync(parent)).toEqual([]);
    expect(existsSync(join(root, 'escaped'))).toBe(false);
  });

  it('refuses what is not gzip, and clears what an unpacking killed halfway left', () => {
    const parent = fresh();
    const dir = join(parent, 'db');
    const notGzip = join(parent, 'x.tar.gz');
    writeFileSync(notGzip, 'not a tarball');
    expect(() => unpackTemplate(notGzip, dir)).toThrow(/cannot read the store template .*x\.tar\.gz/);
    rmSync(notGzip);
    // What a killed process left: its staging directory, and the store's empty directory.
    mkdirSync(join(parent, '.db.unpack-99999', 'base'), { recursive: true });
    mkdirSync(dir);
    unpackTemplate(archive([{ name: 'PG_VERSION', body: Buffer.from('17\n') }]), dir);
    expect(readdirSync(parent)).toEqual(['db']);
    expect(readdirSync(dir)).toEqual(['PG_VERSION']);
  });
});
