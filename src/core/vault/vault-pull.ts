// An archive down from the vault: streamed into a temp file beside the target, hashed on the
// way, checked against the SHA-256 its push recorded in the object's metadata, then renamed
// into place. On a mismatch, a cut connection or a cancel, nothing is left behind.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, fsyncSync, mkdirSync, openSync, closeSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProoflineError } from '../errors.js';
import { ask, type VaultContext } from './vault-context.js';

/** What this data folder recorded of the push: that version, and its SHA-256 (stronger than the object's own metadata). */
export interface PulledVersion {
  readonly versionId: string | null;
  readonly sha256: string;
}

/**
 * `pushed`: the push record of this key, when this data folder has one. Object Lock keeps a
 * version, not a key: someone allowed to write may put a newer version over the key, which a
 * plain GET would return. With the record, the version pushed is fetched and held to its hash.
 */
export async function pullFromVault(vault: VaultContext, key: string, outPath: string, signal?: AbortSignal, onProgress?: (done: number, total: number) => void, pushed?: PulledVersion): Promise<{ path: string; bytes: number; sha256: string }> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const url = `s3://${vault.location.bucket}/${key}`;
  const request = { Bucket: vault.location.bucket, Key: key, ...(pushed?.versionId && { VersionId: pushed.versionId }) };
  const answer = await ask(vault, { action: 'download', key }, () => vault.client.send(new GetObjectCommand(request), { abortSignal: signal }));
  const recorded = pushed?.sha256 ?? answer.Metadata?.['sha256'];
  const total = answer.ContentLength ?? 0;
  const body = answer.Body as Readable | undefined;
  if (!recorded || !/^[0-9a-f]{64}$/.test(recorded) || body === undefined) {
    body?.destroy();
    throw new ProoflineError('vault.mismatch', `${url} has no SHA-256 recorded by a push, so what comes down cannot be checked: not saved.`, { key, bucket: vault.location.bucket });
  }
  mkdirSync(dirname(outPath), { recursive: true });
  const temp = join(dirname(outPath), `.${basename(outPath)}.${randomBytes(6).toString('hex')}.part`);
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onProgress?.(bytes, total);
      done(null, chunk);
    },
  });
  try {
    await ask(vault, { action: 'download', key }, () => pipeline(body, meter, createWriteStream(temp, { flags: 'wx' }), { signal }));
    const sha256 = hash.digest('hex');
    if (sha256 !== recorded) {
      throw new ProoflineError('vault.mismatch', `${url} came down with SHA-256 ${sha256}, not the ${recorded} recorded when it was pushed: not saved.`, { key, bucket: vault.location.bucket, expected: recorded, actual: sha256 });
    }
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, outPath);
    return { path: outPath, bytes, sha256 };
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
