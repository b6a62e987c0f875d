import { open } from 'node:fs/promises';
import { CorruptImageError } from './image-errors.js';

const MAX_METADATA_CHUNK = 16 << 20;

/**
 * The EXIF and XMP chunks of a WebP (RFC 9649 §2.7: RIFF chunks `EXIF`, `XMP `), read by seeking
 * over image data. exifr reads the EXIF bytes; it does not open WebP containers itself.
 */
export async function readWebpMetadataChunks(path: string): Promise<{ exif?: Buffer; xmp?: string; hasC2pa?: boolean }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const header = Buffer.alloc(8);
    const out: { exif?: Buffer; xmp?: string; hasC2pa?: boolean } = {};
    let position = 12;
    while (position + 8 <= size) {
      await handle.read(header, 0, 8, position);
      const fourcc = header.toString('latin1', 0, 4);
      const length = header.readUInt32LE(4);
      if (position + 8 + length > size) throw new CorruptImageError(path, `WebP chunk '${fourcc}' at byte ${position} runs past the end of the file: it is truncated`);
      if ((fourcc === 'EXIF' || fourcc === 'XMP ') && length <= MAX_METADATA_CHUNK) {
        const data = Buffer.alloc(length);
        await handle.read(data, 0, length, position + 8);
        // Some writers keep JPEG's "Exif\0\0" prefix in front of the TIFF header.
        if (fourcc === 'EXIF') out.exif = data.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? data.subarray(6) : data;
        else out.xmp = data.toString('utf8');
      }
      // C2PA 2.1 §A.3.6: the manifest store of a WebP is a RIFF chunk 'C2PA'.
      if (fourcc === 'C2PA') out.hasC2pa = true;
      position += 8 + length + (length % 2);
    }
    return out;
  } finally {
    await handle.close();
  }
}
