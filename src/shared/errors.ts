// The error family's vocabulary, shared by the core (which throws), the hosts (which map a kind
// to an exit code or an HTTP status, once each) and the renderer (which says a code in the
// reader's language, src/renderer/src/locales/errors.ts). STYLE.md habit 9: errors are values a
// person can act on. A code names one situation and never changes meaning once released: the
// renderer and scripts key on it. Its kind is fixed here, so a code cannot drift between hosts.

/**
 * What a person can do about it, whichever host shows it:
 * - invalid-input: what they gave is wrong (a URL, a file that is not an image, an empty note);
 * - not-found: what they named does not exist (a session, a file, an archive entry);
 * - conflict: not now, in this state (a note on a sealed session, a second recording);
 * - unavailable: something it needs is missing or down (ffmpeg, a browser, a TSA, a display);
 * - interrupted: it stopped before finishing (cancelled, or a seal that did not complete);
 * - damaged: stored or received bytes are not what they should be (a truncated archive, a
 *   changed blob, a corrupt image);
 * - failed: anything else; the message says what.
 */
export type ErrorKind = 'invalid-input' | 'not-found' | 'conflict' | 'unavailable' | 'interrupted' | 'damaged' | 'failed';

/** Every code and its kind. Add a code here, then its Chinese in locales/errors.ts (the compiler asks). */
export const errorCodes = {
  // Sessions and the evidence store
  'session.not-found': 'not-found',
  'session.sealed': 'conflict',
  'session.not-sealed': 'conflict',
  'session.title-missing': 'invalid-input',
  'session.seal-unfinished': 'interrupted',
  'session.owned': 'conflict',
  'note.empty': 'invalid-input',
  'store.damaged': 'damaged',
  'store.write-failed': 'failed',
  'database.too-new': 'unavailable',
  'blob.missing': 'damaged',
  'blob.changed': 'damaged',
  'blob.bad-digest': 'invalid-input',
  'file.unreadable': 'not-found',
  'file.not-a-file': 'invalid-input',
  'device.key-invalid': 'damaged',
  'device.cert-mismatch': 'damaged',
  'artifact.invalid': 'invalid-input',
  'artifact.ambiguous': 'invalid-input',
  'artifact.missing': 'not-found',
  // Time-stamping and trust
  'tsa.unreachable': 'unavailable',
  'tsa.http': 'unavailable',
  'tsa.rejected': 'failed',
  'tsa.malformed': 'damaged',
  'tsa.mismatch': 'failed',
  'tsa.unusable': 'failed',
  'tsa.none-configured': 'invalid-input',
  'trusted-root.unreadable': 'invalid-input',
  'trusted-root.no-certificate': 'invalid-input',
  'trusted-root.malformed': 'invalid-input',
  // Archives
  'archive.not-zip': 'invalid-input',
  'archive.truncated': 'damaged',
  'archive.unreadable': 'invalid-input',
  'archive.damaged': 'damaged',
  'archive.hostile': 'invalid-input',
  'archive.missing': 'not-found',
  'archive.closed': 'not-found',
  'export.exists': 'conflict',
  'export.cancelled': 'interrupted',
  'export.failed': 'failed',
  // Court reports (src/core/report/)
  'report.not-an-archive': 'invalid-input',
  'report.no-browser': 'unavailable',
  'report.exists': 'conflict',
  'report.failed': 'failed',
  // Renewal with an RFC 4998 evidence record (src/core/archive/renew-archive.ts)
  'renew.unusable': 'invalid-input',
  'renew.not-verified': 'damaged',
  'renew.tsa-failed': 'unavailable',
  'renew.write-failed': 'failed',
  // Tools the capture needs
  'ffmpeg.missing': 'unavailable',
  'ffmpeg.path-invalid': 'unavailable',
  'ffmpeg.broken': 'unavailable',
  'browser.missing': 'unavailable',
  'browser.path-invalid': 'unavailable',
  'browser.start-failed': 'unavailable',
  'display.missing': 'unavailable',
  'display.unreachable': 'unavailable',
  'comfyui.unreachable': 'unavailable',
  'comfyui.url-invalid': 'invalid-input',
  // Recording
  'recording.already': 'conflict',
  'recording.not-running': 'conflict',
  'recording.not-paused': 'conflict',
  'recording.nothing': 'invalid-input',
  'recording.start-failed': 'failed',
  'recording.fps-range': 'invalid-input',
  'recording.segment-range': 'invalid-input',
  'recording.region-invalid': 'invalid-input',
  'recording.region-small': 'invalid-input',
  'recording.folder-in-use': 'conflict',
  // Web capture
  'url.invalid': 'invalid-input',
  'url.scheme': 'invalid-input',
  'url-list.unreadable': 'not-found',
  'option.range': 'invalid-input',
  'browser.already-open': 'conflict',
  'browser.not-open': 'conflict',
  'capture.stopping': 'conflict',
  'capture.no-page': 'conflict',
  'har.invalid': 'damaged',
  'wacz.write-failed': 'failed',
  'wacz.key-invalid': 'damaged',
  'ca-root.invalid': 'invalid-input',
  'check.cancelled': 'interrupted',
  // AI creation
  'models.cancelled': 'interrupted',
  'image.unreadable': 'not-found',
  'image.not-image': 'invalid-input',
  'image.corrupt': 'damaged',
  'image.needs-ffmpeg': 'unavailable',
  // Provenance other tools read (C2PA, TC260)
  'c2pa.unavailable': 'unavailable',
  'publish.unsealed': 'conflict',
  'publish.not-final': 'conflict',
  'publish.format': 'invalid-input',
  'publish.label-present': 'conflict',
  'publish.no-archive': 'not-found',
  'publish.archive-mismatch': 'invalid-input',
  'publish.exists': 'conflict',
  'publish.failed': 'failed',
  'publish.check-input': 'invalid-input',
  'image.convert-failed': 'failed',
  'watch.no-folder': 'invalid-input',
  'folder.missing': 'not-found',
  'folder.is-file': 'invalid-input',
  'folder.unreadable': 'invalid-input',
  'lineage.relation': 'invalid-input',
  'lineage.self': 'invalid-input',
  'mark.invalid': 'invalid-input',
  'text.too-long': 'invalid-input',
  // The team vault and the capture fleet (docs/FLEET.md)
  'vault.not-configured': 'invalid-input',
  'vault.no-credentials': 'unavailable',
  'vault.unreachable': 'unavailable',
  'vault.denied': 'unavailable',
  'vault.bucket-missing': 'not-found',
  'vault.no-object-lock': 'conflict',
  'vault.no-retention': 'invalid-input',
  'vault.not-found': 'not-found',
  'vault.refused': 'conflict',
  'vault.mismatch': 'damaged',
  'vault.not-archive': 'invalid-input',
  'vault.failed': 'failed',
  'fleet.no-queue': 'invalid-input',
  'fleet.unreachable': 'unavailable',
  'fleet.not-found': 'not-found',
  'fleet.failed': 'failed',
  // Hosts
  'input.invalid': 'invalid-input',
  'cli.usage': 'invalid-input',
  'dialog.unavailable': 'unavailable',
  'port.in-use': 'unavailable',
  'operation.cancelled': 'interrupted',
  /** Not one of ours: a bug or an error from a library, passed on with its first line. */
  unexpected: 'failed',
} as const satisfies Readonly<Record<string, ErrorKind>>;

export type ErrorCode = keyof typeof errorCodes;

/**
 * The codes that mean "stopped because someone cancelled it": the operation's own, where it
 * says more (an export says no archive was written), else `operation.cancelled`. Hosts and the
 * renderer say these as a cancellation, not as a failure (the CLI's exit 130 on Ctrl-C).
 */
export const CANCELLATION_CODES: readonly ErrorCode[] = ['operation.cancelled', 'export.cancelled', 'check.cancelled', 'models.cancelled'];

export function isCancellation(code: string | undefined): boolean {
  return code !== undefined && (CANCELLATION_CODES as readonly string[]).includes(code);
}

/** What the message says, as values a translation can put in its own words: names, paths, numbers. */
export type ErrorParams = Readonly<Record<string, string | number>>;

/** An error as data, carried over IPC and HTTP and inside results (a seal's TSA problem). */
export interface ErrorValue {
  readonly kind: ErrorKind;
  readonly code: ErrorCode;
  /** English, for a person: what failed, on which file or URL, what to do next. */
  readonly message: string;
  readonly params: ErrorParams;
}
