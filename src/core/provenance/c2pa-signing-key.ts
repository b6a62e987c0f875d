// The key that signs Content Credentials: ECDSA P-256 (C2PA 2.1 §13.2 "ES256"), kept beside the
// device key, with a certificate issued by the device's Ed25519 key. Why not the device key
// itself: the C2PA certificate profile (§14.5.1; c2pa-rs `check_certificate_profile`) refuses a
// self-signed signer and asks for an end-entity certificate with an Authority Key Identifier,
// key usage digitalSignature and an allowed EKU — the device certificate is none of these. Issued
// by the device key, the C2PA certificate names the device certificate's subject as its issuer
// and verifies under the device's public key: whoever holds the device's archives (which carry
// proofline/device-cert.pem) can check that the published image was signed on that device.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DeviceIdentity } from '../attest/device-identity.js';
import { sha256Hex } from '../store/hashing.js';

export interface C2paSigningKey {
  readonly privateKey: KeyObject;
  /** DER of the C2PA signing certificate, issued by the device certificate's subject. */
  readonly certificateDer: Buffer;
  readonly deviceCertificateDer: Buffer;
  /** SHA-256 of the C2PA key's SubjectPublicKeyInfo. */
  readonly keyId: string;
  readonly deviceKeyId: string;
}

const KEY_FILE = 'c2pa-key.pem';
const CERT_FILE = 'c2pa-cert.pem';
/** id-kp-documentSigning (RFC 9336), one of the EKUs C2PA 2.1 §14.5.1 allows for claim signers. */
export const EKU_DOCUMENT_SIGNING = '1.3.6.1.5.5.7.3.36';

/**
 * Writes `contents` to `path` only if no file is there, never half-written: written to a private
 * temporary file first, then hard-linked into place (link fails if the name exists). Two processes
 * starting at once both end up reading the one file that won.
 */
function createOnce(path: string, contents: string, mode: number): void {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, contents, { flag: 'wx', mode });
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
}

export async function loadOrCreateC2paSigningKey(device: DeviceIdentity, now: () => Date = () => new Date()): Promise<C2paSigningKey> {
  const dir = dirname(device.keyPath);
  const keyPath = join(dir, KEY_FILE);
  const certPath = join(dir, CERT_FILE);
  createOnce(keyPath, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
  chmodSync(keyPath, 0o600);
  const privateKey = createPrivateKey(readFileSync(keyPath));
  const deviceCert = new X509Certificate(device.certificatePem);
  const issued = (): X509Certificate | null => {
    try {
      const cert = new X509Certificate(readFileSync(certPath));
      // Issued by this device key, for this key, and still valid: else it is issued again.
      const ok = cert.verify(deviceCert.publicKey) && cert.publicKey.export({ type: 'spki', format: 'der' }).equals(createSpki(privateKey)) && new Date(cert.validTo) > now();
      return ok ? cert : null;
    } catch {
      return null;
    }
  };
  let certificate = issued();
  if (!certificate) {
    const pem = await issueCertificate(device, privateKey, now());
    try {
      unlinkSync(certPath);
    } catch {
      // none yet
    }
    createOnce(certPath, pem, 0o644);
    certificate = issued();
    if (!certificate) throw new Error(`${certPath} does not hold a certificate issued by the device key for ${keyPath}`);
  }
  return {
    privateKey,
    certificateDer: certificate.raw,
    deviceCertificateDer: deviceCert.raw,
    keyId: sha256Hex(createSpki(privateKey)),
    deviceKeyId: device.keyId,
  };
}

function createSpki(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
}

async function issueCertificate(device: DeviceIdentity, privateKey: KeyObject, notBefore: Date): Promise<string> {
  const webcrypto = globalThis.crypto;
  const ec = { name: 'ECDSA', namedCurve: 'P-256' };
  const publicKey = await webcrypto.subtle.importKey('spki', createSpki(privateKey), ec, true, ['verify']);
  const deviceKey = createPrivateKey(readFileSync(device.keyPath));
  const issuerKey = await webcrypto.subtle.importKey('pkcs8', deviceKey.export({ type: 'pkcs8', format: 'der' }), { name: 'Ed25519' }, false, ['sign']);
  const issuer = new x509.X509Certificate(device.certificatePem);
  // Backdated a minute: a reader whose clock is a little behind ours must not see it "not yet valid".
  const from = new Date(notBefore.getTime() - 60_000);
  const notAfter = new Date(from);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 10);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'),
      issuer: issuer.subject,
      subject: issuer.subject.replace(/^CN=Proofline device/, 'CN=Proofline Content Credentials signer of device'),
      notBefore: from,
      notAfter,
      signingAlgorithm: { name: 'Ed25519' },
      publicKey,
      signingKey: issuerKey,
      // C2PA 2.1 §14.5.1: an end entity (cA false), key usage digitalSignature (critical), an
      // allowed EKU and no anyExtendedKeyUsage, an Authority Key Identifier.
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([EKU_DOCUMENT_SIGNING], false),
        await x509.AuthorityKeyIdentifierExtension.create(issuer, false, webcrypto),
        await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return cert.toString('pem');
}
