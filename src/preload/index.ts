// The bridge between the sandboxed renderer and main. Context isolation (#3) keeps these
// functions in a separate world; the page gets only what is listed here, as named functions
// derived from the operation contract, never ipcRenderer or a generic invoke (#20 "Do not
// expose Electron APIs to untrusted web content"; STYLE.md habit 4). Sandboxed, so this is
// bundled into one CommonJS file.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CANCEL_CHANNEL, COMMAND_CHANNEL, LIVE_PULSE_CHANNEL, LIVE_WATCH_CHANNEL, operationChannel, PROGRESS_CHANNEL, type BridgeOperations, type ProoflineBridge } from '../shared/bridge.js';
import type { SessionPulse } from '../shared/contract.js';
import { operationNames } from '../shared/contract.js';

const operations = Object.fromEntries(
  operationNames.map((name) => [name, (input: unknown, callId: string) => ipcRenderer.invoke(operationChannel(name), input, callId)]),
) as unknown as BridgeOperations;

const bridge: ProoflineBridge = {
  operations,
  // Named, with its one argument: main checks the sender and parses the call id (src/main/ipc.ts).
  cancel: (callId) => ipcRenderer.invoke(CANCEL_CHANNEL, { callId }),
  onProgress(listener) {
    const wrapped = (_event: IpcRendererEvent, callId: string, progress: unknown): void => listener(callId, progress);
    ipcRenderer.on(PROGRESS_CHANNEL, wrapped);
    return () => void ipcRenderer.off(PROGRESS_CHANNEL, wrapped);
  },
  onCommand(listener) {
    const wrapped = (_event: IpcRendererEvent, command: string): void => listener(command);
    ipcRenderer.on(COMMAND_CHANNEL, wrapped);
    return () => void ipcRenderer.off(COMMAND_CHANNEL, wrapped);
  },
  // Named, with its one argument, as cancel: main checks the sender and parses the list (src/main/live-ipc.ts).
  watch: (sessions) => ipcRenderer.invoke(LIVE_WATCH_CHANNEL, { sessions: [...sessions] }),
  onPulse(listener) {
    const wrapped = (_event: IpcRendererEvent, pulse: SessionPulse): void => listener(pulse);
    ipcRenderer.on(LIVE_PULSE_CHANNEL, wrapped);
    return () => void ipcRenderer.off(LIVE_PULSE_CHANNEL, wrapped);
  },
};

contextBridge.exposeInMainWorld('proofline', bridge);
