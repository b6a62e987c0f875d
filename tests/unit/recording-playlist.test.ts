// The recording as one film (src/core/views/recording-film.ts) and its HLS playlist
// (recording-playlist.ts): pure functions over recording.* event bodies.
import { describe, expect, it } from 'vitest';
import { recordingFilm } from '../../src/core/views/recording-film.js';
import { hlsPlaylist, recordingPlaylist } from '../../src/core/views/recording-playlist.js';
import type { SessionEvent } from '../../src/core/views/session-view.js';
import type { JsonValue } from '../../src/shared/domain.js';

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();
const shaOf = (n: number): string => n.toString(16).padStart(64, '0');
const pathOf = (sha256: string): string => `data/artifacts/${sha256}.ts`;

/** Builds a chain of recording events; `at` is seconds after T0 on the recorded clock. */
function recorder() {
  const events: SessionEvent[] = [];
  let next = 0;
  const add = (type: string, time: number, payload: { [key: string]: JsonValue }, sha?: string): void => {
    events.push({ seq: next++, time: iso(T0 + time * 1000), type, payload, artifacts: sha ? [{ sha256: sha, size: 1000, name: `${sha.slice(-4)}.ts`, mime: 'video/mp2t' }] : [] });
  };
  return {
    events,
    started: (recording = 'r1', at = 0) => add('recording.started', at, { recording, run: 1 }),
    segment: (index: number, from: number, to: number, { run = 1, recording = 'r1', partial = false } = {}) =>
      add('recording.segment', to, { recording, run, index, file: `seg-${index}.ts`, durationSeconds: Math.round((to - from) * 1000) / 1000, startedAt: iso(T0 + from * 1000), endedAt: iso(T0 + to * 1000), partial }, shaOf(1000 + next)),
    paused: (at: number, recording = 'r1') => add('recording.paused', at, { recording }),
    resumed: (at: number, run: number, recording = 'r1') => add('recording.resumed', at, { recording, run }),
    stopped: (at: number, recording = 'r1') => add('recording.stopped', at, { recording, reason: 'stopped by the user' }),
    note: (at: number, text: string) => add('note', at, { text }),
  };
}

/** The playlist's lines after the header, as tags and URIs. */
const body = (m3u8: string): string[] => m3u8.trim().split('\n').slice(5);

describe('the recording playlist', () => {
  it('lists every segment with its real duration, version 3, a target duration and an end', () => {
    const r = recorder();
    r.started();
    r.segment(0, 0, 10.021);
    r.segment(1, 10.021, 20.004);
    r.segment(2, 20.004, 27.4);
    r.stopped(27.5);
    const m3u8 = recordingPlaylist(r.events, pathOf);
    const lines = m3u8.trim().split('\n');
    expect(lines.slice(0, 5)).toEqual(['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:11', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VIDEO']);
    expect(lines.filter((l) => l.startsWith('#EXTINF'))).toEqual(['#EXTINF:10.021,', '#EXTINF:9.983,', '#EXTINF:7.396,']);
    expect(lines.filter((l) => !l.startsWith('#'))).toEqual(r.events.filter((e) => e.type === 'recording.segment').map((e) => pathOf(e.artifacts[0]!.sha256)));
    expect(lines.at(-1)).toBe('#EXT-X-ENDLIST');
    expect(m3u8).not.toContain('#EXT-X-DISCONTINUITY');
    // The recorded clock once, at the start: within one run the stream follows on.
    expect(lines.filter((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME'))).toEqual([`#EXT-X-PROGRAM-DATE-TIME:${iso(T0)}`]);
    expect(recordingFilm(r.events, pathOf).durationSeconds).toBe(27.4);
  });

  it('marks a discontinuity, with the recorded clock, after a pause', () => {
    const r = recorder();
    r.started();
    r.segment(0, 0, 10);
    r.segment(1, 10, 14);
    r.paused(14.1);
    r.resumed(60, 2);
    r.segment(2, 60, 70, { run: 2 });
    r.stopped(70.1);
    expect(body(recordingPlaylist(r.events, pathOf))).toEqual([
      `#EXT-X-PROGRAM-DATE-TIME:${iso(T0)}`,
      '#EXTINF:10.000,',
      expect.stringMatching(/^data\/artifacts\/[0-9a-f]{64}\.ts$/),
      '#EXTINF:4.000,',
      expect.stringMatching(/\.ts$/),
      '#EXT-X-DISCONTINUITY',
      `#EXT-X-PROGRAM-DATE-TIME:${iso(T0 + 60_000)}`,
      '#EXTINF:10.000,',
      expect.stringMatching(/\.ts$/),
      '#EXT-X-ENDLIST',
    ]);
    const film = recordingFilm(r.events, pathOf);
    expect(film.segments.map((s) => s.breakBefore)).toEqual([null, null, { kind: 'pause', seconds: 46 }]);
    expect(film.segments.map((s) => s.mediaStart)).toEqual([0, 10, 14]);
  });

  it('marks a discontinuity at a new run (a failed start, then a new recording) and at a gap', () => {
    const r = recorder();
    r.started('stub');
    r.segment(0, 0, 0.4, { recording: 'stub', partial: true });
    r.stopped(0.5, 'stub');
    r.started('r2', 3);
    r.segment(0, 3, 13, { recording: 'r2' });
    // Segment 1 is lost (a crash the recorder disclosed): 2 follows 0 with 10 s missing.
    r.segment(2, 23, 33, { recording: 'r2' });
    r.segment(3, 33, 43, { recording: 'r2', run: 2 });
    r.stopped(43, 'r2');
    const film = recordingFilm(r.events, pathOf);
    expect(film.segments.map((s) => s.breakBefore?.kind ?? null)).toEqual([null, 'run', 'gap', 'run']);
    expect(film.segments[1]!.breakBefore!.seconds).toBe(2.6);
    // The 0.4 s stub is just a short part of the stream.
    expect(film.segments[0]).toMatchObject({ durationSeconds: 0.4, partial: true, mediaStart: 0 });
    expect(film.durationSeconds).toBe(30.4);
    const m3u8 = hlsPlaylist(film);
    expect(m3u8.match(/#EXT-X-DISCONTINUITY\n/g)).toHaveLength(3);
    expect(m3u8.match(/#EXT-X-PROGRAM-DATE-TIME:/g)).toHaveLength(4);
    expect(m3u8).toContain(`#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:${iso(T0 + 23_000)}\n#EXTINF:10.000,`);
  });

  it('calls time with no segment a gap even when the numbers follow on', () => {
    const r = recorder();
    r.started();
    r.segment(0, 0, 10);
    r.segment(1, 15, 25);
    r.stopped(25);
    expect(recordingFilm(r.events, pathOf).segments[1]!.breakBefore).toEqual({ kind: 'gap', seconds: 5 });
  });

  it('plays a single-segment recording', () => {
    const r = recorder();
    r.started();
    r.segment(0, 0, 6.5);
    r.stopped(6.6);
    expect(recordingPlaylist(r.events, pathOf).trim().split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:7',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VIDEO',
      `#EXT-X-PROGRAM-DATE-TIME:${iso(T0)}`,
      '#EXTINF:6.500,',
      pathOf(r.events[1]!.artifacts[0]!.sha256),
      '#EXT-X-ENDLIST',
    ]);
  });

  it('lists segments in the order they were recorded, whatever order the events come in, and leaves out what is not in the archive', () => {
    const r = recorder();
    r.started();
    r.note(1, 'not a segment');
    for (let i = 0; i < 5; i += 1) r.segment(i, i * 10, i * 10 + 10);
    r.stopped(50);
    const segments = r.events.filter((e) => e.type === 'recording.segment');
    const shuffled = [r.events[6]!, r.events[3]!, r.events[0]!, r.events[5]!, r.events[1]!, r.events[4]!, r.events[2]!];
    const missing = segments[3]!.artifacts[0]!.sha256;
    const film = recordingFilm(shuffled, (sha) => (sha === missing ? undefined : pathOf(sha)));
    expect(film.segments.map((s) => s.index)).toEqual([0, 1, 2, 4]);
    expect(film.segments.map((s) => s.mediaStart)).toEqual([0, 10, 20, 30]);
    // Where a file is missing, the stream jumps: a gap, disclosed to the player.
    expect(film.segments[3]!.breakBefore).toEqual({ kind: 'gap', seconds: 10 });
    const uris = hlsPlaylist(film).split('\n').filter((l) => l.startsWith('data/'));
    expect(uris).toEqual([0, 1, 2, 4].map((i) => pathOf(segments[i]!.artifacts[0]!.sha256)));
  });

  it('has an empty film when nothing was recorded', () => {
    const film = recordingFilm([], pathOf);
    expect(film).toEqual({ segments: [], durationSeconds: 0 });
    expect(hlsPlaylist(film)).not.toContain('#EXTINF');
  });
});
