import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateDeviceIdentity } from '../../src/core/attest/device-identity.js';
import { EKU_DOCUMENT_SIGNING, loadOrCreateC2paSigningKey } from '../../src/core/provenance/c2pa-signing-key.js';

const root = mkdtempSync(join(tmpdir(), 'proofline-c2pa-key-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A separate Node process that loads (or creates) the device's C2PA key and prints its key id. */
function keyIdFromAnotherProcess(dir: string): Promise<string> {
  const script = `
    const { loadOrCreateDeviceIdentity } = await import(${JSON.stringify(resolve('src/core/attest/device-identity.ts'))});
    const { loadOrCreateC2paSigningKey } = await import(${JSON.stringify(resolve('src/core/provenance/c2pa-signing-key.ts'))});
    const key = await loadOrCreateC2paSigningKey(await loadOrCreateDeviceIdentity(${JSON.stringify(dir)}));
    process.stdout.write(key.keyId);`;
  return new Promise((done, fail) => execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], (error, stdout, stderr) => (error ? fail(new Error(stderr)) : done(stdout))));
}

describe('the C2PA signing key beside the device key', () => {
  it('is created once, even when two processes start at once, readable only by its owner', { timeout: 120_000 }, async () => {
    const dir = join(root, 'race');
    await loadOrCreateDeviceIdentity(dir);
    const ids = await Promise.all([keyIdFromAnotherProcess(dir), keyIdFromAnotherProcess(dir), keyIdFromAnotherProcess(dir)]);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(statSync(join(dir, 'c2pa-key.pem')).mode & 0o777).toBe(0o600);
    expect((await loadOrCreateC2paSigningKey(await loadOrCreateDeviceIdentity(dir))).keyId).toBe(ids[0]);
  });

  it('has a certificate fit for C2PA 2.1 §14.5.1, issued by the device key, and re-issued after the device is re-keyed', async () => {
    const dir = join(root, 'profile');
    const device = await loadOrCreateDeviceIdentity(dir);
    const key = await loadOrCreateC2paSigningKey(device);
    const cert = new X509Certificate(key.certificateDer);
    const deviceCert = new X509Certificate(device.certificatePem);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual([EKU_DOCUMENT_SIGNING]);
    expect(cert.issuer).toBe(deviceCert.subject);
    expect(cert.verify(deviceCert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // The extensions the profile asks for, as OpenSSL reads them: critical key usage
    // digitalSignature only, an end entity, an Authority Key Identifier (c2pa-rs refuses a signer without one).
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: cert.toString(), encoding: 'utf8' });
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Authority Key Identifier:/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+1\.3\.6\.1\.5\.5\.7\.3\.36\n/);
    expect(text).toMatch(/Signature Algorithm: ED25519/);

    // Another device key (moved aside and recreated): the old certificate no longer verifies, a new one is issued.
    rmSync(join(dir, 'device-key.pem'));
    rmSync(join(dir, 'device-cert.pem'));
    const rekeyed = await loadOrCreateDeviceIdentity(dir);
    const again = await loadOrCreateC2paSigningKey(rekeyed);
    expect(again.keyId).toBe(key.keyId);
    expect(new X509Certificate(again.certificateDer).verify(new X509Certificate(rekeyed.certificatePem).publicKey)).toBe(true);
    expect(new X509Certificate(again.certificateDer).verify(deviceCert.publicKey)).toBe(false);
  });
});
