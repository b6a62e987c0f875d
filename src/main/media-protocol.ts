// proofline-media://blob/<session>/<sha256> and proofline-media://archive/<handle>/<path>:
// recordings and images for the window, read from the store or from an opened archive.
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { openArchive } from '../core/archive/read-zip.js';
import type { Proofline } from '../core/proofline.js';
import { mediaTypeOf } from '../core/store/media-types.js';
import type { Host } from '../host/operations.js';
import { remuxTsToMp4 } from '../host/remux.js';

export const MEDIA_SCHEME = 'proofline-media';

export async function handleMediaRequest(request: Request, pl: Proofline, host: Host, ffmpegPath: () => string | undefined): Promise<Response> {
  const url = new URL(request.url);
  const asMp4 = url.searchParams.get('as') === 'mp4';
  const mp4 = async (input: Readable): Promise<Response> => {
    const remux = await remuxTsToMp4(input, ffmpegPath());
    return new Response(Readable.toWeb(remux.output) as ReadableStream, { headers: { 'content-type': 'video/mp4' } });
  };
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (url.host === 'blob' && parts.length === 2) {
      const artifact = await host.capture.findArtifact(pl.sessions.get(parts[0]!).id, parts[1]!);
      if (!artifact) return new Response('not found', { status: 404 });
      const file = pl.blobs.pathOf(artifact.sha256);
      if (asMp4) return await mp4(createReadStream(file));
      const body = Readable.toWeb(createReadStream(file)) as ReadableStream;
      return new Response(body, { headers: { 'content-type': artifact.mime, 'content-length': String(statSync(file).size) } });
    }
    if (url.host === 'archive' && parts.length >= 2) {
      const path = host.archivePath(parts[0]!);
      if (!path) return new Response('not open', { status: 404 });
      const name = parts.slice(1).join('/');
      const zip = await openArchive(path);
      const entry = zip.entries.find((e) => e.name === name);
      if (!entry) {
        zip.close();
        return new Response('not found', { status: 404 });
      }
      const stream = await zip.openStream(name);
      stream.on('close', () => zip.close());
      if (asMp4) return await mp4(stream);
      return new Response(Readable.toWeb(stream) as ReadableStream, {
        headers: { 'content-type': mediaTypeOf(name), 'content-security-policy': "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'" },
      });
    }
  } catch (error) {
    return new Response((error as Error).message, { status: 500 });
  }
  return new Response('not found', { status: 404 });
}
