import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { JsonValue } from '../../../shared/domain.js';
import { ProoflineError } from '../../errors.js';
import type { Proofline } from '../../proofline.js';
import { SessionSealedError } from '../../session-guard.js';
import type { NewEvent } from '../../store/event-log.js';
import type { CaptureSource, NoticeListener } from '../capture-source.js';
import { locateFfmpeg, locateFfprobe, type LocatedFfmpeg } from './ffmpeg-locate.js';
import { startFfmpeg, type FfmpegExit, type FfmpegProcess } from './ffmpeg-process.js';
import { explainExit, parseSegmentList, type FfmpegProgress } from './ffmpeg-progress.js';
import { probeSegment } from './segment-probe.js';
import {
  buildScreenArgs,
  DEFAULT_FPS,
  DEFAULT_SEGMENT_SECONDS,
  findClockFont,
  QUALITY,
  segmentFileName,
  segmentListName,
  type Quality,
  type QualityName,
  type Region,
  type WindowsGrabber,
} from './screen-args.js';

export interface ScreenRecordingOptions {
  readonly ffmpegPath?: string;
  /** ffmpeg already found and run by the caller's checks (the lifecycle's); else located here. */
  readonly ffmpeg?: LocatedFfmpeg;
  /** X11 display (default $DISPLAY or ":0"); macOS: the avfoundation screen device. */
  readonly display?: string;
  readonly region?: Region;
  readonly fps?: number;
  /** A named level or exact libx264 settings. */
  readonly quality?: QualityName | Quality;
  readonly segmentSeconds?: number;
  /** Burn a date-and-time clock into the video (default true). */
  readonly clock?: boolean;
  readonly windowsGrabber?: WindowsGrabber;
  /** Other sessions' live recordings of the same display, named in `recording.started`. */
  readonly sharedDisplay?: readonly { readonly sessionId: string; readonly pid: number; readonly host: string; readonly since: string }[];
  readonly onNotice?: NoticeListener;
}

export type RecordingState = 'recording' | 'paused' | 'stopped' | 'failed';

export interface ScreenRecordingStatus {
  readonly recordingId: string;
  readonly state: RecordingState;
  readonly startedAt: string;
  readonly elapsedMs: number;
  readonly segments: number;
  readonly bytes: number;
  readonly droppedFrames: number;
  readonly lastError?: string;
}

export interface ScreenRecording extends CaptureSource {
  readonly recordingId: string;
  /** Ends the current ffmpeg run (its last segment closes and is stored) and records `recording.paused`. */
  pause(): Promise<void>;
  /** Starts a new ffmpeg run, numbering segments on from the last, and records `recording.resumed`. */
  resume(): Promise<void>;
  /** Stops, stores every segment and records `recording.stopped` with the reason given. */
  stop(reason?: string): Promise<void>;
  /**
   * Stops as `stop` does but records `recording.failed` with the reason: the recording this one
   * was part of could not start (another source failed), so it did not end by anyone's choice.
   */
  fail(reason: string): Promise<void>;
  status(): ScreenRecordingStatus;
  /** Settles when the recording ends for any reason (stopped, ffmpeg died, disk full); never rejects. */
  readonly done: Promise<void>;
}

/** Where a recording's working files live until each segment is in the blob store. */
export function recordingsDir(dataDir: string): string {
  return join(dataDir, 'recordings');
}

export const OWNER_FILE = 'owner.json';

interface Run {
  readonly number: number;
  readonly ffmpeg: FfmpegProcess;
  readonly listPath: string;
  /** Segments of this run already stored. */
  listed: number;
  /** Wall time of the run's media time 0: first progress block's time minus its output time. */
  anchorMs?: number;
  readonly spawnedAtMs: number;
}

const POLL_MS = 500;

/**
 * Records the screen with ffmpeg into short MPEG-TS segments; each is hashed into the blob store
 * and appended as a `recording.segment` event the moment ffmpeg closes it, so the chain grows
 * with the video. The segment being written is on disk packet by packet (flush_packets), so a
 * crash loses only what the encoder still held (well under 2 s; recovery keeps the cut-short
 * segment when it plays). See recording-recovery.ts for what the next start does after a crash.
 */
export async function startScreenRecording(pl: Proofline, sessionId: string, options: ScreenRecordingOptions = {}): Promise<ScreenRecording> {
  const session = pl.sessions.get(sessionId);
  if (session.state === 'sealed') throw new SessionSealedError(session.id, session.sealedAt, `Session ${session.id} is sealed: start a new session to record the screen.`);
  const fps = options.fps ?? DEFAULT_FPS;
  if (!(Number.isFinite(fps) && fps > 0 && fps <= 120)) throw new ProoflineError('recording.fps-range', `Frame rate ${fps} is out of range: give 1 to 120 frames per second.`, { fps });
  const segmentSeconds = options.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS;
  if (!(Number.isFinite(segmentSeconds) && segmentSeconds >= 1 && segmentSeconds <= 600)) {
    throw new ProoflineError('recording.segment-range', `Segment length ${segmentSeconds} s is out of range: give 1 to 600 seconds.`, { seconds: segmentSeconds });
  }
  const quality: Quality = typeof options.quality === 'object' ? options.quality : QUALITY[options.quality ?? 'standard'];
  const ffmpeg = options.ffmpeg ?? (await locateFfmpeg(options.ffmpegPath));
  const ffprobe = locateFfprobe(ffmpeg.path);
  const recorder = new Recorder(pl, session.id, ffmpeg, ffprobe, { ...options, fps, segmentSeconds, quality });
  await recorder.begin();
  return recorder.handle();
}

interface Settings extends ScreenRecordingOptions {
  readonly fps: number;
  readonly segmentSeconds: number;
  readonly quality: Quality;
}

class Recorder {
  readonly id = randomUUID();
  readonly dir: string;
  private state: RecordingState = 'recording';
  private run: Run | undefined;
  private runs = 0;
  private nextIndex = 0;
  private segments = 0;
  private bytes = 0;
  private droppedFrames = 0;
  private framesBefore = 0;
  private droppedBefore = 0;
  private lastError: string | undefined;
  private readonly startedAt = new Date();
  private poller: NodeJS.Timeout | undefined;
  /** Segment stores run one after another, in order: the chain must list them by index. */
  private queue: Promise<void> = Promise.resolve();
  private busy: Promise<void> = Promise.resolve();
  private finished = false;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));
  private readonly clockFont: string | undefined;
  private readonly display: string | undefined;

  constructor(
    private readonly pl: Proofline,
    private readonly sessionId: string,
    private readonly ffmpeg: LocatedFfmpeg,
    private readonly ffprobe: string | undefined,
    private readonly settings: Settings,
  ) {
    this.dir = join(recordingsDir(pl.dataDir), sessionId, this.id);
    this.clockFont = settings.clock === false ? undefined : findClockFont();
    this.display = process.platform === 'linux' ? settings.display ?? process.env['DISPLAY'] ?? ':0' : settings.display;
  }

  private notice(level: 'info' | 'warn' | 'error', message: string, eventSeq?: number): void {
    this.settings.onNotice?.({ source: 'screen', level, message, eventSeq });
  }

  async begin(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    // Lets the next start tell a crashed recording from one another process is still making.
    writeFileSync(join(this.dir, OWNER_FILE), JSON.stringify({ pid: process.pid, host: hostname(), session: this.sessionId, recording: this.id, startedAt: this.startedAt.toISOString() }));
    const run = this.spawnRun();
    const clock: JsonValue = this.settings.clock === false
      ? { enabled: false, reason: 'turned off' }
      : this.clockFont ? { enabled: true, font: this.clockFont, format: '%Y-%m-%d %H:%M:%S %z (local time)' } : { enabled: false, reason: 'no font file found for the clock' };
    if (this.settings.clock !== false && !this.clockFont) this.notice('warn', 'no font file was found: recording without the burned-in clock (set PROOFLINE_CLOCK_FONT to a .ttf file)');
    const event = this.pl.events.append(this.sessionId, {
      type: 'recording.started',
      payload: {
        recording: this.id,
        ffmpeg: { path: this.ffmpeg.path, source: this.ffmpeg.source, version: this.ffmpeg.version },
        ffprobe: this.ffprobe ?? null,
        input: run.input,
        display: this.display ?? null,
        region: this.settings.region ? { ...this.settings.region } : null,
        fps: this.settings.fps,
        quality: { codec: 'libx264', crf: this.settings.quality.crf, preset: this.settings.quality.preset },
        segmentSeconds: this.settings.segmentSeconds,
        container: 'mpegts',
        clock,
        run: run.run.number,
        startNumber: 0,
        pid: run.run.ffmpeg.pid,
        orphanGuard: run.run.ffmpeg.guard,
        args: run.args,
        workDir: this.dir,
        ...(this.settings.sharedDisplay?.length ? { sharedDisplay: this.settings.sharedDisplay.map((o) => ({ ...o })) } : {}),
      },
    });
    this.notice('info', `recording the screen (${run.input}, ${this.settings.fps} fps, segments of ${this.settings.segmentSeconds} s)`, event.body.seq);
    this.poller = setInterval(() => void this.poll(), POLL_MS);
    this.poller.unref();
    // An ffmpeg that cannot open the display ends within a second or two: fail the start then.
    const outcome = await Promise.race([
      run.run.ffmpeg.exited.then(() => 'exited' as const),
      waitForProgress(run.run.ffmpeg, 15_000).then(() => 'running' as const),
    ]);
    if (outcome === 'exited') {
      await this.busy;
      await this.done;
      throw new ProoflineError('recording.start-failed', `Screen recording could not start: ${this.lastError ?? 'ffmpeg ended at once'}`, { detail: this.lastError ?? 'ffmpeg ended at once' });
    }
  }

  private spawnRun(): { run: Run; input: string; args: string[] } {
    this.runs += 1;
    const number = this.runs;
    const listPath = join(this.dir, segmentListName(number));
    const { args, input } = buildScreenArgs({
      platform: process.platform,
      display: this.display,
      region: this.settings.region,
      fps: this.settings.fps,
      quality: this.settings.quality,
      segmentSeconds: this.settings.segmentSeconds,
      clockFont: this.clockFont,
      outputDir: this.dir,
      segmentList: listPath,
      startNumber: this.nextIndex,
      windowsGrabber: this.settings.windowsGrabber,
    });
    const spawnedAtMs = Date.now();
    const run: Run = {
      number,
      listPath,
      listed: 0,
      spawnedAtMs,
      ffmpeg: startFfmpeg(this.ffmpeg.path, args, (p) => this.onProgress(run, p)),
    };
    this.run = run;
    void run.ffmpeg.exited.then((exit) => {
      if (!exit.requested && this.run === run) void this.onUnexpectedExit(run, exit);
    });
    return { run, input: `${input.device} ${input.args.at(-1)}`, args };
  }

  private onProgress(run: Run, progress: FfmpegProgress): void {
    run.anchorMs ??= Date.now() - progress.outTimeSeconds * 1000;
    this.droppedFrames = this.droppedBefore + progress.dropFrames;
  }

  /** Reads the run's segment list and stores every newly closed segment, in order. */
  private poll(): Promise<void> {
    const run = this.run;
    if (!run) return this.queue;
    this.queue = this.queue.then(() => this.storeListed(run)).catch((error: Error) => this.onStoreError(error));
    return this.queue;
  }

  private async storeListed(run: Run): Promise<void> {
    let text: string;
    try {
      text = readFileSync(run.listPath, 'utf8');
    } catch {
      return; // not written yet: no segment has closed
    }
    const entries = parseSegmentList(text);
    while (run.listed < entries.length) {
      const entry = entries[run.listed]!;
      await this.storeSegment(run, entry.file, entry.start, entry.end, false);
      run.listed += 1;
    }
  }

  private async storeSegment(run: Run, file: string, start: number, end: number, partial: boolean): Promise<void> {
    const index = Number(/(\d+)\.ts$/.exec(file)?.[1]);
    const path = join(this.dir, file);
    const blob = await this.pl.blobs.putFile(path);
    const anchor = run.anchorMs ?? Date.now() - end * 1000;
    const event = this.pl.events.append(this.sessionId, segmentEvent({ recording: this.id, run: run.number, index, file, start, end, anchorMs: anchor, blob, partial }));
    // In the blob store now, under its hash: the working copy is no longer needed.
    rmSync(path, { force: true });
    this.segments += 1;
    this.bytes += blob.size;
    this.nextIndex = Math.max(this.nextIndex, index + 1);
    this.notice('info', `segment ${index} appended (${(end - start).toFixed(1)} s, ${blob.size} bytes, sha256 ${blob.sha256.slice(0, 12)}…)`, event.body.seq);
  }

  private async onStoreError(error: Error): Promise<void> {
    if (this.finished) return;
    // Most likely a full disk: stop ffmpeg (it would fill it further) and record why.
    const run = this.run;
    this.run = undefined;
    run?.ffmpeg.kill();
    if (run) await run.ffmpeg.exited;
    await this.finish('failed', 'recording.failed', { reason: `a segment could not be stored: ${error.message}`, diskFull: /ENOSPC|disk is full/i.test(error.message) });
  }

  private async onUnexpectedExit(run: Run, exit: FfmpegExit): Promise<void> {
    this.busy = (async () => {
      await this.drainRun(run, true);
      if (this.run === run) this.run = undefined;
      const { reason, diskFull } = explainExit(exit.code, exit.signal, exit.stderr);
      await this.finish('failed', 'recording.failed', { reason, diskFull, exitCode: exit.code, signal: exit.signal, stderr: exit.stderr.slice(-10) });
    })();
    await this.busy;
  }

  /** After a run's ffmpeg has exited: store what its list names, then any unlisted (cut-short) segment. */
  private async drainRun(run: Run, ended: boolean): Promise<void> {
    this.queue = this.queue.then(() => this.storeListed(run)).catch((error: Error) => {
      this.lastError = error.message;
    });
    await this.queue;
    const progress = run.ffmpeg.lastProgress();
    this.framesBefore += progress?.frame ?? 0;
    this.droppedBefore += progress?.dropFrames ?? 0;
    this.droppedFrames = this.droppedBefore;
    if (!ended) return;
    for (const file of leftoverSegments(this.dir, this.nextIndex)) {
      const path = join(this.dir, file);
      const probe = statSync(path).size > 0 ? await probeSegment(this.ffprobe, path) : { playable: false, durationSeconds: 0 };
      if (!probe.playable) {
        rmSync(path, { force: true });
        continue;
      }
      const entries = parseSegmentList(safeRead(run.listPath));
      const start = entries.at(-1)?.end ?? 0;
      try {
        await this.storeSegment(run, file, start, start + probe.durationSeconds, true);
      } catch (error) {
        this.lastError = (error as Error).message;
      }
    }
  }

  private async finish(state: 'stopped' | 'failed', type: 'recording.stopped' | 'recording.failed', payload: { [key: string]: JsonValue }): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.state = state;
    if (this.poller) clearInterval(this.poller);
    if (state === 'failed') this.lastError = String(payload['reason']);
    try {
      const event = this.pl.events.append(this.sessionId, {
        type,
        payload: { recording: this.id, ...payload, ...this.totals() },
      });
      this.notice(state === 'failed' ? 'error' : 'info', state === 'failed' ? `recording failed: ${String(payload['reason'])}` : `recording stopped: ${this.segments} segment(s), ${this.bytes} bytes`, event.body.seq);
      rmSync(this.dir, { recursive: true, force: true });
      removeIfEmpty(join(this.dir, '..'));
    } catch (error) {
      // The store itself is failing (disk full, sealed elsewhere): the working folder stays for recovery.
      this.lastError = `${this.lastError ?? ''} ${(error as Error).message}`.trim();
      this.notice('error', `the end of the recording could not be recorded: ${(error as Error).message}; the next start recovers it`);
    }
    this.resolveDone();
  }

  private totals(): { [key: string]: JsonValue } {
    return {
      segments: this.segments,
      bytes: this.bytes,
      runs: this.runs,
      frames: this.framesBefore,
      droppedFrames: this.droppedFrames,
      elapsedSeconds: round((Date.now() - this.startedAt.getTime()) / 1000),
    };
  }

  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.busy.then(work);
    this.busy = next.catch(() => undefined);
    return next;
  }

  pause(): Promise<void> {
    return this.serial(async () => {
      if (this.state !== 'recording' || !this.run) throw new ProoflineError('recording.not-running', `The recording is ${this.state}: only a running recording can be paused.`, { state: this.state });
      const run = this.run;
      this.run = undefined;
      await run.ffmpeg.stop();
      await this.drainRun(run, true);
      this.state = 'paused';
      const event = this.pl.events.append(this.sessionId, { type: 'recording.paused', payload: { recording: this.id, run: run.number, segments: this.segments, nextIndex: this.nextIndex } });
      this.notice('info', 'recording paused', event.body.seq);
    });
  }

  resume(): Promise<void> {
    return this.serial(async () => {
      if (this.state !== 'paused') throw new ProoflineError('recording.not-paused', `The recording is ${this.state}: only a paused recording can be resumed.`, { state: this.state });
      const started = this.spawnRun();
      this.state = 'recording';
      const event = this.pl.events.append(this.sessionId, {
        type: 'recording.resumed',
        payload: { recording: this.id, run: started.run.number, startNumber: this.nextIndex, pid: started.run.ffmpeg.pid, args: started.args },
      });
      this.notice('info', 'recording resumed', event.body.seq);
    });
  }

  stop(reason = 'stopped by the user'): Promise<void> {
    return this.end('stopped', reason);
  }

  fail(reason: string): Promise<void> {
    return this.end('failed', reason);
  }

  private end(state: 'stopped' | 'failed', reason: string): Promise<void> {
    return this.serial(async () => {
      if (this.finished) return;
      const run = this.run;
      this.run = undefined;
      if (run) {
        await run.ffmpeg.stop();
        await this.drainRun(run, true);
      }
      await this.finish(state, state === 'failed' ? 'recording.failed' : 'recording.stopped', { reason });
    }).then(() => this.done);
  }

  status(): ScreenRecordingStatus {
    return {
      recordingId: this.id,
      state: this.state,
      startedAt: this.startedAt.toISOString(),
      elapsedMs: Date.now() - this.startedAt.getTime(),
      segments: this.segments,
      bytes: this.bytes,
      droppedFrames: this.droppedFrames,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  handle(): ScreenRecording {
    return {
      name: 'screen',
      recordingId: this.id,
      pause: () => this.pause(),
      resume: () => this.resume(),
      stop: (reason?: string) => this.stop(reason),
      fail: (reason: string) => this.fail(reason),
      status: () => this.status(),
      done: this.done,
    };
  }
}

/** Segment files in `dir` numbered `from` or later, in order. */
export function leftoverSegments(dir: string, from = 0): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, index: Number(/^seg-(\d+)\.ts$/.exec(name)?.[1] ?? Number.NaN) }))
    .filter((f) => Number.isInteger(f.index) && f.index >= from && f.name === segmentFileName(f.index))
    .sort((a, b) => a.index - b.index)
    .map((f) => f.name);
}

function waitForProgress(ffmpeg: FfmpegProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = (): void => {
      if (ffmpeg.lastProgress() || Date.now() - started > timeoutMs) resolve();
      else setTimeout(tick, 100).unref();
    };
    tick();
  });
}

export function removeIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
  } catch {
    // already gone, or not ours to judge
  }
}

export interface SegmentFacts {
  readonly recording: string;
  readonly run: number;
  readonly index: number;
  readonly file: string;
  /** Seconds from the start of the run. */
  readonly start: number;
  readonly end: number;
  /** Wall-clock time of second 0 of the run. */
  readonly anchorMs: number;
  readonly blob: { readonly sha256: string; readonly sm3: string; readonly size: number };
  readonly partial: boolean;
}

/** The `recording.segment` event of one stored segment: the recorder's and recovery's alike. */
export function segmentEvent(facts: SegmentFacts, extra: { readonly [key: string]: JsonValue } = {}): NewEvent {
  const { recording, run, index, file, start, end, anchorMs, blob, partial } = facts;
  return {
    type: 'recording.segment',
    payload: {
      recording,
      run,
      index,
      file,
      startSeconds: round(start),
      endSeconds: round(end),
      durationSeconds: round(end - start),
      startedAt: new Date(anchorMs + start * 1000).toISOString(),
      endedAt: new Date(anchorMs + end * 1000).toISOString(),
      sm3: blob.sm3,
      partial,
      ...extra,
    },
    artifacts: [{ sha256: blob.sha256, size: blob.size, name: `recording-${recording.slice(0, 8)}-${file}`, mime: 'video/mp2t' }],
  };
}

/** A small text file's content, or '' when it is missing or unreadable. */
export function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Seconds to the millisecond, as recorded in events. */
export function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
