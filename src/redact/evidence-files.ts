/**
 * The run's evidence folder passes through the redactor before the run is reported: Playwright
 * writes traces (zips holding every request with its headers, the page's URLs and bodies) and
 * reports that no redactor saw. Every text file, and every text entry of a zip (traces
 * included), is redacted in place; images are kept as they are; a binary file or entry has the
 * raw secret values masked byte for byte. A file too large to redact is removed, with a note.
 * Walked with a stack and bounded (depth, files, bytes): the folder holds what production sent.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, type Dirent } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative, sep } from 'node:path';
import type * as Fflate from 'fflate';
import type { Unzipped } from 'fflate';
import { errorMessage } from '../errors.js';
import type { Redactor } from './redact.js';
import { hashFile } from '../runner/evidence-hashes.js';
import type { EvidenceFileHash } from '../runner/run-result.js';

/** Bounds of the walk: deeper folders and files past the count are not kept. */
const MAX_DEPTH = 8;
const MAX_FILES = 5_000;
/** A file (or a zip's whole content) larger than this is removed rather than kept unredacted. */
const MAX_BYTES = 128 * 1024 * 1024;

const IMAGE = /\.(png|jpe?g|gif|webp|avif|bmp|ico)$/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The zip codec, loaded with the first zip (a trace): an HTTP-only seal never parses it. */
type Zip = typeof Fflate;

/**
 * Redacts every file under `dir`. Returns notes for what it had to remove (relative paths), and
 * every file that stays with its SHA-256 as it was left (the run result's `evidence_files`, which
 * `seal audit verify` checks later): hashed in the same walk, from the bytes already read.
 */
export async function redactEvidenceFolder(dir: string, redactor: Redactor): Promise<{ notes: string[]; files: EvidenceFileHash[] }> {
  let zip: Zip | null = null;
  const notes: string[] = [];
  const kept: EvidenceFileHash[] = [];
  const keep = (full: string, hash: { sha256: string; bytes: number } | null): void => {
    if (hash) kept.push({ path: relative(dir, full).split(sep).join('/'), ...hash });
  };
  const masks = redactor.forms.map((form) => Buffer.from(form));
  const stack: { path: string; depth: number }[] = [{ path: dir, depth: 0 }];
  let files = 0;
  while (stack.length > 0) {
    const { path, depth } = stack.pop() as { path: string; depth: number };
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        if (depth + 1 <= MAX_DEPTH) stack.push({ path: full, depth: depth + 1 });
        else remove(full, `nested deeper than ${MAX_DEPTH} folders`);
        continue;
      }
      if (!entry.isFile()) continue;
      if (++files > MAX_FILES) {
        remove(full, `more than ${MAX_FILES} evidence files`);
        continue;
      }
      if (IMAGE.test(entry.name)) {
        // Kept as it is: only hashed.
        keep(full, hashOf(full));
        continue;
      }
      try {
        if (statSync(full).size > MAX_BYTES) {
          remove(full, `larger than ${MAX_BYTES / 1024 / 1024} MiB, too large to redact`);
          continue;
        }
        const data = readFileSync(full);
        if (entry.name.endsWith('.zip')) zip ??= await import('fflate');
        const redacted = entry.name.endsWith('.zip') && zip ? redactZip(zip, data, redactor, masks) : redactBytes(data, redactor, masks);
        if (redacted === 'too-large') remove(full, `its content is larger than ${MAX_BYTES / 1024 / 1024} MiB, too large to redact`);
        else {
          if (redacted !== data) writeFileSync(full, redacted);
          keep(full, { sha256: createHash('sha256').update(redacted).digest('hex'), bytes: redacted.length });
        }
      } catch (error) {
        remove(full, `it could not be redacted (${errorMessage(error)})`);
      }
    }
  }
  kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { notes, files: kept };

  function remove(path: string, why: string): void {
    rmSync(path, { recursive: true, force: true });
    notes.push(`evidence ${relative(dir, path)} was removed: ${why}`);
  }
}

/** A file's SHA-256 (read in chunks: an image is not held whole) and size, or null when it is gone. */
function hashOf(path: string): { sha256: string; bytes: number } | null {
  const sha256 = hashFile(path);
  if (sha256 === null) return null;
  try {
    return { sha256, bytes: statSync(path).size };
  } catch {
    return null;
  }
}

/** Text (valid UTF-8) through the redactor; anything else with the secrets masked. Returns the input itself when nothing changed. */
function redactBytes(data: Uint8Array, redactor: Redactor, masks: readonly Buffer[]): Uint8Array {
  let text: string | null;
  try {
    text = strictUtf8.decode(data);
  } catch {
    text = null;
  }
  if (text !== null) {
    const out = redactor.text(text);
    return out === text ? data : Buffer.from(out, 'utf8');
  }
  let copy: Buffer | null = null;
  for (const mask of masks) {
    const source: Buffer = copy ?? Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let at = source.indexOf(mask);
    while (at >= 0) {
      copy ??= Buffer.from(source);
      copy.fill(0x2a, at, at + mask.length);
      at = copy.indexOf(mask, at + mask.length);
    }
  }
  return copy ?? data;
}

/** Every entry of a zip redacted (images kept); the zip written again only when something changed. */
function redactZip({ unzipSync, zipSync }: Zip, data: Buffer, redactor: Redactor, masks: readonly Buffer[]): Uint8Array | 'too-large' {
  let total = 0;
  const files: Unzipped = unzipSync(data, {
    filter: (file) => {
      total += file.originalSize;
      return true;
    },
  });
  if (total > MAX_BYTES) return 'too-large';
  let changed = false;
  for (const [name, content] of Object.entries(files)) {
    if (IMAGE.test(name)) continue;
    const out = redactBytes(content, redactor, masks);
    if (out !== content) {
      files[name] = new Uint8Array(out);
      changed = true;
    }
  }
  return changed ? zipSync(files, { level: 6 }) : data;
}
