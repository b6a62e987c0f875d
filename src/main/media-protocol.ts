// proofline-media://blob/<session>/<sha256> and proofline-media://archive/<handle>/<path>: the
// window's recordings, images and captured pages, answered by the one media resolver that
// `proofline serve` also uses (src/host/media-resolver.ts), the recording's HLS playlist
// (archive/<handle>/recording.m3u8?as=hls) among them. Only the shape of the answer is
// Electron's here: a fetch Response.
import { Readable } from 'node:stream';
import type { MediaResolver } from '../host/media-resolver.js';

export const MEDIA_SCHEME = 'proofline-media';

export async function handleMediaRequest(request: Request, resolver: MediaResolver): Promise<Response> {
  const url = new URL(request.url);
  const reply = await resolver.resolve({ path: `${url.host}${url.pathname}`, as: url.searchParams.get('as'), range: request.headers.get('range'), method: request.method, page: url.searchParams.get('page'), download: url.searchParams.get('download') });
  // The recording's player fetches the playlist and its segments from the window's file:// page,
  // a cross-origin read: allowed for those alone. The scheme is reachable only from this app's
  // own session, and what it answers is evidence the window already shows.
  const playable = url.searchParams.get('as') === 'hls' || reply.headers['Content-Type'] === 'video/mp2t';
  const headers = playable ? { ...reply.headers, 'Access-Control-Allow-Origin': '*' } : reply.headers;
  // Readable.toWeb: a cancelled read (the <video> sought elsewhere) destroys the Node stream.
  return new Response(reply.body ? (Readable.toWeb(reply.body) as ReadableStream) : null, { status: reply.status, headers });
}
