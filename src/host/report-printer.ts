// The court report's printer: Chromium's print to PDF (Playwright's page.pdf), started through the
// capture browser's launcher (found as a capture finds it, tied to the call's signal).
import { ProoflineError } from '../core/errors.js';
import type { PrintPdf } from '../core/report/make-report.js';

/** How long the page may take to lay out and shrink its pictures before printing. */
const READY_TIMEOUT_MS = 120_000;

export function chromiumPrinter(browserPath?: string): PrintPdf {
  return async (html, { footerHtml, signal }) => {
    const { launchBrowser } = await import('../core/capture/web/browser-launch.js');
    let launched;
    try {
      launched = await launchBrowser({ browserPath: browserPath || undefined, headless: true, signal });
    } catch (error) {
      if (error instanceof ProoflineError && (error.code === 'browser.missing' || error.code === 'browser.path-invalid' || error.code === 'browser.start-failed')) {
        throw new ProoflineError('report.no-browser', `The PDF report is printed by Chrome, Edge or Chromium, and none could be started: ${error.message}`, { ...error.params }, { cause: error });
      }
      throw error;
    }
    const { browser } = launched;
    try {
      // No network: everything the report shows is inline (pictures as data: URLs).
      const context = await browser.newContext({ offline: true, javaScriptEnabled: true });
      await context.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load', timeout: READY_TIMEOUT_MS });
      await page.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout: READY_TIMEOUT_MS });
      await page.evaluate('document.fonts.ready.then(() => undefined)');
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: footerHtml,
        margin: { top: '16mm', bottom: '18mm', left: '14mm', right: '14mm' },
      });
    } finally {
      await browser.close().catch(() => undefined);
    }
  };
}
