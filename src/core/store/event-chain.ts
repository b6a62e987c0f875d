import type { EventBody, StoredEvent } from '../../shared/domain.js';
import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from './hashing.js';

/** The `prev` of a session's first event: there is nothing before it. */
export const GENESIS_PREV = '0'.repeat(64);

export function hashEvent(body: EventBody): StoredEvent {
  const canonical = canonicalJson(body);
  return { body, canonical, hash: sha256Hex(canonical) };
}

/**
 * RFC 9162 §2.1.1 Merkle Tree Hash over the events' canonical bytes: leaves are
 * SHA-256(0x00 || leaf), interior nodes SHA-256(0x01 || left || right), split at the largest
 * power of two below n. Lets a checkpoint prove inclusion of any single event later.
 */
export function merkleRoot(leafHashes: readonly Buffer[]): string {
  if (leafHashes.length === 0) return sha256Hex(Buffer.alloc(0));
  let level = leafHashes;
  // Bottom-up pairing yields the same root as RFC 9162's recursive split: an odd node is
  // carried up unchanged, which is where the largest-power-of-two split would put it.
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(nodeHash(level[i]!, level[i + 1]!));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!.toString('hex');
}

export function leafHash(canonical: string): Buffer {
  return sha256Buffer(Buffer.concat([Buffer.from([0x00]), Buffer.from(canonical, 'utf8')]));
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256Buffer(Buffer.concat([Buffer.from([0x01]), left, right]));
}

function sha256Buffer(data: Buffer): Buffer {
  return Buffer.from(sha256Hex(data), 'hex');
}
