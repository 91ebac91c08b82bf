/**
 * Unpacks the embedded store's template (dist/store-template.tar.gz: a migrated PGlite data
 * directory, see scripts/store-template.mjs) straight onto disk, for PGlite to open as an
 * existing store. PGlite's own `loadDataDir` copied every byte through its WebAssembly file
 * system: `seal release list` on an empty data directory took 1.65 s, 1.9 s of CPU and 254 MB
 * that way, and takes 1.09 s, 1.2 s of CPU and 146 MB this way (0.68 s once the store exists;
 * docs/decisions.md). Runs of zeros at a file's end (10 of the template's 39 MB: most of the
 * 16 MB WAL segment, empty pages) are left as holes that read back as zeros.
 *
 * The directory appears whole or not at all: the files go to a sibling directory that is renamed
 * into place last, so a process killed halfway leaves no half store that would open as one.
 * The tarball is our own build's, yet it is read defensively: only regular files and
 * directories, no path outside the store, sizes within the archive.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, normalize, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** A tar header's fields (ustar), as the template uses them. */
const BLOCK = 512;

/** The template could not be unpacked: the caller falls back to initdb. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/**
 * Unpacks `template` into `dir`, which must not exist or be empty. Throws TemplateError (with
 * `dir` left as it was) when the archive is not one it can unpack.
 */
export function unpackTemplate(template: string, dir: string): { files: number; bytes: number } {
  const parent = dirname(dir);
  const staging = join(parent, `.${basename(dir)}.unpack-${process.pid}`);
  // Another process's staging directory is an unpacking that was killed: the caller holds the
  // store's lock, so nobody else is unpacking now.
  for (const entry of readdirSync(parent)) if (entry.startsWith(`.${basename(dir)}.unpack-`)) rmSync(join(parent, entry), { recursive: true, force: true });
  let tar: Buffer;
  try {
    tar = gunzipSync(readFileSync(template), { maxOutputLength: 512 * 1024 * 1024 });
  } catch (error) {
    throw new TemplateError(`cannot read the store template ${template}: ${(error as Error).message}`);
  }
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    const written = writeEntries(tar, staging);
    if (!written.files) throw new TemplateError(`the store template ${template} holds no file`);
    // The store's directory may already be there, empty: the lock sits beside it.
    try {
      rmdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    renameSync(staging, dir);
    return written;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error instanceof TemplateError ? error : new TemplateError(`cannot unpack the store template into ${dir}: ${(error as Error).message}`);
  }
}

function writeEntries(tar: Buffer, root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    // Two zero blocks end the archive; one is enough to stop.
    if (header.every((b) => b === 0)) break;
    const name = field(header, 0, 100);
    const prefix = field(header, 345, 155);
    const sizeText = field(header, 124, 12).trim();
    const size = sizeText === '' ? 0 : Number.parseInt(sizeText, 8);
    const type = String.fromCharCode(header[156] ?? 0);
    offset += BLOCK;
    if (!Number.isSafeInteger(size) || size < 0 || offset + size > tar.length) throw new TemplateError(`entry ${JSON.stringify(name)} claims ${sizeText} bytes, past the archive's end`);
    const relative = normalize((prefix ? `${prefix}/${name}` : name).replace(/^\/+/, ''));
    if (relative === '.' || relative === '') {
      offset += Math.ceil(size / BLOCK) * BLOCK;
      continue;
    }
    if (relative.startsWith(`..${sep}`) || relative === '..') throw new TemplateError(`entry ${JSON.stringify(name)} points outside the store`);
    const path = join(root, relative);
    if (type === '5') mkdirSync(path, { recursive: true, mode: 0o700 });
    else if (type === '0' || type === '\0') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeSparse(path, tar.subarray(offset, offset + size));
      files += 1;
      bytes += size;
    } else throw new TemplateError(`entry ${JSON.stringify(name)} is of type ${JSON.stringify(type)}, not a file or a directory`);
    offset += Math.ceil(size / BLOCK) * BLOCK;
  }
  return { files, bytes };
}

/** Writes `body` up to its trailing zeros, then sets the file's length: the zeros are a hole. */
function writeSparse(path: string, body: Buffer): void {
  let end = body.length;
  while (end > 0 && body[end - 1] === 0) end -= 1;
  const fd = openSync(path, 'w', 0o600);
  try {
    let done = 0;
    while (done < end) done += writeSync(fd, body, done, end - done, done);
    if (end < body.length) ftruncateSync(fd, body.length);
  } finally {
    closeSync(fd);
  }
}

/** A NUL-terminated text field of a tar header. */
function field(header: Buffer, start: number, length: number): string {
  const slice = header.subarray(start, start + length);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul === -1 ? slice.length : nul).toString('utf8');
}
