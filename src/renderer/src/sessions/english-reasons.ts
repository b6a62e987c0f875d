// The reasons the core records in English (a recording's end, a failed capture), read back into
// a case the renderer says in the reader's language. The evidence keeps the core's sentence; this
// only chooses the words shown. The patterns follow the core's own sentences:
// recording-runs.ts (STOPPED_BY_USER, the duration stop, a failed start), screen-recorder.ts and
// ffmpeg-progress.ts (explainExit), recording-recovery.ts (session.interrupted), and
// capture/web/failure-kind.ts (classifyFailure).

export type EndReason = 'user' | 'duration' | 'crash' | 'diskFull' | 'screenLost' | 'startFailed' | 'segmentFailed' | 'ffmpegExited' | 'interruptedCli';

const END_REASONS: readonly (readonly [RegExp, EndReason])[] = [
  [/^stopped by the user$/, 'user'],
  [/^the requested duration of .* was reached$/, 'duration'],
  [/^the app ended while recording/, 'crash'],
  [/^the disk is full/, 'diskFull'],
  [/^ffmpeg lost the screen/, 'screenLost'],
  [/^the recording could not start/, 'startFailed'],
  [/^a segment could not be stored/, 'segmentFailed'],
  [/^ffmpeg (exited|was killed|ended|stopped)/, 'ffmpegExited'],
  [/^interrupted \(Ctrl-C\)$/, 'interruptedCli'],
];

/** Which known end a recording's (or a browser's) reason is, or undefined for one this version does not know. */
export function endReasonOf(reason: string): EndReason | undefined {
  return END_REASONS.find(([pattern]) => pattern.test(reason))?.[1];
}

/** capture/web/failure-kind.ts FailureKind, as recorded in `web.capture.failed` payload.kind. */
export const FAILURE_KINDS = ['refused', 'dns', 'timeout', 'tls', 'http-error', 'network', 'invalid-url', 'aborted', 'browser', 'other'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

const FAILURE_MESSAGES: readonly (readonly [RegExp, FailureKind])[] = [
  [/^the server refused the connection/, 'refused'],
  [/^the host name could not be resolved/, 'dns'],
  [/^TLS failed/, 'tls'],
  [/^no response in time/, 'timeout'],
  [/^ERR_[A-Z_]+:/, 'network'],
];

/** The kind of a failed capture: the recorded kind when there is one, else read off the live progress message. */
export function failureKindOf(kind: unknown, message: string): FailureKind | undefined {
  if (typeof kind === 'string' && (FAILURE_KINDS as readonly string[]).includes(kind) && kind !== 'other') return kind as FailureKind;
  return FAILURE_MESSAGES.find(([pattern]) => pattern.test(message))?.[1];
}
