/**
 * Blameless language: finds words that put an incident on a person (`should have`, `careless`,
 * `human error`, `forgot to`, … and the names of the people involved) and suggests a systemic
 * rewording. "Fault injection", "fault-tolerant" and "default" are not blame. Pure.
 */

/** One finding in a text. */
export interface BlameFinding {
  /** The words as they appear in the text. */
  readonly phrase: string;
  readonly index: number;
  /** A systemic way to say it. */
  readonly suggestion: string;
}

const RULES: readonly { readonly pattern: RegExp; readonly suggestion: string }[] = [
  { pattern: /\bshould(?:'ve| have)\b/gi, suggestion: 'say what made the right step hard or easy to skip (e.g. "the checklist did not include …")' },
  { pattern: /(?<!\bno[\s-])\b(?:at )?fault\b(?![\s-]+(?:injection|toleran|domain|isolation))/gi, suggestion: 'name the condition that allowed it, not who is to blame' },
  { pattern: /\bcareless(?:ly|ness)?\b/gi, suggestion: 'describe what the process did not catch (e.g. "no review step covered …")' },
  { pattern: /\bhuman[\s-]errors?\b/gi, suggestion: 'ask what made the error likely and why nothing caught it before production' },
  { pattern: /\bforgot(?:ten)?(?: to| about)?\b/gi, suggestion: 'say what would have reminded anyone: a check, a default, an alert (e.g. "nothing reminded the deployer to …")' },
  { pattern: /\bnegligen(?:t|ce)\b/gi, suggestion: 'describe the missing safeguard instead' },
  { pattern: /\bblam(?:e|ed|es|ing)\b/gi, suggestion: 'describe the system, not a culprit' },
  { pattern: /\b(?:his|her|their) mistake\b|\bmistakes? (?:by|of) \w+/gi, suggestion: 'say which step allowed the mistake to reach production' },
  { pattern: /\bdid(?:n'?t| not) (?:bother|think|care)\b/gi, suggestion: 'say what information or time the person lacked' },
  { pattern: /\b(?:dropped the ball|screwed up|messed up|incompeten(?:t|ce)|lazy|sloppy)\b/gi, suggestion: 'describe what happened and which safeguard was missing' },
];

/** Every blame finding in `text`; `people` are the names of those involved (any mention is one). */
export function findBlame(text: string, { people = [] }: { people?: readonly string[] } = {}): BlameFinding[] {
  const findings: BlameFinding[] = [];
  for (const { pattern, suggestion } of RULES) {
    for (const match of text.matchAll(pattern)) findings.push({ phrase: match[0], index: match.index, suggestion });
  }
  for (const person of people.map((p) => p.trim()).filter((p) => p.length >= 2)) {
    const escaped = person.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const match of text.matchAll(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'giu'))) {
      findings.push({ phrase: match[0], index: match.index, suggestion: `name the role or the system ("the on-call engineer", "the deploy job"), not ${person}` });
    }
  }
  return findings.sort((a, b) => a.index - b.index);
}
