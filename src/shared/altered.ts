// What a failing file or event of an archive was, in the terms of the session that recorded it:
// "image 00001-a1111.png, marked Final, recorded 04:50:22 (event #7)" rather than
// "data/artifacts/b0df6182….png". Built by the verifier (src/core/archive/altered-items.ts), said
// by the CLI in English and by the viewer in the reader's language.

export type AlteredKind =
  /** A generated image (generation.image). */
  | 'image'
  /** A draft saved from a watched drafts folder (draft.saved). */
  | 'draft'
  /** A file attached by hand (artifact.attached). */
  | 'attachment'
  /** A screen recording segment (recording.segment). */
  | 'segment'
  /** A file of a captured web page: screenshot, MHTML, DOM, text, HAR, WACZ, TLS chain. */
  | 'page-file'
  /** A file some other event recorded. */
  | 'artifact'
  /** A line of the event log. */
  | 'event'
  /** The event log as a whole, the session description, a checkpoint, a timestamp, a signature. */
  | 'record';

export type Mark = 'selected' | 'rejected' | 'final';

export interface AlteredItem {
  /** The archive entry, or `data/events.jsonl:LINE`. */
  readonly path: string;
  readonly kind: AlteredKind;
  /** The file's name as recorded (an artifact), or what the record is (`record`). */
  readonly name?: string;
  /** The event that recorded it, and when and what it was. */
  readonly seq?: number;
  readonly time?: string;
  readonly eventType?: string;
  /** The last human decision on an image or draft. */
  readonly mark?: Mark;
  /** The page a page file belongs to. */
  readonly url?: string;
  /** A recording segment: its number and the wall-clock span it covers. */
  readonly segment?: { readonly index: number; readonly startedAt: string; readonly endedAt: string };
  /** SHA-256 the session recorded for the file (an artifact's). */
  readonly sha256?: string;
  /** The verifier's checks that named it. */
  readonly checks: readonly string[];
}

/** `2026-11-30T04:50:22.123Z` → `2026-11-30 04:50:22 UTC`. */
export function utcTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

const MARK_EN: Readonly<Record<Mark, string>> = { selected: 'Selected', rejected: 'Rejected', final: 'Final' };

/** The item in one English phrase, for the CLI and the summary. */
export function describeAltered(item: AlteredItem): string {
  const recorded = item.time ? `, recorded ${utcTime(item.time)}` : '';
  const event = item.seq === undefined ? '' : ` (event #${item.seq})`;
  switch (item.kind) {
    case 'image':
    case 'draft':
    case 'attachment':
    case 'artifact': {
      const what = item.kind === 'artifact' ? 'file' : item.kind === 'attachment' ? 'attached file' : item.kind;
      const mark = item.mark ? `, marked ${MARK_EN[item.mark]}` : '';
      return `${what} ${item.name ?? item.path}${mark}${recorded}${event}`;
    }
    case 'segment':
      return item.segment
        ? `recording segment ${item.segment.index}, ${utcTime(item.segment.startedAt)}–${item.segment.endedAt.slice(11, 19)}${event}`
        : `recording segment ${item.name ?? item.path}${event}`;
    case 'page-file':
      return `page ${item.url ?? '?'} ${item.name ?? 'file'}${recorded}${event}`;
    case 'event':
      return `event #${item.seq ?? '?'}${item.eventType ? ` (${item.eventType})` : ''}${recorded}`;
    case 'record':
      return `${item.name ?? item.path}`;
  }
}
