// The main window and the rules every web contents in the app obeys.
// Numbers refer to Electron's security checklist:
// https://www.electronjs.org/docs/latest/tutorial/security#checklist-security-recommendations
import { BrowserWindow, type App, type Session } from 'electron';
import type { TrustedRenderer } from './ipc-trust.js';

export interface WindowPaths {
  readonly preload: string;
  readonly icon: string;
  readonly renderer: TrustedRenderer;
}

/** Applies to every web contents, including ones we never meant to create. */
export function lockDownWebContents(app: App): void {
  app.on('web-contents-created', (_event, contents) => {
    // #13 Disable or limit navigation: the UI is one page; a link or a redirect must never
    // replace it with content that could reach the bridge.
    contents.on('will-navigate', (event) => event.preventDefault());
    // #14 Disable or limit creation of new windows.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    // #12 Verify <webview> options: we use none, so refuse any.
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/** #5 Handle session permission requests: the UI needs no camera, location, notifications... */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export function createMainWindow(paths: WindowPaths): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 640,
    minHeight: 420,
    title: 'Proofline',
    icon: paths.icon,
    show: false,
    backgroundColor: '#f7f7f5', // matches the page so the first paint does not flash white
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true, // #3 Enable context isolation
      sandbox: true, // #4 Enable process sandboxing (the preload is therefore CommonJS)
      nodeIntegration: false, // #2 Do not enable Node.js integration
      webSecurity: true, // #6 Do not disable webSecurity
      allowRunningInsecureContent: false, // #8
      experimentalFeatures: false, // #9
      webviewTag: false, // #11/#12: no <webview> at all
    },
  });
  window.once('ready-to-show', () => window.show());

  const renderer = paths.renderer;
  if (renderer.kind === 'dev-server') void window.loadURL(renderer.origin);
  else void window.loadURL(renderer.url);
  return window;
}
