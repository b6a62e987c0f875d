import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { ProoflineError } from '../../errors.js';
import { run } from '../../process/launch.js';

export type BrowserSource = 'configured' | 'PROOFLINE_BROWSER' | 'playwright' | 'system';

export interface LocatedBrowser {
  readonly path: string;
  readonly source: BrowserSource;
  /** From `--version` where that only prints (Linux, macOS); Windows' chrome.exe would open a window. */
  readonly version?: string;
}

/**
 * Chromium's sandbox refuses to start as root ("Running as root without --no-sandbox is not
 * supported", crbug.com/638180): only then is it turned off. Everywhere else it stays on, so a
 * hostile page cannot reach the machine that holds the evidence.
 */
export const CHROMIUM_SANDBOX = !(process.platform === 'linux' && typeof process.getuid === 'function' && process.getuid() === 0);

/**
 * Launch arguments for a capture browser that fetches nothing the page did not ask for: no
 * background requests, component or extension updates, sync, first-run pages or default apps,
 * so the network log and the profile hold only what the capture did.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-default-apps',
  ...(CHROMIUM_SANDBOX ? [] : ['--no-sandbox']),
];

/** Well-known install locations of Chromium, Chrome and Edge, in order of preference. */
export function systemBrowserPaths(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  if (platform === 'win32') {
    const roots = [env['PROGRAMFILES'] ?? 'C:\\Program Files', env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)', env['LOCALAPPDATA']].filter((r): r is string => !!r);
    return roots.flatMap((root) => [
      join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      join(root, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
      join(root, 'Chromium', 'Application', 'chrome.exe'),
    ]);
  }
  if (platform === 'darwin') {
    return [
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/opt/google/chrome/chrome', '/usr/bin/microsoft-edge'];
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function playwrightChromium(): Promise<string | undefined> {
  try {
    const { chromium } = await import('playwright');
    return chromium.executablePath();
  } catch {
    return undefined; // playwright absent or without a browser registry: try the system next
  }
}

/** `chromium --version` → "Chromium 156.0.8078.79 built on Debian…" → "Chromium 156.0.8078.79". */
function readVersion(path: string): Promise<string | undefined> {
  if (process.platform === 'win32') return Promise.resolve(undefined);
  return run(path, ['--version'], { timeoutMs: 5_000 }).then((result) => {
    const line = result.stdout.toString('utf8').trim().split('\n').pop()?.trim() ?? '';
    const match = /^(.*?\d+(?:\.\d+){1,3})/.exec(line);
    return result.code !== 0 || !match ? undefined : match[1];
  });
}

/**
 * Finds the capture browser: the configured path, then $PROOFLINE_BROWSER, then a
 * Playwright-installed Chromium, then a system Chrome/Edge/Chromium. A configured or
 * environment path that does not exist is an error, not a silent fall-through.
 */
export async function findBrowser(configured?: string): Promise<LocatedBrowser> {
  const given: [string | undefined, BrowserSource][] = [[configured, 'configured'], [process.env['PROOFLINE_BROWSER'], 'PROOFLINE_BROWSER']];
  for (const [path, source] of given) {
    if (!path) continue;
    if (!(await isExecutable(path))) {
      throw new ProoflineError('browser.path-invalid', `The browser ${path} (${source === 'configured' ? 'configured' : 'from $PROOFLINE_BROWSER'}) does not exist or is not executable. Give the path of Chrome, Edge or Chromium.`, { path });
    }
    return withVersion(path, source);
  }
  const tried: string[] = [];
  const fromPlaywright = await playwrightChromium();
  if (fromPlaywright) {
    if (await isExecutable(fromPlaywright)) return withVersion(fromPlaywright, 'playwright');
    tried.push(fromPlaywright);
  }
  for (const path of systemBrowserPaths()) {
    if (await isExecutable(path)) return withVersion(path, 'system');
    tried.push(path);
  }
  throw new ProoflineError('browser.missing', `No Chrome, Edge or Chromium found (looked at ${tried.join(', ')}). Install one, or give its path with --browser PATH or $PROOFLINE_BROWSER.`);
}

async function withVersion(path: string, source: BrowserSource): Promise<LocatedBrowser> {
  const version = await readVersion(path);
  return version ? { path, source, version } : { path, source };
}
