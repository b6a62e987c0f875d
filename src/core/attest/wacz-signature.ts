import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * The anonymous `signedData` of wacz-auth 0.1.0 (specs.webrecorder.net/wacz-auth/0.1.0/,
 * "Signature Data Format" → "Anonymous Signature"): exactly these six properties, since the spec
 * says signedData "MUST not contain any property that is not listed".
 */
export interface AnonymousSignedData {
  /** The `hash` of datapackage-digest.json: "sha256:" + hex SHA-256 of datapackage.json. */
  readonly hash: string;
  readonly created: string;
  readonly software: string;
  readonly version: string;
  /** Base64 ECDSA signature, IEEE P1363 (r‖s), over the UTF-8 bytes of `hash` with SHA-256. */
  readonly signature: string;
  /** Base64 DER SubjectPublicKeyInfo of the P-384 key. */
  readonly publicKey: string;
}

/** The spec version this signature follows (its `version`). */
export const WACZ_AUTH_VERSION = '0.1.0';

/**
 * Signs as ReplayWeb.page verifies (wabac src/wacz/certutils.ts): WebCrypto ECDSA with SHA-256
 * over `new TextEncoder().encode(hash)`, so the message is the hash *string*, and WebCrypto
 * signatures are P1363 (r‖s), not DER.
 */
export function signDatapackageHash(hash: string, key: { privateKey: KeyObject; publicKey: string }, created: Date, software: string): AnonymousSignedData {
  const signature = sign('sha256', Buffer.from(hash, 'utf8'), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return { hash, created: created.toISOString(), software, version: WACZ_AUTH_VERSION, signature: signature.toString('base64'), publicKey: key.publicKey };
}

/** Why a signedData does not verify, or undefined when its signature is good for its own hash. */
export function signedDataProblem(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return 'signedData is not an object';
  const record = data as Record<string, unknown>;
  for (const field of ['hash', 'signature', 'publicKey'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') return `signedData has no ${field}`;
  }
  if ('domain' in record || 'domainCert' in record) return 'signedData is in the domain-certificate form, which Proofline does not write or check';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(record['publicKey'] as string, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return 'signedData.publicKey is not a DER public key';
  }
  // ReplayWeb.page imports the anonymous key as P-384 only; anything else it cannot check.
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') return 'signedData.publicKey is not an ECDSA P-384 key';
  const signature = Buffer.from(record['signature'] as string, 'base64');
  const ok = verify('sha256', Buffer.from(record['hash'] as string, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, signature);
  return ok ? undefined : 'the signature does not verify with signedData.publicKey';
}

/** SHA-256 (hex) of a base64 DER SubjectPublicKeyInfo: how a signer key is named in reports. */
export function publicKeyId(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex');
}

/**
 * The digest an RFC 3161 timestamp over a WACZ covers: SHA-256 of the decoded signature bytes.
 * As the spec's signed form does (`timeSignature`, "signature of 'signature'"), the token is over
 * the signature, which covers the hash, which covers datapackage.json and every file it lists.
 */
export function signatureImprint(signature: string): Buffer {
  return createHash('sha256').update(Buffer.from(signature, 'base64')).digest();
}
