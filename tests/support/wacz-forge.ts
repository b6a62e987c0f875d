// Forged WACZ files, made as an attacker would: entries read, edited, and written back into a
// well-formed ZIP (fresh CRC-32s), so that only the hashes and the signature can tell.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import archiver from 'archiver';
import { readZipEntries } from './test-site.js';

export type Entries = Map<string, Buffer>;

export async function readWacz(path: string): Promise<Entries> {
  return new Map([...(await readZipEntries(path))].map(([name, entry]) => [name, entry.data]));
}

export function writeWacz(path: string, entries: Entries): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    const zip = archiver('zip', { store: true });
    out.on('close', () => resolve());
    out.on('error', reject);
    zip.on('error', reject);
    zip.pipe(out);
    for (const [name, data] of entries) zip.append(data, { name, store: true });
    void zip.finalize();
  });
}

export const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Flips one bit of the WARC's `at`-th byte (default: the middle). */
export function flipWarcByte(entries: Entries, at?: number): string {
  const name = [...entries.keys()].find((n) => n.startsWith('archive/'))!;
  const warc = Buffer.from(entries.get(name)!);
  const index = at ?? Math.floor(warc.length / 2);
  warc[index] = warc[index]! ^ 0x01;
  entries.set(name, warc);
  return name;
}

/** datapackage.json's resource hashes recomputed and the digest's hash too (signedData left alone). */
export function rehash(entries: Entries): void {
  const datapackage = JSON.parse(entries.get('datapackage.json')!.toString('utf8')) as { resources: { path: string; hash: string; bytes: number }[] };
  for (const resource of datapackage.resources) {
    const data = entries.get(resource.path)!;
    resource.hash = sha(data);
    resource.bytes = data.length;
  }
  const bytes = Buffer.from(JSON.stringify(datapackage, null, 2));
  entries.set('datapackage.json', bytes);
  const digest = JSON.parse(entries.get('datapackage-digest.json')!.toString('utf8')) as Record<string, unknown>;
  digest['hash'] = sha(bytes);
  entries.set('datapackage-digest.json', Buffer.from(JSON.stringify(digest, null, 2)));
}

export function attackerKey(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return { privateKey, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

/** Re-signs the digest's hash with another P-384 key, as ArchiveWeb.page would sign (wacz-auth anonymous form). */
export function resign(entries: Entries, key: { privateKey: KeyObject; publicKey: string }): void {
  const digest = JSON.parse(entries.get('datapackage-digest.json')!.toString('utf8')) as Record<string, unknown>;
  const hash = String(digest['hash']);
  const signature = sign('sha256', Buffer.from(hash), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64');
  digest['signedData'] = { ...(digest['signedData'] as object), hash, signature, publicKey: key.publicKey };
  delete digest['signatureTimestamp'];
  entries.set('datapackage-digest.json', Buffer.from(JSON.stringify(digest, null, 2)));
}

export function editDigest(entries: Entries, edit: (digest: Record<string, unknown>) => void): void {
  const digest = JSON.parse(entries.get('datapackage-digest.json')!.toString('utf8')) as Record<string, unknown>;
  edit(digest);
  entries.set('datapackage-digest.json', Buffer.from(JSON.stringify(digest, null, 2)));
}
