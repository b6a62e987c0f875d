import type { Page, Request } from 'playwright';

export interface ScrollBounds {
  readonly maxHeightPx: number;
  readonly maxMs: number;
}

export interface ScrollResult {
  /** document height (CSS px) when scrolling stopped */
  readonly heightPx: number;
  readonly timeMs: number;
  readonly steps: number;
  readonly hitHeightLimit: boolean;
  readonly hitTimeLimit: boolean;
  readonly limits: ScrollBounds;
}

/** Counts requests in flight on a page, to wait for a quiet network between scroll steps. */
export class NetworkQuiet {
  private readonly pending = new Map<Request, number>();
  private lastActivity = Date.now();

  constructor(page: Page) {
    page.on('request', (request) => {
      this.pending.set(request, Date.now());
      this.lastActivity = Date.now();
    });
    const done = (request: Request): void => {
      this.pending.delete(request);
      this.lastActivity = Date.now();
    };
    page.on('requestfinished', done);
    page.on('requestfailed', done);
  }

  /** Whether any request started or ended since `since`. */
  activeSince(since: number): boolean {
    return this.lastActivity >= since;
  }

  /**
   * Waits until no request that started after `since` is still running and nothing happened for
   * `quietMs`, or `maxMs` passed. Requests older than `since` (a body the server never ends) are
   * not waited for again: each step would otherwise burn its whole budget on them.
   */
  async settle(since: number, quietMs: number, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline) {
      const busy = [...this.pending.values()].some((started) => started >= since);
      // Nothing started or ended since `since`: quiet already, no need to wait out the window.
      if (!busy && (this.lastActivity < since || Date.now() - this.lastActivity >= quietMs)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

interface Metrics {
  readonly y: number;
  readonly viewport: number;
  readonly height: number;
}

// Page scripts are strings: the core is compiled without the DOM library (it never runs in a page).
const METRICS = `(() => {
  const root = document.scrollingElement || document.documentElement;
  return { y: window.scrollY, viewport: window.innerHeight, height: Math.max(root.scrollHeight, document.body ? document.body.scrollHeight : 0) };
})()`;
// One viewport down, then two animation frames: IntersectionObserver callbacks and lazy-image
// loads triggered by the scroll have run by then (HTML, "update the rendering"), so their
// requests are already counted when the network is checked.
const STEP = `new Promise((resolve) => {
  window.scrollBy(0, Math.max(200, Math.floor(window.innerHeight * 0.9)));
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(${METRICS})));
})`;

const metrics = (page: Page): Promise<Metrics> => page.evaluate<Metrics>(METRICS);

/**
 * Scrolls to the bottom one viewport at a time, letting the network settle after each step, so
 * that lazy images and content inserted on scroll are loaded before the screenshot. Bounded in
 * height and time; which bound stopped it is part of the record. Ends where it started.
 */
export async function scrollToBottom(page: Page, quiet: NetworkQuiet, bounds: ScrollBounds): Promise<ScrollResult> {
  const started = Date.now();
  let steps = 0;
  let hitHeightLimit = false;
  let hitTimeLimit = false;
  let current = await metrics(page);
  const startY = current.y;
  if (startY > 0) {
    // A reader who jumped down may have skipped lazy content above: walk the page from the top.
    await page.evaluate('window.scrollTo(0, 0)');
    current = await metrics(page);
  }
  for (;;) {
    if (current.y + current.viewport >= current.height - 1) break;
    if (current.y + current.viewport >= bounds.maxHeightPx) {
      hitHeightLimit = true;
      break;
    }
    const elapsed = Date.now() - started;
    if (elapsed >= bounds.maxMs) {
      hitTimeLimit = true;
      break;
    }
    const stepStart = Date.now();
    const scrolled = await page.evaluate<Metrics>(STEP);
    steps += 1;
    const settleFrom = Date.now();
    await quiet.settle(stepStart, 50, Math.min(1500, Math.max(0, bounds.maxMs - (Date.now() - started))));
    // Content that arrived while settling may have grown the page: measure again only then.
    const next = quiet.activeSince(settleFrom) ? await metrics(page) : scrolled;
    if (next.y === current.y && next.height === current.height) break; // cannot scroll further
    current = next;
  }
  // Content inserted at the very bottom gets a last moment to load before scrolling back.
  await quiet.settle(started, 100, Math.min(2000, Math.max(0, bounds.maxMs - (Date.now() - started))));
  const final = await metrics(page);
  // Back where the reader was (the top, for a batch capture).
  await page.evaluate(`window.scrollTo(0, ${Math.max(0, Math.floor(startY))})`);
  if (final.height > bounds.maxHeightPx) hitHeightLimit = true;
  return { heightPx: final.height, timeMs: Date.now() - started, steps, hitHeightLimit, hitTimeLimit, limits: bounds };
}
