// The files the window shows (recordings, images, captured pages), answered once for both hosts:
// the app's proofline-media: protocol and `proofline serve`'s /media/ routes are thin adapters
// over `resolve`, so byte ranges, content types and the sandbox header cannot drift apart.
//
//   blob/<session>/<sha256>            a file recorded in a session, from the store
//   archive/<handle>/<entry path>      an entry of an archive opened with `archive.open`
//   …?as=mp4                           a recording segment (MPEG-TS) remuxed for <video>
import { createReadStream, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { openArchive } from '../core/archive/read-zip.js';
import type { Proofline } from '../core/proofline.js';
import { mediaTypeOf } from '../core/store/media-types.js';
import type { ArtifactRef } from '../shared/domain.js';
import { HTTP_STATUS_OF_KIND } from './http-status.js';
import { toOperationError, type Host } from './operations.js';
import { remuxTsToMp4 } from './remux.js';

/**
 * What the files may do once shown: nothing. A captured page's DOM, an SVG or an HTML file named
 * like an image runs no script, submits no form and loads nothing from the network, even when
 * opened in a tab of its own (the renderer's iframes add sandbox="" on top).
 */
export const MEDIA_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'";

export interface MediaRequest {
  /** After the media root, still percent-encoded: `blob/<session>/<sha256>` or `archive/<handle>/<path>`. */
  readonly path: string;
  /** `mp4` for a recording segment remuxed for playback (the `as` query parameter). */
  readonly as?: string | null;
  /** The Range header, if any. */
  readonly range?: string | null;
  /** HEAD answers the headers only. */
  readonly method?: string;
}

export interface MediaResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** null for HEAD. Destroying it stops what feeds it (the archive entry, ffmpeg). */
  readonly body: Readable | null;
}

/** Where the resolver finds files; `mediaSourcesOf` builds it from the host. */
export interface MediaSources {
  /** The session's artifact with this SHA-256, or undefined; throws not-found for an unknown session. */
  findArtifact(session: string, sha256: string): Promise<ArtifactRef | undefined>;
  /** The store's file for a blob. */
  blobPath(sha256: string): string;
  /** The file behind a handle from `archive.open`, or undefined when it is not open. */
  archivePath(handle: string): string | undefined;
  /** The configured ffmpeg, for `as=mp4`. */
  ffmpegPath?(): string | undefined;
}

export interface MediaResolver {
  resolve(request: MediaRequest): Promise<MediaResponse>;
}

export function mediaSourcesOf(pl: Proofline, host: Pick<Host, 'capture' | 'archivePath'>, ffmpegPath?: () => string | undefined): MediaSources {
  return {
    findArtifact: (session, sha256) => host.capture.findArtifact(pl.sessions.get(session).id, sha256),
    blobPath: (sha256) => pl.blobs.pathOf(sha256),
    archivePath: (handle) => host.archivePath(handle),
    ...(ffmpegPath && { ffmpegPath }),
  };
}

const SHA256 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ENTRY_PATH = 1024;

/** Every answer: no type sniffing, and nothing shown may run or fetch anything. */
const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': MEDIA_CSP } as const;

export function createMediaResolver(sources: MediaSources): MediaResolver {
  return {
    async resolve(request) {
      const head = request.method === 'HEAD';
      const target = parseTarget(request.path);
      if ('problem' in target) return text(target.status, target.problem, head);
      const asMp4 = request.as === 'mp4';
      try {
        if (target.kind === 'blob') {
          const artifact = await sources.findArtifact(target.session, target.sha256);
          if (!artifact) return text(404, `No file ${target.sha256.slice(0, 12)}… is recorded in session ${target.session}.`, head);
          const file = sources.blobPath(artifact.sha256);
          if (asMp4) return await remuxed(() => createReadStream(file), sources, head);
          const size = statSync(file).size;
          return await ranged(artifact.mime || mediaTypeOf(artifact.name), size, request.range, head, (start, end) => createReadStream(file, { start, end }));
        }
        const archive = sources.archivePath(target.handle);
        if (!archive) return text(404, 'That archive is not open here: open it again.', head);
        const zip = await openArchive(archive);
        try {
          const entry = zip.entries.find((e) => e.name === target.entry);
          if (!entry) return text(404, `The archive has no file ${target.entry}.`, head);
          const open = (): Promise<Readable> => zip.openStream(target.entry);
          if (asMp4) return await remuxed(open, sources, head);
          // Entries are read through their size and CRC checks; a range skips to its start.
          return await ranged(mediaTypeOf(target.entry), entry.size, request.range, head, async (start, end) => slice(await open(), start, end, entry.size));
        } finally {
          // An entry's open stream keeps the file open until it ends (read-zip.ts).
          zip.close();
        }
      } catch (error) {
        const failure = toOperationError(error);
        return text(HTTP_STATUS_OF_KIND[failure.kind], failure.message, head);
      }
    },
  };
}

type Target =
  | { readonly kind: 'blob'; readonly session: string; readonly sha256: string }
  | { readonly kind: 'archive'; readonly handle: string; readonly entry: string }
  | { readonly status: number; readonly problem: string };

/** The request's path as a file to find, or why it names none. */
function parseTarget(path: string): Target {
  let parts: string[];
  try {
    parts = path.replace(/^\/+/, '').split('/').map(decodeURIComponent);
  } catch {
    return { status: 400, problem: `The address is not correctly encoded: ${path}` };
  }
  const [kind, first, ...rest] = parts;
  if (kind === 'blob' && first && rest.length === 1) {
    const sha256 = rest[0]!.toLowerCase();
    if (!SHA256.test(sha256)) return { status: 404, problem: `'${rest[0]}' is not a SHA-256 (64 hex digits) of a recorded file.` };
    return { kind: 'blob', session: first, sha256 };
  }
  if (kind === 'archive' && first && rest.length > 0) {
    if (!UUID.test(first)) return { status: 404, problem: 'That archive is not open here: open it again.' };
    const problem = entryPathProblem(rest);
    if (problem) return { status: 400, problem: `Not a file inside an archive (${problem}): ${rest.join('/')}` };
    return { kind: 'archive', handle: first, entry: rest.join('/') };
  }
  return { status: 404, problem: 'Not found: media addresses are blob/<session>/<sha256> or archive/<handle>/<path>.' };
}

/**
 * Why segments do not make a relative path inside an archive, or null when they do. The entry is
 * looked up by exact name among the checked entries, so nothing outside the archive is ever read;
 * refusing these here says plainly that the address is wrong instead of "no such file".
 */
export function entryPathProblem(segments: readonly string[]): string | null {
  if (segments.join('/').length > MAX_ENTRY_PATH) return `longer than ${MAX_ENTRY_PATH} characters`;
  for (const segment of segments) {
    if (segment === '') return 'an empty folder name';
    if (segment === '.' || segment === '..') return `'${segment}' in the path`;
    if (segment.includes('/')) return 'an encoded slash';
    if (segment.includes('\\')) return 'a backslash';
    if (/[\u0000-\u001f\u007f]/.test(segment)) return 'a control character';
  }
  return null;
}

/**
 * One `Range: bytes=a-b` (or `a-`, or the suffix `-n`) of a body of `size` bytes: null for the
 * whole body (no header, several ranges, or an invalid one, which RFC 9110 §14.2 lets a server
 * ignore), 'unsatisfiable' when it starts past the end (§15.5.17).
 */
export function byteRange(header: string | null | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec((header ?? '').trim());
  if (!match || (!match[1] && !match[2])) return null;
  if (!match[1]) {
    const suffix = Number(match[2]);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  if (match[2] && Number(match[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: match[2] ? Math.min(Number(match[2]), size - 1) : size - 1 };
}

async function ranged(type: string, size: number, header: string | null | undefined, head: boolean, open: (start: number, end: number) => Readable | Promise<Readable>): Promise<MediaResponse> {
  const range = byteRange(header, size);
  if (range === 'unsatisfiable') return { status: 416, headers: { ...BASE_HEADERS, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' }, body: null };
  const { start, end } = range ?? { start: 0, end: size - 1 };
  return {
    status: range ? 206 : 200,
    headers: {
      ...BASE_HEADERS,
      'Content-Type': type,
      'Accept-Ranges': 'bytes',
      'Content-Length': String(end - start + 1),
      ...(range && { 'Content-Range': `bytes ${start}-${end}/${size}` }),
    },
    body: head ? null : size === 0 ? Readable.from([]) : await open(start, end),
  };
}

/** Bytes start..end (inclusive) of an entry's stream; the whole stream when that is all of it. */
function slice(stream: Readable, start: number, end: number, size: number): Readable {
  if (start === 0 && end === size - 1) return stream;
  let offset = 0;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const from = Math.max(0, start - offset);
      const to = Math.min(chunk.length, end + 1 - offset);
      offset += chunk.length;
      done(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
  stream.on('error', (error) => out.destroy(error));
  out.on('close', () => stream.destroy());
  return stream.pipe(out);
}

/** A recording segment as fragmented MP4 for <video> (see remux.ts); no ranges, it is made as it goes. */
async function remuxed(open: () => Readable | Promise<Readable>, sources: MediaSources, head: boolean): Promise<MediaResponse> {
  const headers = { ...BASE_HEADERS, 'Content-Type': 'video/mp4', 'Accept-Ranges': 'none', 'Cache-Control': 'no-store' };
  if (head) return { status: 200, headers, body: null };
  const input = await open();
  let remux;
  try {
    remux = await remuxTsToMp4(input, sources.ffmpegPath?.());
  } catch (error) {
    input.destroy();
    const failure = toOperationError(error);
    return text(HTTP_STATUS_OF_KIND[failure.kind], `Cannot convert the recording for playback: ${failure.message}`, false);
  }
  const { output, cancel } = remux;
  // The reader went away, or the conversion ended: either way ffmpeg has nothing left to do.
  output.once('close', cancel);
  return { status: 200, headers, body: output };
}

function text(status: number, message: string, head: boolean): MediaResponse {
  const bytes = Buffer.from(message, 'utf8');
  return {
    status,
    headers: { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(bytes.length) },
    body: head ? null : Readable.from([bytes]),
  };
}
