// Electron entry: app lifecycle only. The core does the work (DESIGN.md: "one core, three
// hosts"); this file opens it, opens the window and wires the bridge.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, dialog, ipcMain, protocol, session, BrowserWindow } from 'electron';
import { tsaUrlsFromEnv } from '../core/paths.js';
import { openProofline } from '../core/proofline.js';
import { createLiveWatch } from '../host/live-watch.js';
import { createMediaResolver, mediaSourcesOf } from '../host/media-resolver.js';
import { startReplayServer, type ReplayServer } from '../host/replay-server.js';
import { createHost } from '../host/operations.js';
import { SettingsStore } from '../host/settings-store.js';
import type { TrustedRenderer } from './ipc-trust.js';
import { registerIpc } from './ipc.js';
import { registerLiveIpc } from './live-ipc.js';
import { handleMediaRequest, MEDIA_SCHEME } from './media-protocol.js';
import { installRecordingIndicator } from './tray.js';
import { createMainWindow, denyAllPermissions, lockDownWebContents } from './window.js';

// Recordings and images reach the window through our own scheme, never a file:// path
// (checklist #18); registered before ready, as Electron requires. corsEnabled: the recording's
// player fetches its playlist and segments from the file:// page (media-protocol.ts).
protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true, corsEnabled: true } }]);

// userData is derived from the package name ("proofline") once at start-up and is not
// recomputed by setName (electron/electron#22899), so set both. The result,
// <appData>/Proofline, is what the CLI's defaultDataDir() uses: app and CLI share one store.
app.setName('Proofline');
app.setPath('userData', join(app.getPath('appData'), 'Proofline'));

// Electron security checklist #4: sandbox every renderer, not only the ones whose
// webPreferences we remember to set.
app.enableSandbox();

const outDir = join(import.meta.dirname, '..'); // out/, holding main/, preload/, renderer/
// The built UI is a file:// page. The checklist (#18) prefers a custom protocol; until the UI
// needs one, file:// is made safe enough by the exact-file sender check and no navigation.
const devServer = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const renderer: TrustedRenderer =
  devServer !== undefined
    ? { kind: 'dev-server', origin: devServer }
    : { kind: 'file', url: pathToFileURL(join(outDir, 'renderer', 'index.html')).href };

// better-sqlite3 under Electron needs a build for Electron's ABI; `npm start` makes one in
// .electron-native/ (scripts/ensure-electron.mjs) and Node keeps the normal build for tests.
// A packaged app gets its native modules rebuilt by the packager, so it uses the default.
const nativeBinding = app.isPackaged
  ? undefined
  : join(app.getAppPath(), '.electron-native', 'better_sqlite3.node');

if (!app.requestSingleInstanceLock()) {
  // One process owns the evidence store; a second launch just focuses the first window.
  app.quit();
} else {
  lockDownWebContents(app);
  void app.whenReady().then(start);
}

function start(): void {
  denyAllPermissions(session.defaultSession);

  let proofline: ReturnType<typeof openProofline>;
  // PROOFLINE_DATA and PROOFLINE_TSA_URLS mean the same here as for the CLI; Settings (kept in the
  // data folder) give the TSAs and the checkpoint interval otherwise.
  const dataDir = process.env['PROOFLINE_DATA'] || app.getPath('userData');
  const settings = new SettingsStore(dataDir, { tsaUrls: tsaUrlsFromEnv() });
  try {
    proofline = openProofline({ dataDir, nativeBinding, tsaUrls: settings.get().tsaUrls, anchorSeconds: settings.get().anchorSeconds });
  } catch (error) {
    const hint =
      nativeBinding !== undefined && !existsSync(nativeBinding)
        ? `\n\n${nativeBinding} is missing: start the app with \`npm start\`, which builds it.`
        : '';
    dialog.showErrorBox(
      'Proofline could not open its evidence store',
      `${app.getPath('userData')}\n\n${String(error)}${hint}`,
    );
    app.exit(1);
    return;
  }
  // The app is a long-running host: it anchors new events within the interval and retries
  // queued timestamps while it is open (a one-shot CLI command anchors before it exits).
  proofline.startTimers();
  const focused = (): BrowserWindow | undefined => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const host = createHost({
    pl: proofline,
    settings,
    host: 'electron',
    exportDir: join(app.getPath('documents'), 'Proofline'),
    dialogs: {
      chooseArchive: async () => {
        const result = await dialog.showOpenDialog(focused()!, { properties: ['openFile'], filters: [{ name: 'Evidence archive', extensions: ['zip'] }] });
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      chooseFolder: async () => {
        const result = await dialog.showOpenDialog(focused()!, { properties: ['openDirectory', 'createDirectory'] });
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      chooseSaveArchive: async (suggestedName) => {
        const result = await dialog.showSaveDialog(focused()!, { defaultPath: join(app.getPath('documents'), suggestedName), filters: [{ name: 'Evidence archive', extensions: ['zip'] }] });
        return result.canceled ? null : (result.filePath ?? null);
      },
    },
  });
  void host.capture.recoverInterrupted();
  // The window's live screens are pushed what changed, by this process or the CLI's (live-watch.ts).
  const live = createLiveWatch(proofline.db);
  let quitting = false;
  app.on('before-quit', (event) => {
    // Close every open recording segment before the store closes: nothing is lost on quit.
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void host.shutdown().finally(() => {
      live.close();
      proofline.close();
      app.quit();
    });
  });

  registerIpc(ipcMain, host.handlers, renderer);
  registerLiveIpc(ipcMain, live, renderer);
  // Captured pages are replayed on a loopback listener of their own, as under `proofline serve`:
  // their scripts must never run with a privileged origin (src/host/replay-server.ts). Only this
  // window may frame it: file: (the built UI) or the dev server's origin.
  let replay: ReplayServer | undefined;
  const media = createMediaResolver({
    ...mediaSourcesOf(proofline, host, () => settings.get().ffmpegPath || undefined),
    replayAddress: (handle, entry, page) => replay?.address(handle, entry, page),
  });
  void startReplayServer({
    read: (handle, entry, range, method) => media.resolve({ path: `archive/${handle}/${entry.split('/').map(encodeURIComponent).join('/')}`, range, method }),
    frameAncestors: () => (renderer.kind === 'dev-server' ? [renderer.origin] : ['file:']),
  }).then(
    (started) => {
      replay = started;
      app.once('will-quit', () => void started.close());
    },
    (error: unknown) => console.error(`The replay of captured pages is unavailable: ${String(error)}`),
  );
  session.defaultSession.protocol.handle(MEDIA_SCHEME, (request) => handleMediaRequest(request, media));

  const paths = {
    preload: join(outDir, 'preload', 'index.cjs'),
    icon: join(app.getAppPath(), 'resources', 'icon.png'),
    renderer,
  };
  let window = createMainWindow(paths);
  installRecordingIndicator({ host, window: () => window, icon: paths.icon });

  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  // macOS keeps the app alive with no window; clicking the dock icon opens one again.
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createMainWindow(paths);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
