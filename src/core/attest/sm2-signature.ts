// SM2 signatures (GB/T 32918.2, GM/T 0003.2) for time-stamp tokens and their certificates.
//
// Node's WebCrypto, which pkijs verifies RSA and ECDSA with, has no SM2, so SM2 signatures are
// checked here with sm-crypto-v2 (SM2 on @noble/curves). An SM2 signature is not ECDSA over a
// digest: the signer first hashes its public key and user ID into Z_A, and signs
// e = SM3(Z_A || M) (GB/T 32918.2 §6.1). GM/T 0009 §10 fixes the user ID a certificate's key
// signs with when none is agreed: "1234567812345678"; GM/T 0010 (CMS) and GM/T 0015
// (certificates) use that default, as GmSSL, Tongsuo, Bouncy Castle and OpenSSL 3 do.

import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { sm2 } from 'sm-crypto-v2';

/** id-ecPublicKey (RFC 5480): SM2 keys are EC keys whose named curve is sm2p256v1. */
const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
/** sm2p256v1 / "sm2 ECC" (GM/T 0006): the curve, and in older encoders the key algorithm itself. */
export const OID_SM2_CURVE = '1.2.156.10197.1.301';
/** sm2-1, the SM2 signature scheme (GM/T 0006): what GM/T 0010 puts in SignerInfo.signatureAlgorithm. */
export const OID_SM2_SIGN = '1.2.156.10197.1.301.1';
/** SM2-with-SM3 (GM/T 0006): the certificate signature algorithm, also found in SignerInfo. */
export const OID_SM2_WITH_SM3 = '1.2.156.10197.1.501';
export const OID_SM3 = '1.2.156.10197.1.401';

/** GM/T 0009 §10: the default distinguishing identifier, as its 16 ASCII bytes. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

/** The SignerInfo / certificate signature algorithms that mean "SM2 over SM3". */
const SM2_SIGNATURE_OIDS = new Set([OID_SM2_WITH_SM3, OID_SM2_SIGN, OID_SM2_CURVE]);

export const isSm2SignatureAlgorithm = (oid: string): boolean => SM2_SIGNATURE_OIDS.has(oid);

/**
 * The SM2 public key of a certificate as uncompressed point hex ("04" + X + Y), or undefined when
 * its key is not SM2. Both encodings seen in the field are read: id-ecPublicKey with the
 * sm2p256v1 curve (GM/T 0015, RFC 5480 form) and the key algorithm given as 1.2.156.10197.1.301.
 */
export function sm2PublicKey(cert: pkijs.Certificate): string | undefined {
  const { algorithm, subjectPublicKey } = cert.subjectPublicKeyInfo;
  const params = algorithm.algorithmParams as asn1js.AsnType | undefined;
  const curve = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : undefined;
  const isSm2 = (algorithm.algorithmId === OID_EC_PUBLIC_KEY && curve === OID_SM2_CURVE) || algorithm.algorithmId === OID_SM2_CURVE;
  if (!isSm2) return undefined;
  const point = Buffer.from(subjectPublicKey.valueBlock.valueHexView);
  // sm-crypto-v2 also takes compressed points (02/03 + X); anything else is not a key.
  const ok = (point.length === 65 && point[0] === 0x04) || (point.length === 33 && (point[0] === 0x02 || point[0] === 0x03));
  return ok ? point.toString('hex') : undefined;
}

/**
 * Does the DER SM2Signature (SEQUENCE { r INTEGER, s INTEGER }, GM/T 0009 §7.2) verify over
 * `message` with `publicKeyHex` and the default user ID? A malformed key or signature is false.
 */
export function verifySm2(publicKeyHex: string, message: Uint8Array, signatureDer: Uint8Array): boolean {
  if (!isStrictDerSignature(signatureDer)) return false;
  try {
    return sm2.doVerifySignature(Uint8Array.from(message), Buffer.from(signatureDer).toString('hex'), publicKeyHex, {
      der: true,
      hash: true,
      userId: SM2_DEFAULT_USER_ID,
    });
  } catch {
    return false; // a point off the curve, r or s out of range: not a valid signature
  }
}

/** A positive INTEGER's minimal DER content: no superfluous leading zero, a zero before a high bit. */
function minimalInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const value = Buffer.from(bytes.subarray(start));
  return value[0]! & 0x80 ? Buffer.concat([Buffer.of(0), value]) : value;
}

/**
 * SEQUENCE { r INTEGER, s INTEGER } in DER and nothing else: the bytes must be exactly the
 * minimal encoding of the r and s they hold, so a signature cannot be malleated into a
 * "different" valid one by padding (long-form lengths, extra zero bytes, trailing data).
 */
function isStrictDerSignature(der: Uint8Array): boolean {
  const asn1 = asn1js.fromBER(Uint8Array.from(der));
  if (asn1.offset !== der.byteLength || !(asn1.result instanceof asn1js.Sequence)) return false;
  const parts = asn1.result.valueBlock.value;
  if (parts.length !== 2 || !parts.every((p) => p instanceof asn1js.Integer)) return false;
  const ints = (parts as asn1js.Integer[]).map((p) => p.valueBlock.valueHexView);
  if (ints.some((v) => v.length === 0 || v[0]! & 0x80)) return false; // r, s are positive
  const body = Buffer.concat(ints.map((v) => {
    const m = minimalInteger(v);
    return Buffer.concat([Buffer.of(0x02, m.length), m]); // r, s < n: at most 33 bytes, short lengths
  }));
  return body.length < 128 && Buffer.concat([Buffer.of(0x30, body.length), body]).equals(Buffer.from(der));
}
