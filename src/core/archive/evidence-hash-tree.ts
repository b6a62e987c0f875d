// RFC 4998 hash trees: how an archive timestamp's reduced hash tree is made (§4.2) and reduced
// back to the one value its timestamp covers (§4.3). SHA-256 only: the record names its
// algorithm, and one this verifier cannot compute is refused, never guessed.

import { createHash } from 'node:crypto';

export const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();

/**
 * §4.2 steps 3–4: a node's value is the hash of its children's values "binary sorted in
 * ascending order" and concatenated. A list of one value is that value: §4.2 hashes only groups
 * of more than one (BouncyCastle's ERSUtil reads it the same way).
 */
export function nodeHash(values: readonly Buffer[]): Buffer {
  if (values.length === 1) return values[0]!;
  return sha256(Buffer.concat([...values].sort(Buffer.compare)));
}

/**
 * The reduced hash tree of one data object group (RFC 4998 §1.2, §4.2): its objects' hashes are
 * the first and only list, so the group hash is the root the timestamp covers, and anyone can
 * check every object of the group against that one list (§4.3, a note after step 4).
 */
export function groupHashtree(hashes: readonly Buffer[]): Buffer[][] {
  return [[...hashes].sort(Buffer.compare)];
}

/**
 * §4.3 step 3: hash the first list; the result "MUST become a member of the next higher list";
 * repeat to the root. A list that already holds the computed value is taken as it is (some
 * writers store it, others leave it implied): either way the value is among what is hashed.
 */
export function reduceHashtree(tree: readonly (readonly Buffer[])[]): Buffer {
  let value = nodeHash(tree[0]!);
  for (const list of tree.slice(1)) value = nodeHash(list.some((h) => h.equals(value)) ? list : [...list, value]);
  return value;
}
