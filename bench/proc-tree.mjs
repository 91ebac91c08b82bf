// The memory of a whole process tree (a CLI, its Node workers, Chromium and its helpers), read
// from /proc on Linux. A process belongs to the tree when its parent-pid chain (/proc/<pid>/stat)
// leads to the root: Playwright starts Chromium in a process group of its own, so following
// parents finds it where the root's process group would not. Each process counts with its PSS
// (/proc/<pid>/smaps_rollup), which splits shared pages among the processes that share them,
// so the sum is what the tree really holds; VmRSS from /proc/<pid>/status when smaps_rollup
// cannot be read for lack of permission (it then counts shared pages more than once).
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

/** The fields of /proc/<pid>/stat after "pid (comm) ", where comm may itself hold ") ". */
const statFields = (text) => text.slice(text.lastIndexOf(')') + 2).split(' ');
/** When the process started (clock ticks since boot): a pid plus this names one process for good. */
const startTime = (text) => statFields(text)[19];

/** parent pid → child pids, from /proc/<pid>/stat. */
function childrenMap(stats) {
  const children = new Map();
  for (const [pid, text] of stats) {
    if (text === null) continue;
    const ppid = Number(statFields(text)[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  return children;
}

/** The root and every descendant, breadth first; bounded by the number of processes seen. */
function descendants(root, children) {
  const tree = [root];
  const seen = new Set(tree);
  for (let i = 0; i < tree.length; i += 1) {
    for (const child of children.get(tree[i]) ?? []) {
      if (!seen.has(child)) {
        seen.add(child);
        tree.push(child);
      }
    }
  }
  return tree;
}

const pidsIn = (names) => names.filter((name) => /^\d+$/.test(name)).map(Number);
const swallow = () => null; // a process that exits between readdir and read is simply gone

/** Every process's /proc/<pid>/stat text (null for one that exited meanwhile); synchronous, ~3 ms. */
function readStats() {
  return pidsIn(readdirSync('/proc')).map((pid) => {
    try {
      return [pid, readFileSync(`/proc/${pid}/stat`, 'utf8')];
    } catch {
      return [pid, null];
    }
  });
}

/** The pids of the tree under `root` right now, each noted in `seen` (pid → start time). */
export function treePids(root, seen = new Map()) {
  const stats = readStats();
  const tree = descendants(root, childrenMap(stats));
  const statOf = new Map(stats);
  for (const pid of tree) if (statOf.get(pid)) seen.set(pid, startTime(statOf.get(pid)));
  return tree;
}

/**
 * Which of the processes a watcher saw in the tree are still running (same pid, same start
 * time, not a zombie), with their names: what a run left behind after its root exited.
 */
export function stillRunning(seen) {
  const alive = [];
  for (const [pid, started] of seen) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // A zombie (Z) has exited; only its parent can reap it, and here its parent may be an init
      // that takes its time. Nothing is left to kill.
      const state = statFields(text)[0];
      if (startTime(text) === started && state !== 'Z' && state !== 'X') alive.push({ pid, comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')) });
    } catch {
      // gone, as it should be
    }
  }
  return alive;
}

/**
 * One process's memory in KiB: PSS, or VmRSS when smaps_rollup cannot be read (permissions);
 * null for a process that is gone or exiting (no smaps_rollup, no memory left to count).
 */
async function memoryKb(pid) {
  let rollup;
  try {
    rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch (error) {
    if (error.code !== 'EACCES' && error.code !== 'EPERM') return null;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(swallow);
    const rss = status && /^VmRSS:\s+(\d+) kB/m.exec(status);
    return rss ? { kb: Number(rss[1]), pss: false } : null;
  }
  const pss = /^Pss:\s+(\d+) kB/m.exec(rollup);
  return pss ? { kb: Number(pss[1]), pss: true } : null;
}

/**
 * Watches the tree under `root` until stop() is called: every `intervalMs` it finds the tree's
 * processes (noting each in `seen`, for stillRunning()), and with `memory: true` it also sums
 * their memory. A round starts `intervalMs` after the previous one started, or right after it
 * ends if it took longer. The stat scan is synchronous (a few ms); the memory reads are
 * asynchronous, in parallel, so the bench's page server keeps answering meanwhile. Reading
 * smaps_rollup is not cheap: the kernel walks the process's page tables (several ms for each
 * Chromium process), so memory is sampled in runs of their own, never in the timed ones.
 * stop() resolves with the peak (KiB), the process count at the peak, how often a round really
 * started, what the rounds cost the bench process in CPU, and `seen`.
 */
export function watchTree(root, { intervalMs, memory }) {
  const seen = new Map();
  const result = { peakKb: 0, processesAtPeak: 0, mostProcesses: 0, rssFallbacks: 0, samples: 0 };
  const starts = [];
  const cpuBefore = process.cpuUsage();
  let stopped = false;
  let timer = null;
  let current = Promise.resolve();
  const round = async () => {
    const tree = treePids(root, seen);
    if (!memory) return;
    const memories = (await Promise.all(tree.map(memoryKb))).filter((m) => m !== null);
    const kb = memories.reduce((sum, m) => sum + m.kb, 0);
    result.samples += 1;
    result.mostProcesses = Math.max(result.mostProcesses, memories.length);
    result.rssFallbacks = Math.max(result.rssFallbacks, memories.filter((m) => !m.pss).length);
    if (kb > result.peakKb) Object.assign(result, { peakKb: kb, processesAtPeak: memories.length });
  };
  const tick = () => {
    const started = performance.now();
    starts.push(started);
    current = round()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, Math.max(0, intervalMs - (performance.now() - started)));
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
      const cpu = process.cpuUsage(cpuBefore);
      const gaps = starts.slice(1).map((t, i) => t - starts[i]).sort((a, b) => a - b);
      return { ...result, seen, intervalMedianMs: gaps[Math.floor(gaps.length / 2)] ?? null, cpuMs: (cpu.user + cpu.system) / 1000 };
    },
  };
}
