import { describe, expect, it } from 'vitest';
import { PageCache, type RenderedPage } from './page-cache.js';

const page = (html: string, status: RenderedPage['status'] = 200): RenderedPage => ({ html, status });

describe('PageCache', () => {
  it('serves a 200 again until its time is up, measured from when its render started', async () => {
    let now = 0;
    const cache = new PageCache(1000, () => now);
    let renders = 0;
    const render = () => Promise.resolve(page(`v${++renders}`));
    expect((await cache.get('a', render)).html).toBe('v1');
    now = 999;
    expect((await cache.get('a', render)).html).toBe('v1');
    now = 1000;
    expect((await cache.get('a', render)).html).toBe('v2');
    expect((await cache.get('b', render)).html).toBe('v3');
  });

  it('renders a page asked for by many at once only once, and keeps no error page', async () => {
    const cache = new PageCache(1000);
    let renders = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const render = async () => {
      renders += 1;
      await gate;
      return page('board');
    };
    const all = Promise.all(Array.from({ length: 16 }, () => cache.get('board', render)));
    release();
    expect((await all).map((p) => p.html)).toEqual(Array.from({ length: 16 }, () => 'board'));
    expect(renders).toBe(1);
    let missing = 0;
    const notFound = () => Promise.resolve(page(`no app ${++missing}`, 404));
    expect(await cache.get('x', notFound)).toEqual({ html: 'no app 1', status: 404 });
    expect(await cache.get('x', notFound)).toEqual({ html: 'no app 2', status: 404 });
  });

  it('keeps at most `max` pages, and with a time of 0 keeps none', async () => {
    const cache = new PageCache(60_000, Date.now, 2);
    let renders = 0;
    const render = () => Promise.resolve(page(`v${++renders}`));
    await cache.get('a', render);
    await cache.get('b', render);
    await cache.get('c', render);
    expect((await cache.get('a', render)).html).toBe('v4');
    const off = new PageCache(0);
    expect((await off.get('a', render)).html).toBe('v5');
    expect((await off.get('a', render)).html).toBe('v6');
  });
});
