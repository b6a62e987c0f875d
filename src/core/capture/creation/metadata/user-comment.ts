// EXIF 2.32 §4.6.5 UserComment: an 8-byte character-code header, then the text. "ASCII\0\0\0",
// "UNICODE\0" (UTF-16: A1111 through piexif writes big-endian, Windows tools little-endian, so
// the byte order is taken from a BOM or from where the zero bytes fall), "JIS\0\0\0\0\0"
// (JIS X 0208, read as Shift_JIS), or eight zero bytes (undefined: read as UTF-8).
const UTF8 = new TextDecoder('utf-8');

export function decodeUserComment(value: unknown): string | undefined {
  if (typeof value === 'string') return value.replace(/\0+$/, '');
  if (!(value instanceof Uint8Array)) return undefined;
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (bytes.length < 8) return UTF8.decode(bytes).replace(/\0+$/, '');
  const header = bytes.toString('latin1', 0, 8);
  const body = bytes.subarray(8);
  if (header === 'UNICODE\0') return decodeUtf16(body).replace(/\0+$/, '');
  if (header === 'JIS\0\0\0\0\0') return new TextDecoder('shift_jis').decode(body).replace(/\0+$/, '');
  if (header === 'ASCII\0\0\0' || header === '\0\0\0\0\0\0\0\0') return UTF8.decode(body).replace(/\0+$/, '');
  // No header: some tools write the bare text.
  return UTF8.decode(bytes).replace(/\0+$/, '');
}

function decodeUtf16(body: Buffer): string {
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return new TextDecoder('utf-16be').decode(body.subarray(2));
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return new TextDecoder('utf-16le').decode(body.subarray(2));
  // Mostly-ASCII text has its zero bytes first in big-endian order, second in little-endian.
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i + 1 < body.length; i += 2) {
    if (body[i] === 0) evenZeros += 1;
    if (body[i + 1] === 0) oddZeros += 1;
  }
  return new TextDecoder(evenZeros >= oddZeros ? 'utf-16be' : 'utf-16le').decode(body);
}
