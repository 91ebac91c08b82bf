// Loaded with `node --import ./bench/net-guard.mjs ...` into every process the bench times.
// Any TCP connection to a host outside the loopback range is refused before it is attempted
// (no DNS lookup, no packet leaves) and its host is appended to SEAL_BENCH_NETGUARD_FILE.
// That both keeps the bench loopback-only and proves it: a tool that phones home (telemetry)
// shows up in the report instead of silently waiting on a network that is not there.
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import process from 'node:process';

const logFile = process.env.SEAL_BENCH_NETGUARD_FILE;
const original = net.Socket.prototype.connect;

net.Socket.prototype.connect = function guardedConnect(...args) {
  const host = targetHost(args);
  if (host === null || isLoopback(host)) return original.apply(this, args);
  if (logFile) appendFileSync(logFile, `${host}\n`);
  const error = Object.assign(new Error(`bench net guard: refused a connection to ${host} (loopback only)`), {
    code: 'ECONNREFUSED',
  });
  process.nextTick(() => this.destroy(error));
  return this;
};

/** The host a connect() call aims at, or null for a Unix socket path. */
function targetHost(args) {
  // net.connect() hands Socket#connect its already-normalized [options, callback] array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === 'object') {
    if (first.path) return null;
    return String(first.host ?? 'localhost');
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return typeof args[1] === 'string' ? args[1] : 'localhost';
  }
  return typeof first === 'string' ? null : 'localhost';
}

function isLoopback(host) {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}
