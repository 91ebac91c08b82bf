import { describe, expect, it } from 'vitest';
import { boundedJson, evidenceText } from './format.js';

describe('boundedJson', () => {
  it('is JSON.stringify(value, null, 2) for what fits', () => {
    const values: unknown[] = [
      null, 0, -1.5, true, 'text with "quotes" and \\ and \n', [], {}, [1, [2, [3]]], { a: 1, b: { c: [true, null, 'x'] }, d: undefined, e: [undefined, 2] },
      { 'key with "quote"': { empty: {}, list: [] } },
    ];
    for (const value of values) expect(boundedJson(value, 10_000)).toBe(JSON.stringify(value, null, 2));
  });

  it('stops a little past the limit, whatever the size or depth of the value, without recursion', () => {
    const wide = { items: Array.from({ length: 200_000 }, (_, i) => ({ i, text: 'x'.repeat(100) })) };
    const out = boundedJson(wide, 8000);
    expect(out.length).toBeLessThan(8000 + 200);
    expect(JSON.stringify(wide, null, 2).startsWith(out.slice(0, 8000))).toBe(true);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(boundedJson(deep, 8000).length).toBeLessThan(8000 + 200);
    expect(boundedJson({ s: 'y'.repeat(5_000_000) }, 100).length).toBeLessThan(200);
  });

  it('evidenceText says the rest was not shown, and keeps strings as they are up to the limit', () => {
    expect(evidenceText({ a: 'x'.repeat(50) }, 20)).toBe(`${JSON.stringify({ a: 'x'.repeat(50) }, null, 2).slice(0, 20)}\n… (the rest not shown)`);
    expect(evidenceText('plain', 20)).toBe('plain');
  });
});
