import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CaptureNotice } from '../../core/capture/capture-source.js';
import { QUALITY_NAMES, type QualityName, type X264Preset, X264_PRESETS } from '../../shared/recording.js';
import type { RecordingEnd } from '../../shared/views.js';
import { collect, UsageError, type CliContext } from '../cli-context.js';
import type { CliHost } from '../cli-host.js';

interface RecordOptions {
  screen?: boolean;
  display?: string;
  region?: string;
  watch: string[];
  draft: string[];
  comfyui?: string;
  duration?: string;
  fps?: string;
  quality: QualityName;
  crf?: string;
  preset?: X264Preset;
  segmentSeconds?: string;
  ffmpeg?: string;
  clock: boolean;
  models: string[];
}

function positive(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`${name} must be a number above 0 and at most ${max}, not '${value}'`);
  return n;
}

function progressLine(notice: CaptureNotice): void {
  const time = new Date().toISOString().slice(11, 19);
  const level = notice.level === 'info' ? '' : `${notice.level}: `;
  process.stderr.write(`[${time}] ${notice.source}: ${level}${notice.message}\n`);
}

/** `WxH+X+Y` as the core reads it; its message names what is wrong. */
async function region(text: string | undefined): Promise<{ width: number; height: number; x: number; y: number } | undefined> {
  if (text === undefined) return undefined;
  const { parseRegion } = await import('../../core/capture/recording/screen-args.js');
  try {
    return parseRegion(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * `proofline record`: screen, folders and ComfyUI into an open session until Ctrl-C or --duration,
 * through the operations recording.start and recording.stop of the capture lifecycle.
 */
export function registerRecordCommands(program: Command, context: CliContext): void {
  program
    .command('record')
    .description('record into an open session until Ctrl-C, SIGTERM or --duration: the screen (default), watched folders, ComfyUI; progress on stderr')
    .argument('<id>', 'session id or a unique prefix of it')
    .option('--screen', 'record the screen (the default when no other source is given)')
    .option('--display <display>', 'X11 display to record (default $DISPLAY); macOS: avfoundation screen, e.g. "Capture screen 0"')
    .option('--region <WxH+X+Y>', 'record only this part of the screen, e.g. 1280x720+0+0')
    .option('--watch <dir>', 'watch an output folder for generated images; repeat for several', collect, [])
    .option('--draft <dir>', 'watch a work folder for saved drafts; repeat for several', collect, [])
    .option('--comfyui <url>', 'follow a ComfyUI server, e.g. http://127.0.0.1:8188')
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--fps <n>', 'screen frames per second (default 15)')
    .addOption(new Option('--quality <level>', 'video quality: low, standard or high (libx264 CRF 34, 28, 22)').choices([...QUALITY_NAMES]).default('standard'))
    .option('--crf <n>', 'exact libx264 CRF (0-51, lower is better and larger); overrides --quality')
    .addOption(new Option('--preset <name>', 'libx264 preset (faster uses less CPU, larger files)').choices([...X264_PRESETS]))
    .option('--segment-seconds <n>', 'length of each video segment; each is hashed and recorded as it closes (default 10)')
    .option('--ffmpeg <path>', 'ffmpeg to use (default: $FFMPEG_PATH, ffmpeg-static, ffmpeg on PATH)')
    .option('--no-clock', 'do not burn the date and time into the video')
    .option('--models <dir>', 'model folder whose files are hashed into the environment snapshot; repeat for several', collect, [])
    .action(async (id: string, opts: RecordOptions) => {
      const durationSeconds = positive('--duration', opts.duration, 7 * 24 * 3600);
      const fps = positive('--fps', opts.fps, 120);
      const segmentSeconds = positive('--segment-seconds', opts.segmentSeconds, 600);
      const crf = opts.crf === undefined ? undefined : Number(opts.crf);
      if (crf !== undefined && !(Number.isInteger(crf) && crf >= 0 && crf <= 51)) throw new UsageError(`--crf must be a whole number from 0 to 51, not '${opts.crf}'`);
      if (opts.comfyui && !/^https?:\/\//.test(opts.comfyui)) throw new UsageError(`--comfyui '${opts.comfyui}' must be an http:// or https:// URL, e.g. http://127.0.0.1:8188`);
      const screenRegion = await region(opts.region);
      const screen = opts.screen === true || (opts.watch.length + opts.draft.length === 0 && !opts.comfyui);

      await context.withHost(
        async (host) => {
          await host.recover();
          const { session } = await host.call('session.get', { id });
          if (session.state === 'sealed') throw new UsageError(`session ${session.id} is sealed: start a new session to record`);
          // The lifecycle also takes the session's environment snapshot (once) beside the capture.
          const started = await host.call('recording.start', {
            id: session.id,
            screen,
            watch: opts.watch.map((d) => resolve(d)),
            drafts: opts.draft.map((d) => resolve(d)),
            comfyuiUrl: opts.comfyui,
            region: screenRegion,
            display: opts.display,
            fps,
            quality: opts.quality,
            crf,
            preset: opts.preset,
            segmentSeconds,
            clock: opts.clock,
            ffmpegPath: opts.ffmpeg,
            durationSeconds,
            models: opts.models.map((d) => resolve(d)),
          });
          // The screen is named last, as this line always has (the lifecycle starts it first).
          const names = [...started.sources.filter((s) => s.kind !== 'screen'), ...started.sources.filter((s) => s.kind === 'screen')].map((s) => s.name);
          process.stderr.write(`recording into session ${session.id}: ${names.join(', ')}; stop with Ctrl-C${durationSeconds ? ` or after ${durationSeconds} s` : ''}\n`);

          const ended = await untilEnded(host, session.id);
          await host.shutdown(); // the environment snapshot is in the chain before the last line
          if (ended?.screen) {
            context.out(`${ended.screen} after ${(ended.elapsedMs / 1000).toFixed(1)} s: ${ended.segments} segment(s), ${ended.bytes} bytes, ${ended.droppedFrames} dropped frame(s)\n`);
            if (ended.screen === 'failed') {
              process.exitCode = 1;
              process.stderr.write(`proofline: the screen recording failed: ${ended.lastError ?? 'unknown reason'}. What was recorded is kept in the session.\n`);
            }
          } else context.out(`stopped (${ended?.reason ?? 'stopped'})\n`);
        },
        { timers: true, onNotice: (_session, notice) => progressLine(notice) },
      );
    });
}

/**
 * Waits for the recording to end and says how: the lifecycle ends it at --duration by itself;
 * here a signal, or the screen recording failing on its own (ffmpeg died, disk full), stops it.
 */
async function untilEnded(host: CliHost, sessionId: string): Promise<RecordingEnd | undefined> {
  const reason = await new Promise<string | null>((resolveReason) => {
    const finish = (why: string | null): void => {
      clearInterval(poll);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolveReason(why);
    };
    const onInt = (): void => finish('interrupted by the user (SIGINT)');
    const onTerm = (): void => finish('asked to stop (SIGTERM)');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    const poll = setInterval(() => {
      void host.call('recording.status', { id: sessionId }).then(
        (status) => {
          if (status.state === 'idle') finish(null);
          else if (status.state === 'failed') finish('the screen recording ended');
        },
        () => finish('the recording could not be followed'),
      );
    }, 200);
  });
  const status = reason === null ? await host.call('recording.status', { id: sessionId }) : await host.call('recording.stop', { id: sessionId, reason });
  return status.ended;
}
