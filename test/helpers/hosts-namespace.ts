/**
 * A command line run with its own /etc/hosts (a user and mount namespace, bind-mounted), so
 * tests can give production several names (its own, an alias) that every real client resolves,
 * without touching the machine's file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Null when a mount namespace can be made here, else why not. */
export function hostsNamespaceUnavailable(): string | null {
  try {
    execFileSync('unshare', ['--user', '--map-root-user', '--mount', '--', 'true'], { stdio: 'pipe', timeout: 10_000 });
    return null;
  } catch (error) {
    return `user and mount namespaces are not available (${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()})`;
  }
}

/** A shell command line that runs `command` with `names` resolving to `address` (and localhost kept). */
export function withHosts(names: readonly string[], address: string, command: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'seal-hosts-'));
  const hosts = join(dir, 'hosts');
  writeFileSync(hosts, `127.0.0.1 localhost\n::1 localhost ip6-localhost\n${address} ${names.join(' ')}\n`);
  const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;
  return `unshare --user --map-root-user --mount -- sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' ${quote(hosts)} ${command.map(quote).join(' ')}`;
}
