// The one launcher of child processes (STYLE.md habit 12). Every ffmpeg (the recorder, the
// viewer's remux, compare's conversions, the probes) and every tool the environment reads is
// started here, tied to its parent, so that it cannot outlive Proofline, and to an AbortSignal,
// so that cancelling an operation ends its children at once. Chromium, which Playwright starts
// itself, is tied to the signal through `launchVia`. Nothing else in src/core, src/host or
// src/main calls spawn or execFile (tests/unit/launcher.test.ts pins it); the one exception is
// `proofline serve` opening the user's own browser, which must outlive us.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { cancelled } from '../errors.js';

/** How a child is kept from outliving its parent (recorded with every recording). */
export type OrphanGuard = 'pdeathsig' | 'watchdog';

type Stdio = 'pipe' | 'ignore';

export interface LaunchOptions {
  /** stdin, stdout, stderr (default: stdin ignored, the others piped). */
  readonly stdio?: readonly [Stdio, Stdio, Stdio];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Killed (SIGKILL) when this aborts; nothing is started on a signal already aborted. */
  readonly signal?: AbortSignal;
  /** Killed (SIGKILL) after this long. */
  readonly timeoutMs?: number;
  /**
   * Its own process group (POSIX; default true): Ctrl-C in a terminal reaches the whole
   * foreground group, and a child must end when its host decides (an ffmpeg ending on its own
   * reads as a failed recording), not when the keyboard does.
   */
  readonly ownGroup?: boolean;
  /**
   * How it is ended when we die (default: SIGKILL at once). A child that must finish its output
   * (the recorder's ffmpeg closes its open segment on SIGTERM) is sent `signal` instead, and a
   * watchdog kills it (SIGKILL) if it still runs `graceMs` later: it never outlives us for long.
   */
  readonly onParentDeath?: { readonly signal: 'SIGTERM' | 'SIGINT'; readonly graceMs: number };
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** It could not be started (`code` ENOENT: not installed), or failed as a process. */
  readonly error?: NodeJS.ErrnoException;
  /** Killed by the launcher: the time limit passed, or the signal aborted. */
  readonly timedOut: boolean;
  readonly aborted: boolean;
}

export interface LaunchedChild {
  /** The program's own pid (setpriv execs it). */
  readonly pid: number;
  readonly guard: OrphanGuard;
  /** Its stdio streams, as asked for. */
  readonly process: ChildProcess;
  /** Settles once it has ended and its output is closed; never rejects. */
  readonly exited: Promise<ChildExit>;
  /** Sends a signal if it still runs (default SIGKILL). */
  kill(signal?: NodeJS.Signals): void;
}

let setprivFound: string | null | undefined;

/** util-linux's setpriv, once per process: the launcher asking itself whether it can guard. */
function setpriv(): string | undefined {
  if (setprivFound === undefined) {
    setprivFound = existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0 ? 'setpriv' : null;
  }
  return setprivFound ?? undefined;
}

/**
 * Starts `file` so that it dies with us. Linux: `setpriv --pdeathsig KILL` (util-linux) makes the
 * kernel kill it the moment this process dies, even by kill -9; setpriv execs the program, so the
 * pid is the program's. Elsewhere (macOS, Windows, Linux without util-linux): a small detached
 * watchdog process polls our pid every second and kills the child once we are gone. (On Windows
 * a job object with KILL_ON_JOB_CLOSE would be tighter, but Node does not expose job objects.)
 */
export function launch(file: string, args: readonly string[], options: LaunchOptions = {}): LaunchedChild {
  if (options.signal?.aborted) throw cancelled(`${file} was not started: the operation was cancelled.`);
  const env = options.env ?? process.env;
  // Resolved first: under setpriv a missing program would be setpriv's failure (exit 127), not
  // the ENOENT every caller reads as "not installed". Unresolved, it is spawned as given, and
  // fails with ENOENT before anything runs, so there is nothing to guard.
  const guardWith = process.platform === 'linux' ? setpriv() : undefined;
  const resolved = guardWith === undefined ? undefined : resolveExecutable(file, env);
  const usePdeathsig = guardWith !== undefined && resolved !== undefined;
  const detached = options.ownGroup !== false && process.platform !== 'win32';
  const stdio = [...(options.stdio ?? ['ignore', 'pipe', 'pipe'])];
  const deathSignal = options.onParentDeath?.signal.slice(3) ?? 'KILL';
  const child = usePdeathsig
    ? spawn(guardWith, ['--pdeathsig', deathSignal, '--', resolved, ...args], { stdio, env, cwd: options.cwd, detached })
    : spawn(file, [...args], { stdio, env, cwd: options.cwd, detached, windowsHide: true });
  let timedOut = false;
  let aborted = false;
  let alive = true;
  const kill = (signal: NodeJS.Signals = 'SIGKILL'): void => {
    if (alive && child.pid !== undefined) child.kill(signal);
  };
  const onAbort = (): void => {
    aborted = true;
    kill();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), kill()), options.timeoutMs);
  const exited = new Promise<ChildExit>((resolve) => {
    let error: NodeJS.ErrnoException | undefined;
    const settle = (code: number | null, signal: NodeJS.Signals | null): void => {
      alive = false;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, timedOut, aborted, ...(error && { error }) });
    };
    // on, not once: a later 'error' (a failed kill) with no listener would crash the host.
    child.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e;
      // A child that never started emits no 'close' on every platform: settle here.
      if (child.pid === undefined) settle(null, null);
    });
    child.once('close', (code, signal) => settle(code, signal));
  });
  // Pipes closed early by the child (it exited, or refused its input) must not crash the host.
  child.stdin?.on('error', () => undefined);
  // Without pdeathsig the watchdog does all; with a gentle pdeathsig it is the escalation to KILL.
  if (child.pid !== undefined && (!usePdeathsig || options.onParentDeath)) {
    startWatchdog(child.pid, usePdeathsig ? undefined : options.onParentDeath?.signal, options.onParentDeath?.graceMs ?? 0);
  }
  return { pid: child.pid ?? -1, guard: usePdeathsig ? 'pdeathsig' : 'watchdog', process: child, exited, kill };
}

export interface RunOptions extends Omit<LaunchOptions, 'stdio'> {
  /** Written to stdin, which is then closed. */
  readonly input?: Buffer | string;
  /** Output kept per stream; more kills the child (default 16 MiB). */
  readonly maxBuffer?: number;
}

export interface RunResult extends ChildExit {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** It printed more than maxBuffer and was killed. */
  readonly overflow: boolean;
}

/**
 * Runs a child to its end and collects what it printed (the launcher's execFile); never throws
 * for the child's sake: not installed, a non-zero exit, a time limit or a cancellation are in
 * the result. An already-aborted signal is the one throw, as with `launch`.
 */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const child = launch(file, args, { ...options, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const limit = options.maxBuffer ?? 16 << 20;
  let overflow = false;
  const collect = (stream: NodeJS.ReadableStream | null): Buffer[] => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream?.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        overflow = true;
        child.kill();
        return;
      }
      chunks.push(chunk);
    });
    return chunks;
  };
  const stdout = collect(child.process.stdout);
  const stderr = collect(child.process.stderr);
  if (options.input !== undefined) child.process.stdin?.end(options.input);
  const exit = await child.exited;
  return { ...exit, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), overflow };
}

/** The first line a person reads about a run that did not succeed (for probes' reasons). */
export function failureOf(file: string, result: RunResult, timeoutMs?: number): string {
  if (result.error?.code === 'ENOENT') return `${file} is not installed (not found on PATH)`;
  if (result.aborted) return `${file} was cancelled`;
  if (result.timedOut) return `${file} did not finish within ${timeoutMs === undefined ? 'its time limit' : `${timeoutMs / 1000} s`}`;
  if (result.overflow) return `${file} printed more than it may`;
  if (result.error) return `${file} could not run: ${result.error.message.split('\n')[0]}`;
  return `${file} ${result.code === null ? `was killed (${result.signal})` : `exited with ${result.code}`}`;
}

export interface Tied<T> {
  readonly child: T;
  /** Stops watching the signal: the child was closed another way. */
  untie(): void;
}

/**
 * A child that a library starts itself: Playwright spawns Chromium, talking to it over a pipe,
 * and Chromium exits when that pipe closes, so it dies with us (kill -9 included). Started through
 * here, it is tied to the signal as well: `close` runs when the signal aborts, also when the abort
 * comes while it is still starting (then the start throws the cancellation).
 */
export async function launchVia<T>(start: () => Promise<T>, close: (child: T) => Promise<unknown>, signal?: AbortSignal, what = 'the browser'): Promise<Tied<T>> {
  if (signal?.aborted) throw cancelled(`${what} was not started: the operation was cancelled.`);
  const child = await start();
  const shut = (): void => void close(child).catch(() => undefined);
  if (signal?.aborted) {
    await close(child).catch(() => undefined);
    throw cancelled(`${what} was closed as it started: the operation was cancelled.`);
  }
  signal?.addEventListener('abort', shut, { once: true });
  return { child, untie: () => signal?.removeEventListener('abort', shut) };
}

/** The absolute path `file` runs as, by PATH when it names no folder; undefined if none. */
function resolveExecutable(file: string, env: NodeJS.ProcessEnv): string | undefined {
  if (file.includes('/')) return isExecutable(file) ? file : undefined;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, file);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** A regular file this process may execute (launchers and tool locators share it). */
export function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills `childPid` once `process.pid` is gone; exits by itself when the child ends first. Given
 * `first`, that signal is sent at once and SIGKILL only if the child still runs `graceMs` later;
 * with `first` undefined and a grace (pdeathsig already sent the gentle signal), SIGKILL waits
 * for the grace. Our death is seen as the watchdog being re-parented (POSIX; a dead parent that
 * nobody reaped still answers signal 0) or as our pid being gone.
 */
function startWatchdog(childPid: number, first: NodeJS.Signals | undefined, graceMs: number): void {
  const script = `
    const [parent, child, first, grace] = process.argv.slice(-4);
    const alive = (pid) => { try { process.kill(Number(pid), 0); return true; } catch (e) { return e.code === 'EPERM'; } };
    const orphaned = () => (process.platform !== 'win32' && process.ppid !== Number(parent)) || !alive(parent);
    const kill = (signal) => { try { process.kill(Number(child), signal); } catch {} };
    const timer = setInterval(() => {
      if (!alive(child)) process.exit(0);
      if (!orphaned()) return;
      clearInterval(timer);
      if (first !== '-') kill(first);
      const end = Date.now() + Number(grace);
      setInterval(() => {
        if (!alive(child)) process.exit(0);
        if (Date.now() >= end) { kill('SIGKILL'); process.exit(0); }
      }, 100);
    }, ${graceMs > 0 ? 250 : 1000});`;
  // The watchdog itself is the one child not watched: it ends when either of the two does.
  const watchdog = spawn(process.execPath, ['-e', script, '--', String(process.pid), String(childPid), first ?? '-', String(graceMs)], {
    detached: true,
    stdio: 'ignore',
    windowsHide: true,
    // In Electron, process.execPath is the app: this makes it behave as plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  watchdog.unref();
}
