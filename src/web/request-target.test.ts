import { describe, expect, it } from 'vitest';
import { requestTargetProblem } from './request-target.js';

describe('requestTargetProblem', () => {
  it('passes ordinary paths and queries, encoded or not', () => {
    for (const url of ['http://h/deployments', 'http://h/apps/st%C3%BCdio/badge.svg?x=1&y=a+b', 'http://h/releases/a/v1%2B2', 'http://h/?', 'http://h/x#%00']) expect(requestTargetProblem(url), url).toBeNull();
  });
  it('names a NUL or a broken encoding, and where', () => {
    expect(requestTargetProblem('http://h/apps/%00/badge.svg')).toBe('the path holds a NUL character (%00)');
    expect(requestTargetProblem('http://h/deployments?app=a%00b')).toBe('the query holds a NUL character (%00)');
    expect(requestTargetProblem('http://h/x%ZZ')).toBe('the path is not valid percent-encoded UTF-8');
    expect(requestTargetProblem('http://h/x?%C0%80=1')).toBe('the query is not valid percent-encoded UTF-8');
    expect(requestTargetProblem('http://h/x?v=%E2%82')).toBe('the query is not valid percent-encoded UTF-8');
  });
});
