/**
 * Streaming SM3 (GB/T 32905-2016) for runtimes without it: Electron links BoringSSL, which has
 * no SM3, and sm-crypto-v2 only exports a one-shot function, which would hold a 2 GB recording
 * in memory. Cross-checked in tests against Node's OpenSSL SM3 and sm-crypto-v2.
 */
const IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];

const rotl = (x: number, n: number): number => ((x << (n & 31)) | (x >>> ((32 - n) & 31))) >>> 0;
const p0 = (x: number): number => (x ^ rotl(x, 9) ^ rotl(x, 17)) >>> 0;
const p1 = (x: number): number => (x ^ rotl(x, 15) ^ rotl(x, 23)) >>> 0;

export class Sm3 {
  private readonly state = Uint32Array.from(IV);
  private readonly block = new Uint8Array(64);
  private readonly w = new Uint32Array(68);
  private blockLength = 0;
  private totalBytes = 0;

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

  digest(): Uint8Array {
    const bitLength = BigInt(this.totalBytes) * 8n;
    const padLength = this.blockLength < 56 ? 56 - this.blockLength : 120 - this.blockLength;
    const tail = new Uint8Array(padLength + 8);
    tail[0] = 0x80;
    new DataView(tail.buffer).setBigUint64(padLength, bitLength);
    this.update(tail);
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    this.state.forEach((word, i) => view.setUint32(i * 4, word));
    return out;
  }

  digestHex(): string {
    return Buffer.from(this.digest()).toString('hex');
  }

  private compress(data: Uint8Array, offset: number): void {
    const w = this.w;
    const view = new DataView(data.buffer, data.byteOffset + offset, 64);
    for (let j = 0; j < 16; j++) w[j] = view.getUint32(j * 4);
    for (let j = 16; j < 68; j++) {
      w[j] = (p1(w[j - 16]! ^ w[j - 9]! ^ rotl(w[j - 3]!, 15)) ^ rotl(w[j - 13]!, 7) ^ w[j - 6]!) >>> 0;
    }
    let [a, b, c, d, e, f, g, h] = this.state as unknown as number[];
    for (let j = 0; j < 64; j++) {
      const t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
      const ss1 = rotl((rotl(a!, 12) + e! + rotl(t, j % 32)) >>> 0, 7);
      const ss2 = (ss1 ^ rotl(a!, 12)) >>> 0;
      const ff = j < 16 ? a! ^ b! ^ c! : (a! & b!) | (a! & c!) | (b! & c!);
      const gg = j < 16 ? e! ^ f! ^ g! : (e! & f!) | (~e! & g!);
      const w1 = (w[j]! ^ w[j + 4]!) >>> 0;
      const tt1 = (ff + d! + ss2 + w1) >>> 0;
      const tt2 = (gg + h! + ss1 + w[j]!) >>> 0;
      d = c;
      c = rotl(b!, 9);
      b = a;
      a = tt1;
      h = g;
      g = rotl(f!, 19);
      f = e;
      e = p0(tt2);
    }
    const words = [a, b, c, d, e, f, g, h];
    for (let i = 0; i < 8; i++) this.state[i] = (this.state[i]! ^ words[i]!) >>> 0;
  }
}
