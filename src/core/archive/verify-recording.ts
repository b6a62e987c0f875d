import type { EventBody } from '../../shared/domain.js';

/** What the `recording.continuity` check concludes. */
export interface ContinuityResult {
  readonly status: 'pass' | 'fail' | 'skip';
  readonly detail: string;
  /** events.jsonl lines at fault. */
  readonly where: string[];
}

/** Consecutive segments of one run may sit this far apart (rounding of the segment list times). */
const TOLERANCE_SECONDS = 1.5;

const DISCLOSURES = new Set(['recording.paused', 'recording.resumed', 'recording.failed', 'recording.stopped', 'session.interrupted']);

interface Segment {
  readonly seq: number;
  readonly index: number;
  readonly run: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly duration: number;
}

interface Recording {
  readonly id: string;
  readonly startSeq: number;
  readonly segments: Segment[];
  /** seqs of pause/resume/failure/interruption events, and the segment numbers they say were lost. */
  readonly disclosures: number[];
  readonly disclosedMissing: Set<number>;
  ended: boolean;
}

/**
 * Recording continuity (DESIGN.md, "proofline verify"): the segments of each recording are
 * numbered without gaps from 0, each ends after it starts, none overlaps the one before, and
 * wherever time or numbers jump, an event between the two segments (pause, resume, failure,
 * interruption) discloses it; every recording has an end event. Fed events in chain order.
 */
export class RecordingContinuity {
  private readonly recordings = new Map<string, Recording>();
  private readonly problems: { detail: string; seq: number }[] = [];

  observe(body: EventBody): void {
    const id = body.payload['recording'];
    if (typeof id !== 'string') return;
    if (body.type === 'recording.started') {
      if (this.recordings.has(id)) this.problems.push({ detail: `event ${body.seq} starts recording ${short(id)} a second time`, seq: body.seq });
      else this.recordings.set(id, { id, startSeq: body.seq, segments: [], disclosures: [], disclosedMissing: new Set(), ended: false });
      return;
    }
    const rec = this.recordings.get(id);
    if (!body.type.startsWith('recording.') && body.type !== 'session.interrupted') return;
    if (!rec) {
      this.problems.push({ detail: `event ${body.seq} (${body.type}) names recording ${short(id)}, which was never started`, seq: body.seq });
      return;
    }
    if (rec.ended) {
      this.problems.push({ detail: `event ${body.seq} (${body.type}) comes after recording ${short(id)} ended`, seq: body.seq });
      return;
    }
    if (body.type === 'recording.segment') {
      const p = body.payload;
      rec.segments.push({
        seq: body.seq,
        index: Number(p['index']),
        run: Number(p['run']),
        startedAt: Date.parse(String(p['startedAt'])),
        endedAt: Date.parse(String(p['endedAt'])),
        duration: Number(p['durationSeconds']),
      });
      return;
    }
    if (DISCLOSURES.has(body.type)) {
      rec.disclosures.push(body.seq);
      const survived = body.payload['survived'];
      const missing = survived && typeof survived === 'object' && !Array.isArray(survived) ? survived['missing'] : undefined;
      if (Array.isArray(missing)) for (const m of missing) if (typeof m === 'number') rec.disclosedMissing.add(m);
      if (body.type === 'recording.stopped' || body.type === 'recording.failed' || body.type === 'session.interrupted') rec.ended = true;
    }
  }

  result(): ContinuityResult {
    const problems = [...this.problems];
    let segments = 0;
    let seconds = 0;
    let disclosedGaps = 0;
    for (const rec of this.recordings.values()) {
      segments += rec.segments.length;
      let expected = 0;
      let previous: Segment | undefined;
      for (const segment of rec.segments) {
        seconds += Number.isFinite(segment.duration) ? segment.duration : 0;
        const label = `recording ${short(rec.id)} segment ${segment.index} (event ${segment.seq})`;
        // Segments a failure or interruption event lists as lost explain both the number and the time gap.
        let lossDisclosed = false;
        if (!Number.isInteger(segment.index) || segment.index < expected) {
          problems.push({ detail: `${label} repeats or goes back from segment ${expected - 1}`, seq: segment.seq });
        } else if (segment.index > expected) {
          const lost = range(expected, segment.index);
          lossDisclosed = lost.every((i) => rec.disclosedMissing.has(i));
          if (lossDisclosed) disclosedGaps += 1;
          else problems.push({ detail: `${label} follows segment ${expected - 1}: segment(s) ${lost.join(', ')} are missing and no event discloses their loss`, seq: segment.seq });
        }
        if (!(segment.endedAt >= segment.startedAt)) problems.push({ detail: `${label} ends before it starts`, seq: segment.seq });
        if (previous) {
          const gap = (segment.startedAt - previous.endedAt) / 1000;
          const disclosed = rec.disclosures.some((seq) => seq > previous!.seq && seq < segment.seq);
          if (gap < -TOLERANCE_SECONDS && segment.run === previous.run) {
            problems.push({ detail: `${label} starts ${(-gap).toFixed(1)} s before segment ${previous.index} ends: the times overlap`, seq: segment.seq });
          } else if (!lossDisclosed && (gap > TOLERANCE_SECONDS || segment.run !== previous.run)) {
            if (disclosed) disclosedGaps += 1;
            else problems.push({ detail: `${label} starts ${gap.toFixed(1)} s after segment ${previous.index} ended and no pause, failure or interruption event explains the gap`, seq: segment.seq });
          }
        }
        expected = Math.max(expected, segment.index + 1);
        previous = segment;
      }
      if (!rec.ended) problems.push({ detail: `recording ${short(rec.id)} (started at event ${rec.startSeq}) has no end: no recording.stopped, recording.failed or session.interrupted event`, seq: rec.startSeq });
    }
    if (this.recordings.size === 0 && problems.length === 0) return { status: 'skip', detail: 'the session has no screen recording', where: [] };
    if (problems.length > 0) {
      return { status: 'fail', detail: `${problems.length} continuity problem(s); first: ${problems[0]!.detail}`, where: [...new Set(problems.map((p) => `data/events.jsonl:${p.seq + 1}`))] };
    }
    const gaps = disclosedGaps > 0 ? `; ${disclosedGaps} gap(s), each disclosed by a pause, failure or interruption event` : '';
    return {
      status: 'pass',
      detail: `${this.recordings.size} recording(s), ${segments} segment(s), ${seconds.toFixed(1)} s: numbered without gaps, times contiguous${gaps}; every recording has an end event`,
      where: [],
    };
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, Math.min(to - from, 10_000)) }, (_, i) => from + i);
}

function short(id: string): string {
  return id.slice(0, 8);
}
