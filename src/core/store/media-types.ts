import { extname } from 'node:path';

const BY_EXTENSION: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.psd': 'image/vnd.adobe.photoshop',
  '.mp4': 'video/mp4',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.ts': 'video/mp2t',
  '.mov': 'video/quicktime',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.wacz': 'application/wacz',
  '.warc': 'application/warc',
  '.mhtml': 'multipart/related',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.har': 'application/json',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.html': 'text/html',
  '.csv': 'text/csv',
  '.safetensors': 'application/octet-stream',
};

export function mediaTypeOf(fileName: string): string {
  return BY_EXTENSION[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Whether a file is worth deflating in the archive. Images, video and other archives are already
 * compressed: storing them is faster and keeps the ZIP readable by seeking (DESIGN.md).
 */
export function isCompressible(mediaType: string): boolean {
  return mediaType.startsWith('text/') || mediaType === 'application/json' || mediaType === 'application/x-ndjson'
    || mediaType === 'multipart/related' || mediaType === 'application/warc';
}

/** A short, safe file extension for an archive path ('' when none is safe). */
export function safeExtension(fileName: string): string {
  const ext = extname(fileName).toLowerCase();
  return /^\.[a-z0-9]{1,10}$/.test(ext) ? ext : '';
}
