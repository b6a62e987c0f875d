// The film (recording-film.ts) as an HLS media playlist (RFC 8216) over the MPEG-TS segments
// already in the archive: nothing is re-encoded, a player fetches each segment as it is.
import type { RecordingFilm } from '../../shared/views.js';
import { recordingFilm } from './recording-film.js';
import type { SessionEvent } from './session-view.js';

/** The media type of an HLS playlist (RFC 8216 §4). */
export const HLS_PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';

/**
 * The playlist of a film. Segment URIs are the archive entry paths, relative, so they resolve
 * against the playlist's own address (`…/archive/<handle>/recording.m3u8`) to the media route
 * that serves the entries. Version 3: decimal EXTINF durations (§4.3.2.1).
 */
export function hlsPlaylist(film: RecordingFilm): string {
  // §4.3.3.1: each EXTINF, rounded to the nearest integer, must not exceed the target duration.
  const target = Math.max(1, ...film.segments.map((s) => Math.ceil(s.durationSeconds)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VIDEO'];
  film.segments.forEach((segment, i) => {
    // A pause, a new run or a gap: timestamps restart or jump (§4.3.2.3), and the recorded clock
    // of the segment that follows is stated again (§4.3.2.6).
    if (segment.breakBefore) lines.push('#EXT-X-DISCONTINUITY');
    if (i === 0 || segment.breakBefore) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${segment.startedAt}`);
    lines.push(`#EXTINF:${segment.durationSeconds.toFixed(3)},`, segment.path.split('/').map(encodeURIComponent).join('/'));
  });
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** The playlist straight from the recording.* event bodies and where the archive holds each file. */
export function recordingPlaylist(events: readonly SessionEvent[], pathOf: (sha256: string) => string | undefined): string {
  return hlsPlaylist(recordingFilm(events, pathOf));
}
