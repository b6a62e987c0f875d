import { randomBytes } from 'node:crypto';
import type { Frame, Page } from 'playwright';
import type { JsonValue } from '../../../shared/domain.js';

/** The step of a page capture under way when the page's main document was replaced. */
export type CaptureStep = 'loading' | 'settling' | 'scrolling' | 'dom' | 'text' | 'mhtml' | 'screenshot';

/** The page left the captured document for another one while it was being captured. */
export interface DocumentChange {
  /** URL of the document being captured. */
  readonly from: string;
  /** URL of the document that replaced it (the last one committed when the change was seen). */
  readonly to: string;
  /** When the main frame committed the new document (ISO 8601). */
  readonly at: string;
  readonly step: CaptureStep;
}

/**
 * Tells whether the page still shows the document a capture started on, so that every file of
 * one capture is of one document. Main-frame navigations are heard as they commit
 * (`framenavigated`); only then is the page asked whether its document is still the one marked at
 * `start()` (a hidden property on its window), which tells a same-document navigation
 * (history API, #fragment) from a new document (a form submitted, `location` set, a reload).
 */
export class DocumentWatch {
  private readonly key = `__proofline_document_${randomBytes(8).toString('hex')}`;
  private heard: { url: string; at: Date; step: CaptureStep }[] = [];
  private step: CaptureStep = 'loading';
  private fromUrl = '';
  private change: DocumentChange | null = null;
  private readonly listener = (frame: Frame): void => {
    if (frame !== this.page.mainFrame()) return;
    this.heard.push({ url: frame.url(), at: new Date(), step: this.step });
    for (const wake of this.waiting.splice(0)) wake();
  };
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly page: Page) {
    page.on('framenavigated', this.listener);
  }

  /** Marks the document now in the page as the one captured; navigations before this are not counted. */
  async start(step: CaptureStep): Promise<void> {
    this.step = step;
    this.fromUrl = this.page.url();
    this.heard = [];
    // A navigation while marking is heard, and the mark is then missing: a change, as it should be.
    await this.page.evaluate(`Object.defineProperty(window, ${JSON.stringify(this.key)}, { value: true, enumerable: false })`).catch(() => undefined);
  }

  /** The step under way, named in the change if one is seen during it. */
  enter(step: CaptureStep): void {
    this.step = step;
  }

  /** URL of the captured document (the page's URL at `start()`). */
  get url(): string {
    return this.fromUrl;
  }

  /** The change that ended the captured document, once seen; null while it is still there. */
  get changed(): DocumentChange | null {
    return this.change;
  }

  /** Whether the page still shows the captured document; the first change seen is kept. */
  async same(): Promise<boolean> {
    if (this.change) return false;
    if (this.heard.length === 0) return true;
    const marked = await this.page.evaluate<boolean>(`window[${JSON.stringify(this.key)}] === true`).catch(() => false);
    if (marked) {
      this.heard = []; // same-document navigations: the document is the one captured
      return true;
    }
    const first = this.heard[0]!;
    this.change = { from: this.fromUrl, to: this.page.url(), at: first.at.toISOString(), step: first.step };
    return false;
  }

  /**
   * Waits for `work` (a screenshot, a snapshot) unless the document is replaced first: then
   * resolves to null at once, leaving `work` to fail or finish unheeded (a full-page screenshot
   * of a document that is gone otherwise waits out its whole timeout).
   */
  async unlessMoved<T>(work: Promise<T>): Promise<T | null> {
    work.catch(() => undefined); // may settle after it is abandoned
    for (;;) {
      if (!(await this.same())) return null;
      let wake!: () => void;
      const heard = new Promise<'heard'>((resolve) => this.waiting.push((wake = () => resolve('heard'))));
      try {
        const first = await Promise.race([work.then((value) => ({ value })), heard]);
        if (first !== 'heard') return first.value;
      } finally {
        const at = this.waiting.indexOf(wake);
        if (at >= 0) this.waiting.splice(at, 1);
      }
    }
  }

  /** A page script returning an object, made to return with it whether the captured document is the one it ran in. */
  read(script: string): string {
    return `(() => ({ ...(${script}), marked: window[${JSON.stringify(this.key)}] === true }))()`;
  }

  stop(): void {
    this.page.off('framenavigated', this.listener);
  }
}

/**
 * The `navigated` facts of a capture: the change, the files not taken, and whether the other
 * document is captured as its own page (the interactive capture's auto-capture) or not at all.
 */
export function navigatedFacts(change: DocumentChange, notCaptured: readonly string[], toCaptured = false): { [key: string]: JsonValue } {
  return {
    from: change.from,
    to: change.to,
    at: change.at,
    step: change.step,
    notCaptured: [...notCaptured],
    toCaptured,
    reason: toCaptured
      ? 'the page replaced its document during the capture; the files of this capture are of the first document only, the other is captured as its own page under its own URL'
      : 'the page replaced its document during the capture; the files of this capture are of the first document only, the other document was not captured',
  };
}
