import { closeSync, openSync, readSync } from 'node:fs';
import { failureOf, run } from '../../process/launch.js';

export interface SegmentProbe {
  /** It holds at least one decodable video frame. */
  readonly playable: boolean;
  readonly durationSeconds: number;
  /** How it was judged: ffprobe, or only the MPEG-TS sync bytes when no ffprobe exists. */
  readonly method: 'ffprobe' | 'ts-sync';
  readonly detail?: string;
}

/**
 * Whether a segment cut short (ffmpeg killed mid-write) still plays, and for how long. ffprobe
 * counts its video packets; without ffprobe (ffmpeg-static ships none) only the TS framing is
 * checked and the duration is unknown (0).
 */
export async function probeSegment(ffprobe: string | undefined, path: string): Promise<SegmentProbe> {
  if (!ffprobe) return tsSync(path);
  const result = await run(
    ffprobe,
    ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets,codec_name:format=duration', '-of', 'json', path],
    { timeoutMs: 30_000 },
  );
  if (result.code !== 0 || result.error) {
    const stderr = result.stderr.toString('utf8').trim();
    return { playable: false, durationSeconds: 0, method: 'ffprobe', detail: (stderr || failureOf(ffprobe, result, 30_000)).split('\n')[0] };
  }
  try {
    const parsed = JSON.parse(result.stdout.toString('utf8')) as { streams?: { nb_read_packets?: string }[]; format?: { duration?: string } };
    const packets = Number(parsed.streams?.[0]?.nb_read_packets ?? 0);
    const duration = Number(parsed.format?.duration ?? 0);
    return { playable: packets > 0, durationSeconds: Number.isFinite(duration) ? Math.max(0, duration) : 0, method: 'ffprobe', detail: `${packets} video packets` };
  } catch {
    return { playable: false, durationSeconds: 0, method: 'ffprobe', detail: 'ffprobe printed no JSON' };
  }
}

function tsSync(path: string): SegmentProbe {
  const buffer = Buffer.alloc(188 * 4);
  let read = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, buffer, 0, buffer.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return { playable: false, durationSeconds: 0, method: 'ts-sync', detail: (error as Error).message };
  }
  const packets = Math.floor(read / 188);
  const synced = packets > 0 && Array.from({ length: packets }, (_, i) => buffer[i * 188] === 0x47).every(Boolean);
  return { playable: synced, durationSeconds: 0, method: 'ts-sync', detail: synced ? 'MPEG-TS framing intact' : 'no MPEG-TS framing' };
}
