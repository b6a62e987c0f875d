// The few CBOR items (RFC 8949) a COSE_Sign1 for C2PA needs: unsigned and negative integers,
// byte and text strings, arrays, maps with keys in the order given, tags and null. Definite
// lengths only, so the encoding is the deterministic one (RFC 8949 §4.2.1) that c2pa-rs
// re-encodes identically when it checks the protected header.

export type CborValue = number | string | Uint8Array | null | readonly CborValue[] | CborMap | CborTag;
export class CborMap {
  constructor(readonly entries: readonly (readonly [number | string, CborValue])[]) {}
}
export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(length, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(length, 1);
  return b;
}

export function encodeCbor(value: CborValue): Buffer {
  if (value === null) return Buffer.from([0xf6]);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || Math.abs(value) > 0xffffffff) throw new RangeError(`CBOR: ${value} is not a 32-bit integer`);
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof CborTag) return Buffer.concat([head(6, value.tag), encodeCbor(value.value)]);
  if (value instanceof CborMap) return Buffer.concat([head(5, value.entries.length), ...value.entries.flatMap(([k, v]) => [encodeCbor(k), encodeCbor(v)])]);
  return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)]);
}
