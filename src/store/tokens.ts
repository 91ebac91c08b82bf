/**
 * API tokens of a seal server. A token is `seal_<id>_<secret>`: the id finds the row, the secret
 * is checked against its stored SHA-256 in constant time. The secret itself is shown once, when
 * the token is created, and never stored.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import { audited } from './audit.js';
import type { LedgerDb } from './db.js';
import { apiTokens, boardSessions } from './schema.js';

/** What a token may do: `write` reports seals and releases (and reads); `read` views the board. */
export type TokenScope = 'read' | 'write';

/** A token as listed: never its secret. */
export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly scope: TokenScope;
  readonly created_at: string;
  readonly last_used_at: string | null;
  readonly revoked_at: string | null;
}

/** The token a request presented, once checked. */
export interface VerifiedToken {
  readonly id: string;
  readonly name: string;
  readonly scope: TokenScope;
}

const TOKEN_SHAPE = /^seal_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
/** `last_used_at` is written at most this often per token: a busy CI must not turn reads into writes. */
const TOUCH_EVERY_MS = 60_000;
/**
 * A token found valid is trusted for this long without asking the store again (a server
 * ingesting hundreds of seals a second saves a query each). So a revocation made by another
 * process (`seal token revoke`) reaches a running server within this time.
 */
export const VERIFIED_TTL_MS = 5_000;

const hashOf = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/** A board session id, as the cookie holds it: `seal_s_` and 43 random base64url characters. */
const SESSION_SHAPE = /^seal_s_[A-Za-z0-9_-]{43}$/;

/** How long a board sign-in lasts. */
export const SESSION_TTL_MS = 7 * 86_400_000;
const iso = (value: string | null): string | null => (value === null ? null : new Date(value).toISOString());

/** Tokens in the ledger's database. */
export class TokenStore {
  private readonly touched = new Map<string, number>();
  private readonly verified = new Map<string, { token: VerifiedToken; until: number }>();

  constructor(
    private readonly db: LedgerDb,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a token; the returned `token` is the only copy of its secret. */
  async create(name: string, scope: TokenScope = 'write'): Promise<{ token: string; info: TokenInfo }> {
    const clean = name.trim();
    if (clean === '' || clean.length > 100 || /\p{Cc}/u.test(clean)) throw new RangeError(`--name must be 1 to 100 printable characters (got ${JSON.stringify(name)})`);
    // Lower-case base36 id: readable in `seal token list`, unambiguous in logs.
    const id = [...randomBytes(12)].map((b) => (b % 36).toString(36)).join('');
    const secret = randomBytes(32).toString('base64url');
    await audited(this.db, async (db, note) => {
      await db.insert(apiTokens).values({ id, name: clean, scope, secretHash: hashOf(secret).toString('hex') });
      note({ kind: 'token', key: id, detail: `created: ${clean} (${scope})` });
    });
    const [info] = await this.list({ id });
    if (!info) throw new Error(`token ${id} vanished while being created`);
    return { token: `seal_${id}_${secret}`, info };
  }

  /** Every token (revoked ones too, marked), oldest first. */
  async list({ id }: { id?: string } = {}): Promise<TokenInfo[]> {
    const rows = await this.db
      .select()
      .from(apiTokens)
      .where(id === undefined ? undefined : eq(apiTokens.id, id))
      .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
    return rows.map((r) => ({ id: r.id, name: r.name, scope: r.scope, created_at: iso(r.createdAt) as string, last_used_at: iso(r.lastUsedAt), revoked_at: iso(r.revokedAt) }));
  }

  /** Revokes a token by id or name; returns how many were revoked. */
  /**
   * Signs a browser in with a verified token: a random session id for its cookie (never the
   * token). Only the id's hash is stored; expired sessions are cleared as new ones are made.
   */
  async createSession(tokenId: string, ttlMs = SESSION_TTL_MS): Promise<{ id: string; expiresAt: Date }> {
    const id = `seal_s_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(this.now() + ttlMs);
    await this.db.delete(boardSessions).where(lt(boardSessions.expiresAt, new Date(this.now()).toISOString()));
    await this.db.insert(boardSessions).values({ idHash: hashOf(id).toString('hex'), tokenId, expiresAt: expiresAt.toISOString() });
    return { id, expiresAt };
  }

  /** The token behind a board session, or null when the session is malformed, unknown, expired or its token revoked. */
  async verifySession(presented: string): Promise<VerifiedToken | null> {
    if (!SESSION_SHAPE.test(presented)) return null;
    const cached = this.verified.get(presented);
    if (cached && cached.until > this.now()) return cached.token;
    const [row] = await this.db
      .select({ id: apiTokens.id, name: apiTokens.name, scope: apiTokens.scope })
      .from(boardSessions)
      .innerJoin(apiTokens, eq(apiTokens.id, boardSessions.tokenId))
      .where(and(eq(boardSessions.idHash, hashOf(presented).toString('hex')), gt(boardSessions.expiresAt, new Date(this.now()).toISOString()), isNull(apiTokens.revokedAt)))
      .limit(1);
    if (!row) return null;
    const token: VerifiedToken = { id: row.id, name: row.name, scope: row.scope };
    if (this.verified.size >= 1000) this.verified.clear();
    this.verified.set(presented, { token, until: this.now() + VERIFIED_TTL_MS });
    return token;
  }

  async revoke(idOrName: string): Promise<number> {
    // Revoked here: this process forgets what it verified at once.
    this.verified.clear();
    return audited(this.db, async (db, note) => {
      let revoked = await db.update(apiTokens).set({ revokedAt: sql`now()` }).where(and(eq(apiTokens.id, idOrName), isNull(apiTokens.revokedAt))).returning({ id: apiTokens.id, name: apiTokens.name });
      if (revoked.length === 0) revoked = await db.update(apiTokens).set({ revokedAt: sql`now()` }).where(and(eq(apiTokens.name, idOrName), isNull(apiTokens.revokedAt))).returning({ id: apiTokens.id, name: apiTokens.name });
      for (const token of revoked) note({ kind: 'token', key: token.id, detail: `revoked: ${token.name}` });
      return revoked.length;
    });
  }

  /** Whether any token that is not revoked exists. */
  async any(): Promise<boolean> {
    const rows = await this.db.select({ id: apiTokens.id }).from(apiTokens).where(isNull(apiTokens.revokedAt)).limit(1);
    return rows.length > 0;
  }

  /** The token a request presented, or null when it is malformed, unknown, revoked or wrong. */
  async verify(presented: string): Promise<VerifiedToken | null> {
    const cached = this.verified.get(presented);
    if (cached && cached.until > this.now()) return cached.token;
    const match = TOKEN_SHAPE.exec(presented);
    if (!match) return null;
    const [, id, secret] = match as unknown as [string, string, string];
    const [row] = await this.db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
    // Hash and compare even when the row is missing, so timing does not tell which ids exist.
    const expected = row ? Buffer.from(row.secretHash, 'hex') : Buffer.alloc(32);
    const ok = timingSafeEqual(hashOf(secret), expected) && row !== undefined && row.revokedAt === null;
    if (!ok || !row) return null;
    const now = this.now();
    if ((this.touched.get(id) ?? 0) + TOUCH_EVERY_MS <= now) {
      this.touched.set(id, now);
      await this.db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, id));
    }
    const token: VerifiedToken = { id: row.id, name: row.name, scope: row.scope };
    if (this.verified.size >= 1000) this.verified.clear();
    this.verified.set(presented, { token, until: now + VERIFIED_TTL_MS });
    return token;
  }
}
