/**
 * JSON.stringify(value, null, 2), written in pieces: a verify --json of a million-event archive
 * lists every event's anchoring (~140 MB of text), which as one string would need several times
 * that in memory. Arrays are walked item by item (a lazy list makes each item when read).
 * Equal to JSON.stringify's text, byte for byte (tests/unit/json-stream.test.ts).
 */
export function writeJson(value: unknown, write: (text: string) => void): void {
  let buffer = '';
  for (const piece of pieces(value, '', undefined)) {
    buffer += piece;
    if (buffer.length >= FLUSH_AT) {
      write(buffer);
      buffer = '';
    }
  }
  write(`${buffer}\n`);
}

const FLUSH_AT = 1 << 16;

function* pieces(value: unknown, indent: string, key: string | undefined): Generator<string> {
  const json = prepared(value, key);
  if (json === null || typeof json !== 'object') {
    yield JSON.stringify(json) ?? 'null';
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(json)) {
    if (json.length === 0) return void (yield '[]');
    yield '[\n';
    for (let i = 0; i < json.length; i++) {
      yield inner;
      const item = prepared(json[i], String(i));
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') yield 'null';
      else yield* pieces(item, inner, String(i));
      yield i < json.length - 1 ? ',\n' : '\n';
    }
    yield `${indent}]`;
    return;
  }
  const entries = Object.keys(json).flatMap((k) => {
    const v = prepared((json as Record<string, unknown>)[k], k);
    return v === undefined || typeof v === 'function' || typeof v === 'symbol' ? [] : [[k, v] as const];
  });
  if (entries.length === 0) return void (yield '{}');
  yield '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i]!;
    yield `${inner}${JSON.stringify(k)}: `;
    yield* pieces(v, inner, k);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}}`;
}

/** What JSON.stringify serializes in place of `value`: its toJSON(), a boxed primitive's value. */
function prepared(value: unknown, key: string | undefined): unknown {
  let v = value;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(k: string): unknown }).toJSON(key ?? '');
  if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf();
  if (typeof v === 'bigint') throw new TypeError('Do not know how to serialize a BigInt');
  return v;
}
