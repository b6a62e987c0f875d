// An archive timestamp holds a bare TimeStampToken (RFC 4998 §4.1: timeStamp ContentInfo), while
// the project's verifier (attest/tsa-verify.ts) and `openssl ts -verify -in` read a whole
// TimeStampResp. These helpers go between the two, and read what RFC 4998 §5.2 needs that the
// verdict does not say: until when the token's signer certificate is valid.

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { tsaCrypto } from '../attest/tsa-crypto.js';
import { certificatesFromPem } from '../attest/tsa-pem.js';
import { decodeTimestampResponse } from '../attest/tsa-response.js';
import type { CertificateInput } from '../attest/tsa-verify.js';

/** X.690 §8.1.3: definite length octets. */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/**
 * TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken } (RFC 3161 §2.4.2) with
 * status granted(0), around the token's own bytes: nothing of the token is re-encoded.
 */
export function grantedResponse(token: Buffer): Buffer {
  const status = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]);
  const body = Buffer.concat([status, token]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/**
 * The notAfter of the certificate that signed the token: the certificate its SignerInfo names
 * (RFC 5652 §5.3, issuerAndSerialNumber or subjectKeyIdentifier) among those the token carries.
 * Undefined when the token does not carry it (the verifier has then said why already).
 */
export function signerNotAfter(response: Buffer): Date | undefined {
  try {
    const { parsed, signedData } = decodeTimestampResponse(response);
    const sid = signedData?.signerInfos[0]?.sid as pkijs.IssuerAndSerialNumber | asn1js.Constructed | undefined;
    if (!sid) return undefined;
    for (const der of parsed.certificates) {
      const cert = pkijs.Certificate.fromBER(der);
      if (sid instanceof pkijs.IssuerAndSerialNumber) {
        if (sid.issuer.isEqual(cert.issuer) && sid.serialNumber.isEqual(cert.serialNumber)) return cert.notAfter.value;
        continue;
      }
      // [0] SubjectKeyIdentifier: compare with the certificate's own (RFC 5280 §4.2.1.2).
      const ski = cert.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as asn1js.OctetString | undefined;
      const wanted = (sid as unknown as { valueBlock?: { valueHexView?: Uint8Array } }).valueBlock?.valueHexView;
      if (ski && wanted && Buffer.from(ski.valueBlock.valueHexView).equals(Buffer.from(wanted))) return cert.notAfter.value;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * What the token's signature does not cover, checked for consistency: the last archive timestamp
 * of a chain is not yet hashed by a renewal, so a byte changed in its unsigned parts would
 * otherwise go unseen. RFC 5652 §5.1: SignedData.digestAlgorithms lists the signer's digest
 * algorithm. And every certificate the token carries must verify under its issuer when the issuer
 * is at hand (carried, or trusted here; for a trusted token, always): a carried copy of a CA
 * certificate edited in place no longer does. Undefined when consistent.
 */
export async function unsignedPartsProblem(response: Buffer, trustedRoots: readonly CertificateInput[], trusted: boolean): Promise<string | undefined> {
  const { parsed, signedData } = decodeTimestampResponse(response);
  if (!signedData || !parsed.token) return undefined;
  // ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT SignedData }; SignedData's second field is a SET.
  const content = (asn1js.fromBER(Uint8Array.from(parsed.token)).result as asn1js.Sequence).valueBlock.value[1] as asn1js.Constructed;
  const digestSet = (content.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[1];
  if (digestSet?.idBlock.tagClass !== 1 || digestSet.idBlock.tagNumber !== 17) return 'its SignedData.digestAlgorithms is not a SET (RFC 5652 §5.1)';
  // RFC 5652 §5.1: version 3 for an eContentType other than id-data (4 or 5 with other certificate formats).
  if (signedData.version < 3 || signedData.version > 5) return `its SignedData version ${signedData.version} cannot carry a TSTInfo (RFC 5652 §5.1)`;
  const listed = new Set(signedData.digestAlgorithms.map((a) => a.algorithmId));
  const algorithms = [...signedData.digestAlgorithms];
  for (const signer of signedData.signerInfos) {
    if (!listed.has(signer.digestAlgorithm.algorithmId)) return `its SignedData.digestAlgorithms does not list the signer's digest algorithm ${signer.digestAlgorithm.algorithmId} (RFC 5652 §5.1)`;
    // RFC 5652 §5.3: version 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier.
    if (signer.version !== (signer.sid instanceof pkijs.IssuerAndSerialNumber ? 1 : 3)) return `its SignerInfo version ${signer.version} does not match its signer identifier (RFC 5652 §5.3)`;
    algorithms.push(signer.digestAlgorithm, signer.signatureAlgorithm);
  }
  const odd = algorithms.find((a) => !plainParameters(a));
  if (odd) return `the parameters of algorithm ${odd.algorithmId} are neither absent nor NULL`;
  const carried = parsed.certificates.map((der) => pkijs.Certificate.fromBER(der));
  for (const cert of carried) {
    // RFC 5280 §4.1.1.2: the outer signatureAlgorithm MUST equal the one inside tbsCertificate; a signature has no unused bits.
    const outer = Buffer.from(cert.signatureAlgorithm.toSchema().toBER());
    if (!outer.equals(Buffer.from(cert.signature.toSchema().toBER())) || cert.signatureValue.valueBlock.unusedBits !== 0) {
      return `it carries a certificate (serial ${Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex')}) whose signature fields were altered`;
    }
  }
  const anchors = trustedRoots.flatMap((input) => (typeof input === 'string' ? certificatesFromPem(input) : [Buffer.from(input)])).map((der) => pkijs.Certificate.fromBER(der));
  for (const cert of carried) {
    const issuers = [...carried, ...anchors].filter((c) => c.subject.isEqual(cert.issuer));
    // With the token trusted, its path reached a root given here, so every certificate of a
    // sound token has its issuer at hand; one whose issuer is nowhere was edited (its issuer name).
    if (issuers.length === 0 && !trusted) continue;
    let signed = false;
    for (const issuer of issuers) if (await cert.verify(issuer, tsaCrypto()).catch(() => false)) signed = true;
    if (!signed) return `it carries a certificate (serial ${Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex')}) whose signature does not verify under its issuer: it was altered`;
  }
  return undefined;
}

/** RSASSA-PSS carries its parameters; every other algorithm a TSA uses has them absent or NULL. */
function plainParameters(algorithm: pkijs.AlgorithmIdentifier): boolean {
  const params = algorithm.algorithmParams as asn1js.AsnType | undefined;
  if (params === undefined) return true;
  if (algorithm.algorithmId === '1.2.840.113549.1.1.10') return params instanceof asn1js.Sequence;
  return params instanceof asn1js.Null && params.valueBeforeDecodeView.byteLength <= 2;
}
