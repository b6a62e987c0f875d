// Reading an RFC 3161 TimeStampResp (§2.4.2) into plain values, keeping the original bytes of
// the token, the TSTInfo and the certificates: re-encoding a parsed structure may not give the
// signed bytes back, and the archive must store what the TSA actually sent.

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { tsaCrypto } from './tsa-crypto.js';
import { signedDataCertificates } from './token-certificates.js';
import { TsaError } from './tsa-error.js';
import { digestName, formatGeneralName, hexInteger, unsignedBytes } from './tsa-names.js';

/** id-ct-TSTInfo, RFC 3161 §2.4.2: the eContentType of every TimeStampToken. */
export const OID_TSTINFO = '1.2.840.113549.1.9.16.1.4';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
// GM/T 0010-2012 names SignedData with its own OID, 1.2.156.10197.6.1.4.2.2, over the same ASN.1
// as RFC 5652's; SM2 signers (CFCA SADK: tests/fixtures/sm2/) and so Chinese TSAs may use it.
const OID_GM_SIGNED_DATA = '1.2.156.10197.6.1.4.2.2';
const SIGNED_DATA_TYPES = new Set([OID_SIGNED_DATA, OID_GM_SIGNED_DATA]);

// PKIStatus values, RFC 3161 §2.4.2.
export const PKI_STATUS = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'] as const;

// PKIFailureInfo bit numbers, RFC 3161 §2.4.2.
const FAILURE_BITS: Record<number, string> = {
  0: 'badAlg (unrecognized or unsupported algorithm)',
  2: 'badRequest (transaction not permitted or supported)',
  5: 'badDataFormat (the data submitted has the wrong format)',
  14: 'timeNotAvailable (the TSA time source is not available)',
  15: 'unacceptedPolicy (the requested TSA policy is not supported)',
  16: 'unacceptedExtension (the requested extension is not supported)',
  17: 'addInfoNotAvailable (the additional information requested is not available)',
  25: 'systemFailure (the request cannot be handled due to system failure)',
};

export interface ParsedTimestamp {
  /** PKIStatus: 0 granted, 1 grantedWithMods, 2 rejection, ... (RFC 3161 §2.4.2). */
  readonly status: number;
  /** Status strings and failure reasons, joined; absent when the TSA said nothing. */
  readonly statusText?: string;
  /** The TimeStampToken: a CMS ContentInfo, DER, exactly as received. */
  readonly token?: Buffer;
  readonly genTime?: Date;
  /** The TSTInfo serialNumber as openssl prints it ("0x2A"). */
  readonly serial?: string;
  readonly policy?: string;
  /**
   * TSTInfo accuracy in milliseconds (RFC 3161 §2.4.2): the true time lies within genTime ± this.
   * Absent when the TSA states none.
   */
  readonly accuracyMs?: number;
  /** The TSTInfo `tsa` field, when the TSA filled it in. */
  readonly tsaName?: string;
  readonly imprintAlgorithm?: string;
  readonly imprint?: Buffer;
  /** The nonce as unsigned big-endian bytes. */
  readonly nonce?: Buffer;
  /** Every X.509 certificate inside the token, DER, as received (the signer's among them). */
  readonly certificates: Buffer[];
}

/** Parsed structures plus the original bytes the signature covers; for the verifier. */
export interface DecodedTimestamp {
  readonly parsed: ParsedTimestamp;
  readonly signedData?: pkijs.SignedData;
  readonly tstInfoBytes?: Buffer;
}

function malformed(source: string | undefined, what: string, cause?: unknown): TsaError {
  const from = source ? ` from ${source}` : '';
  return new TsaError(
    'malformed',
    source,
    `The time-stamp reply${from} is not a valid RFC 3161 TimeStampResp: ${what}. ` +
      'Check that the URL is an RFC 3161 TSA endpoint (not a web page) and that the file was not truncated.',
    { cause },
  );
}

function failureReasons(failInfo: asn1js.BitString | undefined): string[] {
  if (!failInfo) return [];
  const bytes = failInfo.valueBlock.valueHexView;
  const reasons: string[] = [];
  for (let bit = 0; bit < bytes.length * 8; bit++) {
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) reasons.push(FAILURE_BITS[bit] ?? `failure bit ${bit}`);
  }
  return reasons;
}

function statusText(info: pkijs.PKIStatusInfo): string | undefined {
  const parts = [
    ...(info.statusStrings ?? []).map((s) => s.valueBlock.value),
    ...failureReasons(info.failInfo),
  ];
  return parts.length ? parts.join('; ') : undefined;
}

/** Decode a TimeStampResp; throws TsaError 'malformed' on anything that is not one. */
export function decodeTimestampResponse(der: Uint8Array, source?: string): DecodedTimestamp {
  tsaCrypto();
  const asn1 = asn1js.fromBER(Uint8Array.from(der));
  if (asn1.offset === -1) throw malformed(source, `not DER (${asn1.result.error || 'unreadable'})`);
  if (asn1.offset !== der.byteLength) throw malformed(source, `${der.byteLength - asn1.offset} stray bytes after the structure`);

  let response: pkijs.TimeStampResp;
  try {
    response = new pkijs.TimeStampResp({ schema: asn1.result });
  } catch (error) {
    throw malformed(source, 'the outer structure is not a TimeStampResp', error);
  }
  const status = response.status.status as number;
  const text = statusText(response.status);
  const tokenInfo = response.timeStampToken;
  if (!tokenInfo) {
    // §2.4.2: a token is present only with status granted or grantedWithMods.
    if (status <= 1) throw malformed(source, `status ${PKI_STATUS[status]} without a timeStampToken`);
    return { parsed: { status, ...(text && { statusText: text }), certificates: [] } };
  }

  const tokenAsn1 = (asn1.result as asn1js.Sequence).valueBlock.value[1]!;
  if (!SIGNED_DATA_TYPES.has(tokenInfo.contentType)) throw malformed(source, `token content type ${tokenInfo.contentType} is not SignedData`);
  let signedData: pkijs.SignedData;
  let tstInfo: pkijs.TSTInfo;
  let tstInfoBytes: Buffer;
  try {
    signedData = new pkijs.SignedData({ schema: tokenInfo.content });
    const eci = signedData.encapContentInfo;
    if (eci.eContentType !== OID_TSTINFO) throw new Error(`eContentType ${eci.eContentType} is not id-ct-TSTInfo`);
    if (!eci.eContent) throw new Error('the token carries no TSTInfo');
    tstInfoBytes = Buffer.from(eci.eContent.getValue());
    tstInfo = pkijs.TSTInfo.fromBER(tstInfoBytes);
  } catch (error) {
    throw malformed(source, `the token is not a CMS SignedData over a TSTInfo (${(error as Error).message})`, error);
  }

  const parsed: ParsedTimestamp = {
    status,
    ...(text && { statusText: text }),
    token: Buffer.from(tokenAsn1.valueBeforeDecodeView),
    genTime: tstInfo.genTime,
    serial: hexInteger(tstInfo.serialNumber.valueBlock.valueHexView),
    policy: tstInfo.policy,
    ...(tstInfo.accuracy && { accuracyMs: (tstInfo.accuracy.seconds ?? 0) * 1000 + (tstInfo.accuracy.millis ?? 0) + (tstInfo.accuracy.micros ?? 0) / 1000 }),
    ...(tstInfo.tsa && { tsaName: formatGeneralName(tstInfo.tsa) }),
    imprintAlgorithm: digestName(tstInfo.messageImprint.hashAlgorithm.algorithmId),
    imprint: Buffer.from(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView),
    ...(tstInfo.nonce && { nonce: unsignedBytes(tstInfo.nonce.valueBlock.valueHexView) }),
    certificates: signedDataCertificates(tokenInfo.content),
  };
  return { parsed, signedData, tstInfoBytes };
}

/** The fields of a TimeStampResp; throws TsaError 'malformed' on bytes that are not one. */
export function parseTimestampResponse(der: Uint8Array, source?: string): ParsedTimestamp {
  return decodeTimestampResponse(der, source).parsed;
}

/** The TimeStampToken (ContentInfo DER) of a granted response; TsaError otherwise. */
export function tokenFromResponse(der: Uint8Array, source?: string): Buffer {
  const parsed = parseTimestampResponse(der, source);
  if (!parsed.token) {
    const from = source ? ` from ${source}` : '';
    throw new TsaError(
      'rejected',
      source,
      `The time-stamp reply${from} carries no token: status ${PKI_STATUS[parsed.status] ?? parsed.status}` +
        `${parsed.statusText ? ` (${parsed.statusText})` : ''}.`,
    );
  }
  return parsed.token;
}
