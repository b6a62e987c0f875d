import { createHash } from 'node:crypto';
import type { EventBody, StoredEvent } from '../../shared/domain.js';
import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from './hashing.js';

/** The `prev` of a session's first event: there is nothing before it. */
export const GENESIS_PREV = '0'.repeat(64);

/** RFC 9162 §2.1.1: the Merkle Tree Hash of the empty list is SHA-256 of nothing. */
const EMPTY_ROOT = sha256Hex(Buffer.alloc(0));
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);
const NODE_BYTES = 32;

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
  if (leafHashes.length === 0) return EMPTY_ROOT;
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
  return createHash('sha256').update(LEAF_PREFIX).update(canonical, 'utf8').digest();
}

/**
 * An RFC 9162 compact range over the first `size` leaves: the roots of the perfect subtrees
 * they decompose into, one per set bit of `size`, largest first (at most ~log2 n nodes).
 * Pushing a leaf merges equal-sized subtrees like a binary increment, so extending the tree by
 * k leaves costs O(k + log n) hashes however long the session already is, and root() always
 * equals merkleRoot() over the same leaves.
 */
export class MerkleFrontier {
  private constructor(
    private count: number,
    private readonly nodes: Buffer[],
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** How many bytes toBytes() gives for `size` leaves (32 per set bit of size); -1 for no valid size. */
  static byteLength(size: number): number {
    return Number.isSafeInteger(size) && size >= 0 ? subtreeCount(size) * NODE_BYTES : -1;
  }

  /** Restores a frontier saved with toBytes(); refuses bytes that cannot be one of that size. */
  static fromBytes(size: number, nodes: Uint8Array): MerkleFrontier {
    const expected = MerkleFrontier.byteLength(size);
    if (expected < 0) throw new Error(`A Merkle frontier's size must be a whole number of leaves, not ${size}.`);
    if (nodes.length !== expected) {
      throw new Error(
        `A Merkle frontier over ${size} leaves holds ${expected} bytes (${subtreeCount(size)} subtree roots), ` +
          `not ${nodes.length}: these bytes are not a frontier saved by toBytes() at that size.`,
      );
    }
    const list: Buffer[] = [];
    for (let offset = 0; offset < nodes.length; offset += NODE_BYTES) {
      list.push(Buffer.from(nodes.subarray(offset, offset + NODE_BYTES)));
    }
    return new MerkleFrontier(size, list);
  }

  get size(): number {
    return this.count;
  }

  /** Appends one leaf hash (as leafHash() returns it). */
  push(leaf: Buffer): void {
    if (leaf.length !== NODE_BYTES) throw new Error(`A Merkle leaf hash is ${NODE_BYTES} bytes, not ${leaf.length}.`);
    let node = leaf;
    // Each trailing 1 bit of the old size is a subtree the same size as the one being carried:
    // merge them, as adding 1 carries through those bits. (Arithmetic, not bitwise: sizes may
    // pass 2^31.)
    for (let rest = this.count; rest % 2 === 1; rest = (rest - 1) / 2) {
      node = nodeHash(this.nodes.pop()!, node);
    }
    this.nodes.push(node);
    this.count += 1;
  }

  /** RFC 9162 MTH: the largest subtree is the left child of the root, the rest fold in from the right. */
  root(): string {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let node = this.nodes[this.nodes.length - 1]!;
    for (let i = this.nodes.length - 2; i >= 0; i--) node = nodeHash(this.nodes[i]!, node);
    return node.toString('hex');
  }

  toBytes(): Buffer {
    return Buffer.concat(this.nodes);
  }
}

/**
 * The Merkle root over the first n leaves for every n in `sizes`, walking the leaves once
 * (O(leaves + sizes * log n)) instead of once per size. A size larger than the leaves given, or
 * not a whole number, is absent from the result: the caller says what that means.
 */
export function merkleRootsAt(leaves: Iterable<Buffer>, sizes: readonly number[]): Map<number, string> {
  const wanted = [...new Set(sizes)].filter((n) => Number.isSafeInteger(n) && n >= 0).sort((a, b) => a - b);
  const roots = new Map<number, string>();
  const frontier = MerkleFrontier.empty();
  let next = 0;
  const take = (): void => {
    while (next < wanted.length && wanted[next] === frontier.size) roots.set(wanted[next++]!, frontier.root());
  };
  take();
  if (next === wanted.length) return roots;
  for (const leaf of leaves) {
    frontier.push(leaf);
    take();
    if (next === wanted.length) break;
  }
  return roots;
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** How many perfect subtrees n leaves decompose into: the set bits of n. */
function subtreeCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}
