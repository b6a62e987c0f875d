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
  const viewport = page.viewportSize() ?? { width: 1280, height: 800 };
  const clipped = scroll.heightPx > bounds.maxHeightPx ? bounds.maxHeightPx : null;
  const screenshotPath = join(dir, 'screenshot.png');
  await page.screenshot({
    path: screenshotPath,
    fullPage: true,
    animations: 'disabled',
    timeout: 60_000,
    ...(clipped ? { clip: { x: 0, y: 0, width: viewport.width, height: clipped } } : {}),
  });
  await sink.add(screenshotPath, 'screenshot.png', 'screenshot');

  // Page.captureSnapshot (Chrome DevTools Protocol): the page and its resources as one MHTML file.
  const cdp = await context.newCDPSession(page);
  try {
    const { data } = await cdp.send('Page.captureSnapshot', { format: 'mhtml' });
    await writeFile(join(dir, 'page.mhtml'), data);
  } finally {
    await cdp.detach().catch(() => undefined);
  }
  await sink.add(join(dir, 'page.mhtml'), 'page.mhtml', 'mhtml');

  await writeFile(join(dir, 'dom.html'), await page.content());
  await sink.add(join(dir, 'dom.html'), 'dom.html', 'dom');

  const text = await page.evaluate<string>("document.body ? document.body.innerText : ''");
  await writeFile(join(dir, 'text.txt'), text);
  await sink.add(join(dir, 'text.txt'), 'text.txt', 'text');

  const title = await page.title();
  return {
    title,
    scroll,
    screenshot: { widthPx: viewport.width, heightPx: clipped ?? scroll.heightPx, clippedAtPx: clipped },
    textChars: text.length,
  };
}
