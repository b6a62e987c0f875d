import { BlockHash } from './block-hash.js';

/**
 * Streaming SM3 (GB/T 32905-2016) for runtimes without it: Electron links BoringSSL, which has
 * no SM3, and sm-crypto-v2 only exports a one-shot function, which would hold a 2 GB recording
 * in memory. Its state can be saved (BlockHash). Cross-checked in tests against Node's OpenSSL
 * SM3 and sm-crypto-v2.
 */
const IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];

// Words are handled as signed 32-bit integers (`| 0`) and stored into the Uint32Array state,
// which keeps the low 32 bits: no `>>> 0` on every step.
const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));
const p0 = (x: number): number => x ^ rotl(x, 9) ^ rotl(x, 17);
const p1 = (x: number): number => x ^ rotl(x, 15) ^ rotl(x, 23);
/** T_j <<< (j mod 32), for each round. */
const T = Int32Array.from({ length: 64 }, (_, j) => {
  const t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
  const n = j % 32;
  return n === 0 ? t : (t << n) | (t >>> (32 - n));
});

export class Sm3 extends BlockHash {
  private readonly w = new Int32Array(68);

  constructor() {
    super(IV);
  }

  protected compress(data: Uint8Array, offset: number): void {
    const w = this.w;
    const view = new DataView(data.buffer, data.byteOffset + offset, 64);
    for (let j = 0; j < 16; j++) w[j] = view.getUint32(j * 4);
    for (let j = 16; j < 68; j++) {
      w[j] = p1(w[j - 16]! ^ w[j - 9]! ^ rotl(w[j - 3]!, 15)) ^ rotl(w[j - 13]!, 7) ^ w[j - 6]!;
    }
    const s = this.state;
    let a = s[0]!, b = s[1]!, c = s[2]!, d = s[3]!, e = s[4]!, f = s[5]!, g = s[6]!, h = s[7]!;
    for (let j = 0; j < 64; j++) {
      const a12 = rotl(a, 12);
      const ss1 = rotl((a12 + e + T[j]!) | 0, 7);
      const ss2 = ss1 ^ a12;
      const ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c);
      const gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g);
      const tt1 = (ff + d + ss2 + (w[j]! ^ w[j + 4]!)) | 0;
      const tt2 = (gg + h + ss1 + w[j]!) | 0;
      d = c;
      c = rotl(b, 9);
      b = a;
      a = tt1;
      h = g;
      g = rotl(f, 19);
      f = e;
      e = p0(tt2);
    }
    s[0]! ^= a;
    s[1]! ^= b;
    s[2]! ^= c;
    s[3]! ^= d;
    s[4]! ^= e;
    s[5]! ^= f;
    s[6]! ^= g;
    s[7]! ^= h;
  }
}
