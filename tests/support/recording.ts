import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { EventBody } from '../../src/shared/domain.js';

/** Events of a session straight from the store on disk (read-only; the writer may still run). */
export function storedEvents(dataDir: string, sessionId: string): EventBody[] {
  const db = new BetterSqlite3(join(dataDir, 'proofline.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT body FROM events WHERE session_id = ? ORDER BY seq').all(sessionId) as { body: string }[]).map((r) => JSON.parse(r.body) as EventBody);
  } finally {
    db.close();
  }
}

/** Running, and not a zombie waiting to be reaped (a container's pid 1 may never reap it). */
export function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of running ffmpeg processes whose command line mentions `text` (e.g. a data folder). */
export function ffmpegsMentioning(text: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes('ffmpeg') && cmdline.includes(text) && processRunning(Number(name))) found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export interface Probe {
  readonly packets: number;
  readonly durationSeconds: number;
}

/** ffprobe's count of decodable video packets and the duration: the segment plays if packets > 0. */
export function probe(file: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    execFile('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets:format=duration', '-of', 'json', file], (error, stdout) => {
      if (error) {
        reject(new Error(`ffprobe ${file}: ${error.message}`));
        return;
      }
      const parsed = JSON.parse(stdout) as { streams?: { nb_read_packets?: string }[]; format?: { duration?: string } };
      resolve({ packets: Number(parsed.streams?.[0]?.nb_read_packets ?? 0), durationSeconds: Number(parsed.format?.duration ?? 0) });
    });
  });
}

/** Bright pixels in the top-left corner of a segment's first frame, where the clock is drawn. */
export function clockPixels(file: string): number {
  const out = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-vf', 'crop=300:32:0:0,format=gray', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 20 });
  if (out.status !== 0) throw new Error(`ffmpeg could not decode ${file}: ${out.stderr.toString()}`);
  return [...out.stdout].filter((v) => v > 180).length;
}

/** The recording segments an extracted archive holds (by the events naming them, in order). */
export function archivedSegments(extracted: string): { file: string; index: number; partial: boolean; durationSeconds: number }[] {
  const events = readFileSync(join(extracted, 'data', 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EventBody);
  return events
    .filter((e) => e.type === 'recording.segment')
    .map((e) => {
      const sha = e.artifacts[0]!.sha256;
      const file = join(extracted, 'data', 'artifacts', `${sha}.ts`);
      if (!existsSync(file)) throw new Error(`segment ${String(e.payload['index'])} (${sha}) is not in the archive`);
      return { file, index: Number(e.payload['index']), partial: e.payload['partial'] === true, durationSeconds: Number(e.payload['durationSeconds']) };
    });
}

export function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}
