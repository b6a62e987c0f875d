/**
 * Pure parsers of what ffmpeg prints while recording: the `-progress` key=value blocks (stdout),
 * the segment list it appends to as each segment closes, and why it stopped (stderr).
 */

export interface FfmpegProgress {
  readonly frame: number;
  readonly fps: number;
  readonly dropFrames: number;
  readonly dupFrames: number;
  readonly outTimeSeconds: number;
  readonly speed: string;
  /** 'end' in the last block ffmpeg writes before a clean exit. */
  readonly progress: 'continue' | 'end';
}

/**
 * Feeds `-progress pipe:1` text in arbitrary chunks; yields one FfmpegProgress per block (each
 * block ends with a `progress=` line). Keeps only the unfinished last line between chunks.
 */
export class ProgressParser {
  private pending = '';
  private block = new Map<string, string>();

  push(chunk: string): FfmpegProgress[] {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    const done: FfmpegProgress[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      this.block.set(key, line.slice(eq + 1).trim());
      if (key === 'progress') {
        done.push(toProgress(this.block));
        this.block = new Map();
      }
    }
    return done;
  }
}

function toProgress(block: Map<string, string>): FfmpegProgress {
  const num = (key: string): number => {
    const value = Number(block.get(key));
    return Number.isFinite(value) ? value : 0;
  };
  // out_time_us is microseconds; out_time_ms is, despite its name, microseconds too.
  const outUs = block.has('out_time_us') ? num('out_time_us') : num('out_time_ms');
  return {
    frame: num('frame'),
    fps: num('fps'),
    dropFrames: num('drop_frames'),
    dupFrames: num('dup_frames'),
    outTimeSeconds: Math.max(0, outUs / 1e6),
    speed: block.get('speed') ?? '',
    progress: block.get('progress') === 'end' ? 'end' : 'continue',
  };
}

export interface SegmentListEntry {
  readonly file: string;
  /** Seconds from the start of this ffmpeg run. */
  readonly start: number;
  readonly end: number;
}

/**
 * Lines of the segment muxer's CSV list (`file,start,end`, one per closed segment). Returns the
 * complete lines only: a line still being written (no '\n' yet) waits for the next read.
 */
export function parseSegmentList(text: string): SegmentListEntry[] {
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const entries: SegmentListEntry[] = [];
  for (const line of complete.split('\n')) {
    if (!line.trim()) continue;
    // The file name is CSV-quoted if it holds a comma or quote; ours never do, but parse it right.
    const match = /^(?:"((?:[^"]|"")*)"|([^,]*)),([^,]+),([^,]+)$/.exec(line.trim());
    if (!match) continue;
    const file = match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!;
    const start = Number(match[3]);
    const end = Number(match[4]);
    if (Number.isFinite(start) && Number.isFinite(end)) entries.push({ file, start, end });
  }
  return entries;
}

/** Keeps the last lines ffmpeg wrote to stderr, for the `recording.failed` event. */
export class StderrTail {
  private lines: string[] = [];
  private pending = '';

  constructor(private readonly max = 20) {}

  push(chunk: string): void {
    const parts = (this.pending + chunk).split(/\r?\n|\r/);
    this.pending = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) this.lines.push(part.trim());
    if (this.lines.length > this.max) this.lines = this.lines.slice(-this.max);
  }

  get(): string[] {
    return this.pending.trim() ? [...this.lines, this.pending.trim()].slice(-this.max) : [...this.lines];
  }
}

/** Why ffmpeg stopped, in words a person can act on, from its exit and last stderr lines. */
export function explainExit(code: number | null, signal: string | null, stderr: readonly string[]): { reason: string; diskFull: boolean } {
  const text = stderr.join('\n');
  if (/No space left on device|ENOSPC|Disk quota exceeded/i.test(text)) {
    return { reason: 'the disk is full: ffmpeg could not write the next segment (free space and start a new recording)', diskFull: true };
  }
  const display = /Cannot open display|Can't open display|cannot open X display|XCB|x11grab.*(error|failed)/i.exec(text);
  if (display) return { reason: `ffmpeg lost the screen it was recording (${lastLine(stderr)})`, diskFull: false };
  const how = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
  return { reason: `ffmpeg ${how}${stderr.length > 0 ? `: ${lastLine(stderr)}` : ''}`, diskFull: false };
}

function lastLine(lines: readonly string[]): string {
  return lines.at(-1) ?? '';
}
