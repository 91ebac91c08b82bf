/**
 * Board pages rendered a moment ago, served again: under many viewers (a wall of dashboards, a
 * team refreshing during an incident) one render serves everyone for `ttlMs`, and renders of the
 * same page that are asked for at once are done once. The caller puts what makes a page stale in
 * its key (the board: the audit log's head). Bounded: at most `max` pages are kept.
 */
/** A rendered page: its HTML and status; only a 200 is kept. */
export interface RenderedPage {
  readonly html: string;
  readonly status: 200 | 400 | 404;
}

export class PageCache {
  private readonly pages = new Map<string, { readonly page: RenderedPage; readonly until: number }>();
  private readonly rendering = new Map<string, Promise<RenderedPage>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly max = 200,
  ) {}

  /** The page under `key`: kept, being rendered, or rendered now by `render` (kept when it is a 200). */
  async get(key: string, render: () => Promise<RenderedPage>): Promise<RenderedPage> {
    if (this.ttlMs <= 0) return render();
    const kept = this.pages.get(key);
    if (kept && kept.until > this.now()) return kept.page;
    const running = this.rendering.get(key);
    if (running) return running;
    const started = this.now();
    const next = render().finally(() => this.rendering.delete(key));
    this.rendering.set(key, next);
    const page = await next;
    if (page.status === 200) {
      if (this.pages.size >= this.max) this.pages.clear();
      // Measured from when the render started: what it read is that old.
      this.pages.set(key, { page, until: started + this.ttlMs });
    }
    return page;
  }
}

/** How long a rendered board page is served again by default (`SEAL_PAGE_CACHE_MS`; 0 turns it off). */
export const PAGE_CACHE_MS = 1_000;
