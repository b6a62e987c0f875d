// Building an RFC 3161 TimeStampReq (§2.4.1).

import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { tsaCrypto } from './tsa-crypto.js';

export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';

export interface TimestampRequest {
  /** DER TimeStampReq, the body of the HTTP POST (RFC 3161 §3.4). */
  readonly der: Buffer;
  /** The nonce as unsigned big-endian bytes; the token must echo it (§2.4.2). */
  readonly nonce: Buffer;
}

/**
 * A 64-bit nonce, positive and minimally encoded as a DER INTEGER: the first byte is 0x01..0x7f
 * (never 0x00, never the sign bit), so the bytes in the request are exactly the bytes the TSA
 * echoes back. §2.4.1 asks for a large random number; 63 bits of it are random here.
 */
function newNonce(): Buffer {
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0]! & 0x7f) || 0x01;
  return nonce;
}

/** A TimeStampReq over an already computed SHA-256 digest, with a fresh nonce and certReq. */
export function buildTimestampRequest(digest: Uint8Array): TimestampRequest {
  if (digest.byteLength !== 32) {
    throw new RangeError(`A SHA-256 digest is 32 bytes; got ${digest.byteLength}. Pass the digest, not the data.`);
  }
  tsaCrypto();
  const nonce = newNonce();
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      // RFC 5754 §2: SHA-2 AlgorithmIdentifiers omit the parameters.
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: Uint8Array.from(digest) }),
    }),
    nonce: new asn1js.Integer({ valueHex: Uint8Array.from(nonce) }),
    // certReq: the TSA puts its signing certificate in the token, so the archive can carry
    // it and `openssl ts -verify` can find it without asking the TSA later (§2.4.1).
    certReq: true,
  });
  return { der: Buffer.from(request.toSchema().toBER()), nonce };
}
