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

/** One line per rung, for the terminal. */
export function renderLadder(ladder: readonly Rung[], time: (iso: string) => string = (iso) => iso): string[] {
  return ladder.map((r) => {
    const mark = r.state === 'credited' ? '✓ credited' : r.state === 'not_credited' ? '✗ not credited' : '· missing';
    const c = r.credit;
    const detail = !c
      ? r.expected ? 'expected by the config' : ''
      : c.credited
        ? `${c.tests} test${c.tests === 1 ? "" : "s"} (${c.passed} passed${c.flaky ? `, ${c.flaky} flaky` : ''}${c.skipped ? `, ${c.skipped} skipped` : ''}), ${c.format}, sha256 ${c.report_sha256.slice(0, 12)}, by ${c.credited_by}, ${time(c.created_at)}`
        : `${c.reason ?? ''} (${c.format}, sha256 ${c.report_sha256.slice(0, 12)}, by ${c.credited_by}, ${time(c.created_at)})`;
    return `${r.tier.padEnd(18)} ${mark.padEnd(15)} ${detail}`.trimEnd();
  });
}
