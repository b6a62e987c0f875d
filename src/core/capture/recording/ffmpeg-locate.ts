import { createRequire } from 'node:module';
import { delimiter, dirname, join, sep } from 'node:path';
import { ProoflineError } from '../../errors.js';
import { failureOf, isExecutable, run } from '../../process/launch.js';

export type FfmpegSource = 'configured' | 'env' | 'ffmpeg-static' | 'path';

export interface LocatedFfmpeg {
  readonly path: string;
  readonly source: FfmpegSource;
  /** First line of `ffmpeg -version`, e.g. "ffmpeg version 5.1.6-0+deb12u1". */
  readonly version: string;
}

export interface LocateDeps {
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  /** The path ffmpeg-static exports (null when it has no binary for this platform). */
  readonly ffmpegStatic?: () => string | null | undefined;
}

/** No ffmpeg could be found or run: the message says where it looked and how to get one. */
export class FfmpegNotFoundError extends ProoflineError {
  constructor(code: 'ffmpeg.missing' | 'ffmpeg.path-invalid' | 'ffmpeg.broken', message: string, params: { readonly path?: string } = {}) {
    super(code, message, params);
    this.name = 'FfmpegNotFoundError';
  }
}

const HOW_TO_GET =
  'Install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install Gyan.FFmpeg) '
  + 'or point to one with --ffmpeg PATH or the FFMPEG_PATH environment variable.';

/**
 * Finds ffmpeg in the order DESIGN.md gives: configured path → FFMPEG_PATH → ffmpeg-static →
 * `ffmpeg` on PATH. A path the user named (configured, FFMPEG_PATH) that does not run is an
 * error, not a reason to quietly record with another ffmpeg; ffmpeg-static's path is checked,
 * since its binary download may have been denied at install.
 */
export async function locateFfmpeg(configured?: string, deps: LocateDeps = {}): Promise<LocatedFfmpeg> {
  const env = deps.env ?? process.env;
  const platform = deps.platform ?? process.platform;
  if (configured?.trim()) return probe(configured.trim(), 'configured', `the configured ffmpeg (${configured.trim()})`);
  const fromEnv = env['FFMPEG_PATH']?.trim();
  if (fromEnv) return probe(fromEnv, 'env', `FFMPEG_PATH (${fromEnv})`);
  const looked: string[] = [];
  const bundled = (deps.ffmpegStatic ?? ffmpegStaticPath)();
  if (bundled && isExecutable(bundled)) {
    try {
      return await probe(bundled, 'ffmpeg-static', `ffmpeg-static (${bundled})`);
    } catch (error) {
      looked.push((error as Error).message);
    }
  } else looked.push(bundled ? `ffmpeg-static's binary ${bundled} does not exist (its download was skipped or denied)` : 'ffmpeg-static is not installed');
  const onPath = findOnPath(platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg', env['PATH'] ?? env['Path'] ?? '');
  if (onPath) return probe(onPath, 'path', `ffmpeg on PATH (${onPath})`);
  looked.push('no ffmpeg on PATH');
  throw new FfmpegNotFoundError('ffmpeg.missing', `ffmpeg was not found: ${looked.join('; ')}. ${HOW_TO_GET}`);
}

/** ffprobe beside the ffmpeg in use, else on PATH; undefined when there is none (ffmpeg-static ships none). */
export function locateFfprobe(ffmpegPath: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const name = platform === 'win32' ? 'ffprobe.exe' : 'ffprobe';
  const beside = join(dirname(ffmpegPath), name);
  if (ffmpegPath.includes('/') || ffmpegPath.includes('\\')) {
    if (isExecutable(beside)) return beside;
  }
  return findOnPath(name, env['PATH'] ?? env['Path'] ?? '');
}

async function probe(path: string, source: FfmpegSource, label: string): Promise<LocatedFfmpeg> {
  if (!isExecutable(path)) throw new FfmpegNotFoundError('ffmpeg.path-invalid', `${label} does not exist or is not an executable file. ${HOW_TO_GET}`, { path });
  const result = await run(path, ['-hide_banner', '-version'], { timeoutMs: 15_000 });
  const first = result.stdout.toString('utf8').split('\n')[0]?.trim() ?? '';
  if (result.code !== 0 || !/^ffmpeg version /.test(first)) {
    const why = result.code !== 0 ? failureOf(path, result, 15_000) : `it printed '${first.slice(0, 80)}'`;
    throw new FfmpegNotFoundError('ffmpeg.broken', `${label} does not run as ffmpeg (${why}). ${HOW_TO_GET}`, { path });
  }
  return { path, source, version: first };
}

function findOnPath(name: string, pathVariable: string): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** ffmpeg-static is an optional dependency: absent, or present with no binary. Never throws. */
function ffmpegStaticPath(): string | null | undefined {
  try {
    const require = createRequire(import.meta.url);
    const exported = require('ffmpeg-static') as unknown;
    // Inside a packaged Electron app the binary is unpacked beside the asar archive.
    return typeof exported === 'string' ? exported.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`) : null;
  } catch {
    return undefined;
  }
}
