// Reads the few CBOR items (RFC 8949) a COSE_Sign1 header holds: integers, byte and text
// strings, arrays, maps, tags, simple values. Definite lengths only (C2PA 2.1 §14.2 requires
// deterministic CBOR); anything else is refused, never guessed at.

export type CborItem = number | string | Uint8Array | null | boolean | CborItem[] | Map<number | string, CborItem> | { readonly tag: number; readonly value: CborItem };

export function decodeCbor(bytes: Uint8Array): CborItem {
  let at = 0;
  const need = (n: number): void => {
    if (at + n > bytes.length) throw new RangeError('CBOR: truncated');
  };
  const length = (info: number): number => {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 0;
    if (size === 0) throw new RangeError(`CBOR: unsupported length encoding ${info}`);
    need(size);
    let n = 0;
    for (let i = 0; i < size; i++) n = n * 256 + bytes[at + i]!;
    at += size;
    return n;
  };
  const item = (depth: number): CborItem => {
    if (depth > 16) throw new RangeError('CBOR: nested too deep');
    need(1);
    const first = bytes[at++]!;
    const major = first >> 5;
    const info = first & 0x1f;
    switch (major) {
      case 0:
        return length(info);
      case 1:
        return -1 - length(info);
      case 2:
      case 3: {
        const n = length(info);
        need(n);
        const slice = bytes.subarray(at, at + n);
        at += n;
        return major === 2 ? slice : Buffer.from(slice).toString('utf8');
      }
      case 4:
        return Array.from({ length: length(info) }, () => item(depth + 1));
      case 5: {
        const map = new Map<number | string, CborItem>();
        for (let n = length(info); n > 0; n--) {
          const key = item(depth + 1);
          if (typeof key !== 'number' && typeof key !== 'string') throw new RangeError('CBOR: map key is not an integer or text');
          map.set(key, item(depth + 1));
        }
        return map;
      }
      case 6: {
        const tag = length(info);
        return { tag, value: item(depth + 1) };
      }
      default:
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        throw new RangeError(`CBOR: unsupported simple value ${info}`);
    }
  };
  return item(0);
}
