import { describe, expect, it } from 'vitest';
import { boundedCopy, CUT_KEY, DATA_LIMITS, jsonDepthExceeds, type DataLimits } from './bounded-copy.js';
import { createRedactor, REDACTED } from './redact.js';

/** `[[[…1…]]]` nested `depth` levels, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** How deep a value nests, walked without recursion. */
function depthOf(value: unknown): number {
  let depth = 0;
  for (let v = value; Array.isArray(v); v = (v as unknown[])[0]) depth++;
  return depth;
}

const small: DataLimits = { depth: 3, entries: 2, nodes: 100, chars: 50 };

describe('boundedCopy', () => {
  it('copies plain data within the limits as it is, key order included', () => {
    const value = { b: [1, 'two', null, { c: true }], a: { z: 1, y: 2 }, n: undefined };
    const copy = boundedCopy(value, { ...DATA_LIMITS });
    expect(copy).toEqual(value);
    expect(copy).not.toBe(value);
    expect(Object.keys(copy.a)).toEqual(['z', 'y']);
  });

  it('cuts what nests deeper than the limit, with a marker, and never recurses (200,000 levels)', () => {
    const copy = boundedCopy(nested(200_000));
    expect(depthOf(copy)).toBe(DATA_LIMITS.depth);
    let inner: unknown = copy;
    for (let i = 0; i < DATA_LIMITS.depth; i++) inner = (inner as unknown[])[0];
    expect(inner).toBe(`[cut: nested deeper than ${DATA_LIMITS.depth} levels]`);
    // What is kept can be turned into JSON and walked again.
    expect(() => JSON.stringify(copy)).not.toThrow();
  });

  it('keeps the first items and keys and says how many more there were', () => {
    expect(boundedCopy([1, 2, 3, 4, 5], small)).toEqual([1, 2, '[cut: 3 more items]']);
    expect(boundedCopy({ a: 1, b: 2, c: 3 }, small)).toEqual({ a: 1, b: 2, [CUT_KEY]: '[cut: 1 more keys]' });
  });

  it('bounds the values kept in all, and drops whole strings past the character budget, never half of one', () => {
    const wide = Array.from({ length: 50 }, (_, i) => Array.from({ length: 50 }, (_, j) => i * 50 + j));
    const copy = boundedCopy(wide, { depth: 5, entries: 100, nodes: 60, chars: 1000 });
    const flat = JSON.stringify(copy);
    expect(flat).toContain('[cut: more than 60 values in all]');
    expect((flat.match(/\d+,/g) ?? []).length).toBeLessThan(60);
    const strings = boundedCopy(['a'.repeat(30), 'b'.repeat(30), 'c'], small);
    expect(strings).toEqual(['a'.repeat(30), '[cut: a string of 30 characters, past 50 in all]', '[cut: 1 more items]']);
  });

  it('keeps objects that are not plain data (a RegExp an assertion expects) as leaves', () => {
    const pattern = /ok/;
    expect(boundedCopy({ pattern }).pattern).toBe(pattern);
  });
});

describe('the redactor on hostile data', () => {
  it('redacts and bounds a document nested 100,000 deep without a stack overflow', () => {
    const redactor = createRedactor(['s3cret-value']);
    const doc = { token: 'abc', body: 'has s3cret-value inside', deep: nested(100_000) };
    const out = redactor.deep(doc);
    expect(out.token).toBe(REDACTED);
    expect(out.body).toBe(`has ${REDACTED} inside`);
    expect(depthOf(out.deep)).toBe(DATA_LIMITS.depth - 1);
  });
});

describe('jsonDepthExceeds', () => {
  it('finds where a JSON text passes the depth, skipping brackets inside strings', () => {
    expect(jsonDepthExceeds('{"a":[{"b":"[[[[[[[[{{{{"}]}', 3)).toBeNull();
    expect(jsonDepthExceeds('{"a":[{"b":[1]}]}', 3)).toBe(11);
    expect(jsonDepthExceeds('["\\"[[[[", [[[]]]]', 3)).toBe(13);
    expect(jsonDepthExceeds(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 64)).toBe(64);
  });
});
