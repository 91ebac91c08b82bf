/**
 * `seal token create|list|revoke`: who may write to (or read) a seal server. A new token is
 * printed once, on stdout, and only its hash is stored.
 */
import { SealError } from '../../errors.js';
import { TokenStore, type TokenScope } from '../../store/tokens.js';
import type { CliIo } from '../io.js';
import { table } from '../../reporters/columns.js';
import { localTime } from '../text.js';
import { withStore } from '../store.js';

function withTokens(io: CliIo, work: (tokens: TokenStore) => Promise<number>): Promise<number> {
  return withStore(io, (db) => work(new TokenStore(db)));
}

/** `seal token create --name N [--scope write|read]` */
export function tokenCreateCommand(options: { name: string; scope?: string; json?: boolean }, io: CliIo): Promise<number> {
  return withTokens(io, async (tokens) => {
    const scope = (options.scope ?? 'write') as TokenScope;
    if (scope !== 'write' && scope !== 'read') throw new SealError(`--scope must be write or read, got ${JSON.stringify(options.scope)}`);
    let created: Awaited<ReturnType<TokenStore['create']>>;
    try {
      created = await tokens.create(options.name, scope);
    } catch (error) {
      if (error instanceof RangeError) throw new SealError(error.message);
      throw error;
    }
    io.stdout.write(options.json ? `${JSON.stringify({ token: created.token, ...created.info })}\n` : `${created.token}\n`);
    io.stderr.write(
      `Created ${scope} token ${created.info.id} (${created.info.name}). It is shown once: store it now, ` +
        `e.g. as SEAL_TOKEN in your CI's secrets. Revoke it with \`seal token revoke ${created.info.id}\`.\n`,
    );
    return 0;
  });
}

/** `seal token list` */
export function tokenListCommand(options: { json?: boolean }, io: CliIo): Promise<number> {
  return withTokens(io, async (tokens) => {
    const list = await tokens.list();
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ tokens: list })}\n`);
      return 0;
    }
    if (list.length === 0) {
      io.stderr.write('no tokens yet (seal token create --name NAME)\n');
      return 0;
    }
    const rows = list.map((t) => [t.id, t.scope, t.name, localTime(t.created_at), t.revoked_at ? `revoked ${localTime(t.revoked_at)}` : t.last_used_at ? `last used ${localTime(t.last_used_at)}` : 'never used']);
    io.stdout.write(`${table(['ID', 'SCOPE', 'NAME', 'CREATED', 'STATE'], rows)}\n`);
    return 0;
  });
}

/** `seal token revoke <id-or-name>` */
export function tokenRevokeCommand(idOrName: string, io: CliIo): Promise<number> {
  return withTokens(io, async (tokens) => {
    const revoked = await tokens.revoke(idOrName);
    if (revoked === 0) {
      io.stderr.write(`seal: no active token with id or name ${JSON.stringify(idOrName)} (seal token list)\n`);
      return 1;
    }
    io.stderr.write(`revoked ${revoked} token${revoked === 1 ? '' : 's'}: a running seal server refuses ${revoked === 1 ? 'it' : 'them'} (401) within 5 s\n`);
    return 0;
  });
}
