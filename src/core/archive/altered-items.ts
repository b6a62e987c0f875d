// Every file or event the verifier found at fault, mapped back to what the session recorded it
// as (src/shared/altered.ts). Fed the chain's events in order, it keeps per artifact only what
// names it (event, time, file name, page URL, segment span, last mark), and per event its type as
// a small number, so a long session stays cheap.
import type { AlteredItem, AlteredKind, Mark } from '../../shared/altered.js';
import type { EventBody } from '../../shared/domain.js';
import * as layout from './bag-layout.js';
import type { VerifyCheck } from './verify-report.js';

interface ArtifactFacts {
  readonly seq: number;
  readonly time: string;
  readonly eventType: string;
  readonly name: string;
  readonly url?: string;
  readonly segment?: { readonly index: number; readonly startedAt: string; readonly endedAt: string };
}

const KIND_OF_EVENT: Readonly<Record<string, AlteredKind>> = {
  'generation.image': 'image',
  'draft.saved': 'draft',
  'artifact.attached': 'attachment',
  'recording.segment': 'segment',
  'web.capture': 'page-file',
  'web.capture.file': 'page-file',
  'web.capture.network': 'page-file',
};

const MARKS = new Set<string>(['selected', 'rejected', 'final']);
const UNKNOWN_TYPE = 0xffff;

/** A copy with room for at least `needed` items, doubling so n appends cost O(n) copies. */
function grown(array: Uint16Array, needed: number): Uint16Array {
  let length = array.length;
  while (length < needed) length *= 2;
  const next = new Uint16Array(length);
  next.set(array);
  return next;
}

export class ArtifactIndex {
  private readonly artifacts = new Map<string, ArtifactFacts>();
  private readonly marks = new Map<string, Mark>();
  private readonly typeIds = new Map<string, number>();
  private readonly typeNames: string[] = [];
  /** Type id by seq, 2 bytes an event; UNKNOWN_TYPE past 65,535 distinct types (no real session has 100). */
  private eventTypes: Uint16Array = new Uint16Array(1024);

  /** An event whose body names nothing this index keeps: only its type, by seq. */
  observeType(seq: number, type: string): void {
    let id = this.typeIds.get(type);
    if (id === undefined) {
      id = this.typeNames.push(type) - 1;
      this.typeIds.set(type, id);
    }
    if (Number.isSafeInteger(seq) && seq >= 0) {
      if (seq >= this.eventTypes.length) this.eventTypes = grown(this.eventTypes, seq + 1);
      this.eventTypes[seq] = id + 1 < UNKNOWN_TYPE ? id + 1 : UNKNOWN_TYPE; // 0: no event seen at seq
    }
  }

  observe(body: EventBody): void {
    this.observeType(body.seq, body.type);
    const p = body.payload;
    if (body.type === 'generation.marked' && typeof p['sha256'] === 'string' && typeof p['mark'] === 'string' && MARKS.has(p['mark'])) {
      this.marks.set(p['sha256'], p['mark'] as Mark);
    }
    for (const ref of body.artifacts ?? []) {
      if (this.artifacts.has(ref.sha256)) continue;
      const url = typeof p['finalUrl'] === 'string' ? p['finalUrl'] : typeof p['url'] === 'string' ? p['url'] : undefined;
      let segment: ArtifactFacts['segment'];
      if (body.type === 'recording.segment' && typeof p['startedAt'] === 'string') {
        const start = Date.parse(p['startedAt']);
        const seconds = Number(p['durationSeconds'] ?? 0);
        segment = { index: Number(p['index']), startedAt: p['startedAt'], endedAt: new Date(start + (Number.isFinite(seconds) ? seconds : 0) * 1000).toISOString() };
      }
      this.artifacts.set(ref.sha256, {
        seq: body.seq,
        time: body.time,
        eventType: body.type,
        name: ref.name,
        ...(url !== undefined && body.type.startsWith('web.') ? { url } : {}),
        ...(segment ? { segment } : {}),
      });
    }
  }

  /** The items the failing checks name, each once, with every check that named it. */
  altered(checks: readonly VerifyCheck[], timeOf: (seq: number) => number | undefined): AlteredItem[] {
    const items = new Map<string, { item: Omit<AlteredItem, 'checks'>; checks: Set<string> }>();
    for (const check of checks) {
      if (check.status !== 'fail') continue;
      for (const where of check.where) {
        const item = this.describe(where, timeOf);
        if (!item) continue;
        const entry = items.get(item.path) ?? { item, checks: new Set<string>() };
        entry.checks.add(check.id);
        items.set(item.path, entry);
      }
    }
    return [...items.values()].map(({ item, checks }) => ({ ...item, checks: [...checks] }));
  }

  private describe(where: string, timeOf: (seq: number) => number | undefined): Omit<AlteredItem, 'checks'> | undefined {
    const line = /^data\/events\.jsonl:(\d+)$/.exec(where);
    if (line) {
      const seq = Number(line[1]) - 1;
      const stored = seq < this.eventTypes.length ? this.eventTypes[seq]! : 0;
      const type = stored === 0 || stored === UNKNOWN_TYPE ? undefined : stored - 1;
      const time = timeOf(seq);
      return {
        path: where,
        kind: 'event',
        seq,
        ...(type === undefined ? {} : { eventType: this.typeNames[type]! }),
        ...(time === undefined || !Number.isFinite(time) ? {} : { time: new Date(time).toISOString() }),
      };
    }
    if (where.startsWith(layout.ARTIFACTS_DIR)) {
      const sha = where.slice(layout.ARTIFACTS_DIR.length, layout.ARTIFACTS_DIR.length + 64);
      const facts = this.artifacts.get(sha);
      if (!facts) return { path: where, kind: 'artifact', sha256: sha };
      const kind = KIND_OF_EVENT[facts.eventType] ?? 'artifact';
      const mark = this.marks.get(sha);
      return {
        path: where,
        kind,
        name: facts.name,
        seq: facts.seq,
        time: facts.time,
        eventType: facts.eventType,
        sha256: sha,
        ...(mark ? { mark } : {}),
        ...(facts.url !== undefined ? { url: facts.url } : {}),
        ...(facts.segment ? { segment: facts.segment } : {}),
      };
    }
    return { path: where, kind: 'record', name: RECORD_NAMES[where] ?? recordName(where) };
  }
}

const RECORD_NAMES: Readonly<Record<string, string>> = {
  [layout.EVENTS_JSONL]: 'the event log (data/events.jsonl)',
  [layout.SESSION_JSON]: 'the session description (data/session.json)',
  'bag-info.txt': 'the archive description (bag-info.txt)',
  'manifest-sha256.txt': 'the SHA-256 list of files (manifest-sha256.txt)',
  'manifest-sm3.txt': 'the SM3 list of files (manifest-sm3.txt)',
  'tagmanifest-sha256.txt': 'the list of description files (tagmanifest-sha256.txt)',
  [layout.SEAL_SIGNATURE]: 'the seal signature',
};

function recordName(path: string): string {
  const checkpoint = /checkpoints\/(\d+)\.json(\.sig)?$/.exec(path);
  if (checkpoint) return `checkpoint ${Number(checkpoint[1])}${checkpoint[2] ? ' signature' : ''} (${path})`;
  const token = /timestamps\/(\d+)-tsa(\d+)\.tsr$/.exec(path);
  if (token) return `timestamp of checkpoint ${Number(token[1])} from TSA ${token[2]} (${path})`;
  if (/seal(-\d+)?\.tsr$/.test(path)) return `the seal timestamp (${path})`;
  return path;
}
