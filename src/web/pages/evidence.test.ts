import { describe, expect, it } from 'vitest';
import { prettyBody } from './evidence.js';

describe('prettyBody', () => {
  it('indents JSON by its content type (or its look, without one), and leaves other text as sent', () => {
    expect(prettyBody('{"a":[1,2]}', 'application/problem+json; charset=utf-8')).toEqual({ text: '{\n  "a": [\n    1,\n    2\n  ]\n}', kind: 'JSON' });
    expect(prettyBody('[1]', null)).toEqual({ text: '[\n  1\n]', kind: 'JSON' });
    expect(prettyBody('{"cut": "sho', 'application/json')).toEqual({ text: '{"cut": "sho', kind: 'JSON (cut short, shown as sent)' });
    expect(prettyBody('<h1>{x}</h1>', 'text/html')).toEqual({ text: '<h1>{x}</h1>', kind: 'text/html' });
  });

  it('does not parse a JSON body longer than 256 KiB: shown as sent, cut to what the page shows', () => {
    const long = JSON.stringify({ items: Array.from({ length: 30_000 }, (_, i) => ({ i })) });
    expect(long.length).toBeGreaterThan(256 * 1024);
    const shown = prettyBody(long, 'application/json');
    expect(shown.kind).toBe('JSON (too long to indent, shown as sent)');
    expect(shown.text.startsWith(long.slice(0, 20_000))).toBe(true);
    expect(shown.text).toContain('more characters not shown');
  });
});
