// Decides whether an IPC message comes from our own renderer.
// Electron security checklist #17, "Validate the sender of all IPC messages": any frame,
// including an iframe or a page navigated to by mistake, can reach ipcRenderer through the
// preload, so every handler checks the sending frame's URL before it reads the input.
// Pure apart from a type import, so it is tested in Node without Electron.
import type { IpcMainInvokeEvent } from 'electron';

/** Where our renderer comes from: the built file, or the Vite dev server under `electron-vite dev`. */
export type TrustedRenderer =
  | { readonly kind: 'file'; readonly url: string }
  | { readonly kind: 'dev-server'; readonly origin: string };

/**
 * A built renderer is trusted by its exact file (query and hash ignored, so that later
 * in-page routing keeps working); a dev server by its origin (Vite serves many paths).
 */
export function isTrustedSenderUrl(senderUrl: string, trusted: TrustedRenderer): boolean {
  const sender = URL.parse(senderUrl);
  if (sender === null) return false;
  if (trusted.kind === 'file') {
    const expected = new URL(trusted.url);
    return (
      sender.protocol === 'file:' &&
      sender.host === expected.host &&
      sender.pathname === expected.pathname
    );
  }
  return sender.origin === new URL(trusted.origin).origin;
}

export class UntrustedSenderError extends Error {
  constructor(channel: string, senderUrl: string | undefined) {
    super(
      `Refused IPC "${channel}" from ${senderUrl === undefined ? 'a frame that no longer exists' : `"${senderUrl}"`}: ` +
        'only the Proofline window may call it.',
    );
    this.name = 'UntrustedSenderError';
  }
}

type SenderEvent = Pick<IpcMainInvokeEvent, 'senderFrame'>;

/** Throws unless the message comes from the top frame of our renderer. */
export function assertTrusted(event: SenderEvent, channel: string, trusted: TrustedRenderer): void {
  // senderFrame is null when the frame navigated away or was destroyed before we got here.
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null || !isTrustedSenderUrl(frame.url, trusted)) {
    throw new UntrustedSenderError(channel, frame?.url);
  }
}
