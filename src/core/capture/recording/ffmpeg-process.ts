import { launch, type OrphanGuard } from '../../process/launch.js';
import { ProgressParser, StderrTail, type FfmpegProgress } from './ffmpeg-progress.js';

export type { OrphanGuard };

export interface FfmpegExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when we asked it to stop (q, then signals); false when it ended on its own. */
  readonly requested: boolean;
  readonly stderr: string[];
}

export interface FfmpegProcess {
  readonly pid: number;
  readonly guard: OrphanGuard;
  readonly exited: Promise<FfmpegExit>;
  lastProgress(): FfmpegProgress | undefined;
  /** Asks ffmpeg to finish (q on stdin closes the open segment properly), then escalates. */
  stop(graceMs?: number): Promise<FfmpegExit>;
  kill(): void;
}

/**
 * How long ffmpeg may take to finish its output after we died (it is sent SIGTERM by pdeathsig
 * or the watchdog, closes the open segment, and is killed if it still runs after this).
 */
export const PARENT_DEATH_GRACE_MS = 3_000;

/**
 * Starts ffmpeg through the launcher (src/core/process/launch.ts): it dies with us (setpriv's
 * pdeathsig, or the watchdog) and, given a signal, is killed when the signal aborts. When we die
 * it gets SIGTERM, on which ffmpeg finishes writing (the recorder's open segment is closed and
 * listed), and SIGKILL if it still runs PARENT_DEATH_GRACE_MS later. (ffmpeg 5.1 counts the
 * SIGPIPEs of its now readerless progress and log pipes as further signals and then quits at
 * once, segment unlisted: nothing is lost by it, every packet is already on disk, and recovery
 * keeps the cut-short segment by probing it.) In its own process group: ffmpeg must not end on
 * a terminal's Ctrl-C before we ask it to (that would read as a failure); the host stops it with
 * `stop()`.
 */
export function startFfmpeg(ffmpegPath: string, args: readonly string[], onProgress?: (p: FfmpegProgress) => void, signal?: AbortSignal): FfmpegProcess {
  const launched = launch(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'], signal, onParentDeath: { signal: 'SIGTERM', graceMs: PARENT_DEATH_GRACE_MS } });
  const child = launched.process;
  const tail = new StderrTail(30);
  const parser = new ProgressParser();
  let last: FfmpegProgress | undefined;
  let requested = false;
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => tail.push(chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    for (const p of parser.push(chunk)) {
      last = p;
      onProgress?.(p);
    }
  });
  // A closed stdin (ffmpeg already gone) must not crash the host.
  child.stdin!.on('error', () => undefined);
  const exited: Promise<FfmpegExit> = launched.exited.then((exit) => {
    if (exit.error) tail.push(`\n${exit.error.message}\n`);
    return { code: exit.code, signal: exit.signal, requested: requested || exit.aborted, stderr: tail.get() };
  });
  let alive = true;
  void exited.then(() => (alive = false));
  return {
    pid: launched.pid,
    guard: launched.guard,
    exited,
    lastProgress: () => last,
    async stop(graceMs = 10_000) {
      requested = true;
      if (!alive) return exited;
      child.stdin!.end('q\n');
      if (await settlesWithin(exited, graceMs)) return exited;
      child.kill('SIGINT');
      if (await settlesWithin(exited, 5_000)) return exited;
      child.kill('SIGKILL');
      return exited;
    },
    kill() {
      requested = true;
      if (alive) launched.kill('SIGKILL');
    },
  };
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
