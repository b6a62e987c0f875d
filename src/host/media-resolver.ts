// The files the window shows (recordings, images, captured pages), answered once for both hosts:
// the app's proofline-media: protocol and `proofline serve`'s /media/ routes are thin adapters
// over `resolve`, so byte ranges, content types and the sandbox header cannot drift apart.
//
//   blob/<session>/<sha256>            a file recorded in a session, from the store
//   archive/<handle>/<entry path>      an entry of an archive opened with `archive.open`
//   …?as=mp4                           a recording segment (MPEG-TS) remuxed for <video>
//   archive/<handle>/recording.m3u8?as=hls   the archive's screen recording as one HLS playlist
//   archive/<handle>/<….wacz>?as=replay&page=<url>   a redirect to the replay origin (replay-server.ts)
//   …?download=<name>                  the file as an attachment named <name> (the viewer's downloads)
//   archive-file/<handle>              the opened archive itself, as an attachment (an export, downloaded)
import { createReadStream, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { openArchive } from '../core/archive/read-zip.js';
import type { Proofline } from '../core/proofline.js';
import { mediaTypeOf } from '../core/store/media-types.js';
import { HLS_PLAYLIST_TYPE, recordingPlaylist } from '../core/views/recording-playlist.js';
import type { SessionEvent } from '../core/views/session-view.js';
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
  /** `mp4` for a recording segment remuxed for playback, `hls` for the recording's playlist (the `as` query parameter). */
  readonly as?: string | null;
  /** The Range header, if any. */
  readonly range?: string | null;
  /** HEAD answers the headers only. */
  readonly method?: string;
  /** For `as=replay`: the captured address to open in the replay (the `page` query parameter). */
  readonly page?: string | null;
  /** The file name to save as: answered as an attachment (the `download` query parameter). */
  readonly download?: string | null;
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
  /** The replay origin's address for a WACZ entry of an opened archive (replay-server.ts); none: no replay here. */
  replayAddress?(handle: string, entry: string, page: string | null): string | undefined;
  /** A court report made by `archive.report` in this host, by its id (`report/<id>`). */
  reportPath?(id: string): string | undefined;
}

export interface MediaResolver {
  resolve(request: MediaRequest): Promise<MediaResponse>;
}

export function mediaSourcesOf(pl: Proofline, host: Pick<Host, 'capture' | 'archivePath'> & Partial<Pick<Host, 'reportPath'>>, ffmpegPath?: () => string | undefined): MediaSources {
  return {
    findArtifact: (session, sha256) => host.capture.findArtifact(pl.sessions.get(session).id, sha256),
    blobPath: (sha256) => pl.blobs.pathOf(sha256),
    archivePath: (handle) => host.archivePath(handle),
    ...(host.reportPath && { reportPath: host.reportPath }),
    ...(ffmpegPath && { ffmpegPath }),
  };
}

const SHA256 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ENTRY_PATH = 1024;
/** The playlist's name under an archive's address: its segments' relative URIs resolve beside it. */
export const PLAYLIST_NAME = 'recording.m3u8';
/** data/events.jsonl is read whole for the playlist; as archive.contents reads it. */
const MAX_EVENTS_BYTES = 256 << 20;

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
        if (target.kind === 'report') {
          // A download, never shown inline: the browser saves the signed PDF as it is.
          const file = sources.reportPath?.(target.id);
          if (!file) return text(404, 'That report is not here any more: make it again.', head);
          const size = statSync(file).size;
          const name = file.split(/[\\/]/).pop()!;
          const reply = await ranged('application/pdf', size, request.range, head, (start, end) => createReadStream(file, { start, end }));
          return { ...reply, headers: { ...reply.headers, 'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}` } };
        }
        if (target.kind === 'archive-file') {
          // The whole archive as written (an export in the browser host): saved, never shown.
          const file = sources.archivePath(target.handle);
          if (!file) return text(404, 'That archive is not open here: open it again.', head);
          const name = file.split(/[\\/]/).pop()!;
          const reply = await ranged('application/zip', statSync(file).size, request.range, head, (start, end) => createReadStream(file, { start, end }));
          return asAttachment(reply, name, name);
        }
        if (target.kind === 'blob') {
          if (request.as === 'hls') return text(404, 'A playlist is made only for an opened archive\'s recording: archive/<handle>/recording.m3u8?as=hls.', head);
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
          if (request.as === 'hls') return await playlist(zip, target.entry, head);
          const entry = zip.entries.find((e) => e.name === target.entry);
          if (!entry) return text(404, `The archive has no file ${target.entry}.`, head);
          if (request.as === 'replay') return replayRedirect(sources, target.handle, target.entry, request.page ?? null, head);
          const open = (): Promise<Readable> => zip.openStream(target.entry);
          if (asMp4) return await remuxed(open, sources, head);
          // Entries are read through their size and CRC checks; a range skips to its start.
          const reply = await ranged(mediaTypeOf(target.entry), entry.size, request.range, head, async (start, end) => slice(await open(), start, end, entry.size));
          return request.download ? asAttachment(reply, request.download, target.entry) : reply;
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
  | { readonly kind: 'report'; readonly id: string }
  | { readonly kind: 'archive-file'; readonly handle: string }
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
  if (kind === 'report' && first && rest.length === 0) {
    if (!UUID.test(first)) return { status: 404, problem: 'That report is not here any more: make it again.' };
    return { kind: 'report', id: first };
  }
  if (kind === 'archive-file' && first && rest.length === 0) {
    if (!UUID.test(first)) return { status: 404, problem: 'That archive is not open here: open it again.' };
    return { kind: 'archive-file', handle: first };
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

/**
 * The archive's screen recording as one HLS playlist over its MPEG-TS segments, made from its
 * own data/events.jsonl (core/views/recording-playlist.ts). Never cached: another archive may
 * be opened under a new handle, but the same handle always names the same file.
 */
async function playlist(zip: Awaited<ReturnType<typeof openArchive>>, name: string, head: boolean): Promise<MediaResponse> {
  if (name !== PLAYLIST_NAME) return text(404, `The recording's playlist is archive/<handle>/${PLAYLIST_NAME}?as=hls, not ${name}.`, head);
  if (!zip.has('data/events.jsonl')) return text(404, 'The archive has no data/events.jsonl, so no recording to play.', head);
  const events: SessionEvent[] = [];
  for (const line of (await zip.readText('data/events.jsonl', MAX_EVENTS_BYTES)).split('\n')) {
    // Only the recording's events matter here; a damaged line is the verifier's to name.
    if (!line.includes('"recording.')) continue;
    let body: Partial<SessionEvent>;
    try {
      body = JSON.parse(line) as Partial<SessionEvent>;
    } catch {
      continue;
    }
    if (typeof body.seq === 'number' && typeof body.type === 'string') events.push({ seq: body.seq, time: String(body.time), type: body.type, payload: body.payload ?? {}, artifacts: body.artifacts ?? [] });
  }
  const paths = new Map<string, string>();
  for (const entry of zip.entries) {
    const match = /^data\/artifacts\/([0-9a-f]{64})/.exec(entry.name);
    if (match) paths.set(match[1]!, entry.name);
  }
  const m3u8 = recordingPlaylist(events, (sha256) => paths.get(sha256));
  if (!m3u8.includes('#EXTINF')) return text(404, 'The archive holds no screen recording segment to play.', head);
  const bytes = Buffer.from(m3u8, 'utf8');
  return {
    status: 200,
    headers: { ...BASE_HEADERS, 'Content-Type': HLS_PLAYLIST_TYPE, 'Content-Length': String(bytes.length), 'Cache-Control': 'no-store' },
    body: head ? null : Readable.from([bytes]),
  };
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

/**
 * A captured page's WACZ replayed: a redirect to the replay origin, which serves it to
 * ReplayWeb.page under a per-archive token. Never replayed here: the page's scripts run there,
 * on an origin without the app's privileges (replay-server.ts says why).
 */
function replayRedirect(sources: MediaSources, handle: string, entry: string, page: string | null, head: boolean): MediaResponse {
  if (!sources.replayAddress) return text(404, 'This host cannot replay web archives.', head);
  if (!entry.endsWith('.wacz')) return text(400, `Only a WACZ can be replayed, not ${entry}.`, head);
  const location = sources.replayAddress(handle, entry, page);
  if (location === undefined) return text(503, 'The replay is still starting: try again in a moment.', head);
  return { status: 303, headers: { ...BASE_HEADERS, Location: location, 'Cache-Control': 'no-store', 'Content-Length': '0' }, body: null };
}

/** The answer as a download: `Content-Disposition: attachment` with a safe name (RFC 6266, RFC 8187 for non-ASCII). */
function asAttachment(reply: MediaResponse, wanted: string, entry: string): MediaResponse {
  if (reply.status !== 200 && reply.status !== 206) return reply;
  const name = wanted.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^\.+/, '').slice(0, 120) || (entry.split('/').pop() ?? 'file');
  const ascii = name.replace(/[^\x20-\x7e]/g, '_');
  return { ...reply, headers: { ...reply.headers, 'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}` } };
}

function text(status: number, message: string, head: boolean): MediaResponse {
  const bytes = Buffer.from(message, 'utf8');
  return {
    status,
    headers: { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(bytes.length) },
    body: head ? null : Readable.from([bytes]),
  };
}
