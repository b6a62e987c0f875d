import { chmodSync, existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../store/hashing.js';
import { ProoflineError } from '../errors.js';
import type { DeviceIdentity } from './device-identity.js';

/**
 * The key that signs a web capture's WACZ (wacz-auth 0.1.0, "Anonymous Signature"): ECDSA on
 * P-384, kept beside the device key. Why not the device key: it is Ed25519, and the spec's
 * anonymous form carries an ECDSA key. Why P-384 and not P-256: ReplayWeb.page (wabac
 * src/wacz/certutils.ts, verifyWACZSignature) imports the anonymous `publicKey` with
 * `namedCurve: 'P-384'`, and WebCrypto refuses any other curve there ("Named curve mismatch"),
 * so a P-256 signature would never be shown as signed. ArchiveWeb.page signs with P-384 too.
 *
 * The key is tied to the device through the chain: every web capture event names its public key
 * (`wacz.signer`), and the chain is signed by the device's Ed25519 key at each checkpoint.
 */
export interface WaczSigningKey {
  readonly privateKey: KeyObject;
  /** Base64 of the DER SubjectPublicKeyInfo: the spec's `publicKey`. */
  readonly publicKey: string;
  /** SHA-256 (hex) of the DER SubjectPublicKeyInfo. */
  readonly keyId: string;
  readonly keyPath: string;
}

export const WACZ_KEY_FILE = 'wacz-key.pem';
export const WACZ_KEY_CURVE = 'P-384';

const loaded = new Map<string, WaczSigningKey>();

/** Loads the WACZ key beside the device key, creating it on first use (0600, created once). */
export function loadOrCreateWaczSigningKey(device: Pick<DeviceIdentity, 'keyPath'>): WaczSigningKey {
  const keyPath = join(dirname(device.keyPath), WACZ_KEY_FILE);
  const cached = loaded.get(keyPath);
  if (cached && existsSync(keyPath)) return cached;
  if (!existsSync(keyPath)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: WACZ_KEY_CURVE });
    // Two processes starting at once must end with one key, and neither may read the other's
    // half-written file: each writes its own temporary file ('wx', 0600), and link() publishes
    // one whole; the loser's link fails with EEXIST and it reads the winner's key.
    const temporary = `${keyPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
    try {
      linkSync(temporary, keyPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  }
  chmodSync(keyPath, 0o600);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(keyPath));
  } catch (error) {
    throw invalid(keyPath, error);
  }
  const details = privateKey.asymmetricKeyDetails;
  if (privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'secp384r1') throw invalid(keyPath);
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const key = { privateKey, publicKey: spki.toString('base64'), keyId: sha256Hex(spki), keyPath };
  loaded.set(keyPath, key);
  return key;
}

function invalid(keyPath: string, cause?: unknown): ProoflineError {
  return new ProoflineError(
    'wacz.key-invalid',
    `The web archive signing key ${keyPath} is not an ECDSA P-384 key. Move it aside to let Proofline create a new one.`,
    { path: keyPath },
    cause === undefined ? {} : { cause },
  );
}
