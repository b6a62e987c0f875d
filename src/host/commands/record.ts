import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CaptureNotice, CaptureSource } from '../../core/capture/capture-source.js';
import { connectComfyUI } from '../../core/capture/creation/comfyui.js';
import { captureEnvironment } from '../../core/capture/environment/environment.js';
import { watchFolders } from '../../core/capture/creation/folder-watch.js';
import { describeRecovery, recoverInterruptedRecordings } from '../../core/capture/recording/recording-recovery.js';
import { parseRegion, QUALITY, X264_PRESETS, type Quality, type QualityName, type Region } from '../../core/capture/recording/screen-args.js';
import { startScreenRecording, type ScreenRecording } from '../../core/capture/recording/screen-recorder.js';
import type { Proofline } from '../../core/proofline.js';
import { collect, UsageError, type CliContext } from '../cli-context.js';

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
  preset?: string;
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

/** Hosts call this at start: closes out recordings a crash left open, one line each on stderr. */
export async function recoverAtStart(pl: Proofline): Promise<void> {
  for (const report of await recoverInterruptedRecordings(pl)) process.stderr.write(`proofline: ${describeRecovery(report)}\n`);
}

/** `proofline record`: screen, folders and ComfyUI into an open session until Ctrl-C or --duration. */
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
    .addOption(new Option('--quality <level>', 'video quality: low, standard or high (libx264 CRF 34, 28, 22)').choices(Object.keys(QUALITY)).default('standard'))
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
      let region: Region | undefined;
      try {
        region = opts.region === undefined ? undefined : parseRegion(opts.region);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const named = QUALITY[opts.quality];
      const quality: Quality = { crf: crf ?? named.crf, preset: opts.preset ?? named.preset };
      const screen = opts.screen === true || (opts.watch.length + opts.draft.length === 0 && !opts.comfyui);

      const pl = context.open();
      const sources: CaptureSource[] = [];
      let recording: ScreenRecording | undefined;
      try {
        pl.startTimers();
        await recoverAtStart(pl);
        const session = pl.sessions.get(id);
        if (session.state === 'sealed') throw new UsageError(`session ${session.id} is sealed: start a new session to record`);
        if (opts.watch.length + opts.draft.length > 0) {
          sources.push(await watchFolders(pl, session.id, { folders: opts.watch.map((d) => resolve(d)), drafts: opts.draft.map((d) => resolve(d)), onNotice: progressLine }));
        }
        if (opts.comfyui) {
          if (!/^https?:\/\//.test(opts.comfyui)) throw new UsageError(`--comfyui '${opts.comfyui}' must be an http:// or https:// URL, e.g. http://127.0.0.1:8188`);
          sources.push(await connectComfyUI(pl, session.id, { url: opts.comfyui, onNotice: progressLine }));
        }
        if (screen) {
          recording = await startScreenRecording(pl, session.id, {
            ffmpegPath: opts.ffmpeg,
            display: opts.display,
            region,
            fps,
            quality,
            segmentSeconds,
            clock: opts.clock,
            onNotice: progressLine,
          });
          sources.push(recording);
        }
        // The environment at the start of the work (OS, GPUs, ffmpeg, model hashes, clock offset),
        // once per session, alongside the capture: hashing large checkpoints must not delay it.
        let shown = '';
        const environment = pl.events.countByType(session.id).has('environment.snapshot')
          ? undefined
          : captureEnvironment(pl, session.id, {
              modelFolders: opts.models.map((d) => resolve(d)),
              comfyuiUrl: opts.comfyui,
              ffmpegPath: opts.ffmpeg,
              tsaUrls: context.tsaUrls(),
              onProgress: (p) => {
                const step = `${p.file} ${Math.floor((10 * p.done) / Math.max(1, p.total)) * 10}%`;
                if (step !== shown) progressLine({ source: 'environment', level: 'info', message: `hashing ${(shown = step)}` });
              },
            }).then(
              ({ event }) => progressLine({ source: 'environment', level: 'info', message: `snapshot recorded (event ${event.body.seq})`, eventSeq: event.body.seq }),
              (error: Error) => progressLine({ source: 'environment', level: 'warn', message: `snapshot failed: ${error.message}` }),
            );
        process.stderr.write(`recording into session ${session.id}: ${sources.map((s) => s.name).join(', ')}; stop with Ctrl-C${durationSeconds ? ` or after ${durationSeconds} s` : ''}\n`);

        const why = await untilStopped(durationSeconds, recording);
        await Promise.all(sources.map((s) => (s === recording ? recording.stop(why) : s.stop())));
        await environment;
        await pl.sessions.checkpoint(session.id, 'manual');
        const status = recording?.status();
        if (status) {
          context.out(`${status.state} after ${(status.elapsedMs / 1000).toFixed(1)} s: ${status.segments} segment(s), ${status.bytes} bytes, ${status.droppedFrames} dropped frame(s)\n`);
          if (status.state === 'failed') {
            process.exitCode = 1;
            process.stderr.write(`proofline: the screen recording failed: ${status.lastError ?? 'unknown reason'}. What was recorded is kept in the session.\n`);
          }
        } else context.out(`stopped (${why})\n`);
      } catch (error) {
        await Promise.all(sources.map((s) => s.stop().catch(() => undefined)));
        throw error;
      } finally {
        pl.close();
      }
    });
}

/** Resolves with the reason to stop: a signal, the duration, or the screen recording ending by itself. */
function untilStopped(durationSeconds: number | undefined, recording: ScreenRecording | undefined): Promise<string> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (reason: string): void => {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(reason);
    };
    const onInt = (): void => finish('interrupted by the user (SIGINT)');
    const onTerm = (): void => finish('asked to stop (SIGTERM)');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (durationSeconds !== undefined) timer = setTimeout(() => finish(`the requested duration of ${durationSeconds} s was reached`), durationSeconds * 1000);
    void recording?.done.then(() => finish('the screen recording ended'));
  });
}
