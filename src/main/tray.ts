// The menu-bar/tray indicator while a session records, and the global shortcut that brings the
// window up with the note box focused (issue: "a global shortcut to add a note or mark the moment").
import { globalShortcut, Menu, Tray, nativeImage, type BrowserWindow } from 'electron';
import { COMMAND_CHANNEL } from '../shared/bridge.js';
import type { Host } from '../host/operations.js';

export const NOTE_SHORTCUT = 'CommandOrControl+Shift+M';

export function installRecordingIndicator(options: { host: Host; window: () => BrowserWindow; icon: string }): void {
  let tray: Tray | undefined;
  const send = (command: string): void => {
    const window = options.window();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    window.webContents.send(COMMAND_CHANNEL, command);
  };
  globalShortcut.register(NOTE_SHORTCUT, () => send('note'));
  const refresh = (): void => {
    const recording = options.host.capture.recordingSessions();
    if (recording.length === 0) {
      tray?.destroy();
      tray = undefined;
      return;
    }
    tray ??= new Tray(nativeImage.createFromPath(options.icon).resize({ width: 16, height: 16 }));
    tray.setToolTip(`Proofline: recording (${recording.length})`);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Proofline is recording', enabled: false },
        { label: 'Add a note…', accelerator: NOTE_SHORTCUT, click: () => send('note') },
        { label: 'Show window', click: () => send('show') },
        { label: 'Stop recording', click: () => void Promise.all(recording.map((id) => options.host.capture.stop(id))).then(refresh) },
      ]),
    );
  };
  setInterval(refresh, 1000).unref();
}
