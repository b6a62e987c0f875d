// `/media/published/<id>` in `proofline serve`: a published image (image.publish wrote it in the
// server's exports folder) handed to the browser as a download, byte for byte: its Content
// Credentials and TC260 label are in those bytes, so nothing may re-encode or show it inline.
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';

const TYPES: Readonly<Record<string, string>> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg' };

export async function sendPublished(req: IncomingMessage, res: ServerResponse, file: string | undefined): Promise<void> {
  const plain = (status: number, message: string): void => void res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end(message);
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'Method not allowed');
  if (!file) return plain(404, 'That published image is not here any more: publish it again.');
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return plain(404, 'That published image is not here any more: publish it again.');
  }
  const name = basename(file);
  const type = TYPES[name.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream';
  // RFC 6266 attachment, with the RFC 8187 form for a non-ASCII name.
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': String(size),
    'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') return void res.end();
  await pipeline(createReadStream(file), res).catch(() => res.destroy());
}
