import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ProgressParser, StderrTail, type FfmpegProgress } from './ffmpeg-progress.js';

export interface FfmpegExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when we asked it to stop (q, then signals); false when it ended on its own. */
  readonly requested: boolean;
  readonly stderr: string[];
}

/** How ffmpeg is kept from outliving its parent, for the `recording.started` event. */
export type OrphanGuard = 'pdeathsig' | 'watchdog';

export interface FfmpegProcess {
  readonly pid: number;
  readonly guard: OrphanGuard;
  readonly exited: Promise<FfmpegExit>;
  lastProgress(): FfmpegProgress | undefined;
  /** Asks ffmpeg to finish (q on stdin closes the open segment properly), then escalates. */
  stop(graceMs?: number): Promise<FfmpegExit>;
  kill(): void;
}

let setprivAvailable: boolean | undefined;

function hasSetpriv(): boolean {
  if (setprivAvailable === undefined) {
    setprivAvailable = existsSync('/usr/bin/setpriv') || spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
  }
  return setprivAvailable;
}

/**
 * Starts ffmpeg so that it dies with us. Linux: `setpriv --pdeathsig KILL` (util-linux) makes the
 * kernel kill it the moment this process dies, even by kill -9; setpriv execs ffmpeg, so the pid
 * is ffmpeg's. Elsewhere (macOS, Windows, Linux without util-linux): a small detached watchdog
 * process polls our pid every second and kills ffmpeg once we are gone. (On Windows a job object
 * with KILL_ON_JOB_CLOSE would be tighter, but Node does not expose job objects.)
 */
export function startFfmpeg(ffmpegPath: string, args: readonly string[], onProgress?: (p: FfmpegProgress) => void): FfmpegProcess {
  const usePdeathsig = process.platform === 'linux' && hasSetpriv();
  // Its own process group on POSIX: Ctrl-C in a terminal reaches the whole foreground group, and
  // ffmpeg must not end on its own before we ask it to (that would read as a failure).
  const detached = process.platform !== 'win32';
  const child: ChildProcess = usePdeathsig
    ? spawn('setpriv', ['--pdeathsig', 'KILL', '--', ffmpegPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached })
    : spawn(ffmpegPath, [...args], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, detached });
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
  const exited = new Promise<FfmpegExit>((resolve) => {
    child.on('error', (error) => {
      tail.push(`\n${error.message}\n`);
      resolve({ code: null, signal: null, requested, stderr: tail.get() });
    });
    child.on('close', (code, signal) => resolve({ code, signal, requested, stderr: tail.get() }));
  });
  if (!usePdeathsig && child.pid !== undefined) startWatchdog(child.pid);
  let alive = true;
  void exited.then(() => (alive = false));
  return {
    pid: child.pid ?? -1,
    guard: usePdeathsig ? 'pdeathsig' : 'watchdog',
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
      if (alive) child.kill('SIGKILL');
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

/** Kills `childPid` once `process.pid` is gone; exits by itself when the child ends first. */
function startWatchdog(childPid: number): void {
  const script = `
    const [parent, child] = process.argv.slice(-2).map(Number);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
    setInterval(() => {
      if (!alive(child)) process.exit(0);
      if (!alive(parent)) { try { process.kill(child, 'SIGKILL'); } catch {} process.exit(0); }
    }, 1000);`;
  const watchdog = spawn(process.execPath, ['-e', script, '--', String(process.pid), String(childPid)], {
    detached: true,
    stdio: 'ignore',
    windowsHide: true,
    // In Electron, process.execPath is the app: this makes it behave as plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  watchdog.unref();
}
