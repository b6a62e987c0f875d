import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright';
import type { ArtifactSink } from './artifact-sink.js';
import { scrollToBottom, type NetworkQuiet, type ScrollBounds, type ScrollResult } from './scroll.js';

export interface RenderedFacts {
  readonly title: string;
  readonly scroll: ScrollResult;
  readonly screenshot: { readonly widthPx: number; readonly heightPx: number; readonly clippedAtPx: number | null };
  readonly textChars: number;
}

export type RenderState = 'scrolling' | 'saving';

/**
 * What the reader saw: scrolls the page to the bottom (so lazy and scroll-triggered content
 * loads), then writes and stores the full-page screenshot, the MHTML snapshot, the serialised
 * DOM and the visible text, each hashed into the chain as soon as it is on disk.
 */
export async function captureRenderedPage(
  context: BrowserContext,
  page: Page,
  quiet: NetworkQuiet,
  sink: ArtifactSink,
  dir: string,
  bounds: ScrollBounds,
  onState: (state: RenderState) => void = () => {},
): Promise<RenderedFacts> {
  onState('scrolling');
  const scroll = await scrollToBottom(page, quiet, bounds);
  onState('saving');
  // Each file is stored and chained while the browser produces the next one.
  const stored: Promise<unknown>[] = [];
  const store = (name: string, role: string): void => {
    const pending = sink.add(join(dir, name), name, role);
    pending.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    stored.push(pending);
  };
  const viewport = page.viewportSize() ?? { width: 1280, height: 800 };
  const clipped = scroll.heightPx > bounds.maxHeightPx ? bounds.maxHeightPx : null;
  await page.screenshot({
    path: join(dir, 'screenshot.png'),
    fullPage: true,
    animations: 'disabled',
    timeout: 60_000,
    ...(clipped ? { clip: { x: 0, y: 0, width: viewport.width, height: clipped } } : {}),
  });
  store('screenshot.png', 'screenshot');

  // Page.captureSnapshot (Chrome DevTools Protocol): the page and its resources as one MHTML file.
  const cdp = await context.newCDPSession(page);
  try {
    const { data } = await cdp.send('Page.captureSnapshot', { format: 'mhtml' });
    await writeFile(join(dir, 'page.mhtml'), data);
  } finally {
    await cdp.detach().catch(() => undefined);
  }
  store('page.mhtml', 'mhtml');

  await writeFile(join(dir, 'dom.html'), await page.content());
  store('dom.html', 'dom');

  const text = await page.evaluate<string>("document.body ? document.body.innerText : ''");
  await writeFile(join(dir, 'text.txt'), text);
  store('text.txt', 'text');
  await Promise.all(stored);

  const title = await page.title();
  return {
    title,
    scroll,
    screenshot: { widthPx: viewport.width, heightPx: clipped ?? scroll.heightPx, clippedAtPx: clipped },
    textChars: text.length,
  };
}
