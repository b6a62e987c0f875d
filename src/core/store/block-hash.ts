/**
 * A Merkle–Damgård hash over 64-byte blocks with a 256-bit state and a big-endian 64-bit length
 * in its padding (SHA-256, SM3), whose running state can be saved and resumed. Node's and
 * OpenSSL's hashes cannot be saved, so a digest of a file that grows over months (a session's
 * events.jsonl) would have to be recomputed from its first byte each time it is needed; with a
 * saved state it costs only the bytes added since (DESIGN.md, issue 13).
 */
export abstract class BlockHash {
  protected readonly state: Uint32Array;
  private readonly block = new Uint8Array(64);
  private blockLength = 0;
  private totalBytes = 0;

  protected constructor(initial: readonly number[]) {
    this.state = Uint32Array.from(initial);
  }

  /** Every byte hashed so far. */
  get length(): number {
    return this.totalBytes;
  }

  update(data: Uint8Array): this {
    let offset = 0;
    this.totalBytes += data.length;
    if (this.blockLength > 0) {
      const take = Math.min(64 - this.blockLength, data.length);
      this.block.set(data.subarray(0, take), this.blockLength);
      this.blockLength += take;
      offset = take;
      if (this.blockLength < 64) return this;
      this.compress(this.block, 0);
      this.blockLength = 0;
    }
    for (; offset + 64 <= data.length; offset += 64) this.compress(data, offset);
    this.block.set(data.subarray(offset), 0);
    this.blockLength = data.length - offset;
    return this;
  }

  /** The digest of everything so far; the hash may go on being updated after. */
  digest(): Uint8Array {
    const saved = this.save();
    const bitLength = BigInt(this.totalBytes) * 8n;
    const padLength = this.blockLength < 56 ? 56 - this.blockLength : 120 - this.blockLength;
    const tail = new Uint8Array(padLength + 8);
    tail[0] = 0x80;
    new DataView(tail.buffer).setBigUint64(padLength, bitLength);
    this.update(tail);
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    this.state.forEach((word, i) => view.setUint32(i * 4, word));
    this.load(saved);
    return out;
  }

  digestHex(): string {
    return Buffer.from(this.digest()).toString('hex');
  }

  /** The running state: 8 words, the byte count (64-bit), the bytes of the unfinished block. */
  save(): Buffer {
    const out = Buffer.alloc(STATE_FIXED + this.blockLength);
    this.state.forEach((word, i) => out.writeUInt32BE(word, i * 4));
    out.writeBigUInt64BE(BigInt(this.totalBytes), 32);
    out.set(this.block.subarray(0, this.blockLength), STATE_FIXED);
    return out;
  }

  /** Resumes from save()'s bytes; false (and nothing changed) when they cannot be a state. */
  load(saved: Uint8Array): boolean {
    if (saved.length < STATE_FIXED || saved.length >= STATE_FIXED + 64) return false;
    const view = Buffer.from(saved.buffer, saved.byteOffset, saved.length);
    const total = Number(view.readBigUInt64BE(32));
    const pending = saved.length - STATE_FIXED;
    if (!Number.isSafeInteger(total) || total % 64 !== pending) return false;
    for (let i = 0; i < 8; i++) this.state[i] = view.readUInt32BE(i * 4);
    this.totalBytes = total;
    this.blockLength = pending;
    this.block.set(saved.subarray(STATE_FIXED), 0);
    return true;
  }

  protected abstract compress(data: Uint8Array, offset: number): void;
}

const STATE_FIXED = 40;
