// The claim signature of a C2PA manifest: a tagged COSE_Sign1 (RFC 9052 §4.2) with a detached
// payload, as C2PA 2.1 §14.2 asks: the protected header holds the algorithm and the signer's
// certificate chain (x5chain, label 33, RFC 9360), the signature is over Sig_structure
// ["Signature1", protected, h'', claim], and the unprotected header holds the "pad" that makes the
// structure exactly the size reserved for it in the manifest (c2pa-rs's cose_sign does the same).
import { CborMap, CborTag, encodeCbor, type CborValue } from './cbor.js';

/** COSE algorithm identifiers (IANA "COSE Algorithms"). */
export const COSE_ALG = { ES256: -7, EdDSA: -8 } as const;
const COSE_SIGN1_TAG = 18;
const X5CHAIN = 33;

export interface CoseSign1Input {
  readonly claim: Uint8Array;
  readonly alg: number;
  /** DER certificates, the signer's first. */
  readonly certificates: readonly Uint8Array[];
  /** Signs the Sig_structure bytes; for ES256 the signature is r‖s (IEEE P1363), 64 bytes. */
  readonly sign: (toBeSigned: Buffer) => Buffer;
  /** The exact size c2pa-rs reserved for the signature box. */
  readonly size: number;
}

export function coseSign1(input: CoseSign1Input): Buffer {
  const chain: CborValue = input.certificates.length === 1 ? input.certificates[0]! : [...input.certificates];
  const protectedHeader = encodeCbor(new CborMap([[1, input.alg], [X5CHAIN, chain]]));
  const toBeSigned = encodeCbor(['Signature1', protectedHeader, new Uint8Array(0), input.claim]);
  const signature = input.sign(toBeSigned);
  const build = (unprotected: CborMap): Buffer => encodeCbor(new CborTag(COSE_SIGN1_TAG, [protectedHeader, unprotected, null, signature]));
  const bare = build(new CborMap([])).length;
  // One pad entry adds 4 bytes of key ("pad" as text), a map count unchanged in size (0xa0→0xa1),
  // and a byte string of n bytes with a 3-byte head when 256 ≤ n < 65536.
  const n = input.size - bare - 4 - 3;
  if (n < 256 || n >= 0x10000) throw new RangeError(`COSE_Sign1 of ${bare} bytes does not fit the ${input.size} bytes reserved for it`);
  const padded = build(new CborMap([['pad', new Uint8Array(n)]]));
  if (padded.length !== input.size) throw new RangeError(`COSE_Sign1 padded to ${padded.length} bytes, not ${input.size}`);
  return padded;
}
