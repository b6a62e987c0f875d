import { ProoflineError } from '../errors.js';

/**
 * Why an archive could not be read, as a value the verifier maps to an exit code and a person
 * can act on. The reason is the error's `reason` and the end of its code (`archive.hostile`).
 *
 * - `not-zip`: the file is not a ZIP at all (empty, a PNG, a text file).
 * - `truncated`: it starts like a ZIP but was cut short (interrupted download or copy).
 * - `unreadable`: a ZIP we cannot read: I/O error, multi-disk, encryption, a compression method
 *   other than stored/deflated.
 * - `damaged`: an entry's bytes disagree with its own headers (CRC-32, length, deflate data):
 *   changed after the archive was written.
 * - `hostile`: built to hurt whoever opens it: zip-slip paths, duplicate or aliased names,
 *   symlinks, overlapping entries, zip bombs, forged sizes. Refused before anything is written.
 * - `missing`: the caller asked for an entry the archive does not have.
 */
export type ArchiveErrorKind = 'not-zip' | 'truncated' | 'unreadable' | 'damaged' | 'hostile' | 'missing';

export class ArchiveError extends ProoflineError {
  override readonly name = 'ArchiveError';

  constructor(
    readonly reason: ArchiveErrorKind,
    message: string,
    readonly entry?: string,
    options?: { cause?: unknown },
  ) {
    super(`archive.${reason}`, message, entry === undefined ? {} : { entry }, options);
  }
}

/**
 * An entry name as it may be shown to a person: quoted, with control and bidi-override
 * characters escaped so a hostile name cannot rewrite the terminal line or reorder the text.
 */
export function quoteName(name: string): string {
  const escaped = name.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `'${escaped.length > 200 ? `${escaped.slice(0, 200)}…` : escaped}'`;
}
