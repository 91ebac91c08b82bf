import { describe, expect, it } from 'vitest';
import { errorMessage } from './errors.js';

describe('errorMessage', () => {
  it('never says [object Object]: an object thrown bare is told by its message, code, errno or JSON', () => {
    expect(errorMessage({ code: 'ENOSPC', message: 'write failed' })).toBe('ENOSPC: write failed');
    // What PGlite's WebAssembly file system throws on a full disk: a number for errno, no message.
    expect(errorMessage({ name: 'ErrnoError', errno: 51 })).toBe('ENOSPC: no space left on device');
    expect(errorMessage({ errno: 999 })).toBe('errno 999');
    expect(errorMessage({ status: 'broken', detail: { at: 3 } })).toBe('{"status":"broken","detail":{"at":3}}');
    expect(errorMessage({})).toBe('[object Object] with no message');
    for (const value of [{ code: 'X' }, {}, { a: 1 }, Object.create(null) as object]) expect(errorMessage(value)).not.toContain('[object Object]]');
    expect(errorMessage('plain words')).toBe('plain words');
    expect(errorMessage(undefined)).toBe('undefined');
  });

  it('adds what a cause says, a few levels deep, and not twice', () => {
    const disk = Object.assign(new Error('write failed'), { code: 'ENOSPC' });
    expect(errorMessage(new Error('cannot open the store (.seal)', { cause: disk }))).toBe('cannot open the store (.seal) (ENOSPC: write failed)');
    expect(errorMessage(new Error('a: ENOSPC: write failed', { cause: disk }))).toBe('a: ENOSPC: write failed');
    let chain: Error = new Error('level 0');
    for (let i = 1; i < 10; i++) chain = new Error(`level ${i}`, { cause: chain });
    expect(errorMessage(chain)).toBe('level 9 (level 8) (level 7) (level 6)');
  });

  it('tells a wrapped query failure by its cause, without the statement', () => {
    expect(errorMessage(new Error('Failed query: select secret from t params: x', { cause: new Error('canceling statement due to lock timeout') }))).toBe('canceling statement due to lock timeout');
  });
});
