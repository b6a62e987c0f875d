import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright';
import { launchVia } from '../../../process/launch.js';
import { CHROMIUM_ARGS, CHROMIUM_SANDBOX, findBrowser } from '../browser-locate.js';
import { reasonOf, withTimeout } from './run-tool.js';
import { finding, type Finding, type ProbeContext } from './types.js';

async function listOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/**
 * Launches the capture browser once on a new, empty profile and reads what chrome://version
 * shows (version, profile path, command line), the loaded extensions (extension targets and
 * the profile's Extensions folder), then closes it and removes the profile.
 */
export async function checkBrowser(ctx: ProbeContext): Promise<Finding> {
  const title = 'Fresh capture browser';
  if (ctx.options.skipBrowser) return finding('browser.fresh', 'browser', 'not-checked', title, 'Not checked: the browser check was turned off.');
  let located;
  try {
    located = await findBrowser(ctx.options.browserPath);
  } catch (error) {
    return finding('browser.fresh', 'browser', 'fail', title, `${reasonOf(error)} No capture can be made without one.`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'proofline-profile-'));
  let context: BrowserContext | undefined;
  const limit = ctx.timeoutMs * 3;
  let untie = (): void => undefined;
  try {
    const before = await readdir(profile);
    // Through the launcher: a cancelled check closes the browser at once, even while it starts,
    // rather than when its time limit ends.
    const tied = await launchVia(
      () => chromium.launchPersistentContext(profile, { executablePath: located.path, headless: true, args: [...CHROMIUM_ARGS], chromiumSandbox: CHROMIUM_SANDBOX, timeout: limit }),
      (started) => started.close(),
      ctx.signal,
      'the check\'s browser',
    );
    untie = tied.untie;
    context = tied.child;
    const open = context;
    const facts = await withTimeout((async () => {
      const page = open.pages()[0] ?? (await open.newPage());
      const version = open.browser()?.version() ?? null;
      const cdp = await open.newCDPSession(page);
      const info = (await cdp.send('Browser.getVersion')) as { product: string; revision: string; userAgent: string; jsVersion: string };
      const targets = (await cdp.send('Target.getTargets')) as { targetInfos: { type: string; url: string }[] };
      const extensionTargets = targets.targetInfos.filter((t) => t.url.startsWith('chrome-extension://')).map((t) => `${t.type} ${t.url}`);
      await page.goto('chrome://version', { timeout: limit });
      // A string, not a function: the node build has no DOM types, and the page evaluates it.
      const shown = (await page.evaluate(`({
        profilePath: document.getElementById('profile_path')?.textContent?.trim() ?? null,
        commandLine: document.getElementById('command_line')?.textContent?.trim() ?? null,
      })`)) as { profilePath: string | null; commandLine: string | null };
      await cdp.detach();
      return { version, info, extensionTargets, shown };
    })(), limit, 'the browser check');
    const extensionsDir = await listOrEmpty(join(profile, 'Default', 'Extensions'));
    const data = {
      path: located.path,
      source: located.source,
      version: facts.version,
      product: facts.info.product,
      revision: facts.info.revision,
      userAgent: facts.info.userAgent,
      jsVersion: facts.info.jsVersion,
      profile,
      profileEntriesAtStart: before,
      profilePathShown: facts.shown.profilePath,
      commandLine: facts.shown.commandLine,
      args: [...CHROMIUM_ARGS],
      sandbox: CHROMIUM_SANDBOX,
      extensionTargets: facts.extensionTargets,
      extensionsDir,
    };
    const problems: string[] = [];
    if (before.length > 0) problems.push(`the new profile was not empty (${before.join(', ')})`);
    if (facts.extensionTargets.length > 0) problems.push(`extensions are running (${facts.extensionTargets.join(', ')}), perhaps forced by policy`);
    if (extensionsDir.length > 0) problems.push(`extensions were installed into the profile (${extensionsDir.join(', ')})`);
    const what = `${facts.info.product} (${located.path}, found as ${located.source})`;
    if (problems.length > 0) {
      return finding('browser.fresh', 'browser', 'fail', title, `${what}: ${problems.join('; ')}. Extensions can read and change every page.`, data);
    }
    return finding('browser.fresh', 'browser', 'pass', title, `${what} started on a new, empty profile with no extensions${CHROMIUM_SANDBOX ? '' : ' (sandbox off: running as root)'}.`, data);
  } catch (error) {
    return finding('browser.fresh', 'browser', 'fail', title, `The capture browser ${located.path} did not start or answer: ${reasonOf(error)}.`, { path: located.path, source: located.source });
  } finally {
    untie();
    await context?.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true, maxRetries: 3 });
  }
}
