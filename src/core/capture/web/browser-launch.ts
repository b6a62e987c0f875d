import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright';
import { spkiHashOfPem } from './spki.js';

/** Launch arguments that keep the browser from talking to anything but the captured site. */
const SAFE_ARGS = ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

const DEFAULT_BROWSER = '/usr/bin/chromium';

export interface LaunchOptions {
  readonly browserPath?: string;
  readonly headless?: boolean;
  /** PEM roots the browser should accept besides the system's (by their SPKI hashes). */
  readonly extraCaRoots?: readonly string[];
  /** X display for a headed browser (defaults to $DISPLAY). */
  readonly display?: string;
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

function resolveBrowserPath(configured: string | undefined): { path: string; source: string } {
  if (configured) {
    if (!existsSync(configured)) throw new Error(`No browser at ${configured}: give the path of a Chromium, Chrome or Edge executable with --browser.`);
    return { path: configured, source: 'configured' };
  }
  const fromEnv = process.env['PROOFLINE_BROWSER'];
  if (fromEnv && existsSync(fromEnv)) return { path: fromEnv, source: 'PROOFLINE_BROWSER' };
  if (existsSync(DEFAULT_BROWSER)) return { path: DEFAULT_BROWSER, source: 'system' };
  throw new Error(`No Chromium found (looked at $PROOFLINE_BROWSER and ${DEFAULT_BROWSER}): install Chromium, Chrome or Edge and pass its path with --browser.`);
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const found = resolveBrowserPath(options.browserPath);
  const spki = (options.extraCaRoots ?? []).map(spkiHashOfPem);
  const args = [...SAFE_ARGS];
  // Chromium refuses to start its sandbox as root; a capture on a root build machine runs without it.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  if (spki.length > 0) args.push(`--ignore-certificate-errors-spki-list=${spki.join(',')}`);
  const headless = options.headless ?? true;
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: found.path,
      headless,
      args,
      ...(options.display ? { env: { ...process.env, DISPLAY: options.display } } : {}),
    });
  } catch (error) {
    const first = (error as Error).message.split('\n')[0];
    throw new Error(`Could not start the browser at ${found.path}: ${first}${headless ? '' : ' (a headed browser needs a display: set DISPLAY)'}`);
  }
  return {
    browser,
    facts: { path: found.path, source: found.source, version: browser.version(), headless, args, trust: { extraRootSpkiHashes: spki } },
  };
}
