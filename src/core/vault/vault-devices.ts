// The fleet's device certificates in the vault (PREFIX/devices/<key id>.pem): put by the first
// push of an archive a device captured, locked as archives are, so a lawyer can see which
// machine captured what and check its signatures against a certificate no one could replace.
import { X509Certificate } from 'node:crypto';
import type { VaultDevice } from '../../shared/views.js';
import { certificateKey } from '../attest/device-identity.js';
import { DEVICES, ask, type VaultContext } from './vault-context.js';
import { deviceKey, retainUntilOf, storedObject } from './vault-objects.js';
import { retentionOf } from './vault-init.js';

const MAX_CERT_BYTES = 64 << 10;

export async function putDeviceCertificate(vault: VaultContext, device: { keyId: string; certificatePem: string }, signal?: AbortSignal, retention?: { days: number; mode: 'COMPLIANCE' | 'GOVERNANCE' }): Promise<void> {
  const key = deviceKey(vault, device.keyId);
  if ((await storedObject(vault, key)) !== null) return;
  retention ??= await retentionOf(vault);
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  await ask(vault, { action: 'upload of the device certificate', key }, () =>
    vault.client.send(
      new PutObjectCommand({
        Bucket: vault.location.bucket,
        Key: key,
        Body: Buffer.from(device.certificatePem, 'utf8'),
        ContentType: 'application/x-pem-file',
        ObjectLockMode: retention.mode,
        ObjectLockRetainUntilDate: retainUntilOf(retention.days),
      }),
      { abortSignal: signal },
    ),
  );
}

/** The device certificates in the vault, each named by the key id its certificate really holds. */
export async function listDevices(vault: VaultContext): Promise<VaultDevice[]> {
  const { GetObjectCommand, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const prefix = `${vault.location.prefix}${DEVICES}`;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await ask(vault, { action: 'listing of devices' }, () => vault.client.send(new ListObjectsV2Command({ Bucket: vault.location.bucket, Prefix: prefix, ContinuationToken: token })));
    for (const object of page.Contents ?? []) if (object.Key?.endsWith('.pem') && (object.Size ?? 0) <= MAX_CERT_BYTES) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const devices: VaultDevice[] = [];
  for (const key of keys) {
    const answer = await ask(vault, { action: 'download of a device certificate', key }, () => vault.client.send(new GetObjectCommand({ Bucket: vault.location.bucket, Key: key })));
    const certificatePem = (await answer.Body?.transformToString('utf8')) ?? '';
    try {
      // The key id is computed from the certificate, never taken from the object's name.
      devices.push({ keyId: certificateKey(certificatePem).keyId, subject: new X509Certificate(certificatePem).subject.replace(/\n/g, ', '), certificatePem, key });
    } catch {
      devices.push({ keyId: '', subject: `(not a certificate: ${key})`, certificatePem: '', key });
    }
  }
  return devices;
}
