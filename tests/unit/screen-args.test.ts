import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FfmpegNotFoundError, locateFfmpeg } from '../../src/core/capture/recording/ffmpeg-locate.js';
import { explainExit, parseSegmentList, ProgressParser, StderrTail } from '../../src/core/capture/recording/ffmpeg-progress.js';
import {
  buildScreenArgs,
  clockFilter,
  escapeFilterValue,
  findClockFont,
  parseRegion,
  QUALITY,
  screenInput,
  segmentFileName,
} from '../../src/core/capture/recording/screen-args.js';

const base = { fps: 15, quality: QUALITY.standard, segmentSeconds: 10, outputDir: '/rec', segmentList: '/rec/segments-r001.csv', startNumber: 0 };

describe('screen capture arguments', () => {
  it('records an X11 display whole, or a region from its origin (x11grab)', () => {
    expect(screenInput({ platform: 'linux', display: ':7', fps: 15 }).args).toEqual(['-f', 'x11grab', '-framerate', '15', '-draw_mouse', '1', '-i', ':7']);
    const region = screenInput({ platform: 'linux', display: ':7', fps: 30, region: parseRegion('800x600+10+20') });
    expect(region.args).toEqual(['-f', 'x11grab', '-framerate', '30', '-draw_mouse', '1', '-video_size', '800x600', '-i', ':7+10,20']);
  });

  it('records the Windows desktop with gdigrab, or ddagrab through lavfi with a GPU download', () => {
    const gdi = screenInput({ platform: 'win32', fps: 10, region: { width: 640, height: 480, x: 5, y: 6 } });
    expect(gdi.args).toEqual(['-f', 'gdigrab', '-framerate', '10', '-draw_mouse', '1', '-offset_x', '5', '-offset_y', '6', '-video_size', '640x480', '-i', 'desktop']);
    expect(gdi.filters).toEqual([]);
    const dda = screenInput({ platform: 'win32', fps: 10, windowsGrabber: 'ddagrab' });
    expect(dda.args).toEqual(['-f', 'lavfi', '-i', 'ddagrab=framerate=10:draw_mouse=1']);
    expect(dda.filters).toEqual(['hwdownload', 'format=bgra']);
  });

  it('records a macOS screen with avfoundation and crops a region in a filter', () => {
    const mac = screenInput({ platform: 'darwin', fps: 15, region: { width: 1000, height: 500, x: 100, y: 50 } });
    expect(mac.args.slice(0, 2)).toEqual(['-f', 'avfoundation']);
    expect(mac.args.at(-1)).toBe('Capture screen 0:none');
    expect(mac.filters).toEqual(['crop=1000:500:100:50']);
  });

  it('rejects a region that is not WxH+X+Y or too small to be useful', () => {
    expect(parseRegion('1280x720')).toEqual({ width: 1280, height: 720, x: 0, y: 0 });
    expect(() => parseRegion('1280*720')).toThrow(/WIDTHxHEIGHT\+X\+Y/);
    expect(() => parseRegion('8x8+0+0')).toThrow(/smaller than 16x16/);
  });

  it('cuts MPEG-TS segments at forced keyframes and lists each as it closes', () => {
    const { args } = buildScreenArgs({ ...base, platform: 'linux', display: ':3', startNumber: 12, segmentSeconds: 5 });
    const after = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
    expect(after('-f')).toBe('x11grab');
    expect(args.slice(args.lastIndexOf('-f'), args.lastIndexOf('-f') + 2)).toEqual(['-f', 'segment']);
    expect(after('-segment_format')).toBe('mpegts');
    // Each packet reaches the file as it is muxed: kill -9 loses only what the encoder holds.
    expect(after('-segment_format_options')).toBe('flush_packets=1');
    expect(after('-segment_time')).toBe('5');
    expect(after('-segment_start_number')).toBe('12');
    expect(after('-force_key_frames')).toBe('expr:gte(t,n_forced*5)');
    expect(after('-segment_list')).toBe('/rec/segments-r001.csv');
    expect(after('-segment_list_type')).toBe('csv');
    expect(after('-c:v')).toBe('libx264');
    expect(after('-preset')).toBe('ultrafast');
    expect(after('-crf')).toBe('28');
    expect(args.at(-1)).toBe(join('/rec', 'seg-%06d.ts'));
    expect(segmentFileName(12)).toBe('seg-000012.ts');
  });

  it('burns in a local clock with seconds only when a font is given', () => {
    const withClock = buildScreenArgs({ ...base, platform: 'linux', clockFont: '/fonts/DejaVuSansMono.ttf' }).args;
    const vf = withClock[withClock.indexOf('-vf') + 1]!;
    expect(vf).toContain("drawtext=fontfile='/fonts/DejaVuSansMono.ttf'");
    expect(vf).toContain("text='%{localtime\\:%Y-%m-%d %H\\\\\\:%M\\\\\\:%S %z}'");
    const without = buildScreenArgs({ ...base, platform: 'linux' }).args;
    expect(without[without.indexOf('-vf') + 1]).not.toContain('drawtext');
  });

  it('escapes a Windows font path for the filter graph', () => {
    expect(escapeFilterValue('C:\\Windows\\Fonts\\consola.ttf')).toBe("'C\\:/Windows/Fonts/consola.ttf'");
    expect(clockFilter("/f/it's.ttf")).toContain("fontfile='/f/it'\\''s.ttf'");
  });

  it('finds a clock font that exists, preferring PROOFLINE_CLOCK_FONT, and gives up gracefully', () => {
    const present = new Set(['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', '/my/font.ttf']);
    expect(findClockFont('linux', (p) => present.has(p), {})).toBe('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc');
    expect(findClockFont('linux', (p) => present.has(p), { PROOFLINE_CLOCK_FONT: '/my/font.ttf' })).toBe('/my/font.ttf');
    expect(findClockFont('win32', (p) => p === join('D:\\Win', 'Fonts/arial.ttf'), { WINDIR: 'D:\\Win' })).toBe(join('D:\\Win', 'Fonts/arial.ttf'));
    expect(findClockFont('linux', () => false, {})).toBeUndefined();
  });
});

describe('ffmpeg output parsers', () => {
  it('reads -progress blocks split across chunks, with dropped frames', () => {
    const parser = new ProgressParser();
    expect(parser.push('frame=30\nfps=15.0\ndrop_fr')).toEqual([]);
    const [block] = parser.push('ames=2\ndup_frames=0\nout_time_us=2000000\nspeed=1x\nprogress=continue\nframe=4');
    expect(block).toEqual({ frame: 30, fps: 15, dropFrames: 2, dupFrames: 0, outTimeSeconds: 2, speed: '1x', progress: 'continue' });
    const [last] = parser.push('5\nprogress=end\n');
    expect(last?.frame).toBe(45);
    expect(last?.progress).toBe('end');
  });

  it('takes only complete lines of the segment list', () => {
    expect(parseSegmentList('seg-000000.ts,0.000000,2.000000\nseg-000001.ts,2.000000,4.0')).toEqual([{ file: 'seg-000000.ts', start: 0, end: 2 }]);
    expect(parseSegmentList('"a,b.ts",1,2\n')).toEqual([{ file: 'a,b.ts', start: 1, end: 2 }]);
  });

  it('says the disk is full when ffmpeg could not write, and otherwise how it ended', () => {
    expect(explainExit(1, null, ['[segment @ 0x1] Failed to open segment', 'av_interleaved_write_frame(): No space left on device'])).toMatchObject({ diskFull: true });
    expect(explainExit(null, 'SIGKILL', []).reason).toBe('ffmpeg was killed by SIGKILL');
    expect(explainExit(1, null, ['[x11grab @ 0x2] Cannot open display :9, error 1.']).reason).toMatch(/lost the screen/);
  });

  it('keeps the last stderr lines, progress carriage returns included', () => {
    const tail = new StderrTail(2);
    tail.push('one\ntwo\rthree\nfou');
    expect(tail.get()).toEqual(['three', 'fou']);
  });
});

describe('locating ffmpeg', () => {
  const dir = mkdtempSync(join(tmpdir(), 'proofline-locate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a configured path that does not exist, naming it, rather than using another ffmpeg', async () => {
    await expect(locateFfmpeg(join(dir, 'nope', 'ffmpeg'))).rejects.toThrow(/configured ffmpeg \(.*nope.*\) does not exist.*apt-get install ffmpeg/);
  });

  it('refuses FFMPEG_PATH pointing at something that is not ffmpeg', async () => {
    const fake = join(dir, 'fake-ffmpeg');
    writeFileSync(fake, '#!/bin/sh\necho hello\n');
    chmodSync(fake, 0o755);
    await expect(locateFfmpeg(undefined, { env: { FFMPEG_PATH: fake, PATH: '/usr/bin' } })).rejects.toThrow(/FFMPEG_PATH .* does not run as ffmpeg/);
  });

  it('skips an ffmpeg-static whose binary was never downloaded and finds ffmpeg on PATH', async () => {
    const found = await locateFfmpeg(undefined, { env: { PATH: '/usr/bin' }, ffmpegStatic: () => join(dir, 'ffmpeg-static', 'ffmpeg') });
    expect(found).toMatchObject({ path: '/usr/bin/ffmpeg', source: 'path' });
    expect(found.version).toMatch(/^ffmpeg version /);
  });

  it('says where it looked and how to get ffmpeg when there is none', async () => {
    const error = await locateFfmpeg(undefined, { env: { PATH: '' }, ffmpegStatic: () => join(dir, 'missing') }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(FfmpegNotFoundError);
    expect((error as Error).message).toMatch(/ffmpeg was not found: ffmpeg-static's binary .*missing does not exist.*; no ffmpeg on PATH\. Install ffmpeg/);
  });

  it('prefers FFMPEG_PATH over PATH when it works', async () => {
    const found = await locateFfmpeg(undefined, { env: { FFMPEG_PATH: '/usr/bin/ffmpeg', PATH: '' } });
    expect(found.source).toBe('env');
  });
});
