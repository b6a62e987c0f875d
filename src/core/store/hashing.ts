import { createHash, getHashes, type Hash } from 'node:crypto';
import { Sm3 } from './sm3.js';

export type DigestAlgorithm = 'sha256' | 'sm3';

export interface Digests {
  readonly sha256: string;
  readonly sm3: string;
  readonly size: number;
}

/** Anything with update/digest: Node's Hash, or the pure-JS SM3 wrapper below. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digestHex(): string;
}

// Node links OpenSSL 3, which has SM3; Electron links BoringSSL, which does not (DESIGN.md).
const nativeSm3 = getHashes().includes('sm3');

function nodeHasher(algorithm: string): Hasher {
  const hash: Hash = createHash(algorithm);
  return { update: (chunk) => void hash.update(chunk), digestHex: () => hash.digest('hex') };
}

function pureSm3(): Hasher {
  const hash = new Sm3();
  return { update: (chunk) => void hash.update(chunk), digestHex: () => hash.digestHex() };
}

export function createHasher(algorithm: DigestAlgorithm): Hasher {
  if (algorithm === 'sm3' && !nativeSm3) return pureSm3();
  return nodeHasher(algorithm);
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function digestBytes(data: Uint8Array): Digests {
  const sm = createHasher('sm3');
  sm.update(data);
  return { sha256: sha256Hex(data), sm3: sm.digestHex(), size: data.length };
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
