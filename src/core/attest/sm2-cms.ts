// Verifying the SM2 signer of a CMS SignedData (RFC 5652 §5.4–5.6 as profiled for SM2 by
// GM/T 0010 and, for time-stamp tokens, GM/T 0033): pkijs parses, this checks what its WebCrypto
// engine cannot. The token path (tsa-verify.ts) and the independent CMS test vector go through the
// same function, verifySm2SignerInfo.
//
//   - the signer is found by its sid (IssuerAndSerialNumber or SubjectKeyIdentifier, §5.3);
//   - digestAlgorithm must be SM3: GM/T 0010 §8.2 pairs SM2 with SM3 only;
//   - with signed attributes, the single messageDigest attribute must equal SM3(eContent) (§11.2)
//     and the signature covers the attributes' DER with the SET OF tag (§5.4); without them, the
//     signature covers the content itself (as CFCA's SADK and GmSSL sign plain GM/T 0010 data);
//   - the signature is SM2 with the default user ID (sm2-signature.ts).

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { Sm3 } from '../store/sm3.js';
import { formatDistinguishedName } from './tsa-names.js';
import { isSm2SignatureAlgorithm, OID_SM3, sm2PublicKey, verifySm2 } from './sm2-signature.js';

const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

export interface Sm2SignerResult {
  readonly ok: boolean;
  readonly detail: string;
  /** The certificate the sid names, when the SignedData carries it. */
  readonly signer?: pkijs.Certificate;
}

export const sm3 = (data: Uint8Array): Buffer => Buffer.from(new Sm3().update(data).digest());

const certificatesOf = (signedData: pkijs.SignedData): pkijs.Certificate[] =>
  (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);

function subjectKeyIdentifier(cert: pkijs.Certificate): Buffer | undefined {
  const ext = cert.extensions?.find((e) => e.extnID === OID_SUBJECT_KEY_IDENTIFIER);
  if (!ext) return undefined;
  const asn1 = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView);
  return asn1.result instanceof asn1js.OctetString ? Buffer.from(asn1.result.valueBlock.valueHexView) : undefined;
}

/** The certificate a SignerInfo's sid names (RFC 5652 §5.3), among those the SignedData carries. */
export function findSignerCertificate(signedData: pkijs.SignedData, signerInfo: pkijs.SignerInfo): pkijs.Certificate | undefined {
  const sid = signerInfo.sid as unknown;
  const certs = certificatesOf(signedData);
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return certs.find((c) => c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber));
  }
  // [0] SubjectKeyIdentifier, IMPLICIT OCTET STRING.
  const keyId = Buffer.from((sid as asn1js.BaseBlock<asn1js.ValueBlock> & { valueBlock: { valueHexView?: Uint8Array } }).valueBlock.valueHexView ?? []);
  return keyId.length === 0 ? undefined : certs.find((c) => subjectKeyIdentifier(c)?.equals(keyId));
}

/** Is this SignerInfo an SM2 one (its signature algorithm, or else its signer's key)? */
export function isSm2Signer(signedData: pkijs.SignedData, signerInfo: pkijs.SignerInfo): boolean {
  if (isSm2SignatureAlgorithm(signerInfo.signatureAlgorithm.algorithmId)) return true;
  const cert = findSignerCertificate(signedData, signerInfo);
  return !!cert && sm2PublicKey(cert) !== undefined;
}

/** The bytes the signature covers (RFC 5652 §5.4), or why the signed attributes are unusable. */
function signedBytes(signerInfo: pkijs.SignerInfo, content: Uint8Array): { bytes: Buffer } | { problem: string } {
  const attrs = signerInfo.signedAttrs;
  if (!attrs) return { bytes: Buffer.from(content) };
  const digests = attrs.attributes.filter((a) => a.type === OID_MESSAGE_DIGEST);
  if (digests.length !== 1 || digests[0]!.values.length !== 1) {
    return { problem: 'the signed attributes must hold exactly one messageDigest with one value (RFC 5652 §11.2)' };
  }
  const value = digests[0]!.values[0] as asn1js.AsnType;
  const stated = value instanceof asn1js.OctetString ? Buffer.from(value.valueBlock.valueHexView) : undefined;
  if (!stated?.equals(sm3(content))) {
    return { problem: 'the signed messageDigest is not the SM3 digest of the signed content: the content was altered' };
  }
  // §5.4: the DER of the attributes with an EXPLICIT SET OF tag, not the [0] IMPLICIT they carry;
  // the original bytes, never a re-encoding.
  const bytes = Buffer.from(attrs.encodedValue);
  bytes[0] = 0x31;
  return { bytes };
}

/**
 * Verify the SM2 signer `index` of `signedData` over `content` (the eContent bytes, or the
 * detached content). Never throws for hostile input: a failure is `ok: false` with the reason.
 */
export function verifySm2SignerInfo(signedData: pkijs.SignedData, content: Uint8Array | undefined, index = 0): Sm2SignerResult {
  const signerInfo = signedData.signerInfos[index];
  if (!signerInfo) return { ok: false, detail: `the SignedData has no signer ${index + 1}` };
  const signer = findSignerCertificate(signedData, signerInfo);
  if (!signer) return { ok: false, detail: 'the signer certificate is not in the SignedData' };
  const named = { signer };
  const key = sm2PublicKey(signer);
  const who = formatDistinguishedName(signer.subject);
  if (!key) return { ok: false, ...named, detail: `the signature algorithm is SM2 but the key of ${who} is not an SM2 key` };
  const digestOid = signerInfo.digestAlgorithm.algorithmId;
  if (digestOid !== OID_SM3) return { ok: false, ...named, detail: `an SM2 signature must be over SM3 (GM/T 0010), not ${digestOid}` };
  const algorithm = signerInfo.signatureAlgorithm.algorithmId;
  if (!isSm2SignatureAlgorithm(algorithm)) return { ok: false, ...named, detail: `${who} has an SM2 key but the signature algorithm is ${algorithm}` };
  if (!content) return { ok: false, ...named, detail: 'there is no signed content to check the signature over' };

  const covered = signedBytes(signerInfo, content);
  if ('problem' in covered) return { ok: false, ...named, detail: covered.problem };
  const signature = signerInfo.signature.valueBlock.valueHexView;
  if (!verifySm2(key, covered.bytes, signature)) {
    return { ok: false, ...named, detail: 'the SM2 signature does not verify with the signer\u2019s key: the signed data was altered' };
  }
  return { ok: true, ...named, detail: `SM2 with SM3 signature by ${who} verifies` };
}

/**
 * A whole CMS ContentInfo (RFC 5652 id-signedData or GM/T 0010's 1.2.156.10197.6.1.4.2.2) with
 * one SM2 signer: the attached content, or `detached` when the SignedData carries none.
 */
export function verifySm2ContentInfo(der: Uint8Array, detached?: Uint8Array): Sm2SignerResult {
  let signedData: pkijs.SignedData;
  try {
    signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(Uint8Array.from(der)).content });
  } catch (error) {
    return { ok: false, detail: `not a CMS SignedData: ${error instanceof Error ? error.message : String(error)}` };
  }
  const eContent = signedData.encapContentInfo.eContent;
  const content = eContent ? new Uint8Array(eContent.getValue()) : detached;
  return verifySm2SignerInfo(signedData, content);
}
