// The parts of an object's bytes as the store sent them (s3-byte-source.ts): one streaming GET cut
// into the read-ahead window's parts, and the one copy of a part's bytes into the reader's buffer.

/** A part's bytes in the pieces the HTTP answer came in: never copied into one buffer first. */
export type Pieces = readonly Uint8Array[];

/** One streaming GET, cut into the window's parts in order as they are asked for. */
export class RangeStream {
  private last: Promise<unknown> = Promise.resolve();
  private leftover: Uint8Array | undefined;

  constructor(
    private readonly opened: Promise<{ body: AsyncIterator<Uint8Array>; stop: AbortController }>,
    public next: number,
  ) {
    opened.catch(() => undefined);
  }

  take(length: number): Promise<Pieces> {
    this.next += length;
    const bytes = this.last.then(() => this.fill(length));
    this.last = bytes;
    return bytes;
  }

  /** Stops the request once the parts taken so far are in (or have failed). */
  finish(): void {
    const stop = (): void => void this.opened.then(({ stop: controller }) => controller.abort(), () => undefined);
    this.last.then(stop, stop);
  }

  private async fill(length: number): Promise<Pieces> {
    const { body } = await this.opened;
    const out: Uint8Array[] = [];
    let filled = 0;
    while (filled < length) {
      let piece = this.leftover;
      this.leftover = undefined;
      if (piece === undefined) {
        const next = await body.next();
        if (next.done) throw Object.assign(new Error(`the store's answer ended ${length - filled} bytes short`), { code: 'ECONNRESET' });
        piece = next.value;
      }
      const used = Math.min(piece.length, length - filled);
      out.push(used === piece.length ? piece : piece.subarray(0, used));
      filled += used;
      if (used < piece.length) this.leftover = piece.subarray(used);
    }
    return out;
  }
}

/** Copies bytes [from, until) of a part held in pieces into `target` at `at`; returns the count. */
export function copyPieces(pieces: Pieces, from: number, until: number, target: Buffer, at: number): number {
  let copied = 0;
  let start = 0;
  for (const piece of pieces) {
    const end = start + piece.length;
    if (end > from && start < until) {
      const a = Math.max(from, start) - start;
      const b = Math.min(until, end) - start;
      target.set(a === 0 && b === piece.length ? piece : piece.subarray(a, b), at + copied);
      copied += b - a;
    }
    if (end >= until) break;
    start = end;
  }
  return copied;
}
