// The certificates a TimeStampResp carries, read with asn1js alone. The bag's TSA chains
// (archive/bag-plan.ts) need nothing else of a token, and PKI.js, which tsa-response.ts parses
// the rest with, cost every `proofline export` 0.1–0.35 s of CPU just to load (bench/README.md).

import * as asn1js from 'asn1js';
import { TsaError } from './tsa-error.js';

/**
 * The [0] IMPLICIT CertificateSet of a SignedData (RFC 5652 §5.1), each certificate's original
 * DER: re-encoding a parsed certificate may not give back the bytes the TSA sent.
 */
export function signedDataCertificates(signedData: asn1js.AsnType): Buffer[] {
  const fields = (signedData as asn1js.Sequence).valueBlock.value ?? [];
  const set = fields.find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 0) as asn1js.Constructed | undefined;
  if (!set) return [];
  return set.valueBlock.value
    // A CertificateChoices entry that is a plain SEQUENCE is an X.509 certificate (RFC 5652 §10.2.2).
    .filter((c) => c.idBlock.tagClass === 1 && c.idBlock.tagNumber === 16)
    .map((c) => Buffer.from(c.valueBeforeDecodeView));
}

/**
 * Every X.509 certificate in a TimeStampResp's token, DER as received; none when it has no
 * token (RFC 3161 §2.4.2: TimeStampResp ::= SEQUENCE { status, timeStampToken ContentInfo
 * OPTIONAL }; ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT SignedData }).
 * The same bytes as `parseTimestampResponse(der).certificates`, which checks the rest too.
 */
export function tokenCertificates(der: Uint8Array, source?: string): Buffer[] {
  const asn1 = asn1js.fromBER(Uint8Array.from(der));
  if (asn1.offset === -1 || asn1.offset !== der.byteLength || !(asn1.result instanceof asn1js.Sequence)) {
    const from = source ? ` from ${source}` : '';
    throw new TsaError('malformed', source, `The time-stamp reply${from} is not a DER TimeStampResp: its certificates cannot be read.`);
  }
  const token = asn1.result.valueBlock.value[1];
  if (!(token instanceof asn1js.Sequence)) return [];
  const content = token.valueBlock.value[1];
  const signedData = content instanceof asn1js.Constructed && content.idBlock.tagClass === 3 && content.idBlock.tagNumber === 0 ? content.valueBlock.value[0] : undefined;
  return signedData ? signedDataCertificates(signedData) : [];
}
