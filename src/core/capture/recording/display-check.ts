// Whether the X display a screen recording names can be reached, asked before anything is
// recorded: a display that is not running used to be found out by ffmpeg, after the recording had
// already been entered in the session. X11 names a display `[host]:N[.S]`; a local one listens on
// the socket /tmp/.X11-unix/XN (or its abstract twin on Linux), a remote one on TCP 6000 + N
// (X Window System Protocol, "Connection Setup"; Xlib's _XConnectXCB does the same lookup).
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { ProoflineError } from '../../errors.js';

export interface ParsedDisplay {
  /** '' (or 'unix') for a local display. */
  readonly host: string;
  readonly number: number;
}

/** `:99`, `:99.0`, `localhost:10.0`, `unix:0` → host and number; undefined for anything else. */
export function parseDisplay(display: string): ParsedDisplay | undefined {
  const match = /^([^:]*):(\d+)(?:\.\d+)?$/.exec(display.trim());
  if (!match) return undefined;
  return { host: match[1]!, number: Number(match[2]) };
}

/** The display as two recordings of the same screen name it alike (`:99.0` and `:99` are one). */
export function displayKey(display: string): string {
  const parsed = parseDisplay(display);
  return parsed ? `${parsed.host === 'unix' ? '' : parsed.host}:${parsed.number}` : display.trim();
}

const CONNECT_TIMEOUT_MS = 1_500;

function reachable(target: { path: string } | { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(target as { path: string });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Throws `display.unreachable` unless the X display answers a connection. Only for X11 (Linux);
 * elsewhere the screen device is the system's and ffmpeg's own start says whether it opens.
 */
export async function assertDisplayReachable(display: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform !== 'linux') return;
  const fail = (why: string): never => {
    throw new ProoflineError(
      'display.unreachable',
      `The X display ${display} cannot be reached (${why}), so the screen cannot be recorded; nothing was recorded. Start that display, choose another one (Settings, or --display), or record without the screen.`,
      { display },
    );
  };
  const parsed = parseDisplay(display);
  if (!parsed) return fail('it is not an X display name such as :0');
  if (parsed.host === '' || parsed.host === 'unix') {
    const path = `/tmp/.X11-unix/X${parsed.number}`;
    if (existsSync(path) && (await reachable({ path }))) return;
    // Servers started with only the abstract socket (no file in /tmp/.X11-unix).
    if (await reachable({ path: `\0${path}` })) return;
    return fail(`no X server answers on ${path}`);
  }
  if (!(await reachable({ host: parsed.host, port: 6000 + parsed.number }))) fail(`no X server answers on ${parsed.host}:${6000 + parsed.number}`);
}
