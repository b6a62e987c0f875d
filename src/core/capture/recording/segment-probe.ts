import { execFile } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';

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
export function probeSegment(ffprobe: string | undefined, path: string): Promise<SegmentProbe> {
  if (!ffprobe) return Promise.resolve(tsSync(path));
  return new Promise((resolve) => {
    execFile(
      ffprobe,
      ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets,codec_name:format=duration', '-of', 'json', path],
      { timeout: 30_000, windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          resolve({ playable: false, durationSeconds: 0, method: 'ffprobe', detail: (stderr || error.message).trim().split('\n')[0] });
          return;
        }
        try {
          const parsed = JSON.parse(stdout) as { streams?: { nb_read_packets?: string }[]; format?: { duration?: string } };
          const packets = Number(parsed.streams?.[0]?.nb_read_packets ?? 0);
          const duration = Number(parsed.format?.duration ?? 0);
          resolve({ playable: packets > 0, durationSeconds: Number.isFinite(duration) ? Math.max(0, duration) : 0, method: 'ffprobe', detail: `${packets} video packets` });
        } catch {
          resolve({ playable: false, durationSeconds: 0, method: 'ffprobe', detail: 'ffprobe printed no JSON' });
        }
      },
    );
  });
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
