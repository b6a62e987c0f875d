import { createHash, hash as oneShotHash } from 'node:crypto';
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
 * leafHash() of a line already in bytes (its UTF-8), in hex, for MerkleFrontier.pushHex: a
 * verifier walking a million events takes one per event, and both a Hash object and a Buffer
 * digest cost more than the hashing of a few hundred bytes (hex output is twice as fast).
 */
export function leafHashHexOfBytes(utf8: Uint8Array): string {
  const prefixed = scratch(utf8.length + 1);
  prefixed[0] = 0x00;
  prefixed.set(utf8, 1);
  return hexDigest(prefixed.subarray(0, utf8.length + 1));
}

/**
 * An RFC 9162 compact range over the first `size` leaves: the roots of the perfect subtrees
 * they decompose into, one per set bit of `size`, largest first (at most ~log2 n nodes).
 * Pushing a leaf merges equal-sized subtrees like a binary increment, so extending the tree by
 * k leaves costs O(k + log n) hashes however long the session already is, and root() always
 * equals merkleRoot() over the same leaves.
 */
export class MerkleFrontier {
  // The subtree roots in hex: hashing to hex and decoding hex into the next node's input is
  // cheaper than a Buffer per digest (crypto.hash), and root() answers in hex anyway.
  private constructor(
    private count: number,
    private readonly nodes: string[],
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
    const list: string[] = [];
    for (let offset = 0; offset < nodes.length; offset += NODE_BYTES) {
      list.push(Buffer.from(nodes.buffer, nodes.byteOffset + offset, NODE_BYTES).toString('hex'));
    }
    return new MerkleFrontier(size, list);
  }

  get size(): number {
    return this.count;
  }

  /** Appends one leaf hash (as leafHash() returns it). */
  push(leaf: Buffer): void {
    if (leaf.length !== NODE_BYTES) throw new Error(`A Merkle leaf hash is ${NODE_BYTES} bytes, not ${leaf.length}.`);
    this.pushHex(leaf.toString('hex'));
  }

  /** Appends one leaf hash in lowercase hex (as leafHashHexOfBytes() returns it). */
  pushHex(leaf: string): void {
    if (leaf.length !== 2 * NODE_BYTES) throw new Error(`A Merkle leaf hash is ${2 * NODE_BYTES} hex digits, not ${leaf.length}.`);
    this.carry(leaf, 1);
  }

  /**
   * Appends the root of a perfect subtree of `leaves` leaves (a power of two) that starts where
   * the tree ends now, which must be a multiple of `leaves`: what pushing those leaves one by
   * one would give, for the hashes of a block of leaves made elsewhere (a worker).
   */
  pushSubtree(root: string, leaves: number): void {
    if (root.length !== 2 * NODE_BYTES) throw new Error(`A Merkle node is ${2 * NODE_BYTES} hex digits, not ${root.length}.`);
    if (!(leaves >= 1 && Number.isSafeInteger(leaves) && Number.isInteger(Math.log2(leaves))) || this.count % leaves !== 0) {
      throw new Error(`A subtree of ${leaves} leaves cannot follow ${this.count} leaves: it must be a power of two that divides the tree's size.`);
    }
    this.carry(root, leaves);
  }

  /**
   * Adds a subtree of `leaves` leaves (a power of two dividing the size): each trailing 1 bit of
   * size / leaves is a subtree the same size as the one being carried, merged as adding 1
   * carries through those bits. (Arithmetic, not bitwise: sizes may pass 2^31.)
   */
  private carry(root: string, leaves: number): void {
    let node = root;
    for (let rest = this.count / leaves; rest % 2 === 1; rest = (rest - 1) / 2) node = nodeHashHex(this.nodes.pop()!, node);
    this.nodes.push(node);
    this.count += leaves;
  }

  /** A copy to extend apart (a root at a size inside a block of leaves made elsewhere). */
  clone(): MerkleFrontier {
    return new MerkleFrontier(this.count, [...this.nodes]);
  }

  /** RFC 9162 MTH: the largest subtree is the left child of the root, the rest fold in from the right. */
  root(): string {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let node = this.nodes[this.nodes.length - 1]!;
    for (let i = this.nodes.length - 2; i >= 0; i--) node = nodeHashHex(this.nodes[i]!, node);
    return node;
  }

  toBytes(): Buffer {
    return Buffer.from(this.nodes.join(''), 'hex');
  }
}

/**
 * The leaves from position `start` of a tree, as the perfect subtrees they make that are
 * subtrees of the whole tree too (each starts at a multiple of its size), left to right: pushed
 * onto a MerkleFrontier of size `start` with pushSubtree, in order, they give the frontier those
 * leaves would. A block of leaves hashed apart (a worker) is added with a few hashes, not one a leaf.
 */
export class MerkleRange {
  private readonly pieces: { root: string; leaves: number; start: number }[] = [];
  private end: number;

  constructor(start: number) {
    this.end = start;
  }

  pushHex(leaf: string): void {
    const pieces = this.pieces;
    pieces.push({ root: leaf, leaves: 1, start: this.end });
    this.end += 1;
    // Two equal neighbours merge when the left one starts where a subtree twice its size would.
    for (let top = pieces.length - 1; top >= 1; top = pieces.length - 1) {
      const right = pieces[top]!;
      const left = pieces[top - 1]!;
      if (left.leaves !== right.leaves || left.start % (2 * left.leaves) !== 0) break;
      pieces.splice(top - 1, 2, { root: nodeHashHex(left.root, right.root), leaves: 2 * left.leaves, start: left.start });
    }
  }

  subtrees(): { root: string; leaves: number }[] {
    return this.pieces.map(({ root, leaves }) => ({ root, leaves }));
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

/** nodeHash() over hex digests, in hex. */
function nodeHashHex(left: string, right: string): string {
  const node = scratch(1 + 2 * NODE_BYTES);
  node[0] = NODE_PREFIX[0]!;
  node.write(left, 1, NODE_BYTES, 'hex');
  node.write(right, 1 + NODE_BYTES, NODE_BYTES, 'hex');
  return hexDigest(node.subarray(0, 1 + 2 * NODE_BYTES));
}

// crypto.hash (Node 20.12+) hashes in one call, without a Hash object per node; the fallback is
// for a runtime without it.
const hexDigest: (data: Uint8Array) => string =
  typeof oneShotHash === 'function' ? (data) => oneShotHash('sha256', data, 'hex') : (data) => createHash('sha256').update(data).digest('hex');

/** One buffer reused for the bytes of each hash (never held past the call). */
let scratchBuffer = Buffer.allocUnsafe(4096);
function scratch(length: number): Buffer {
  if (scratchBuffer.length < length) scratchBuffer = Buffer.allocUnsafe(Math.max(length, scratchBuffer.length * 2));
  return scratchBuffer;
}

/** How many perfect subtrees n leaves decompose into: the set bits of n. */
function subtreeCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}
