// c2pa-rs's WASM builder reads the asset it signs from a Blob through the browser's
// FileReaderSync (a worker-only API), which Node and Electron's main process lack; only its
// reader has a bytes entry point (WasmReader.fromBytes). A BytesBlob keeps its bytes beside the
// Blob, so `slice` and a minimal FileReaderSync can answer synchronously from memory; the
// polyfill is installed only where no FileReaderSync exists and reads only BytesBlobs.

const BYTES = Symbol('bytes');

export class BytesBlob extends Blob {
  readonly [BYTES]: Uint8Array;
  constructor(bytes: Uint8Array) {
    super([bytes as Uint8Array<ArrayBuffer>]);
    this[BYTES] = bytes;
  }
  override slice(start?: number, end?: number): BytesBlob {
    return new BytesBlob(this[BYTES].subarray(start ?? 0, end ?? this[BYTES].length));
  }
}

class BytesBlobReaderSync {
  readAsArrayBuffer(blob: Blob): ArrayBuffer {
    if (!(blob instanceof BytesBlob)) throw new TypeError('FileReaderSync (Proofline): only a BytesBlob can be read synchronously here');
    const bytes = blob[BYTES];
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
}

export function ensureFileReaderSync(): void {
  const scope = globalThis as { FileReaderSync?: unknown };
  scope.FileReaderSync ??= BytesBlobReaderSync;
}
