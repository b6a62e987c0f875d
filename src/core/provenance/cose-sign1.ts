// The claim signature of a C2PA manifest: a tagged COSE_Sign1 (RFC 9052 §4.2) with a detached
// payload, as C2PA 2.1 §14.2 asks: the protected header holds the algorithm and the signer's
// certificate chain (x5chain, label 33, RFC 9360), the signature is over Sig_structure
// ["Signature1", protected, h'', claim], and the unprotected header holds the "pad" that makes the
// structure exactly the size reserved for it in the manifest (c2pa-rs's cose_sign does the same).
// An RFC 3161 token, when one is given, goes in the unprotected header as `sigTst2` (C2PA 2.1
// §14.5.2 "v2 time-stamps"): {"tstTokens": [{"val": TimeStampToken DER}]}.
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
}

export interface CoseSigned {
  readonly protectedHeader: Buffer;
  readonly signature: Buffer;
}

/** Signs the claim: the protected header and the signature over Sig_structure (RFC 9052 §4.4). */
export function signCose(input: CoseSign1Input): CoseSigned {
  const chain: CborValue = input.certificates.length === 1 ? input.certificates[0]! : [...input.certificates];
  const protectedHeader = encodeCbor(new CborMap([[1, input.alg], [X5CHAIN, chain]]));
  const toBeSigned = encodeCbor(['Signature1', protectedHeader, new Uint8Array(0), input.claim]);
  return { protectedHeader, signature: input.sign(toBeSigned) };
}

/**
 * What a v2 time-stamp covers (C2PA 2.1 §14.5.2; c2pa-rs cose/sigtst.rs `cose_countersign_data`
 * over the CBOR of the signature): the countersignature Sig_structure of RFC 9338 §3.3 without a
 * signer header, ["CounterSignature", protected, h'', bstr(CBOR bstr of the signature)]. The TSA's
 * messageImprint is the SHA-256 of these bytes.
 */
export function timeStampedBytes(signed: CoseSigned): Buffer {
  return encodeCbor(['CounterSignature', signed.protectedHeader, new Uint8Array(0), encodeCbor(signed.signature)]);
}

/** The COSE_Sign1 bytes, padded to exactly `size`, with the time-stamp token if there is one. */
export function assembleCoseSign1(signed: CoseSigned, size: number, timeStampToken: Uint8Array | null = null): Buffer {
  const time: [string, CborValue][] = timeStampToken ? [['sigTst2', new CborMap([['tstTokens', [new CborMap([['val', timeStampToken]])]]])]] : [];
  const build = (extra: [string, CborValue][]): Buffer =>
    encodeCbor(new CborTag(COSE_SIGN1_TAG, [signed.protectedHeader, new CborMap([...time, ...extra]), null, signed.signature]));
  const bare = build([]).length;
  // One pad entry adds 4 bytes of key ("pad" as text), a map count unchanged in size while it
  // stays under 24 entries, and a byte string of n bytes with a 3-byte head when 256 ≤ n < 65536.
  const n = size - bare - 4 - 3;
  if (n < 256 || n >= 0x10000) throw new RangeError(`COSE_Sign1 of ${bare} bytes does not fit the ${size} bytes reserved for it`);
  const padded = build([['pad', new Uint8Array(n)]]);
  if (padded.length !== size) throw new RangeError(`COSE_Sign1 padded to ${padded.length} bytes, not ${size}`);
  return padded;
}

/** Signed and assembled in one step, without a time-stamp. */
export function coseSign1(input: CoseSign1Input & { readonly size: number }): Buffer {
  return assembleCoseSign1(signCose(input), input.size);
}
