/**
 * Which Playwright worker dialled a connection that went around the proxy. Inside the sandbox
 * such a connection lands on a transparent listener, so nothing in it says who sent it; the
 * kernel does: the namespace's socket table (/proc/<pid>/net/tcp*) names the socket's inode,
 * the process holding that inode is found among the namespace's processes, and its environment
 * says which worker it belongs to (Chromium and every other child of a worker inherit
 * TEST_PARALLEL_INDEX). Linux only, like the sandbox; bounded in time and in bytes read.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';

/** A process environment larger than this is not read. */
const MAX_ENVIRON_BYTES = 1024 * 1024;

/**
 * The Playwright parallel index of the process that dialled `socket`, or null when it cannot be
 * told. Synchronous on purpose: /proc answers from memory (a whole scan took about 5 ms for 80
 * processes), and queued on libuv's thread pool these reads held up the guard's name lookups.
 */
export function workerOfConnection(nsPid: number, socket: Socket): Promise<number | null> {
  try {
    return Promise.resolve(findWorker(nsPid, socket));
  } catch {
    return Promise.resolve(null);
  }
}

function findWorker(nsPid: number, socket: Socket): number | null {
  // The dialler's end of the connection is our remote end, and the other way round.
  const inode = inodeOf(nsPid, socket.remoteAddress ?? '', socket.remotePort ?? 0, socket.localAddress ?? '', socket.localPort ?? 0);
  if (inode === null) return null;
  const pid = holderOf(nsPid, inode);
  if (pid === null) return null;
  const file = `/proc/${pid}/environ`;
  const environ = statSync(file).size > MAX_ENVIRON_BYTES ? '' : readFileSync(file, 'utf8');
  const entry = environ.split('\0').find((e) => e.startsWith('TEST_PARALLEL_INDEX='));
  const index = Number(entry?.slice('TEST_PARALLEL_INDEX='.length));
  return entry && Number.isInteger(index) && index >= 0 ? index : null;
}

/** The inode of the socket from `local` to `remote` in the namespace of `nsPid`. */
function inodeOf(nsPid: number, localAddress: string, localPort: number, remoteAddress: string, remotePort: number): string | null {
  const wanted = [`${hexAddress(localAddress)}:${hexPort(localPort)}`, `${hexAddress(remoteAddress)}:${hexPort(remotePort)}`];
  for (const table of ['tcp', 'tcp6']) {
    const text = readOrEmpty(() => readFileSync(`/proc/${nsPid}/net/${table}`, 'utf8'));
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (fields.length > 9 && sameEnd(fields[1], wanted[0]) && sameEnd(fields[2], wanted[1])) return fields[9] ?? null;
    }
  }
  return null;
}

/** The process in `nsPid`'s network namespace that holds socket `inode`. */
function holderOf(nsPid: number, inode: string): number | null {
  const namespace = readlinkSync(`/proc/${nsPid}/ns/net`);
  const target = `socket:[${inode}]`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || readOrEmpty(() => readlinkSync(`/proc/${entry}/ns/net`)) !== namespace) continue;
    const fds = (() => {
      try {
        return readdirSync(`/proc/${entry}/fd`);
      } catch {
        return [];
      }
    })();
    for (const fd of fds) if (readOrEmpty(() => readlinkSync(`/proc/${entry}/fd/${fd}`)) === target) return Number(entry);
  }
  return null;
}

/** What a read of /proc gives, or '' when the process is gone or not ours to read. */
function readOrEmpty(read: () => string): string {
  try {
    return read();
  } catch {
    return '';
  }
}

/** An address as /proc/net/tcp* writes it: IPv4 as one little-endian word, IPv6 as four. */
function hexAddress(address: string): string {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(address);
  if (v4) return v4.slice(1, 5).map((n) => Number(n).toString(16).padStart(2, '0')).reverse().join('').toUpperCase();
  const groups = expandV6(address);
  const words: string[] = [];
  for (let i = 0; i < 8; i += 2) {
    const word = `${groups[i]}${groups[i + 1]}`;
    words.push((word.match(/../g) ?? []).reverse().join(''));
  }
  return words.join('').toUpperCase();
}

function expandV6(address: string): string[] {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...(address.includes('::') ? middle : []), ...right].map((g) => g.padStart(4, '0'));
}

function hexPort(port: number): string {
  return port.toString(16).padStart(4, '0').toUpperCase();
}

/** The same end, whether the table lists it as IPv4 or as IPv4-mapped IPv6. */
function sameEnd(field: string | undefined, wanted: string | undefined): boolean {
  if (!field || !wanted) return false;
  if (field === wanted) return true;
  // ::ffff:a.b.c.d in tcp6 is 0000000000000000FFFF0000<a.b.c.d>
  return field.length === 37 && wanted.length === 13 && field === `0000000000000000FFFF0000${wanted}`;
}
