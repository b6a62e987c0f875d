import { createHash, X509Certificate } from 'node:crypto';
import { ProoflineError } from '../../errors.js';

/**
 * base64(SHA-256(SubjectPublicKeyInfo)) of a certificate: the form Chromium's
 * --ignore-certificate-errors-spki-list takes, and HPKP's pin-sha256.
 */
export function spkiHashOfPem(pem: string): string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (error) {
    throw new ProoflineError('ca-root.invalid', `An extra CA root is not a PEM certificate (${(error as Error).message}): pass the root's .pem file.`, {}, { cause: error });
  }
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
