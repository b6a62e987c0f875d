import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBody } from '../../../shared/domain.js';
import type { Proofline } from '../../proofline.js';
import type { NewEvent } from '../../store/event-log.js';
import { pidRunning } from '../../process/process-identity.js';
import { SessionLeases } from '../../store/session-lease.js';
import { SessionTable } from '../../store/sessions.js';
import { locateFfprobe } from './ffmpeg-locate.js';
import { parseSegmentList, type SegmentListEntry } from './ffmpeg-progress.js';
import { segmentListName } from './screen-args.js';
import { probeSegment } from './segment-probe.js';
import { leftoverSegments, OWNER_FILE, recordingsDir, removeIfEmpty, round, safeRead, segmentEvent } from './screen-recorder.js';

export interface RecoveryReport {
  readonly sessionId: string;
  readonly recordingId: string;
  /** Segments appended while it ran. */
  readonly segmentsBefore: number;
  /** Closed segments found on disk and appended now. */
  readonly recoveredSegments: number;
  /** The segment being written when it died: kept if it plays. */
  readonly partial: { readonly file: string; readonly playable: boolean; readonly durationSeconds: number } | null;
  /** Segment numbers neither in the chain nor on disk. */
  readonly missing: number[];
  /** Seconds of video the recording holds after recovery (stored while it ran, and recovered). */
  readonly survivedSeconds: number;
  /** The `session.interrupted` event's seq. */
  readonly eventSeq: number;
}

export interface RecoveryOptions {
  readonly ffprobePath?: string;
  /**
   * For a recording whose session has no lease (one started before leases, by an older
   * Proofline): whether the PID of its owner file still runs (default: exists, not a zombie).
   */
  readonly isAlive?: (pid: number) => boolean;
  /** The sessions' leases (default: over `pl.db`): a session a live process holds is left to it. */
  readonly leases?: SessionLeases;
  /** Only this session's recordings. */
  readonly sessionId?: string;
}

const RECORDING_TYPES = ['recording.started', 'recording.resumed', 'recording.segment', 'recording.stopped', 'recording.failed', 'session.interrupted'];

interface OpenRecording {
  readonly sessionId: string;
  readonly id: string;
  readonly pids: number[];
  readonly runs: Map<number, { startNumber: number; time: string }>;
  readonly segments: Map<number, { run: number; startSeconds: number; startedAt: string; durationSeconds: number }>;
}

/**
 * What the next start does after the app died mid-recording (DESIGN.md: interruptions are never
 * hidden): for each recording with no end event whose owner process is gone (its session's lease
 * names a process that has ended, is a zombie, or is another program under a reused PID), stop
 * any ffmpeg it left, append the segments ffmpeg closed but we had not stored, keep the cut-short last segment
 * if it plays, record `session.interrupted` saying what survived, and mark the session as
 * recovered so that it can be sealed. Hosts call this at start (CLI record/seal/export, the app).
 */
export async function recoverInterruptedRecordings(pl: Proofline, options: RecoveryOptions = {}): Promise<RecoveryReport[]> {
  const isAlive = options.isAlive ?? pidRunning;
  const leases = options.leases ?? new SessionLeases(pl.db);
  const reports: RecoveryReport[] = [];
  const sessions = new Set(findOpenRecordings(pl, options.sessionId).map((open) => open.sessionId));
  for (const sessionId of sessions) {
    // The lease makes this process the session's one owner while it recovers: a live owner
    // elsewhere keeps its recording, and no other process recovers or records it meanwhile.
    const lease = leases.tryTake(sessionId, 'recovering');
    if (!lease) continue; // recorded (or being recovered) by a live process
    try {
      // Looked for again under the lease: another process may have closed it out since.
      for (const open of findOpenRecordings(pl, sessionId)) {
        const dir = join(recordingsDir(pl.dataDir), open.sessionId, open.id);
        const owner = readOwner(dir);
        if (owner && owner.pid === process.pid) continue; // ours, running in this process
        // No lease before ours: an older Proofline's recording, judged by its PID alone.
        if (lease.previous.kind === 'none' && owner && isAlive(owner.pid)) continue;
        reports.push(await recoverOne(pl, open, dir, options));
      }
    } finally {
      lease.release();
    }
  }
  return reports;
}

/** A recording's first and last events: whether one is open is known from these alone. */
const RECORDING_BOUNDS = ['recording.started', 'recording.stopped', 'recording.failed', 'session.interrupted'];

/**
 * The recordings started and never ended in sessions not sealed. Only those sessions are looked
 * at, and in each only its recordings' events, through the type index (issue 13: this scanned
 * every event at every start, 0.7 s at 1M events with every session sealed); a session's
 * segments are read only when one of its recordings is open.
 */
function findOpenRecordings(pl: Proofline, sessionId?: string): OpenRecording[] {
  const unsealed = new SessionTable(pl.db).openIds();
  const sessions = sessionId === undefined ? unsealed : unsealed.filter((id) => id === sessionId);
  return sessions.filter((id) => foldRecordings(pl.events.ofTypes(id, RECORDING_BOUNDS)).length > 0).flatMap((id) => foldRecordings(pl.events.ofTypes(id, RECORDING_TYPES)));
}

/** The recordings left open by these events (chain order). */
function foldRecordings(events: Iterable<{ readonly body: EventBody }>): OpenRecording[] {
  const open = new Map<string, OpenRecording>();
  for (const { body } of events) {
    const id = body.payload['recording'];
    if (typeof id !== 'string') continue;
    const key = `${body.session}/${id}`;
    if (body.type === 'recording.started') {
      open.set(key, { sessionId: body.session, id, pids: [], runs: new Map(), segments: new Map() });
    }
    const rec = open.get(key);
    if (!rec) continue;
    const p = body.payload;
    if (body.type === 'recording.started' || body.type === 'recording.resumed') {
      if (typeof p['pid'] === 'number') rec.pids.push(p['pid']);
      rec.runs.set(Number(p['run']), { startNumber: Number(p['startNumber'] ?? 0), time: body.time });
    } else if (body.type === 'recording.segment') {
      rec.segments.set(Number(p['index']), { run: Number(p['run']), startSeconds: Number(p['startSeconds']), startedAt: String(p['startedAt']), durationSeconds: Number(p['durationSeconds'] ?? 0) });
    } else open.delete(key);
  }
  return [...open.values()];
}

async function recoverOne(pl: Proofline, rec: OpenRecording, dir: string, options: RecoveryOptions): Promise<RecoveryReport> {
  const orphans = await stopOrphans(rec.pids, dir);
  const ffprobe = options.ffprobePath ?? locateFfprobe('ffprobe');
  const runNumbers = [...rec.runs.keys()].sort((a, b) => a - b);
  // Closed segments by file name, from every run's list.
  const listed = new Map<string, { run: number; entry: SegmentListEntry }>();
  for (const run of runNumbers) {
    for (const entry of parseSegmentList(safeRead(join(dir, segmentListName(run))))) listed.set(entry.file, { run, entry });
  }
  const onDisk = existsSync(dir) ? leftoverSegments(dir) : [];
  const stored = new Set(rec.segments.keys());
  const lastRun = runNumbers.at(-1) ?? 1;
  let recovered = 0;
  let partial: RecoveryReport['partial'] = null;
  const events: NewEvent[] = [];
  const removeAfter: string[] = [];
  for (const file of onDisk) {
    const index = Number(/(\d+)\.ts$/.exec(file)![1]);
    const path = join(dir, file);
    if (stored.has(index)) {
      removeAfter.push(path); // stored before the crash; only the delete was lost
      continue;
    }
    const closed = listed.get(file);
    let run = closed?.run ?? lastRun;
    let start: number;
    let end: number;
    let isPartial = false;
    let probeDetail: string | undefined;
    if (closed) {
      start = closed.entry.start;
      end = closed.entry.end;
    } else {
      const size = statSync(path).size;
      const probe = size > 0 ? await probeSegment(ffprobe, path) : { playable: false, durationSeconds: 0, method: 'ffprobe' as const, detail: 'empty file' };
      if (!probe.playable) {
        partial = { file, playable: false, durationSeconds: 0 };
        removeAfter.push(path);
        continue;
      }
      // The cut-short segment follows the last closed one of the last run.
      run = lastRun;
      const previous = [...listed.values()].filter((l) => l.run === run).map((l) => l.entry.end);
      start = previous.length > 0 ? Math.max(...previous) : 0;
      end = start + probe.durationSeconds;
      isPartial = true;
      probeDetail = `${probe.method}: ${probe.detail ?? ''}`.trim();
      partial = { file, playable: true, durationSeconds: round(probe.durationSeconds) };
    }
    const anchor = anchorOf(rec, run);
    const blob = await pl.blobs.putFile(path);
    removeAfter.push(path);
    recovered += 1;
    events.push(
      segmentEvent(
        { recording: rec.id, run, index, file, start, end, anchorMs: anchor, blob, partial: isPartial },
        { recovered: true, ...(probeDetail ? { probe: probeDetail } : {}) },
      ),
    );
  }
  const allIndexes = [...stored, ...events.map((e) => Number(e.payload?.['index']))];
  const highest = allIndexes.length > 0 ? Math.max(...allIndexes) : -1;
  const have = new Set(allIndexes);
  const missing: number[] = [];
  for (let i = 0; i <= highest; i++) if (!have.has(i)) missing.push(i);
  // Seconds of video the recording holds now: what was stored while it ran plus what was
  // recovered (the cut-short segment included), so that the loss at the crash can be read off.
  const seconds = [...rec.segments.values()].reduce((sum, s) => sum + (Number.isFinite(s.durationSeconds) ? s.durationSeconds : 0), 0)
    + events.reduce((sum, e) => sum + Number(e.payload?.['durationSeconds'] ?? 0), 0);
  const survived = {
    seconds: round(seconds),
    segmentsBefore: stored.size,
    recoveredSegments: recovered,
    partialSegment: partial ? { ...partial } : null,
    missing,
  };
  events.push({
    type: 'session.interrupted',
    payload: {
      recording: rec.id,
      reason: 'the app ended while recording (crash, kill or power loss); found at the next start',
      survived,
      orphanedFfmpegStopped: orphans,
      detectedBy: process.pid,
    },
  });
  const appended = pl.db.transaction(() => {
    const stored = pl.events.appendBatch(rec.sessionId, events);
    new SessionTable(pl.db).markRecovered(rec.sessionId);
    return stored;
  })();
  for (const path of removeAfter) rmSync(path, { force: true });
  rmSync(dir, { recursive: true, force: true });
  removeIfEmpty(join(dir, '..'));
  return {
    sessionId: rec.sessionId,
    recordingId: rec.id,
    segmentsBefore: stored.size,
    recoveredSegments: recovered,
    partial,
    missing,
    survivedSeconds: round(seconds),
    eventSeq: appended.at(-1)!.body.seq,
  };
}

/** Wall time of run media time 0: from a segment stored before the crash, else the run's start event. */
function anchorOf(rec: OpenRecording, run: number): number {
  for (const segment of rec.segments.values()) {
    if (segment.run === run) return Date.parse(segment.startedAt) - segment.startSeconds * 1000;
  }
  return Date.parse(rec.runs.get(run)?.time ?? new Date().toISOString());
}

/**
 * An ffmpeg of this recording still running (no pdeathsig, watchdog killed too, or one still
 * finishing its segment after the SIGTERM its parent's death sent): ask it to finish (SIGTERM
 * closes the open segment), wait for it a little, then SIGKILL. Linux only.
 */
async function stopOrphans(pids: readonly number[], dir: string): Promise<number[]> {
  const stopped: number[] = [];
  if (process.platform !== 'linux') return stopped;
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('ffmpeg') && cmdline.includes(dir) && pidRunning(pid)) {
        process.kill(pid, 'SIGTERM');
        stopped.push(pid);
      }
    } catch {
      // not running
    }
  }
  const deadline = Date.now() + ORPHAN_GRACE_MS;
  while (stopped.some(pidRunning) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pid of stopped.filter(pidRunning)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return stopped;
}

const ORPHAN_GRACE_MS = 4_000;

function readOwner(dir: string): { pid: number } | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as { pid?: unknown };
    return typeof owner.pid === 'number' ? { pid: owner.pid } : undefined;
  } catch {
    return undefined;
  }
}

/** One line for a host to print at start. */
export function describeRecovery(report: RecoveryReport): string {
  const partial = report.partial ? (report.partial.playable ? `, the last segment cut short (${report.partial.durationSeconds} s, plays)` : ', the last segment was unplayable and dropped') : '';
  const missing = report.missing.length > 0 ? `; missing segments ${report.missing.join(', ')}` : '';
  return `recovered an interrupted recording of session ${report.sessionId}: ${report.segmentsBefore} segment(s) stored while it ran, ${report.recoveredSegments} recovered now${partial}${missing}; ${report.survivedSeconds} s of video survived`;
}
