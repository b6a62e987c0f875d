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
  /** Settles under way, woken by every request that starts or ends. */
  private readonly waiting = new Set<() => void>();

  constructor(page: Page) {
    page.on('request', (request) => {
      this.pending.set(request, Date.now());
      this.heard();
    });
    const done = (request: Request): void => {
      this.pending.delete(request);
      this.heard();
    };
    page.on('requestfinished', done);
    page.on('requestfailed', done);
  }

  private heard(): void {
    this.lastActivity = Date.now();
    for (const wake of this.waiting) wake();
  }

  /** Whether any request started or ended since `since`. */
  activeSince(since: number): boolean {
    return this.lastActivity >= since;
  }

  /**
   * Waits until no request that started after `since` is still running and nothing happened for
   * `quietMs`, or `maxMs` passed. Requests older than `since` (a body the server never ends) are
   * not waited for again: each step would otherwise burn its whole budget on them.
   *
   * With nothing running and nothing started or ended since `heardSince` (default `since`), the
   * network is quiet already and it returns at once: the quiet window is for requests that lead
   * to more requests, not a pause taken on every call. `notBefore`: it does not return before
   * that time (budget allowing), so that requests a script starts a moment later are heard.
   *
   * It wakes when a request starts or ends and when a window or the budget runs out, never on a
   * polling tick, so it returns as soon as the network is quiet.
   */
  async settle(since: number, quietMs: number, maxMs: number, { heardSince = since, notBefore = 0 }: { heardSince?: number; notBefore?: number } = {}): Promise<void> {
    const deadline = Date.now() + maxMs;
    for (;;) {
      const now = Date.now();
      if (now >= deadline) return;
      const busy = [...this.pending.values()].some((started) => started >= since);
      const quietNow = !busy && (this.lastActivity < heardSince || now - this.lastActivity >= quietMs);
      if (quietNow && now >= notBefore) return;
      // Busy: until a request ends; quiet for now: until the window closes, or `notBefore`.
      const wakeAt = Math.min(deadline, busy ? deadline : quietNow ? notBefore : Math.max(notBefore, this.lastActivity + quietMs));
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiting.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, wakeAt - now));
        this.waiting.add(wake);
      });
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
// One viewport down, then wait until the page has been told what came into view. An
// IntersectionObserver's first notification is delivered in the task that, after the next
// rendering update, notifies every observer of the document (W3C Intersection Observer, "run the
// update intersection observations steps"): the page's own lazy loaders and Chromium's lazy
// images among them. One more task later, their callbacks have run and the requests they made
// are counted when the network is checked. One frame a step, where two requestAnimationFrame
// callbacks took two (about 17 ms a step at 60 Hz). A page that renders no frame (or has
// replaced IntersectionObserver) is not waited on for more than a second a step.
const STEP = `new Promise((resolve) => {
  window.scrollBy(0, Math.max(200, Math.floor(window.innerHeight * 0.9)));
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    resolve(${METRICS});
  };
  setTimeout(finish, 1000);
  try {
    const told = new IntersectionObserver(() => {
      told.disconnect();
      setTimeout(finish, 0);
    });
    told.observe(document.documentElement);
  } catch {
    requestAnimationFrame(() => requestAnimationFrame(finish));
  }
})`;

const metrics = (page: Page): Promise<Metrics> => page.evaluate<Metrics>(METRICS);

/** After the load event, how long a script has to start a late request that is then waited for. */
export const LATE_REQUEST_MS = 50;

/**
 * Scrolls to the bottom one viewport at a time, letting the network settle after each step, so
 * that lazy images and content inserted on scroll are loaded before the screenshot. Bounded in
 * height and time; which bound stopped it is part of the record. Ends where it started.
 *
 * `loadedAt` (the load event, for a batch capture): requests started since then and still
 * running when the walk ends are waited for, and it does not end sooner than LATE_REQUEST_MS
 * after it, so that a request a script starts just after the load is heard. That window runs
 * while the page is walked, rather than as a pause before the walk: on a page taller than the
 * window the walk outlasts it.
 */
export async function scrollToBottom(page: Page, quiet: NetworkQuiet, bounds: ScrollBounds, loadedAt?: number): Promise<ScrollResult> {
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
  await quiet.settle(Math.min(started, loadedAt ?? started), 100, Math.min(2000, Math.max(0, bounds.maxMs - (Date.now() - started))), {
    heardSince: started,
    notBefore: loadedAt === undefined ? 0 : loadedAt + LATE_REQUEST_MS,
  });
  // The height it ends with, then back where the reader was (the top, for a batch capture).
  const final = await page.evaluate<Metrics>(`(() => { const m = ${METRICS}; window.scrollTo(0, ${Math.max(0, Math.floor(startY))}); return m; })()`);
  if (final.height > bounds.maxHeightPx) hitHeightLimit = true;
  return { heightPx: final.height, timeMs: Date.now() - started, steps, hitHeightLimit, hitTimeLimit, limits: bounds };
}
