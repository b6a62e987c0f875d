import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../store/hashing.js';
import type { DeviceIdentity } from './device-identity.js';

/**
 * The key that signs the device's PDF reports: ECDSA P-256, with a certificate issued by the
 * device key. Why not the device key itself: it is Ed25519, which PDF readers do not verify yet
 * (poppler's NSS before 3.101 has no Ed25519 in CMS, so `pdfsig` on Debian 12 could not check a
 * report). A P-256 key certified by the device key keeps the chain to the archive's device
 * certificate: the report's signature names its certificate and carries the device's beside it.
 */
export interface ReportSigningKey {
  /** PKCS#8 DER of the P-256 private key. */
  readonly privateKeyPkcs8: Buffer;
  /** DER of the report certificate (issued by the device certificate's subject). */
  readonly certificateDer: Buffer;
  /** DER of the device certificate that issued it. */
  readonly deviceCertificateDer: Buffer;
  /** SHA-256 of the report key's SubjectPublicKeyInfo. */
  readonly keyId: string;
  /** The device key id (SHA-256 of its SubjectPublicKeyInfo), as in every checkpoint. */
  readonly deviceKeyId: string;
  readonly subject: string;
}

const KEY_FILE = 'report-key.pem';
const CERT_FILE = 'report-cert.pem';

/** Loads the report key beside the device key, creating it (and its certificate) on first use. */
export async function loadOrCreateReportSigningKey(device: DeviceIdentity, now: () => Date = () => new Date()): Promise<ReportSigningKey> {
  const dir = dirname(device.keyPath);
  const keyPath = join(dir, KEY_FILE);
  const certPath = join(dir, CERT_FILE);
  if (!existsSync(keyPath)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    try {
      writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(keyPath, 0o600);
  const privateKey = createPrivateKey(readFileSync(keyPath));
  const deviceCert = new X509Certificate(device.certificatePem);
  // A certificate issued by another device key (the device was re-keyed) is issued again.
  if (!existsSync(certPath) || !new X509Certificate(readFileSync(certPath)).verify(deviceCert.publicKey)) {
    writeFileSync(certPath, await issueCertificate(device, privateKey.export({ type: 'pkcs8', format: 'der' }), now()));
  }
  const certificate = new X509Certificate(readFileSync(certPath));
  return {
    privateKeyPkcs8: privateKey.export({ type: 'pkcs8', format: 'der' }),
    certificateDer: certificate.raw,
    deviceCertificateDer: deviceCert.raw,
    keyId: sha256Hex(certificate.publicKey.export({ type: 'spki', format: 'der' })),
    deviceKeyId: device.keyId,
    subject: certificate.subject.replace(/\n/g, ', '),
  };
}

async function issueCertificate(device: DeviceIdentity, reportKeyPkcs8: Buffer, notBefore: Date): Promise<string> {
  const webcrypto = globalThis.crypto;
  const ec = { name: 'ECDSA', namedCurve: 'P-256' };
  const reportPrivate = await webcrypto.subtle.importKey('pkcs8', reportKeyPkcs8, ec, true, ['sign']);
  const jwk = await webcrypto.subtle.exportKey('jwk', reportPrivate);
  const reportPublic = await webcrypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, ec, true, ['verify']);
  const deviceKey = createPrivateKey(readFileSync(device.keyPath));
  const issuerKey = await webcrypto.subtle.importKey('pkcs8', deviceKey.export({ type: 'pkcs8', format: 'der' }), { name: 'Ed25519' }, false, ['sign']);
  const issuer = new x509.X509Certificate(device.certificatePem);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 30);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'),
      issuer: issuer.subject,
      subject: issuer.subject.replace(/^CN=Proofline device/, 'CN=Proofline report signer of device'),
      notBefore,
      notAfter,
      signingAlgorithm: { name: 'Ed25519' },
      publicKey: reportPublic,
      signingKey: issuerKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        // digitalSignature + nonRepudiation (contentCommitment): a signature on a document.
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
        await x509.AuthorityKeyIdentifierExtension.create(issuer, false, webcrypto),
        await x509.SubjectKeyIdentifierExtension.create(reportPublic, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return cert.toString('pem');
}
