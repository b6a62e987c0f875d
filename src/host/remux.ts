// Recording segments are MPEG-TS, chosen because a segment stays playable after a crash; but
// browsers (and Electron's Chromium) do not play MPEG-TS. For viewing only, both hosts remux a
// segment to fragmented MP4 on the fly: stream copy, no re-encoding, the evidence file untouched.
import type { Readable } from 'node:stream';
import { locateFfmpeg } from '../core/capture/recording/ffmpeg-locate.js';
import { launch } from '../core/process/launch.js';

export interface Remux {
  readonly output: Readable;
  /** Stops ffmpeg (the viewer went away). */
  cancel(): void;
}

/**
 * Throws FfmpegNotFoundError (with how to get one) when there is no ffmpeg. ffmpeg is started
 * through the launcher: it dies with us, and is killed when `signal` aborts (the request closed).
 */
export async function remuxTsToMp4(input: Readable, configuredFfmpeg: string | undefined, signal?: AbortSignal): Promise<Remux> {
  const { path } = await locateFfmpeg(configuredFfmpeg);
  const child = launch(path, ['-hide_banner', '-loglevel', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-c', 'copy', '-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', 'pipe:1'], {
    stdio: ['pipe', 'pipe', 'ignore'],
    signal,
  });
  input.pipe(child.process.stdin!).on('error', () => undefined);
  input.on('error', () => child.kill());
  // Once ffmpeg is gone, nothing reads the input any more: let go of the file or archive entry.
  void child.exited.then(() => input.destroy());
  return { output: child.process.stdout!, cancel: () => child.kill() };
}
