import type { BrowserContext, Page } from 'playwright';
import type { ArtifactSink } from './artifact-sink.js';
import { DocumentWatch, type DocumentChange } from './document-watch.js';
import { scrollToBottom, type NetworkQuiet, type ScrollBounds, type ScrollResult } from './scroll.js';

export interface RenderedFacts {
  readonly title: string;
  readonly scroll: ScrollResult;
  readonly screenshot: { readonly widthPx: number; readonly heightPx: number; readonly clippedAtPx: number | null };
  readonly textChars: number;
  /** The rendered files stored, in the order they were taken: all of the one captured document. */
  readonly stored: readonly string[];
  /** Set when the page replaced its document during the capture: what was not taken, and why. */
  readonly navigated: DocumentChange | null;
  readonly notCaptured: readonly string[];
}

export interface RenderedPage extends RenderedFacts {
  /**
   * Settles when every file taken is stored and chained (rejects if one could not be): the
   * caller awaits it, and may first close the page, so that the last file is stored while the
   * browser writes the network log.
   */
  readonly filed: Promise<void>;
}

export type RenderState = 'scrolling' | 'saving';

export interface RenderOptions {
  readonly onState?: (state: RenderState) => void;
  /** Started on the captured document; one is started here if not given. */
  readonly watch?: DocumentWatch;
  /** When the page's load event was seen: late requests from then on are waited for (scrollToBottom). */
  readonly loadedAt?: number;
}

const RENDERED_FILES = ['dom.html', 'text.txt', 'page.mhtml', 'screenshot.png'] as const;

/**
 * What the reader saw: scrolls the page to the bottom (so lazy and scroll-triggered content
 * loads), then writes and stores the serialised DOM, the visible text, the MHTML snapshot and the
 * full-page screenshot, each hashed into the chain as soon as it is on disk.
 *
 * All of one document: `watch` (started on the captured document; one is started here if not
 * given) is asked before and after each file, and the DOM and the text are read in one call with
 * the document's mark. If the page replaces its document (a form submitted by script, `location`
 * set), the file under way is dropped, no further file is taken, and the change is returned in
 * `navigated`, with the files not taken in `notCaptured`: a file of the other document is never
 * filed under this one's URL. The DOM and the text are taken first, cheapest and most exact.
 *
 * The browser is never kept waiting on the disk: each file is written, hashed, stored and
 * chained while the browser produces the next one, and the last while the caller goes on
 * (`filed`).
 */
export async function captureRenderedPage(
  context: BrowserContext,
  page: Page,
  quiet: NetworkQuiet,
  sink: ArtifactSink,
  bounds: ScrollBounds,
  { onState = () => {}, watch: given, loadedAt }: RenderOptions = {},
): Promise<RenderedPage> {
  const watch = given ?? new DocumentWatch(page);
  try {
    if (!given) await watch.start('scrolling');
    onState('scrolling');
    watch.enter('scrolling');
    const scroll = !(await watch.same()) ? null : await scrollToBottom(page, quiet, bounds, loadedAt).catch(async (error: unknown) => {
      // The document went away under the scroll: said below, as a change, not a failure.
      if (await watch.same()) throw error;
      return null;
    });
    onState('saving');
    // Each file is stored and chained while the browser produces the next one, from memory:
    // no temporary copy to write and read back.
    const stored: Promise<unknown>[] = [];
    const names: string[] = [];
    const store = (name: string, role: string, data: string | Buffer): void => {
      const pending = sink.addBytes(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, name, role);
      pending.catch(() => undefined); // awaited through `filed`; this only keeps an early failure from going unhandled
      stored.push(pending);
      names.push(name);
    };
    const viewport = page.viewportSize() ?? { width: 1280, height: 800 };
    const clipped = scroll && scroll.heightPx > bounds.maxHeightPx ? bounds.maxHeightPx : null;
    let title = '';
    let textChars = 0;

    // One call reads the mark, the DOM, the title and the text: all four are of the same
    // document, at the same moment, for one round trip to the page.
    if (scroll && (await watch.same())) {
      watch.enter('dom');
      const read = await page.evaluate<{ marked: boolean; html: string; title: string; text: string }>(watch.read(DOM_AND_TEXT)).catch(() => null);
      if (read?.marked && (await watch.same())) {
        store('dom.html', 'dom', read.html);
        store('text.txt', 'text', read.text);
        title = read.title;
        textChars = read.text.length;
      } else await watch.same();
    }

    // Page.captureSnapshot (Chrome DevTools Protocol): the page and its resources as one MHTML file.
    if (names.includes('text.txt') && (await watch.same())) {
      watch.enter('mhtml');
      const cdp = await context.newCDPSession(page);
      let data: string | null = null;
      try {
        data = (await watch.unlessMoved(cdp.send('Page.captureSnapshot', { format: 'mhtml' })))?.data ?? null;
      } catch (error) {
        if (await watch.same()) throw error;
      } finally {
        void cdp.detach().catch(() => undefined);
      }
      if (data !== null && (await watch.same())) store('page.mhtml', 'mhtml', data);
    }

    if (names.includes('page.mhtml') && (await watch.same())) {
      watch.enter('screenshot');
      const shot = await watch.unlessMoved(page.screenshot({
        fullPage: true,
        animations: 'disabled',
        timeout: 60_000,
        ...(clipped ? { clip: { x: 0, y: 0, width: viewport.width, height: clipped } } : {}),
      })).catch(async (error: unknown) => {
        if (await watch.same()) throw error;
        return null;
      });
      if (shot && (await watch.same())) store('screenshot.png', 'screenshot', shot);
    }
    const filed = Promise.all(stored).then(() => undefined);
    filed.catch(() => undefined); // the caller's to await; this only keeps it from going unhandled meanwhile

    const heightPx = scroll?.heightPx ?? 0;
    return {
      title,
      scroll: scroll ?? { heightPx: 0, timeMs: 0, steps: 0, hitHeightLimit: false, hitTimeLimit: false, limits: bounds },
      screenshot: { widthPx: viewport.width, heightPx: clipped ?? heightPx, clippedAtPx: clipped },
      textChars,
      stored: names,
      navigated: watch.changed,
      notCaptured: RENDERED_FILES.filter((name) => !names.includes(name)),
      filed,
    };
  } finally {
    if (!given) watch.stop();
  }
}

// Page scripts are strings: the core is compiled without the DOM library. `page.content()`'s own
// serialisation (doctype, then the root element), and the visible text, read with the
// document's mark.
const DOM_AND_TEXT = `(() => {
  let html = '';
  if (document.doctype) html = new XMLSerializer().serializeToString(document.doctype);
  if (document.documentElement) html += document.documentElement.outerHTML;
  return { html, title: document.title, text: document.body ? document.body.innerText : '' };
})()`;
