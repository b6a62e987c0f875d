// Readable renderings of the ASN.1 values a time-stamp carries: names, integers, algorithms.

import type * as pkijs from 'pkijs';

// RFC 4514 §3 short names, plus the ones Chinese and EU TSAs put in their subjects.
const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

const DIGEST_NAMES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.156.10197.1.401': 'sm3',
};

export function digestName(oid: string): string {
  return DIGEST_NAMES[oid] ?? oid;
}

/** "CN=Example TSA, O=Example" — most specific first, as RFC 4514 §2.1 orders a DN. */
export function formatDistinguishedName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((atv) => {
      const label = ATTRIBUTE_NAMES[atv.type] ?? atv.type;
      const block = atv.value.valueBlock as { value?: unknown };
      const text = typeof block.value === 'string' ? block.value : Buffer.from(atv.value.valueBeforeDecodeView).toString('hex');
      return `${label}=${text}`;
    })
    .reverse()
    .join(', ');
}

/** GeneralName (RFC 5280 §4.2.1.6) as text; the TSTInfo `tsa` field is one (RFC 3161 §2.4.2). */
export function formatGeneralName(name: pkijs.GeneralName): string {
  switch (name.type) {
    case 1: // rfc822Name
    case 2: // dNSName
    case 6: // uniformResourceIdentifier
      return String(name.value);
    case 4: // directoryName
      return formatDistinguishedName(name.value as pkijs.RelativeDistinguishedNames);
    default:
      return `GeneralName[${name.type}]`;
  }
}

/** An INTEGER's content bytes without the sign-padding zero(s): the value as unsigned bytes. */
export function unsignedBytes(integerBytes: Uint8Array): Buffer {
  let start = 0;
  while (start < integerBytes.length - 1 && integerBytes[start] === 0) start++;
  return Buffer.from(integerBytes.subarray(start));
}

/** "0x02", "0x83A75686A1A80239": how `openssl ts -reply -text` prints serials and nonces. */
export function hexInteger(bytes: Uint8Array): string {
  return `0x${unsignedBytes(bytes).toString('hex').toUpperCase()}`;
}

/**
 * A TSA URL as it may be written into evidence and shown: without the user name and password a
 * commercial TSA's URL can carry (https://user:secret@tsa.example/), which must never reach an
 * archive or a log.
 */
export function publicTsaUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** `text` with every credentialed form of `url` replaced by its public form. */
export function withoutCredentials(text: string, url: string): string {
  const safe = publicTsaUrl(url);
  return safe === url ? text : text.split(url).join(safe);
}

// SignerInfo.signatureAlgorithm values (RFC 3370 §3, RFC 5754 §3, RFC 4056, GM/T 0006) and the
// family they name; for the plain key OIDs the digest comes from SignerInfo.digestAlgorithm.
const SIGNATURE_FAMILIES: Record<string, { readonly family: string; readonly digest?: string }> = {
  '1.2.840.113549.1.1.1': { family: 'RSA' },
  '1.2.840.113549.1.1.5': { family: 'RSA', digest: 'SHA-1' },
  '1.2.840.113549.1.1.11': { family: 'RSA', digest: 'SHA-256' },
  '1.2.840.113549.1.1.12': { family: 'RSA', digest: 'SHA-384' },
  '1.2.840.113549.1.1.13': { family: 'RSA', digest: 'SHA-512' },
  '1.2.840.113549.1.1.10': { family: 'RSA-PSS' },
  '1.2.840.10045.2.1': { family: 'ECDSA' },
  '1.2.840.10045.4.1': { family: 'ECDSA', digest: 'SHA-1' },
  '1.2.840.10045.4.3.2': { family: 'ECDSA', digest: 'SHA-256' },
  '1.2.840.10045.4.3.3': { family: 'ECDSA', digest: 'SHA-384' },
  '1.2.840.10045.4.3.4': { family: 'ECDSA', digest: 'SHA-512' },
  '1.2.156.10197.1.301': { family: 'SM2', digest: 'SM3' },
  '1.2.156.10197.1.301.1': { family: 'SM2', digest: 'SM3' },
  '1.2.156.10197.1.501': { family: 'SM2', digest: 'SM3' },
};

const DIGEST_LABELS: Record<string, string> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512', sm3: 'SM3' };

/** "RSA with SHA-256", "ECDSA with SHA-384", "SM2 with SM3": how a person names a signature. */
export function signatureAlgorithmName(signatureOid: string, digestOid: string): string {
  const known = SIGNATURE_FAMILIES[signatureOid];
  const digest = known?.digest ?? DIGEST_LABELS[digestName(digestOid)] ?? digestOid;
  return `${known?.family ?? signatureOid} with ${digest}`;
}
