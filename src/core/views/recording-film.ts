// The screen recording as one film: its segments in the order they were recorded, where each
// sits in the stream, and why the stream jumps in time before one (a pause, a new run, a gap).
// A pure function over the recording.* event bodies, so the archive viewer's scrubber and the
// HLS playlist both hosts serve (recording-playlist.ts) are made from the same facts.
import type { FilmBreakKind, FilmSegment, RecordingFilm } from '../../shared/views.js';
import type { SessionEvent } from './session-view.js';

/**
 * Consecutive segments of one run may sit this far apart and still follow on: the same
 * tolerance as the verifier's continuity check (verify-recording.ts), for the rounding of the
 * segment list's times.
 */
const FOLLOW_ON_SECONDS = 1.5;

/**
 * `pathOf` names the archive entry of a segment's file by SHA-256 (undefined: not in the archive).
 * Segments are taken in chain order (the order the recorder closed them); one whose file is
 * missing, or whose times hold no picture (no positive duration), is left out, and the stream
 * jumps there (a gap).
 */
export function recordingFilm(events: readonly SessionEvent[], pathOf: (sha256: string) => string | undefined): RecordingFilm {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  const segments: FilmSegment[] = [];
  let previous: { readonly recording: string; readonly run: number; readonly index: number; readonly seq: number; readonly endedAt: number } | undefined;
  let skipped = false;
  let mediaStart = 0;
  for (const event of ordered) {
    if (event.type !== 'recording.segment') continue;
    const p = event.payload;
    const artifact = event.artifacts[0];
    const startedAt = Date.parse(String(p['startedAt']));
    const endedAt = Date.parse(String(p['endedAt']));
    const duration = typeof p['durationSeconds'] === 'number' ? p['durationSeconds'] : (endedAt - startedAt) / 1000;
    const path = artifact ? pathOf(artifact.sha256) : undefined;
    if (!artifact || path === undefined || !(duration > 0) || !Number.isFinite(startedAt) || !Number.isFinite(endedAt)) {
      skipped = true;
      continue;
    }
    const here = { recording: String(p['recording']), run: Number(p['run']), index: Number(p['index']), seq: event.seq, endedAt };
    const kind = previous ? breakKind(ordered, previous, here, startedAt, skipped) : null;
    segments.push({
      seq: event.seq,
      recording: here.recording,
      run: here.run,
      index: here.index,
      sha256: artifact.sha256,
      path,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationSeconds: duration,
      mediaStart: round(mediaStart),
      partial: p['partial'] === true,
      breakBefore: kind && previous ? { kind, seconds: round(Math.max(0, (startedAt - previous.endedAt) / 1000)) } : null,
    });
    mediaStart += duration;
    previous = here;
    skipped = false;
  }
  return { segments, durationSeconds: round(mediaStart) };
}

interface Place {
  readonly recording: string;
  readonly run: number;
  readonly index: number;
  readonly seq: number;
}

/** Why the stream cannot simply go on from `before` to `after`, or null when it does. */
function breakKind(events: readonly SessionEvent[], before: Place & { readonly endedAt: number }, after: Place, startedAt: number, skipped: boolean): FilmBreakKind | null {
  const paused = events.some((e) => e.type === 'recording.paused' && e.seq > before.seq && e.seq < after.seq && e.payload['recording'] === before.recording);
  if (paused) return 'pause';
  if (after.recording !== before.recording || after.run !== before.run) return 'run';
  if (skipped || after.index !== before.index + 1 || Math.abs(startedAt - before.endedAt) / 1000 > FOLLOW_ON_SECONDS) return 'gap';
  return null;
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;
