/**
 * Lint for what could get around the read-only guard: exec commands that opt out of its proxy,
 * secrets pasted into shell scripts, and reads that ask the server to act as a write
 * (`X-HTTP-Method-Override: DELETE`, `?_method=DELETE`). Pure: config in, diagnostics out.
 */
import { basename } from 'node:path';
import { isReadMethod, METHOD_OVERRIDE_HEADERS } from '../guard/policy.js';
import type { Diagnostic, Path } from './diagnostics.js';
import type { RawApp, RawCheck } from './schema.js';
import { resolveCheckUrl } from './urls.js';

/** Ways a command steps around the proxy variables, each with what to call it. */
const OPT_OUTS: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /(^|\s)--noproxy(\s|=|$)/, what: 'curl --noproxy' },
  { pattern: /(^|\s)--no-proxy(\s|=|$)/, what: 'wget --no-proxy' },
  { pattern: /(^|\s)(-x|--proxy|--preproxy|--socks5[-a-z]*)(\s|=)/, what: 'a proxy of its own (curl -x/--proxy)' },
  { pattern: /(^|[\s;&|(])env\s+(-\S+\s+)*(-i|--ignore-environment)(\s|$)/, what: 'env -i (an empty environment)' },
  { pattern: /(^|[\s;&|(])env\s[^;&|]*-u\s*(https?_proxy|all_proxy|node_options|node_use_env_proxy|ssl_cert_file|curl_ca_bundle|requests_ca_bundle)\b/i, what: 'env -u (removing the proxy variables or the preload)' },
  { pattern: /(^|[\s;&|(])unset\s[^;&|]*\b(https?_proxy|all_proxy|node_options)\b/i, what: 'unset (removing the proxy variables or the preload)' },
  { pattern: /(^|[\s;&|(])no_proxy=/i, what: 'NO_PROXY' },
  { pattern: /\/dev\/(tcp|udp)\//, what: "bash's /dev/tcp" },
  { pattern: /(^|[\s;&|(])(nc|ncat|netcat|socat|telnet)(\s|$)/, what: 'a raw TCP client (nc, socat, telnet)' },
  { pattern: /trust_env\s*=\s*False|ProxyHandler\(\s*\{\s*\}\s*\)/, what: 'Python code that ignores the proxy variables' },
];

/** Programs that need a direct connection, which the network sandbox refuses. */
const DIRECT_CLIENTS = /^(ssh|scp|sftp|rsync|psql|pg_isready|mysql|mysqladmin|mariadb|redis-cli|mongosh|mongo|nc|ncat|telnet)$/;

const SHELLS = /^(sh|bash|dash|zsh|ksh|ash|busybox)$/;

/** Lints one check for what could get around the guard. */
export function lintGuardedCheck(app: RawApp, check: RawCheck, at: Path, interpolatedPaths: ReadonlySet<string>, out: Diagnostic[]): void {
  if (check.network_sandbox !== undefined && !check.exec && !check.playwright) {
    out.push({ level: 'error', path: [...at, 'network_sandbox'], message: 'only exec and playwright checks run in the network sandbox (browser checks always go through the guard)' });
  }
  if (check.exec) lintExec(app, check, at, interpolatedPaths, out);
  if (check.http !== undefined) {
    const spec = typeof check.http === 'string' ? { path: check.http, headers: {} } : check.http;
    lintOverrideHeaders(spec.headers ?? {}, [...at, 'http', 'headers'], out);
    lintMethodParam(app, spec.path, [...at, 'http', ...(typeof check.http === 'string' ? [] : ['path'])], out);
  }
  if (check.browser !== undefined) {
    lintMethodParam(app, typeof check.browser === 'string' ? check.browser : check.browser.path, [...at, 'browser', ...(typeof check.browser === 'string' ? [] : ['path'])], out);
  }
}

/** Lints the app's `allow_requests`. */
export function lintAllowRequests(app: RawApp, at: Path, out: Diagnostic[]): void {
  (app.allow_requests ?? []).forEach((rule, index) => {
    if (isReadMethod(rule.method)) {
      out.push({ level: 'warning', path: [...at, 'allow_requests', index, 'method'], message: `${rule.method.toUpperCase()} is a read and always goes through: this entry does nothing` });
    }
  });
}

function lintExec(app: RawApp, check: RawCheck, at: Path, interpolatedPaths: ReadonlySet<string>, out: Diagnostic[]): void {
  const command = check.exec?.command ?? [];
  const sandbox = check.network_sandbox ?? app.network_sandbox ?? 'auto';
  const text = command.join(' ');
  const found = OPT_OUTS.filter((o) => o.pattern.test(text)).map((o) => o.what);
  if (found.length > 0) {
    const consequence = sandbox === 'off'
      ? 'with network_sandbox: off, its writes reach production unseen'
      : 'inside the network sandbox it reaches nothing but the guard, but where the sandbox is unavailable its writes reach production unseen (network_sandbox: required makes that an error instead)';
    out.push({ level: 'warning', path: [...at, 'exec', 'command'], message: `steps around the read-only guard's proxy (${found.join(', ')}): ${consequence}` });
  }
  const program = basename(command[0] ?? '');
  if (sandbox !== 'off' && DIRECT_CLIENTS.test(program)) {
    out.push({ level: 'warning', path: [...at, 'exec', 'command', 0], message: `${program} needs a direct connection, which the network sandbox refuses: give this check network_sandbox: off (its traffic is then outside the guard)` });
  }
  // `[sh, -c, "… ${TOKEN} …"]`: the shell splits and expands the secret.
  if (SHELLS.test(program)) {
    const flag = command.findIndex((arg, index) => index > 0 && /^-[a-z]*c[a-z]*$/i.test(arg));
    const script = flag > 0 ? flag + 1 : -1;
    if (script > 0 && script < command.length && interpolatedPaths.has(JSON.stringify([...at, 'exec', 'command', script]))) {
      out.push({
        level: 'warning',
        path: [...at, 'exec', 'command', script],
        message: 'a ${VAR} value pasted into a shell script is split and expanded by the shell (a secret with spaces, & or ; breaks, and a part of it can be printed unredacted): pass it in env: and write "$NAME" in the script',
      });
    }
  }
}

function lintOverrideHeaders(headers: Readonly<Record<string, string>>, at: Path, out: Diagnostic[]): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!(METHOD_OVERRIDE_HEADERS as readonly string[]).includes(name.toLowerCase())) continue;
    if (isReadMethod(value.trim())) {
      out.push({ level: 'warning', path: [...at, name], message: `${name} asks the server to treat this request as another method; here it names a read (${value}), so it does nothing` });
    } else {
      out.push({ level: 'error', path: [...at, name], message: `${name}: ${value} turns this read into a ${value.trim().toUpperCase()} on servers that honour it: refused, the suite is read-only (the guard blocks such requests too)` });
    }
  }
}

function lintMethodParam(app: RawApp, path: string, at: Path, out: Diagnostic[]): void {
  let url: URL;
  try {
    url = new URL(resolveCheckUrl(app.production_url, path));
  } catch {
    return;
  }
  for (const value of url.searchParams.getAll('_method')) {
    if (isReadMethod(value.trim())) {
      out.push({ level: 'warning', path: at, message: `_method=${value} asks the server to treat this request as another method; here it names a read, so it does nothing` });
    } else {
      out.push({ level: 'error', path: at, message: `_method=${value} turns this read into a ${value.trim().toUpperCase()} on servers that honour it (Rails, Laravel): refused, the suite is read-only (the guard blocks such requests too)` });
    }
  }
}
