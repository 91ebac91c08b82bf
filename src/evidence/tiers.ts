/**
 * One test-tier vocabulary for the whole project: the tiers in order (the evidence ladder a
 * release climbs), each with the older names that mean it. Declared once, under `tiers:` in
 * seal.config.yaml, or the default below; every tier name anywhere (the config's
 * `expect_tiers`, `seal credit --tier`, the server's credits API) goes through `resolve`, and an
 * unknown one is refused with the list of known ones.
 */
import type { Diagnostic, Path } from '../config/diagnostics.js';

/** A tier as declared: its one name and the other names that map onto it. */
export interface TierDeclaration {
  readonly name: string;
  readonly aliases: readonly string[];
}

/** The tier the smoke seal credits itself, from its own run; always the ladder's last rung. */
export const PRODUCTION_SMOKE = 'production_smoke';

/** The default ladder, with the names teams most often used for each rung. */
export const DEFAULT_TIERS: readonly TierDeclaration[] = [
  { name: 'unit', aliases: ['units', 'unit_tests'] },
  { name: 'component', aliases: ['components', 'widget', 'widgets'] },
  { name: 'integration', aliases: ['integrations', 'integration_tests'] },
  { name: 'e2e', aliases: ['end_to_end', 'end-to-end', 'system'] },
  { name: PRODUCTION_SMOKE, aliases: ['smoke', 'prod_smoke', 'production-smoke'] },
];

/** A tier name or alias: letters, digits, "_" and "-", starting with a letter or digit. */
export const TIER_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/i;

/** The vocabulary in use: names in order, and every spelling that resolves to one of them. */
export class TierVocabulary {
  readonly tiers: readonly TierDeclaration[];
  private readonly byName: ReadonlyMap<string, string>;

  constructor(tiers: readonly TierDeclaration[]) {
    this.tiers = tiers;
    const byName = new Map<string, string>();
    for (const tier of tiers) for (const spelling of [tier.name, ...tier.aliases]) byName.set(spelling.toLowerCase(), tier.name);
    this.byName = byName;
  }

  /** The tier a name or alias means (case does not matter), or null. */
  resolve(name: string): string | null {
    return this.byName.get(name.trim().toLowerCase()) ?? null;
  }

  /** The tier a name means, or an Error that lists every known tier and alias. */
  resolveOrThrow(name: string, where: string): string {
    const tier = this.resolve(name);
    if (tier === null) throw new UnknownTierError(name, where, this);
    return tier;
  }

  /** The tiers in order, each with its aliases: for messages. */
  describe(): string {
    return this.tiers.map((t) => (t.aliases.length ? `${t.name} (also ${t.aliases.join(', ')})` : t.name)).join(', ');
  }

  /** The tier's place on the ladder (0 = lowest), or -1. */
  rank(tier: string): number {
    return this.tiers.findIndex((t) => t.name === tier);
  }
}

/** A tier name nobody declared. */
export class UnknownTierError extends Error {
  override readonly name = 'UnknownTierError';
  constructor(readonly given: string, where: string, vocabulary: TierVocabulary) {
    super(`unknown test tier ${JSON.stringify(given)} (${where}); the known tiers are: ${vocabulary.describe()}`);
  }
}

export const DEFAULT_VOCABULARY = new TierVocabulary(DEFAULT_TIERS);

/** A `tiers:` entry as written: a bare name, or `{ name, aliases }`. */
export type RawTier = string | { readonly name: string; readonly aliases?: readonly string[] | undefined };

/**
 * Builds the vocabulary from the config's `tiers:` (or the default when absent). Every problem is
 * a diagnostic at its path: a bad name, a name or alias given twice (which tier would it mean?).
 * `production_smoke` is added as the last rung when the list leaves it out: the seal credits it.
 */
export function vocabularyFrom(raw: readonly RawTier[] | undefined, at: Path = ['tiers']): { vocabulary: TierVocabulary; diagnostics: Diagnostic[] } {
  if (raw === undefined) return { vocabulary: DEFAULT_VOCABULARY, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, string>();
  const tiers: TierDeclaration[] = [];
  raw.forEach((entry, index) => {
    const declared = typeof entry === 'string' ? { name: entry, aliases: [] } : { name: entry.name, aliases: entry.aliases ?? [] };
    const spellings: [string, Path][] = [[declared.name, typeof entry === 'string' ? [...at, index] : [...at, index, 'name']], ...declared.aliases.map((alias, i): [string, Path] => [alias, [...at, index, 'aliases', i]])];
    let ok = true;
    for (const [spelling, path] of spellings) {
      if (!TIER_NAME.test(spelling)) {
        diagnostics.push({ level: 'error', path, message: `${JSON.stringify(spelling)} is not a tier name: use letters, digits, "_" and "-" (at most 40)` });
        ok = false;
        continue;
      }
      const key = spelling.toLowerCase();
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        diagnostics.push({ level: 'error', path, message: `${JSON.stringify(spelling)} is already ${earlier === key ? 'declared' : `a name of tier ${earlier}`}: each name means one tier` });
        ok = false;
        continue;
      }
      seen.set(key, declared.name.toLowerCase());
    }
    if (ok) tiers.push({ name: declared.name.toLowerCase(), aliases: declared.aliases.map((a) => a.toLowerCase()) });
  });
  if (tiers.length === 0 && diagnostics.length === 0) diagnostics.push({ level: 'error', path: at, message: 'declares no tier: list them in order, lowest first (or leave tiers: out for the default ladder)' });
  if (!seen.has(PRODUCTION_SMOKE)) tiers.push({ name: PRODUCTION_SMOKE, aliases: [] });
  return { vocabulary: new TierVocabulary(tiers), diagnostics };
}
