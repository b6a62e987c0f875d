// Does an issuer's SM2 key verify a certificate's SM2-with-SM3 signature? For the TSA chain
// (tsa-chain.ts): pkijs's Certificate.verify goes through WebCrypto, which has no SM2, so SM2
// certificates (GM/T 0015) are checked here and every other rule of the path stays where it is.

import type * as pkijs from 'pkijs';
import { isSm2SignatureAlgorithm, sm2PublicKey, verifySm2 } from './sm2-signature.js';

/**
 * True or false when `child` is SM2-signed or `issuer` holds an SM2 key (a reason string when
 * the two do not fit together); undefined when neither is SM2, for pkijs to check.
 */
export function verifySm2CertificateSignature(child: pkijs.Certificate, issuer: pkijs.Certificate): boolean | string | undefined {
  const algorithm = child.signatureAlgorithm.algorithmId;
  const key = sm2PublicKey(issuer);
  if (!isSm2SignatureAlgorithm(algorithm) && !key) return undefined;
  if (!key) return `the certificate is signed with SM2 (${algorithm}) but its issuer's key is not an SM2 key`;
  if (!isSm2SignatureAlgorithm(algorithm)) return `the issuer holds an SM2 key but the certificate's signature algorithm is ${algorithm}`;
  // RFC 5280 §4.1.1.2: the outer signatureAlgorithm MUST equal the signed tbsCertificate.signature.
  if (child.signature.algorithmId !== algorithm) {
    return `the certificate's signature algorithm ${algorithm} differs from the one it signed (${child.signature.algorithmId}), RFC 5280 §4.1.1.2`;
  }
  // The tbsCertificate bytes exactly as issued (pkijs keeps them as tbsView), never re-encoded.
  return verifySm2(key, child.tbsView, child.signatureValue.valueBlock.valueHexView);
}
