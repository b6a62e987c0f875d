import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { X264_PRESETS, type QualityName } from '../../../shared/recording.js';
import { ProoflineError } from '../../errors.js';

export { X264_PRESETS, type QualityName };

/** A rectangle of the screen, in pixels from its top-left corner. */
export interface Region {
  readonly width: number;
  readonly height: number;
  readonly x: number;
  readonly y: number;
}

/** libx264 settings: CRF (lower is better, larger) and preset (faster costs less CPU, larger files). */
export interface Quality {
  readonly crf: number;
  readonly preset: string;
}

/**
 * CPU-friendly by default: `ultrafast` has no B-frames and no lookahead, so a frame leaves the
 * encoder at once (what is on disk when the process is killed is close to what was on screen),
 * and screen content (flat areas, text) compresses well even so.
 */
export const QUALITY: Readonly<Record<QualityName, Quality>> = {
  low: { crf: 34, preset: 'ultrafast' },
  standard: { crf: 28, preset: 'ultrafast' },
  high: { crf: 22, preset: 'superfast' },
};

export const DEFAULT_FPS = 15;
export const DEFAULT_SEGMENT_SECONDS = 10;
/** The segment list of run N (runs restart after a pause). */
export function segmentListName(run: number): string {
  return `segments-r${String(run).padStart(3, '0')}.csv`;
}
export const SEGMENT_PATTERN = 'seg-%06d.ts';

export type WindowsGrabber = 'gdigrab' | 'ddagrab';

export interface ScreenArgsOptions {
  readonly platform: NodeJS.Platform;
  /** X11 display (":0"); on macOS the avfoundation screen device ("Capture screen 0"); unused on Windows. */
  readonly display?: string;
  readonly region?: Region;
  readonly fps: number;
  readonly quality: Quality;
  readonly segmentSeconds: number;
  /** Font file for the burned-in clock; undefined: no clock. */
  readonly clockFont?: string;
  /** Where segments go. */
  readonly outputDir: string;
  /** The CSV list ffmpeg appends to as each segment closes (one per run: a new run would truncate it). */
  readonly segmentList: string;
  /** Number of the first segment file (segments are numbered across pauses). */
  readonly startNumber: number;
  readonly windowsGrabber?: WindowsGrabber;
}

export interface ScreenInput {
  /** ffmpeg's input device, for the `recording.started` event. */
  readonly device: string;
  readonly args: string[];
  /** Filters that must run first (cropping on macOS, download from the GPU for ddagrab). */
  readonly filters: string[];
}

/** `WxH+X+Y` (X11 geometry, as `--region` takes it) → a Region; throws a message naming the input. */
export function parseRegion(text: string): Region {
  const match = /^(\d+)x(\d+)(?:\+(\d+)\+(\d+))?$/.exec(text.trim());
  if (!match) throw new ProoflineError('recording.region-invalid', `Region '${text}' is not WIDTHxHEIGHT+X+Y, e.g. 1280x720+0+0.`, { region: text });
  const [width, height, x, y] = [match[1], match[2], match[3] ?? '0', match[4] ?? '0'].map(Number) as [number, number, number, number];
  if (width < 16 || height < 16) throw new ProoflineError('recording.region-small', `Region '${text}' is smaller than 16x16 pixels: nothing useful can be recorded.`, { region: text });
  return { width, height, x, y };
}

/** The capture device arguments for this platform (Linux x11grab, Windows gdigrab/ddagrab, macOS avfoundation). */
export function screenInput(options: Pick<ScreenArgsOptions, 'platform' | 'display' | 'region' | 'fps' | 'windowsGrabber'>): ScreenInput {
  const { region, fps } = options;
  const rate = String(fps);
  switch (options.platform) {
    case 'win32': {
      if ((options.windowsGrabber ?? 'gdigrab') === 'ddagrab') {
        // ddagrab (Desktop Duplication, ffmpeg >= 6.0) is a lavfi source yielding D3D11 frames.
        const parts = [`framerate=${rate}`, 'draw_mouse=1'];
        if (region) parts.push(`video_size=${region.width}x${region.height}`, `offset_x=${region.x}`, `offset_y=${region.y}`);
        return { device: 'ddagrab', args: ['-f', 'lavfi', '-i', `ddagrab=${parts.join(':')}`], filters: ['hwdownload', 'format=bgra'] };
      }
      const args = ['-f', 'gdigrab', '-framerate', rate, '-draw_mouse', '1'];
      if (region) args.push('-offset_x', String(region.x), '-offset_y', String(region.y), '-video_size', `${region.width}x${region.height}`);
      return { device: 'gdigrab', args: [...args, '-i', 'desktop'], filters: [] };
    }
    case 'darwin': {
      // avfoundation takes device names or indexes; "Capture screen 0" is the main display.
      const screen = options.display ?? 'Capture screen 0';
      return {
        device: 'avfoundation',
        args: ['-f', 'avfoundation', '-framerate', rate, '-capture_cursor', '1', '-pixel_format', 'uyvy422', '-i', `${screen}:none`],
        filters: region ? [`crop=${region.width}:${region.height}:${region.x}:${region.y}`] : [],
      };
    }
    default: {
      const display = options.display ?? ':0';
      const args = ['-f', 'x11grab', '-framerate', rate, '-draw_mouse', '1'];
      if (region) args.push('-video_size', `${region.width}x${region.height}`);
      const origin = region ? `+${region.x},${region.y}` : '';
      return { device: 'x11grab', args: [...args, '-i', `${display}${origin}`], filters: [] };
    }
  }
}

/** Quotes a value for a filter option: ':' and '\' and ''' escaped (ffmpeg-filters, "Notes on filtergraph escaping"). */
export function escapeFilterValue(value: string): string {
  return `'${value.replace(/\\/g, '/').replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`;
}

/**
 * The burned-in clock: local date and time with seconds and the UTC offset, rendered when each
 * frame is captured, top-left on a dark box (as evidence recordings in Chinese practice show).
 * The colons of the strftime format sit inside localtime's argument, hence the triple escape.
 */
export function clockFilter(fontFile: string): string {
  const text = '%{localtime\\:%Y-%m-%d %H\\\\\\:%M\\\\\\:%S %z}';
  return [
    `drawtext=fontfile=${escapeFilterValue(fontFile)}`,
    `text='${text}'`,
    'x=8',
    'y=8',
    'fontsize=22',
    'fontcolor=white',
    'box=1',
    'boxcolor=black@0.6',
    'boxborderw=6',
  ].join(':');
}

/** The whole ffmpeg command line after the executable: input, filters, encoder, segment muxer. */
export function buildScreenArgs(options: ScreenArgsOptions): { args: string[]; input: ScreenInput } {
  const input = screenInput(options);
  const filters = [
    ...input.filters,
    // libx264 4:2:0 needs even sizes; a no-op on ordinary screens, saves an odd --region.
    'crop=trunc(iw/2)*2:trunc(ih/2)*2',
    ...(options.clockFont ? [clockFilter(options.clockFont)] : []),
  ];
  const segment = String(options.segmentSeconds);
  const args = [
    '-hide_banner',
    '-loglevel', 'warning',
    '-nostats',
    // key=value progress on stdout every second: frames, drops, output time.
    '-progress', 'pipe:1',
    '-stats_period', '1',
    ...input.args,
    '-vf', filters.join(','),
    '-c:v', 'libx264',
    '-preset', options.quality.preset,
    '-crf', String(options.quality.crf),
    '-pix_fmt', 'yuv420p',
    // A keyframe exactly at each segment boundary, so every segment starts decodable.
    '-force_key_frames', `expr:gte(t,n_forced*${segment})`,
    // MPEG-TS segments: no trailer, so a segment cut short by kill -9 still plays up to its end.
    '-f', 'segment',
    '-segment_format', 'mpegts',
    // Every packet goes to disk as it is muxed (the segment muxer's own -flush_packets does not
    // reach the file; its inner mpegts muxer's does): a segment cut short by kill -9 holds all
    // but the frames still inside the encoder, instead of losing its unflushed 32 KiB buffer.
    '-segment_format_options', 'flush_packets=1',
    '-segment_time', segment,
    '-segment_start_number', String(options.startNumber),
    '-segment_list', options.segmentList,
    // ffmpeg appends a line to this list as each segment closes: that is when it is hashed.
    '-segment_list_type', 'csv',
    join(options.outputDir, SEGMENT_PATTERN),
  ];
  return { args, input };
}

/** Segment file name for an index, as SEGMENT_PATTERN writes it. */
export function segmentFileName(index: number): string {
  return `seg-${String(index).padStart(6, '0')}.ts`;
}

const FONT_CANDIDATES: Readonly<Record<string, readonly string[]>> = {
  linux: [
    '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
    '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
    '/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf',
    '/usr/share/fonts/dejavu/DejaVuSansMono.ttf',
    '/usr/share/fonts/TTF/DejaVuSansMono.ttf',
    '/usr/share/fonts/wqy-microhei/wqy-microhei.ttc',
    '/usr/share/fonts/noto/NotoSansMono-Regular.ttf',
  ],
  darwin: ['/System/Library/Fonts/Menlo.ttc', '/System/Library/Fonts/Monaco.ttf', '/System/Library/Fonts/Helvetica.ttc', '/Library/Fonts/Arial.ttf'],
  win32: ['Fonts/consola.ttf', 'Fonts/arial.ttf', 'Fonts/msyh.ttc', 'Fonts/simsun.ttc'],
};

/** A font file that exists for the clock, or undefined (the recorder then records without a clock and says so). */
export function findClockFont(
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const candidates = platform === 'win32'
    ? (FONT_CANDIDATES['win32'] ?? []).map((f) => join(env['WINDIR'] ?? 'C:\\Windows', f))
    : FONT_CANDIDATES[platform] ?? FONT_CANDIDATES['linux']!;
  const configured = env['PROOFLINE_CLOCK_FONT'];
  return [...(configured ? [configured] : []), ...candidates].find((path) => exists(path));
}
