// The team vault against a real S3 with Object Lock (the one-node Ceph gateway of
// tests/setup/services.ts): every test makes its own bucket. What a law firm relies on: the
// bucket refuses to lose or shorten an archive, a push is recorded as what the store answered,
// a pull is the same bytes or nothing.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proofline } from '../../src/core/proofline.js';
import { initVault, listVault, openVault, pullFromVault, pushesOf, pushToVault, recordedPushes, setLegalHold, type VaultContext } from '../../src/core/vault/vault.js';
import { freshBucket } from '../support/services.js';
import { openData, sealedArchive, vaultSettings, type SealedArchive } from '../support/vault-archive.js';

let dir: string;
let pl: Proofline;
let sealed: SealedArchive;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-vault-'));
  pl = openData(join(dir, 'data'));
  sealed = await sealedArchive(pl, join(dir, 'exports'));
});

afterAll(() => {
  pl.close();
  rmSync(dir, { recursive: true, force: true });
});

async function vaultOf(stem: string, patch: Parameters<typeof vaultSettings>[1] = {}): Promise<VaultContext> {
  const vault = await openVault(vaultSettings(`s3://${freshBucket(stem)}/firm`, patch));
  await initVault(vault, { retentionDays: 1, mode: 'COMPLIANCE' });
  return vault;
}

async function caught(work: () => Promise<unknown>): Promise<Error & { code?: string; params?: Record<string, unknown> }> {
  try {
    await work();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a failure, got none');
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('vault init', () => {
  it('creates a bucket with Object Lock and the default retention, and keeps it on a second init', async () => {
    const vault = await openVault(vaultSettings(`s3://${freshBucket('init')}`));
    const made = await initVault(vault, { retentionDays: 7, mode: 'COMPLIANCE' });
    expect(made).toMatchObject({ created: true, mode: 'COMPLIANCE', days: 7 });
    const again = await initVault(vault, { retentionDays: 30, mode: 'GOVERNANCE' });
    expect(again).toMatchObject({ created: false, mode: 'GOVERNANCE', days: 30, before: { mode: 'COMPLIANCE', days: 7 } });
    expect((await listVault(vault)).objectLock).toEqual({ enabled: true, mode: 'GOVERNANCE', days: 30 });
  });

  it('refuses a bucket made without Object Lock', async () => {
    const vault = await openVault(vaultSettings(`s3://${freshBucket('nolock')}`));
    await vault.client.send(new CreateBucketCommand({ Bucket: vault.location.bucket }));
    const error = await caught(() => initVault(vault, { retentionDays: 1, mode: 'COMPLIANCE' }));
    expect(error).toMatchObject({ code: 'vault.no-object-lock', params: { bucket: vault.location.bucket } });
    expect(error.message).toContain('Object Lock can only be enabled when a bucket is created');
  });
});

describe('push, list, pull', () => {
  it('pushes a sealed archive with its retention, records what the store answered, and lists it', async () => {
    const vault = await vaultOf('push');
    const before = Date.now();
    const progress: number[] = [];
    const push = await pushToVault(pl, vault, { archivePath: sealed.archive, matter: 'acme-v-copycat', sessionId: sealed.id, outcome: 'sealed', onProgress: (done) => progress.push(done) });
    expect(push.key).toBe(`firm/matters/acme-v-copycat/${sealed.id}/${sealed.archive.split('/').at(-1)}`);
    expect(push).toMatchObject({ bucket: vault.location.bucket, mode: 'COMPLIANCE', legalHold: false, sessionId: sealed.id, archiveSha256: sha256(sealed.archive), outcome: 'sealed', alreadyThere: false });
    expect(push.versionId).toBeTruthy();
    const until = Date.parse(push.retainUntil!);
    expect(until).toBeGreaterThan(before + 86_400_000 - 60_000);
    expect(until).toBeLessThan(Date.now() + 86_400_000 + 60_000);
    expect(progress.at(-1)).toBe(push.bytes);

    // The store holds it so: the version, mode and retain-until date the record states.
    const head = await vault.client.send(new HeadObjectCommand({ Bucket: vault.location.bucket, Key: push.key }));
    expect(head.VersionId).toBe(push.versionId);
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    expect(head.ObjectLockRetainUntilDate?.toISOString()).toBe(push.retainUntil);
    expect(head.Metadata).toMatchObject({ session: sealed.id, sha256: push.archiveSha256, outcome: 'sealed' });

    // Recorded in the data folder: device-signed, chained, and never changed.
    const rows = recordedPushes(pl.db, { sessionId: sealed.id }, await pl.device());
    expect(rows.at(-1)).toMatchObject({ signatureValid: true, body: { key: push.key, versionId: push.versionId, retainUntil: push.retainUntil } });
    expect(pushesOf(pl.db, { archiveSha256: push.archiveSha256 }, await pl.device()).at(-1)).toMatchObject({ key: push.key });
    expect(() => pl.db.prepare('UPDATE vault_pushes SET body = body').run()).toThrow(/never changed/);
    expect(() => pl.db.prepare('DELETE FROM vault_pushes').run()).toThrow(/never removed/);

    const listing = await listVault(vault);
    expect(listing.matters).toEqual([{ name: 'acme-v-copycat', archives: 1 }]);
    expect(listing.archives).toEqual([
      expect.objectContaining({ key: push.key, sessionId: sealed.id, title: 'Harbour poster 海港海报', bytes: push.bytes, mode: 'COMPLIANCE', retainUntil: push.retainUntil, legalHold: false, outcome: 'sealed', device: (await pl.device()).keyId }),
    ]);
    expect(listing.devices).toEqual([expect.objectContaining({ keyId: (await pl.device()).keyId, key: `firm/devices/${(await pl.device()).keyId}.pem` })]);
    expect(listing.devices[0]!.subject).toContain('Proofline device');
  });

  // Settings' default (0 days): the bucket's own rule, so an archive is never locked longer than
  // someone chose (COMPLIANCE cannot be undone); a bucket with no rule and no days given: refused.
  it('keeps an archive for the bucket\'s default retention when none is given, and refuses when neither says', async () => {
    const vault = await openVault(vaultSettings(`s3://${freshBucket('bucketdefault')}`, { retentionDays: 0 }));
    await initVault(vault, { retentionDays: 2, mode: 'GOVERNANCE' });
    const before = Date.now();
    const push = await pushToVault(pl, vault, { archivePath: sealed.archive, matter: 'm1', sessionId: sealed.id, outcome: 'sealed' });
    expect(push.mode).toBe('GOVERNANCE');
    const until = Date.parse(push.retainUntil!);
    expect(until).toBeGreaterThanOrEqual(before + 2 * 86_400_000 - 5_000);
    expect(until).toBeLessThan(before + 3 * 86_400_000);

    const bare = await openVault(vaultSettings(`s3://${freshBucket('norule')}`, { retentionDays: 0 }));
    await bare.client.send(new CreateBucketCommand({ Bucket: bare.location.bucket, ObjectLockEnabledForBucket: true }));
    const refused = await caught(() => pushToVault(pl, bare, { archivePath: sealed.archive, matter: 'm1', sessionId: sealed.id, outcome: 'sealed' }));
    expect(refused).toMatchObject({ code: 'vault.no-retention', params: { bucket: bare.location.bucket } });
    expect((await listVault(bare)).archives).toHaveLength(0);
  });

  it('sends the same archive once: a second push says it is already there and uploads nothing', async () => {
    const vault = await vaultOf('twice');
    const first = await pushToVault(pl, vault, { archivePath: sealed.archive, matter: 'm1', sessionId: sealed.id, outcome: 'sealed' });
    const second = await pushToVault(pl, vault, { archivePath: sealed.archive, matter: 'm1', sessionId: sealed.id, outcome: 'sealed' });
    expect(second).toMatchObject({ alreadyThere: true, key: first.key, versionId: first.versionId });
    const versions = await vault.client.send(new ListObjectVersionsCommand({ Bucket: vault.location.bucket, Prefix: first.key }));
    expect(versions.Versions).toHaveLength(1);
  });

  it('pushes an archive with the longest Chinese title a session takes, its title shortened to fit S3\'s 2 KB of metadata', async () => {
    const vault = await vaultOf('title');
    const title = '海港海报证据'.repeat(34).slice(0, 200);
    const long = await sealedArchive(pl, join(dir, 'title'), { title });
    await pushToVault(pl, vault, { archivePath: long.archive, matter: 'm1', sessionId: long.id, outcome: 'sealed', job: { submission: 'sub-1', url: `https://example.com/${'a'.repeat(4000)}`, attempt: 1 } });
    const [archive] = (await listVault(vault)).archives;
    expect(archive!.title!.endsWith('…')).toBe(true);
    expect(title.startsWith(archive!.title!.slice(0, -1))).toBe(true);
    expect(archive!.title!.length).toBeGreaterThan(70);
    expect(archive!.job).toMatchObject({ submission: 'sub-1', attempt: 1 });
  });

  it('pulls the identical bytes, checked against the recorded SHA-256', async () => {
    const vault = await vaultOf('pull');
    const push = await pushToVault(pl, vault, { archivePath: sealed.archive, matter: 'm1', sessionId: sealed.id, outcome: 'sealed' });
    const out = join(dir, 'pulled', 'copy.zip');
    const pulled = await pullFromVault(vault, push.key, out);
    expect(pulled).toEqual({ path: out, bytes: push.bytes, sha256: push.archiveSha256 });
    expect(readFileSync(out).equals(readFileSync(sealed.archive))).toBe(true);
  });

  it('refuses bytes that do not match the recorded SHA-256, and leaves nothing behind', async () => {
    const vault = await vaultOf('mismatch');
    const key = 'firm/matters/m1/forged/evidence.zip';
    await vault.client.send(new PutObjectCommand({ Bucket: vault.location.bucket, Key: key, Body: readFileSync(sealed.archive).subarray(1), Metadata: { sha256: sha256(sealed.archive) } }));
    const folder = join(dir, 'mismatch');
    const error = await caught(() => pullFromVault(vault, key, join(folder, 'evidence.zip')));
    expect(error).toMatchObject({ code: 'vault.mismatch', params: { key } });
    expect(readdirSync(folder)).toEqual([]);
  });

  it('says a missing key is not found', async () => {
    const vault = await vaultOf('missing');
    const error = await caught(() => pullFromVault(vault, 'firm/matters/m1/nothing.zip', join(dir, 'nothing.zip')));
    expect(error).toMatchObject({ code: 'vault.not-found', params: { key: 'firm/matters/m1/nothing.zip' } });
    expect(existsSync(join(dir, 'nothing.zip'))).toBe(false);
  });
});

describe('a large archive', () => {
  it('streams it up in parts and holds it with the retention asked for, stronger than the bucket default', async () => {
    const vault = await openVault(vaultSettings(`s3://${freshBucket('large')}`, { retentionDays: 2, mode: 'COMPLIANCE' }));
    // The bucket's default is weaker (GOVERNANCE, 1 day): Ceph 16 gives a multipart object the
    // default, and the push must raise it to what was asked.
    await initVault(vault, { retentionDays: 1, mode: 'GOVERNANCE' });
    const large = await sealedArchive(pl, join(dir, 'large'), { bytes: 20 << 20 });
    const before = Date.now();
    const push = await pushToVault(pl, vault, { archivePath: large.archive, matter: 'm1', sessionId: large.id, outcome: 'interrupted' });
    expect(push.bytes).toBeGreaterThan(20 << 20);
    expect(push).toMatchObject({ mode: 'COMPLIANCE', outcome: 'interrupted' });
    expect(Date.parse(push.retainUntil!)).toBeGreaterThan(before + 2 * 86_400_000 - 60_000);
    const retention = await vault.client.send(new GetObjectRetentionCommand({ Bucket: vault.location.bucket, Key: push.key, VersionId: push.versionId! }));
    expect(retention.Retention).toMatchObject({ Mode: 'COMPLIANCE' });
    expect(retention.Retention?.RetainUntilDate?.toISOString()).toBe(push.retainUntil);
    const pulled = await pullFromVault(vault, push.key, join(dir, 'large-pulled.zip'));
    expect(pulled.sha256).toBe(sha256(large.archive));
  });

  it('stops when cancelled: nothing recorded, no object and no parts left in the bucket', async () => {
    const vault = await vaultOf('cancel');
    const large = await sealedArchive(pl, join(dir, 'cancel'), { bytes: 24 << 20 });
    const count = (pl.db.prepare('SELECT count(*) AS n FROM vault_pushes').get() as { n: number }).n;
    const controller = new AbortController();
    const error = await caught(() =>
      pushToVault(pl, vault, { archivePath: large.archive, matter: 'm1', sessionId: large.id, outcome: 'sealed', signal: controller.signal, onProgress: (done) => done > 0 && controller.abort() }),
    );
    expect(error).toMatchObject({ code: 'operation.cancelled' });
    expect((pl.db.prepare('SELECT count(*) AS n FROM vault_pushes').get() as { n: number }).n).toBe(count);
    const versions = await vault.client.send(new ListObjectVersionsCommand({ Bucket: vault.location.bucket, Prefix: 'firm/matters/' }));
    expect(versions.Versions ?? []).toEqual([]);
    const uploads = await vault.client.send(new ListMultipartUploadsCommand({ Bucket: vault.location.bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });
});

describe('forgeries', () => {
  it('has the store refuse an archive damaged on the way (Content-MD5), recording nothing', async () => {
    const vault = await vaultOf('damaged');
    // A byte flipped after the Content-MD5 was taken and before the request is signed: only the
    // MD5 can tell (the SigV4 payload hash is taken from the damaged bytes).
    vault.client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { body?: unknown };
        if (context.commandName === 'PutObjectCommand' && request.body instanceof Uint8Array && request.body.length > 1000) {
          const copy = Buffer.from(request.body);
          copy[500] = copy[500]! ^ 0xff;
          request.body = copy;
        }
        return next(args);
      },
      { step: 'build', priority: 'low', name: 'damageOnTheWay' },
    );
    const count = (pl.db.prepare('SELECT count(*) AS n FROM vault_pushes').get() as { n: number }).n;
    const error = await caught(() => pushToVault(pl, vault, { archivePath: sealed.archive, matter: 'm1', sessionId: sealed.id, outcome: 'sealed' }));
    expect(error).toMatchObject({ code: 'vault.failed' });
    expect(error.message).toContain('BadDigest');
    expect((pl.db.prepare('SELECT count(*) AS n FROM vault_pushes').get() as { n: number }).n).toBe(count);
    const versions = await vault.client.send(new ListObjectVersionsCommand({ Bucket: vault.location.bucket, Prefix: 'firm/matters/' }));
    expect(versions.Versions ?? []).toEqual([]);
  });

  it('does not show a push row whose body was changed (triggers dropped), nor one signed by another key', async () => {
    const vault = await vaultOf('forged');
    const push = await pushToVault(pl, vault, { archivePath: sealed.archive, matter: 'forged-matter', sessionId: sealed.id, outcome: 'sealed' });
    const other = openData(join(dir, 'other-data'));
    try {
      // The holder of the database rewrites the row's retention: the hash and signature no longer hold.
      other.db.exec(`ATTACH DATABASE '${join(dir, 'data', 'proofline.sqlite')}' AS victim`);
      other.db.exec('DROP TRIGGER victim.vault_pushes_no_update');
      const row = other.db.prepare("SELECT seq, body FROM victim.vault_pushes WHERE json_extract(body, '$.matter') = 'forged-matter'").get() as { seq: number; body: string };
      other.db.prepare('UPDATE victim.vault_pushes SET body = ? WHERE seq = ?').run(row.body.replace(push.retainUntil!, '2099-01-01T00:00:00.000Z'), row.seq);
      other.db.exec('DETACH DATABASE victim');
    } finally {
      other.close();
    }
    const rows = recordedPushes(pl.db, { archiveSha256: push.archiveSha256 }, await pl.device());
    expect(rows.find((r) => r.body.matter === 'forged-matter')).toMatchObject({ signatureValid: false });
    expect(pushesOf(pl.db, { archiveSha256: push.archiveSha256 }, await pl.device()).map((p) => p.matter)).not.toContain('forged-matter');
  });

  it('names a device by the key its certificate holds, not by the object\'s name', async () => {
    const vault = await vaultOf('devices');
    await pushToVault(pl, vault, { archivePath: sealed.archive, matter: 'm1', sessionId: sealed.id, outcome: 'sealed' });
    const device = await pl.device();
    // Someone puts this device's certificate under another machine's name.
    await vault.client.send(new PutObjectCommand({ Bucket: vault.location.bucket, Key: `firm/devices/${'ab'.repeat(32)}.pem`, Body: device.certificatePem }));
    const { devices } = await listVault(vault);
    expect(devices.map((d) => d.keyId)).toEqual([device.keyId, device.keyId]);
    expect(devices.find((d) => d.key.includes('abab'))!.keyId).toBe(device.keyId);
  });
});

describe('what the store refuses', () => {
  it('refuses to delete the pushed version or shorten its retention, and keeps it', async () => {
    const vault = await vaultOf('worm');
    const push = await pushToVault(pl, vault, { archivePath: sealed.archive, matter: 'm1', sessionId: sealed.id, outcome: 'sealed' });
    const bucket = vault.location.bucket;
    const deleted = await caught(() => vault.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: push.key, VersionId: push.versionId! })));
    expect((deleted as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(403);
    const shortened = await caught(() =>
      vault.client.send(new PutObjectRetentionCommand({ Bucket: bucket, Key: push.key, VersionId: push.versionId!, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(Date.now() + 3_600_000) } })),
    );
    expect((shortened as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(403);
    const retention = await vault.client.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: push.key, VersionId: push.versionId! }));
    expect(retention.Retention?.RetainUntilDate?.toISOString()).toBe(push.retainUntil);
    const pulled = await pullFromVault(vault, push.key, join(dir, 'worm.zip'));
    expect(pulled.sha256).toBe(push.archiveSha256);
  });

  // What Object Lock does not refuse: a delete marker over the key (DeleteObject without a
  // version), or a newer version written over it. Neither may make the archive vanish from the
  // vault's listing or pass unremarked.
  it('still lists an archive a delete marker hides, and says a key was written over', async () => {
    const vault = await vaultOf('marker');
    const push = await pushToVault(pl, vault, { archivePath: sealed.archive, matter: 'm1', sessionId: sealed.id, outcome: 'sealed' });
    const bucket = vault.location.bucket;
    expect((await listVault(vault)).archives[0]?.history).toEqual({ versions: 1, deleteMarkers: 0, hidden: false });

    await vault.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: push.key }));
    const hidden = (await listVault(vault)).archives;
    expect(hidden).toHaveLength(1);
    expect(hidden[0]).toMatchObject({ key: push.key, versionId: push.versionId, archiveSha256: push.archiveSha256, history: { versions: 1, deleteMarkers: 1, hidden: true } });

    await vault.client.send(new PutObjectCommand({ Bucket: bucket, Key: push.key, Body: Buffer.from('not the archive'), Metadata: { sha256: push.archiveSha256 } }));
    const over = (await listVault(vault)).archives;
    expect(over).toHaveLength(1);
    expect(over[0]?.history).toEqual({ versions: 2, deleteMarkers: 1, hidden: false });
    expect(over[0]?.versionId).not.toBe(push.versionId);
    // The recorded push still brings back the version pushed, not the one written over it.
    const pulled = await pullFromVault(vault, push.key, join(dir, 'marker.zip'), undefined, undefined, { versionId: push.versionId, sha256: push.archiveSha256 });
    expect(pulled.sha256).toBe(push.archiveSha256);
  });

  it('puts a legal hold on and takes it off', async () => {
    const vault = await vaultOf('hold');
    const push = await pushToVault(pl, vault, { archivePath: sealed.archive, matter: 'm1', sessionId: sealed.id, outcome: 'sealed' });
    expect(await setLegalHold(vault, push.key, true)).toMatchObject({ key: push.key, legalHold: true });
    expect((await listVault(vault)).archives[0]).toMatchObject({ legalHold: true });
    expect(await setLegalHold(vault, push.key, false)).toMatchObject({ legalHold: false });
    expect(await caught(() => setLegalHold(vault, 'firm/matters/m1/none.zip', true))).toMatchObject({ code: 'vault.not-found' });
  });
});
