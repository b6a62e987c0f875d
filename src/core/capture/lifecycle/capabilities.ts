import type * as V from '../../../shared/views.js';
import { orUndefined, type LifecycleContext } from './deps.js';
import * as load from './modules.js';

/** What this host can capture here (ffmpeg, a browser, a display): the UI disables the rest and says why. */
export async function capabilities(context: LifecycleContext): Promise<V.AppInfo['capabilities']> {
  const s = context.settings();
  const [ffmpeg, browser] = await Promise.allSettled([
    load.ffmpegLocate().then(({ locateFfmpeg }) => locateFfmpeg(orUndefined(s.ffmpegPath))),
    load.browserLocate().then(({ findBrowser }) => findBrowser(orUndefined(s.browserPath))),
  ]);
  const configuredDisplay = s.recording.display || process.env['DISPLAY'];
  const display = process.platform !== 'linux' || Boolean(configuredDisplay);
  return {
    ffmpeg: ffmpeg.status === 'fulfilled' ? { ok: true, detail: `${ffmpeg.value.version} (${ffmpeg.value.path})` } : { ok: false, detail: (ffmpeg.reason as Error).message },
    browser: browser.status === 'fulfilled' ? { ok: true, detail: `${browser.value.version ?? 'Chromium'} (${browser.value.path})` } : { ok: false, detail: (browser.reason as Error).message },
    display: { ok: display, detail: display ? (configuredDisplay ?? 'desktop') : 'no X display (DISPLAY is not set; choose one in Settings)' },
  };
}
