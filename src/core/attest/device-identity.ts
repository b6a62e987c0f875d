import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../store/hashing.js';
import { ProoflineError } from '../errors.js';

export interface DeviceIdentity {
  /** SHA-256 of the DER SubjectPublicKeyInfo: the device's name in every checkpoint. */
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly certificatePem: string;
  /** The private key's file. */
  readonly keyPath: string;
  /** Where the private key is kept, and how it is protected, in words a user can check. */
  readonly keyStorage: string;
  sign(data: Uint8Array): Buffer;
}

const KEY_FILE = 'device-key.pem';
const CERT_FILE = 'device-cert.pem';

/**
 * The device's Ed25519 identity, created on first run. The private key is a PKCS#8 file readable
 * only by its owner (0600). That is all the protection this build gives: no OS keychain is used,
 * because the CLI and the app must share the key and a keychain would need a native module.
 * README.md and Settings say so plainly.
 */
export async function loadOrCreateDeviceIdentity(dir: string, now: () => Date = () => new Date()): Promise<DeviceIdentity> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, KEY_FILE);
  const certPath = join(dir, CERT_FILE);
  if (!existsSync(keyPath)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      // 'wx': two processes starting at once must not each create (and half-overwrite) a key.
      writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const privateKey = createPrivateKey(readFileSync(keyPath));
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new ProoflineError('device.key-invalid', `The device key ${keyPath} is not an Ed25519 key. Move it aside to let Proofline create a new one.`, { path: keyPath });
  }
  chmodSync(keyPath, 0o600);
  const publicKey = createPublicKey(privateKey);
  if (!existsSync(certPath)) {
    const pem = await selfSignedCertificate(privateKey, publicKey, now());
    try {
      writeFileSync(certPath, pem, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const certificatePem = readFileSync(certPath, 'utf8');
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = sha256Hex(spki);
  if (certificateKey(certificatePem).keyId !== keyId) {
    throw new ProoflineError('device.cert-mismatch', `The device certificate ${certPath} does not match the device key. Remove the certificate to have it re-issued.`, { path: certPath });
  }
  return {
    keyId,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    certificatePem,
    keyPath,
    keyStorage: `${keyPath} (file readable only by its owner, not hardware-protected)`,
    sign: (data) => sign(null, data, privateKey),
  };
}

async function selfSignedCertificate(privateKey: KeyObject, publicKey: KeyObject, notBefore: Date): Promise<string> {
  // Loaded here, once per device: @peculiar/x509 (and the reflect-metadata it needs first) took
  // 0.2–0.5 s to load, paid by every command that imports this file for certificateKey, such as
  // `proofline export`, which signs nothing (bench/README.md).
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  const webcrypto = globalThis.crypto;
  const algorithm = { name: 'Ed25519' };
  const keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), algorithm, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), algorithm, true, ['verify']),
  };
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 30);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'),
      name: `CN=Proofline device ${hostname().replace(/[,=+<>#;"\\]/g, '_')}, O=Proofline`,
      notBefore,
      notAfter,
      signingAlgorithm: algorithm,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ],
    },
    webcrypto,
  );
  return cert.toString('pem');
}

/** Ed25519 check against a PEM public key, as `openssl pkeyutl -verify -rawin` does. */
export function verifyDeviceSignature(publicKeyPem: string, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, data, createPublicKey(publicKeyPem), signature);
  } catch {
    return false;
  }
}

/** A certificate's public key as PEM, and its key id: SHA-256 of the DER SubjectPublicKeyInfo. */
export function certificateKey(certificatePem: string): { keyId: string; publicKeyPem: string } {
  const key = new X509Certificate(certificatePem).publicKey;
  return {
    keyId: sha256Hex(key.export({ type: 'spki', format: 'der' })),
    publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
