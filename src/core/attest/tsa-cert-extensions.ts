// The X.509 extensions the TSA path rules depend on (RFC 5280 §4.2), read from the extension's
// own bytes. pkijs parses them too, but fills in what a certificate did not say (its
// BasicConstraints reports pathLenConstraint 0 when there is none), and a limit that is absent
// must not be read as "no intermediates allowed", nor the reverse.

import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';

export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_KEY_USAGE = '2.5.29.15';
export const OID_EXT_KEY_USAGE = '2.5.29.37';
export const OID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

// Extensions this verifier understands well enough to accept when marked critical
// (RFC 5280 §4.2: a certificate with a critical extension the verifier does not process must be
// rejected). certificatePolicies is among them: with no policy asked for and no policyConstraints
// (which stays on the reject list), RFC 5280 §6.1 path processing can never fail on policies.
// nameConstraints, policyConstraints, policyMappings and inhibitAnyPolicy are NOT processed here,
// so a path that marks them critical is refused rather than half-checked.
const PROCESSED = new Set([
  OID_BASIC_CONSTRAINTS,
  OID_KEY_USAGE,
  OID_EXT_KEY_USAGE,
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.17', // subjectAltName
  '2.5.29.18', // issuerAltName
  '2.5.29.32', // certificatePolicies
  '2.5.29.31', // cRLDistributionPoints: revocation is not checked either way
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess: likewise
]);

// RFC 5280 §4.2.1.3, bit 0 first.
const KEY_USAGE_BITS = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
  'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGE_BITS)[number];

// RFC 5280 §4.2.1.12.
const PURPOSE_NAMES: Record<string, string> = {
  '2.5.29.37.0': 'anyExtendedKeyUsage',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  [OID_KP_TIME_STAMPING]: 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

export const purposeName = (oid: string): string => PURPOSE_NAMES[oid] ?? oid;

/** An extension as found: `value` is undefined when its bytes do not decode as the RFC says. */
export interface FoundExtension<T> {
  readonly critical: boolean;
  readonly value: T | undefined;
}

export interface BasicConstraints {
  readonly cA: boolean;
  /** Absent when the certificate sets no limit. */
  readonly pathLen?: number;
}

function decode(extension: pkijs.Extension): asn1js.AsnType | undefined {
  const bytes = extension.extnValue.valueBlock.valueHexView;
  const asn1 = asn1js.fromBER(bytes);
  return asn1.offset === bytes.byteLength ? asn1.result : undefined;
}

function find<T>(cert: pkijs.Certificate, oid: string, read: (value: asn1js.AsnType) => T | undefined): FoundExtension<T> | undefined {
  const extension = cert.extensions?.find((e) => e.extnID === oid);
  if (!extension) return undefined;
  const asn1 = decode(extension);
  let value: T | undefined;
  try {
    value = asn1 && read(asn1);
  } catch {
    value = undefined; // a hostile encoding is "unreadable", never a crash
  }
  return { critical: extension.critical, value };
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
export function basicConstraints(cert: pkijs.Certificate): FoundExtension<BasicConstraints> | undefined {
  return find(cert, OID_BASIC_CONSTRAINTS, (asn1) => {
    if (!(asn1 instanceof asn1js.Sequence)) return undefined;
    let cA = false;
    let pathLen: number | undefined;
    for (const field of asn1.valueBlock.value) {
      if (field instanceof asn1js.Boolean) cA = field.valueBlock.value;
      else if (field instanceof asn1js.Integer && field.valueBlock.valueDec >= 0) pathLen = field.valueBlock.valueDec;
      else return undefined;
    }
    return { cA, ...(pathLen !== undefined && { pathLen }) };
  });
}

/** KeyUsage ::= BIT STRING: the names of the bits set. */
export function keyUsage(cert: pkijs.Certificate): FoundExtension<KeyUsageName[]> | undefined {
  return find(cert, OID_KEY_USAGE, (asn1) => {
    if (!(asn1 instanceof asn1js.BitString)) return undefined;
    const bytes = asn1.valueBlock.valueHexView;
    return KEY_USAGE_BITS.filter((_, bit) => ((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1);
  });
}

/** ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId: the purpose OIDs. */
export function extendedKeyUsage(cert: pkijs.Certificate): FoundExtension<string[]> | undefined {
  return find(cert, OID_EXT_KEY_USAGE, (asn1) => {
    if (!(asn1 instanceof asn1js.Sequence) || asn1.valueBlock.value.length === 0) return undefined;
    const purposes = asn1.valueBlock.value.map((p) => (p instanceof asn1js.ObjectIdentifier ? p.valueBlock.toString() : undefined));
    return purposes.every((p): p is string => p !== undefined) ? purposes : undefined;
  });
}

/**
 * What makes a certificate unusable whatever its place in the path: an extension given twice
 * (RFC 5280 §4.2: a reader could pick either copy, so an attacker would add a second, benign-
 * looking one), or a critical extension this verifier does not process. Undefined when neither.
 */
export function extensionProblem(cert: pkijs.Certificate): string | undefined {
  const seen = new Set<string>();
  for (const extension of cert.extensions ?? []) {
    if (seen.has(extension.extnID)) return `it carries extension ${extension.extnID} twice (RFC 5280 §4.2 allows one)`;
    seen.add(extension.extnID);
    if (extension.critical && !PROCESSED.has(extension.extnID)) {
      return `it has a critical extension ${extension.extnID} this verifier does not process (RFC 5280 §4.2 requires refusing it)`;
    }
  }
  return undefined;
}
