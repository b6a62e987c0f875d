import { chromium, type Browser } from 'playwright';
import { CHROMIUM_ARGS, findBrowser } from './browser-locate.js';
import { spkiHashOfPem } from './spki.js';
import { ProoflineError } from '../../errors.js';
import { launchVia } from '../../process/launch.js';

export interface LaunchOptions {
  readonly browserPath?: string;
  readonly headless?: boolean;
  /** PEM roots the browser should accept besides the system's (by their SPKI hashes). */
  readonly extraCaRoots?: readonly string[];
  /** X display for a headed browser (defaults to $DISPLAY). */
  readonly display?: string;
  /** Closes the browser when it aborts (a cancelled batch), even while it is starting. */
  readonly signal?: AbortSignal;
}

/** How the browser was found and started: recorded with every capture. */
export interface BrowserFacts {
  readonly path: string;
  readonly source: string;
  readonly version: string;
  readonly headless: boolean;
  readonly args: readonly string[];
  /** How certificates outside the system store were handled: recorded so nobody is misled. */
  readonly trust: { readonly extraRootSpkiHashes: readonly string[] };
}

export interface LaunchedBrowser {
  readonly browser: Browser;
  readonly facts: BrowserFacts;
}

/**
 * Starts the capture browser through the launcher (src/core/process/launch.ts): Playwright
 * spawns it over a pipe, so it dies with us; given a signal, it is closed when that aborts.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const found = await findBrowser(options.browserPath);
  const spki = (options.extraCaRoots ?? []).map(spkiHashOfPem);
  // CHROMIUM_ARGS: no background traffic in the network log; the sandbox off only as root.
  const args = [...CHROMIUM_ARGS];
  if (spki.length > 0) args.push(`--ignore-certificate-errors-spki-list=${spki.join(',')}`);
  const headless = options.headless ?? true;
  let browser: Browser;
  try {
    const start = (): Promise<Browser> => chromium.launch({
      executablePath: found.path,
      headless,
      args,
      // The host owns Ctrl-C and SIGTERM: its capture lifecycle stops the capture, which stores
      // the network log and then closes the browser. Playwright's own handlers would close the
      // browser first and exit with 130 before any of that is stored.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      ...(options.display ? { env: { ...process.env, DISPLAY: options.display } } : {}),
    });
    browser = (await launchVia(start, (b) => b.close(), options.signal)).child;
  } catch (error) {
    if (error instanceof ProoflineError) throw error;
    const first = (error as Error).message.split('\n')[0];
    throw new ProoflineError('browser.start-failed', `Could not start the browser at ${found.path}: ${first}${headless ? '' : ' (a headed browser needs a display: set DISPLAY)'}`, { path: found.path }, { cause: error });
  }
  return {
    browser,
    facts: { path: found.path, source: found.source, version: browser.version(), headless, args, trust: { extraRootSpkiHashes: spki } },
  };
}
