// The bridge between the sandboxed renderer and main. Context isolation (#3) keeps these
// functions in a separate world; the page gets only what is listed here, as named functions,
// never ipcRenderer or a generic invoke (#20 "Do not expose Electron APIs to untrusted web
// content"; STYLE.md habit 4). Sandboxed, so this is bundled to CommonJS with no npm imports.
import { contextBridge, ipcRenderer } from 'electron';
import { channels, type ProoflineBridge } from '../shared/bridge.js';

const bridge: ProoflineBridge = {
  listSessions: () => ipcRenderer.invoke(channels.listSessions),
  deviceInfo: () => ipcRenderer.invoke(channels.deviceInfo),
};

contextBridge.exposeInMainWorld('proofline', bridge);
