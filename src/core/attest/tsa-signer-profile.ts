// Is the token's signer a time-stamping certificate at all? RFC 3161 §2.3:
//   "The TSA MUST sign each time-stamp message with a key reserved specifically for that
//    purpose. ... The corresponding certificate MUST contain only one instance of the extended
//    key usage field extension ... with KeyPurposeID having value: id-kp-timeStamping. This
//    extension MUST be critical."
// Without this rule any TLS server certificate under a trusted root could mint "time-stamps".
//
// keyUsage, when present, must be digitalSignature and/or nonRepudiation and nothing else: a key
// "reserved specifically" for time-stamping signs nothing but tokens. This is also exactly what
// `openssl ts -verify` enforces (check_purpose_timestamp_sign), the check VERIFY.md tells a
// reader to run, so our verdict and openssl's agree.
//
// A signer that is also a CA (basicConstraints cA=TRUE) is NOT refused for that alone: RFC 3161
// does not forbid it and openssl accepts it; the critical timeStamping-only EKU and the keyUsage
// rule above already exclude a general-purpose CA certificate (keyCertSign would be an extra bit).

import type * as pkijs from 'pkijs';
import { extendedKeyUsage, extensionProblem, keyUsage, OID_KP_TIME_STAMPING, purposeName } from './tsa-cert-extensions.js';
import { formatDistinguishedName } from './tsa-names.js';

const EKU_RULE = 'RFC 3161 §2.3 requires critical timeStamping only';
const SIGNING_BITS = new Set(['digitalSignature', 'nonRepudiation']);

/** Why this certificate may not sign time-stamp tokens, or undefined when it may. */
export function signerProfileProblem(signer: pkijs.Certificate): string | undefined {
  const who = `the signer ${formatDistinguishedName(signer.subject)}`;
  const notTsa = `${who} is not a time-stamping certificate`;

  const general = extensionProblem(signer);
  if (general) return `${who} cannot be used: ${general}`;

  const eku = extendedKeyUsage(signer);
  if (!eku) return `${notTsa}: it has no extendedKeyUsage, ${EKU_RULE}`;
  if (!eku.value) return `${notTsa}: its extendedKeyUsage cannot be decoded, ${EKU_RULE}`;
  if (eku.value.length !== 1 || eku.value[0] !== OID_KP_TIME_STAMPING) {
    return `${notTsa}: its extendedKeyUsage is ${eku.value.map(purposeName).join(', ')}, ${EKU_RULE}`;
  }
  if (!eku.critical) return `${notTsa}: its extendedKeyUsage timeStamping is not marked critical, ${EKU_RULE}`;

  const ku = keyUsage(signer);
  if (ku && !ku.value) return `${who} may not sign time-stamps: its keyUsage cannot be decoded`;
  if (ku?.value) {
    const signing = ku.value.some((bit) => SIGNING_BITS.has(bit));
    const other = ku.value.filter((bit) => !SIGNING_BITS.has(bit));
    if (!signing || other.length > 0) {
      return `${who} may not sign time-stamps: its keyUsage is ${ku.value.join(', ') || 'empty'}; a key reserved for time-stamping ` +
        '(RFC 3161 §2.3) allows digitalSignature and/or nonRepudiation only, as openssl ts -verify checks';
    }
  }
  return undefined;
}
