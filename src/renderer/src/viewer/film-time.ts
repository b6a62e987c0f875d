// The recorded clock and the film's own timeline, one from the other, through the segments'
// recorded start times (the film is the host's, from core/views/recording-film.ts). What is
// burned into the picture is the recorded clock; the player only knows seconds into the stream.
import type { RecordingFilm, TimelineEvent } from '../../../shared/views';

/**
 * Seconds into the film at wall-clock `wallMs`: inside a segment, that moment of it; in a pause
 * or gap, the first picture after it (the start of the next segment); after the end, the end.
 */
export function mediaTimeOf(film: RecordingFilm, wallMs: number): number {
  for (const segment of film.segments) {
    const start = Date.parse(segment.startedAt);
    const end = Date.parse(segment.endedAt);
    if (wallMs < start) return segment.mediaStart;
    if (wallMs <= end) return segment.mediaStart + Math.min(segment.durationSeconds, (wallMs - start) / 1000);
  }
  return film.durationSeconds;
}

/** The recorded clock (ms) at `seconds` into the film, or null when the film is empty. */
export function wallTimeOf(film: RecordingFilm, seconds: number): number | null {
  const segments = film.segments;
  if (segments.length === 0) return null;
  let segment = segments[0]!;
  for (const s of segments) if (s.mediaStart <= seconds) segment = s;
  return Date.parse(segment.startedAt) + Math.min(segment.durationSeconds, Math.max(0, seconds - segment.mediaStart)) * 1000;
}

/** Whether an event happened while the film was being recorded, from its first picture to its last. */
export function withinFilm(film: RecordingFilm, wallMs: number): boolean {
  const first = film.segments[0];
  const last = film.segments[film.segments.length - 1];
  return first !== undefined && last !== undefined && wallMs >= Date.parse(first.startedAt) && wallMs <= Date.parse(last.endedAt);
}

/** The last event at or before `wallMs` (events in chain order are in time order), or null. */
export function eventAt(events: readonly TimelineEvent[], wallMs: number): TimelineEvent | null {
  let found: TimelineEvent | null = null;
  for (const event of events) {
    const time = Date.parse(event.time);
    if (time > wallMs) break;
    found = event;
  }
  return found;
}
