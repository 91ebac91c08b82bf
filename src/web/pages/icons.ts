/**
 * Status icons as inline SVG: they render the same everywhere, also where no emoji font is
 * installed (Debian's Chromium draws 🟢 as an empty box). Each is paired with a colour and a word,
 * never the only cue; `aria-hidden`, since the word says it.
 */
import { raw } from 'hono/html';

/** Every status the board draws. */
export type IconName = 'green' | 'red' | 'error' | 'pending' | 'passed' | 'failed' | 'flaky' | 'skipped' | 'delivered' | 'unchanged';

const CHECK = '<circle cx="8" cy="8" r="7"/><path class="mark" d="M4.6 8.3l2.2 2.2 4.6-4.8"/>';
const CROSS = '<circle cx="8" cy="8" r="7"/><path class="mark" d="M5.3 5.3l5.4 5.4M10.7 5.3l-5.4 5.4"/>';
const BANG = '<circle cx="8" cy="8" r="7"/><path class="mark" d="M8 4.2v4.6M8 11.2v.6"/>';
const CLOCK = '<circle cx="8" cy="8" r="6.3" class="ring"/><path class="hand" d="M8 4.6V8l2.4 1.6"/>';
const WARN = '<path d="M8 1.2l7.2 13.3H.8z"/><path class="mark" d="M8 6v4M8 12v.5"/>';
const SKIP = '<circle cx="8" cy="8" r="7"/><path class="mark" d="M5 5.2L8.4 8 5 10.8M8.6 5.2L12 8l-3.4 2.8"/>';
const DASH = '<circle cx="8" cy="8" r="7"/><path class="mark" d="M4.8 8h6.4"/>';

const SHAPES: Record<IconName, { shape: string; tone: string }> = {
  green: { shape: CHECK, tone: 'green' },
  passed: { shape: CHECK, tone: 'green' },
  delivered: { shape: CHECK, tone: 'green' },
  red: { shape: CROSS, tone: 'red' },
  failed: { shape: CROSS, tone: 'red' },
  error: { shape: BANG, tone: 'grey' },
  pending: { shape: CLOCK, tone: 'amber' },
  flaky: { shape: WARN, tone: 'amber' },
  skipped: { shape: SKIP, tone: 'grey' },
  unchanged: { shape: DASH, tone: 'grey' },
};

/** The icon's SVG markup (trusted: built from the constants above only). */
export function iconSvg(name: IconName): string {
  const { shape, tone } = SHAPES[name];
  return `<svg class="icon tone-${tone}" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">${shape}</svg>`;
}

const rendered = new Map<IconName, ReturnType<typeof raw>>();

/** The icon as a template or JSX child (each rendered once: the board draws hundreds). */
export function icon(name: IconName): ReturnType<typeof raw> {
  let value = rendered.get(name);
  if (!value) {
    // The markup is our own constants, never data: raw is safe.
    value = raw(iconSvg(name));
    rendered.set(name, value);
  }
  return value;
}
