import { describe, expect, it } from 'vitest';
import { githubError } from './smoke.js';

describe('githubError', () => {
  it('escapes what would end the command early or start another one', () => {
    expect(githubError('seal smoke a:b,c', 'line one\nline two\r\n::warning::x 100%')).toBe('::error title=seal smoke a%3Ab%2Cc::line one%0Aline two%0D%0A::warning::x 100%25\n');
  });
});
