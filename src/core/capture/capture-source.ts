/**
 * What every live capture source (screen recorder, folder watcher, ComfyUI connector, browser)
 * gives its host: a way to stop it that resolves only once everything it captured is hashed,
 * stored and appended to the session's chain. Hosts (the CLI's `record`, the app) start sources,
 * keep them in a list, and stop them all on SIGINT, on "stop" in the UI, or before seal.
 */
export interface CaptureSource {
  /** Short name for logs and the UI: "screen", "watch:/path", "comfyui:http://…". */
  readonly name: string;
  /** Flushes and closes; never throws for a source that already failed (its failure is an event). */
  stop(): Promise<void>;
}

/** A notice a source gives its host while running: for progress lines and the UI's live view. */
export interface CaptureNotice {
  readonly source: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  /** The event this notice is about, when one was appended. */
  readonly eventSeq?: number;
}

export type NoticeListener = (notice: CaptureNotice) => void;
