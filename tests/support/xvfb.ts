import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningDisplay {
  /** ":N", for DISPLAY and --display. */
  readonly display: string;
  stop(): Promise<void>;
}

export interface XvfbOptions {
  readonly width?: number;
  readonly height?: number;
  /**
   * Draw something that changes on the display: ffmpeg plays its moving `testsrc2` pattern into an
   * SDL window (small, 10 fps) so that recordings hold real, changing pixels. Xvfb has no XVideo,
   * so ffmpeg's SDL2 output device is the way to draw without an X client toolkit.
   */
  readonly animate?: boolean;
}

/**
 * A real X display for tests. `-displayfd` lets Xvfb pick a free display number and tell us,
 * so parallel tests (and other engineers' Xvfbs) never collide.
 */
export async function startXvfb(options: XvfbOptions = {}): Promise<RunningDisplay> {
  const width = options.width ?? 1280;
  const height = options.height ?? 720;
  const dir = mkdtempSync(join(tmpdir(), 'proofline-xvfb-'));
  const fdFile = join(dir, 'display');
  const fd = openSync(fdFile, 'w');
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-nolisten', 'unix-abstract'], {
    stdio: ['ignore', 'ignore', 'pipe', fd],
  });
  closeSync(fd);
  let stderr = '';
  xvfb.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const display = await new Promise<string>((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      const text = readFileSync(fdFile, 'utf8');
      if (/^\d+\n/.test(text)) resolve(`:${text.trim()}`);
      else if (xvfb.exitCode !== null) reject(new Error(`Xvfb exited with ${xvfb.exitCode}: ${stderr.slice(-500)}`));
      else if (Date.now() - started > 15_000) reject(new Error(`Xvfb did not report a display within 15 s: ${stderr.slice(-500)}`));
      else setTimeout(tick, 50);
    };
    tick();
  }).catch(async (error: Error) => {
    xvfb.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  let painter: ChildProcess | undefined;
  if (options.animate) {
    painter = spawn(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10', '-pix_fmt', 'yuv420p', '-f', 'sdl2', 'proofline-test-pattern'],
      { stdio: 'ignore', env: { ...process.env, DISPLAY: display, SDL_VIDEODRIVER: 'x11', SDL_AUDIODRIVER: 'dummy' } },
    );
  }
  const exited = (child: ChildProcess): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
  return {
    display,
    async stop() {
      if (painter) {
        painter.kill('SIGKILL');
        await exited(painter);
      }
      xvfb.kill('SIGTERM');
      await exited(xvfb);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
