import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildConfigJsonSchema } from './json-schema.js';

describe('the published JSON Schema', () => {
  it('is committed up to date in schema/seal.config.schema.json (regenerate with ./bin/seal config schema)', () => {
    const committed: unknown = JSON.parse(readFileSync(new URL('../../schema/seal.config.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(buildConfigJsonSchema());
  });

  it('describes checks and their expect block so editors can autocomplete them', () => {
    const text = JSON.stringify(buildConfigJsonSchema());
    for (const key of ['production_url', 'follow_redirects', 'body_not_contains', 'min_days_left', 'allow_hosts', 'max_body_bytes']) expect(text).toContain(`"${key}"`);
  });
});
