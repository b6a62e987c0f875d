// A sealed archive to the vault: streamed up (lib-storage's multipart Upload: 8 MiB parts, two in
// flight, so memory stays near 16 MiB whatever the archive's size) with its Object Lock
// retention set in the same request (S3 API, PutObject / CreateMultipartUpload
// x-amz-object-lock-mode and -retain-until-date), then read back (HeadObject) so the record
// states what the store holds, not what was asked. A failed push records nothing and leaves the
// archive and session as they were; an archive already there under its key is not sent again.
import { createReadStream } from 'node:fs';
import type { Proofline } from '../proofline.js';
import type { VaultPush } from '../../shared/views.js';
import { throwIfCancelled } from '../errors.js';
import { archiveFacts, type ArchiveFacts } from './archive-facts.js';
import { archiveKey, retainUntilOf, storedObject, type StoredObject } from './vault-objects.js';
import { putDeviceCertificate } from './vault-devices.js';
import { retentionOf } from './vault-init.js';
import { ask, type VaultContext } from './vault-context.js';
import { pushesOf, pushView, recordPush } from './vault-pushes.js';

export interface PushRequest {
  readonly archivePath: string;
  readonly matter: string;
  /** The session the archive seals (null: the archive's own bag-info.txt says). */
  readonly sessionId: string | null;
  readonly outcome: 'sealed' | 'interrupted';
  readonly job?: { submission: string; url: string; attempt: number };
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

const PART_SIZE = 8 << 20;
const QUEUE_SIZE = 2;

/**
 * Percent-encoded (RFC 3986) and cut to `max` bytes at a whole character: S3 holds at most 2 KB
 * of user metadata per object, and a Chinese title takes 9 bytes a character encoded.
 */
function encodedAtMost(text: string, max: number): string {
  let out = '';
  for (const char of text) {
    const next = out + encodeURIComponent(char);
    if (next.length > max) return `${out}${encodeURIComponent('…')}`;
    out = next;
  }
  return out;
}

/** x-amz-meta-* of an archive: HTTP header values, so text goes percent-encoded. Never a credential. */
function metadataOf(facts: ArchiveFacts, sessionId: string | null, request: PushRequest): Record<string, string> {
  return {
    sha256: facts.sha256,
    outcome: request.outcome,
    ...(sessionId && { session: sessionId }),
    ...(facts.title && { title: encodedAtMost(facts.title, 720) }),
    ...(facts.device && { device: facts.device.keyId }),
    ...(request.job && { 'job-submission': request.job.submission, 'job-url': encodedAtMost(request.job.url, 720), 'job-attempt': String(request.job.attempt) }),
  };
}

/** Streams the archive up with its retention; records the push in the data folder (pl); puts the device certificate in the vault if absent. */
export async function pushToVault(pl: Proofline, vault: VaultContext, request: PushRequest): Promise<VaultPush> {
  const facts = await archiveFacts(request.archivePath, request.signal);
  const sessionId = request.sessionId ?? facts.sessionId;
  // The key: the session's folder, then the file's name; a different file already under that
  // name (a renewed archive of the same session) goes beside it, never over it.
  let key = archiveKey(vault, request.matter, sessionId ?? facts.sha256.slice(0, 16), facts.name);
  let there = await storedObject(vault, key);
  if (there && there.sha256 !== facts.sha256) {
    key = archiveKey(vault, request.matter, sessionId ?? facts.sha256.slice(0, 16), facts.name.replace(/(\.zip)?$/i, `-${facts.sha256.slice(0, 12)}$1`));
    there = await storedObject(vault, key);
  }
  const retention = await retentionOf(vault);
  if (facts.device) await putDeviceCertificate(vault, facts.device, request.signal, retention);
  const already = there !== null && there.sha256 === facts.sha256;
  const retainUntil = retainUntilOf(retention.days);
  if (!already) {
    throwIfCancelled(request.signal, `The push of ${facts.path} was cancelled before it began: nothing was sent or recorded.`);
    await upload(vault, key, facts, metadataOf(facts, sessionId, request), retainUntil, retention.mode, request);
    there = await ensureRetention(vault, (await storedObject(vault, key))!, retainUntil, retention.mode);
  } else {
    // Recorded here before: the same fact, not a second one.
    const earlier = pushesOf(pl.db, { archiveSha256: facts.sha256 }, await pl.device()).filter((p) => p.key === key && p.bucket === vault.location.bucket);
    if (earlier.length > 0) return { ...earlier.at(-1)!, alreadyThere: true };
    // Sent before from elsewhere, or a push whose retention step failed: its retention made good now.
    there = await ensureRetention(vault, there!, retainUntil, retention.mode);
  }
  const stored = there as StoredObject;
  const recorded = recordPush(pl.db, await pl.device(), {
    url: `s3://${vault.location.bucket}/${key}`,
    bucket: vault.location.bucket,
    key,
    versionId: stored.versionId,
    matter: request.matter,
    sessionId,
    archiveSha256: facts.sha256,
    archiveName: facts.name,
    bytes: stored.bytes,
    mode: stored.mode,
    retainUntil: stored.retainUntil,
    legalHold: stored.legalHold,
    outcome: request.outcome,
    pushedAt: new Date().toISOString(),
    device: facts.device?.keyId ?? null,
    job: request.job ?? null,
  });
  return { ...pushView(recorded.body), alreadyThere: already };
}

/**
 * The retention asked for, on the version just written. Ceph 16's gateway ignores the Object Lock
 * headers of CreateMultipartUpload and gives a multipart object the bucket's default instead;
 * PutObjectRetention then extends it (a store never lets it be shortened, so a longer default
 * is kept as it is). Raising GOVERNANCE to COMPLIANCE needs the governance bypass (S3 API,
 * x-amz-bypass-governance-retention); it only ever makes the lock stronger and longer.
 */
async function ensureRetention(vault: VaultContext, stored: StoredObject, retainUntil: Date, mode: 'COMPLIANCE' | 'GOVERNANCE'): Promise<StoredObject> {
  const until = stored.retainUntil === null ? 0 : Date.parse(stored.retainUntil);
  const weaker = stored.mode === null || (stored.mode === 'GOVERNANCE' && mode === 'COMPLIANCE');
  if (!weaker && until >= retainUntil.getTime() - 1000) return stored;
  const { PutObjectRetentionCommand } = await import('@aws-sdk/client-s3');
  const date = new Date(Math.max(until, retainUntil.getTime()));
  const bypass = stored.mode === 'GOVERNANCE';
  await ask(vault, { action: `set the retention (${mode} until ${date.toISOString()})`, key: stored.key, lockGuarded: true }, () =>
    vault.client.send(
      new PutObjectRetentionCommand({
        Bucket: vault.location.bucket,
        Key: stored.key,
        ...(stored.versionId && { VersionId: stored.versionId }),
        ...(bypass && { BypassGovernanceRetention: true }),
        Retention: { Mode: mode, RetainUntilDate: date },
      }),
    ),
  );
  return (await storedObject(vault, stored.key))!;
}

async function upload(vault: VaultContext, key: string, facts: ArchiveFacts, metadata: Record<string, string>, retainUntil: Date, mode: 'COMPLIANCE' | 'GOVERNANCE', request: PushRequest): Promise<void> {
  const [{ Upload }, { AbortMultipartUploadCommand }] = await Promise.all([import('@aws-sdk/lib-storage'), import('@aws-sdk/client-s3')]);
  const abort = new AbortController();
  const onAbort = (): void => abort.abort();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const body = createReadStream(facts.path, { highWaterMark: 1 << 20 });
    const task = new Upload({
      client: vault.client,
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      // A failed upload's parts are aborted: the store keeps nothing of it.
      leavePartsOnError: false,
      abortController: abort,
      params: {
        Bucket: vault.location.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/zip',
        ContentLength: facts.bytes,
        Metadata: metadata,
        ObjectLockMode: mode,
        ObjectLockRetainUntilDate: retainUntil,
      },
    });
    request.onProgress?.(0, facts.bytes);
    task.on('httpUploadProgress', (progress) => request.onProgress?.(progress.loaded ?? 0, facts.bytes));
    await ask(vault, { action: `upload of ${facts.name}`, key }, async () => {
      try {
        return await task.done();
      } catch (error) {
        // On abort, done() rejects at once while lib-storage winds down in the background and
        // aborts the multipart upload only later: abort it now, so no parts outlive the push.
        const uploadId = (task as unknown as { uploadId?: string }).uploadId;
        if (uploadId) await vault.client.send(new AbortMultipartUploadCommand({ Bucket: vault.location.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
        throw error;
      }
    });
    request.onProgress?.(facts.bytes, facts.bytes);
  } finally {
    // Once the store has it, a late Ctrl-C still lets the push be recorded: the archive is there.
    request.signal?.removeEventListener('abort', onAbort);
  }
}
