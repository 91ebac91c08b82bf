/** `/apps/<app>/badge.svg`: a flat badge of the app's latest release's seal, for READMEs. */
import type { SmokeSeal } from '../../store/schema.js';

/** What a badge can say. */
export type BadgeState = SmokeSeal['status'] | 'pending' | 'unknown app';

const COLOURS: Record<BadgeState, string> = { green: '#2da44e', red: '#cf222e', error: '#6e7781', pending: '#bf8700', 'unknown app': '#8c959f' };

const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Verdana 11px is about 7 px a character; wide enough for any label we print. */
const widthOf = (text: string): number => Math.round([...text].length * 7 + 10);

/** The SVG of a badge; `label` is escaped, so any app name is safe. */
export function renderBadge(state: BadgeState, label = 'smoke seal'): string {
  const left = widthOf(label);
  const right = widthOf(state);
  const total = left + right;
  const l = escapeXml(label);
  const r = escapeXml(state);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="${l}: ${r}">` +
    `<title>${l}: ${r}</title>` +
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
    `<clipPath id="r"><rect width="${total}" height="20" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)"><rect width="${left}" height="20" fill="#555"/><rect x="${left}" width="${right}" height="20" fill="${COLOURS[state]}"/><rect width="${total}" height="20" fill="url(#s)"/></g>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">` +
    `<text x="${left / 2}" y="14">${l}</text><text x="${left + right / 2}" y="14">${r}</text></g></svg>`
  );
}
