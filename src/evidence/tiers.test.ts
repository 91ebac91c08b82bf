/** One tier vocabulary: declared once in the config, aliases mapped, unknown names refused with the list. */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../config/diagnostics.js';
import { inspectConfig } from '../config/load.js';
import { DEFAULT_VOCABULARY, UnknownTierError, vocabularyFrom } from './tiers.js';

const config = (extra: string, app = ''): string => `apps:\n  web:\n    production_url: https://web.example\n${app}${extra}`;

describe('the tier vocabulary', () => {
  it('by default: the five rungs in order, older names mapped onto them, case aside', () => {
    expect(DEFAULT_VOCABULARY.tiers.map((t) => t.name)).toEqual(['unit', 'component', 'integration', 'e2e', 'production_smoke']);
    expect(['components', 'Widget', 'component'].map((n) => DEFAULT_VOCABULARY.resolve(n))).toEqual(['component', 'component', 'component']);
    expect(DEFAULT_VOCABULARY.resolve('End-To-End')).toBe('e2e');
    expect(DEFAULT_VOCABULARY.resolve('smoke')).toBe('production_smoke');
    expect(DEFAULT_VOCABULARY.resolve('acceptance')).toBeNull();
    expect(() => DEFAULT_VOCABULARY.resolveOrThrow('acceptance', '--tier')).toThrow(UnknownTierError);
    expect(() => DEFAULT_VOCABULARY.resolveOrThrow('acceptance', '--tier')).toThrow('unknown test tier "acceptance" (--tier); the known tiers are: unit (also units, unit_tests), component (also components, widget, widgets), integration (also integrations, integration_tests), e2e (also end_to_end, end-to-end, system), production_smoke (also smoke, prod_smoke, production-smoke)');
  });

  it('declared in the config: its own order and aliases, production_smoke kept as the last rung', () => {
    const report = inspectConfig(config('tiers:\n  - unit\n  - { name: component, aliases: [components, widget] }\n  - { name: acceptance, aliases: [e2e, ui] }\n', '    expect_tiers: [ui, Widget, unit]\n'), 'seal.config.yaml', {});
    expect(report.diagnostics).toEqual([]);
    expect(report.config?.tiers.tiers.map((t) => t.name)).toEqual(['unit', 'component', 'acceptance', 'production_smoke']);
    expect(report.config?.tiers.resolve('e2e')).toBe('acceptance');
    // Resolved, each once, in the ladder's order.
    expect(report.config?.apps.web?.expectTiers).toEqual(['unit', 'component', 'acceptance']);
  });

  it('an unknown tier in expect_tiers is a config error that lists the known ones', () => {
    const report = inspectConfig(config('', '    expect_tiers: [unit, acceptance]\n'), 'seal.config.yaml', {});
    expect(report.config).toBeNull();
    expect(report.diagnostics.map(formatDiagnostic)).toEqual([`apps.web.expect_tiers[1]: unknown test tier "acceptance"; the known tiers are: ${DEFAULT_VOCABULARY.describe()}`]);
  });

  it('a name that means two tiers, a bad name or an empty list is refused at its path', () => {
    const { diagnostics } = vocabularyFrom(['unit', { name: 'component', aliases: ['UNIT', 'ok'] }, { name: 'e2e', aliases: ['ok'] }, 'two words', 'unit']);
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'tiers[1].aliases[0]: "UNIT" is already declared: each name means one tier',
      'tiers[2].aliases[0]: "ok" is already a name of tier component: each name means one tier',
      'tiers[3]: "two words" is not a tier name: use letters, digits, "_" and "-" (at most 40)',
      'tiers[4]: "unit" is already declared: each name means one tier',
    ]);
    expect(vocabularyFrom([]).diagnostics.map(formatDiagnostic)).toEqual(['tiers: declares no tier: list them in order, lowest first (or leave tiers: out for the default ladder)']);
    expect(inspectConfig(config('tiers: [unit, unit]\n'), 'seal.config.yaml', {}).config).toBeNull();
  });
});
