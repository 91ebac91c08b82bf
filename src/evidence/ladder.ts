/**
 * A release's evidence ladder: every tier of the vocabulary, lowest first, with its newest
 * credit (credited, or not with the reason) or missing; tiers credited under a name the
 * vocabulary no longer has come last, as recorded.
 */
import type { TierCredit } from '../store/credits.js';
import type { TierVocabulary } from './tiers.js';

export interface Rung {
  readonly tier: string;
  readonly state: 'credited' | 'not_credited' | 'missing';
  /** The app's config expects this tier on every release (expect_tiers). */
  readonly expected: boolean;
  readonly credit: TierCredit | null;
}

export function ladderOf(vocabulary: TierVocabulary, credits: readonly TierCredit[], expected: readonly string[] = []): Rung[] {
  const byTier = new Map<string, TierCredit>();
  const others: TierCredit[] = [];
  for (const credit of credits) {
    const tier = vocabulary.resolve(credit.tier);
    if (tier === null) others.push(credit);
    else if ((byTier.get(tier)?.created_at ?? '') <= credit.created_at) byTier.set(tier, credit);
  }
  const rung = (tier: string, credit: TierCredit | null): Rung => ({ tier, state: credit === null ? 'missing' : credit.credited ? 'credited' : 'not_credited', expected: expected.includes(tier), credit });
  return [...vocabulary.tiers.map((t) => rung(t.name, byTier.get(t.name) ?? null)), ...others.map((c) => rung(c.tier, c))];
}

/** The expected tiers a release does not have credited: for the seal's warning. */
export function missingExpected(ladder: readonly Rung[]): string[] {
  return ladder.filter((r) => r.expected && r.state !== 'credited').map((r) => (r.state === 'missing' ? r.tier : `${r.tier} (not credited: ${r.credit?.reason ?? 'no reason'})`));
}

/** What a credit counted, in words: "3 tests: 2 passed, 1 skipped". */
export function countsText(c: TierCredit): string {
  return `${c.tests} test${c.tests === 1 ? '' : 's'}: ${c.passed} passed${c.flaky ? `, ${c.flaky} flaky` : ''}${c.skipped ? `, ${c.skipped} skipped` : ''}`;
}

/** A rung's state in words, with its mark. */
export const RUNG_TEXT: Readonly<Record<Rung['state'], string>> = { credited: '✓ credited', not_credited: '✗ not credited', missing: '· missing' };

/** One row per rung (tier, state, evidence), for a terminal table. */
export function ladderRows(ladder: readonly Rung[], time: (iso: string) => string): string[][] {
  return ladder.map((r) => {
    const c = r.credit;
    const source = c ? `${c.format}, sha256 ${c.report_sha256.slice(0, 12)}, by ${c.credited_by}, ${time(c.created_at)}` : '';
    const evidence = !c ? (r.expected ? 'expected by the config' : '') : c.credited ? `${countsText(c)} (${source})` : `${c.reason ?? ''} (${source})`;
    return [r.tier, RUNG_TEXT[r.state], evidence];
  });
}
