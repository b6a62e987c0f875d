// The vault's byte source (src/core/vault/s3-byte-source.ts) against the loopback Ceph gateway:
// every read, in order, out of order, overlapping, concurrent, gives the object's own bytes, with
// few requests when read in order (one streaming GET, or a few ranged ones, never one per read).
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/core/vault/s3-client.js';
import { openS3Source, S3ByteSource } from '../../src/core/vault/s3-byte-source.js';
import { freshBucket, services } from '../support/services.js';

const SIZE = (40 << 20) + 12_345;
let client: S3Client;
let bucket: string;
let bytes: Buffer;

beforeAll(async () => {
  client = await createS3Client({}, { ...process.env, ...services().s3Env });
  bucket = freshBucket('byte-source');
  bytes = randomBytes(SIZE);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'object.bin', Body: bytes, ContentLength: SIZE }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'empty.bin', Body: Buffer.alloc(0), ContentLength: 0 }));
}, 60_000);

afterAll(() => client?.destroy());

const open = (key = 'object.bin') => openS3Source({ client, bucket, key, endpoint: 'loopback' });

async function readAt(source: S3ByteSource, position: number, length: number): Promise<Buffer> {
  const out = Buffer.alloc(length);
  const count = await source.read(out, 0, length, position);
  return out.subarray(0, count);
}

describe('the S3 byte source', () => {
  for (const parallel of [false, true]) {
    it(`reads the object in order in 4 MiB blocks, two at a time as verify does, with few requests (${parallel ? 'ranged GETs in parallel' : 'one streaming GET'})`, async () => {
      S3ByteSource.parallel = parallel;
      const source = await open();
      try {
        expect(source.size).toBe(SIZE);
        const block = 4 << 20;
        const reads: Promise<Buffer>[] = [];
        for (let at = 0; at < SIZE; at += block) reads.push(readAt(source, at, block));
        const got = Buffer.concat(await Promise.all(reads));
        expect(got.equals(bytes)).toBe(true);
        // Head + tail + first block + the window's requests: not one per read.
        expect(source.requests).toBeLessThanOrEqual(parallel ? 10 : 4);
      } finally {
        S3ByteSource.parallel = false;
        await source.close();
      }
    }, 60_000);
  }

  it('gives the right bytes for reads out of order, across the tail, past the end and at random', async () => {
    const source = await open();
    try {
      const cases: [number, number][] = [
        [SIZE - 100, 100],
        [SIZE - (2 << 20), 2 << 20], // half before the cached tail, half in it
        [SIZE - 10, 100], // past the end: only what there is
        [123, 64 << 10],
        [20 << 20, 3 << 20],
        [5, 10],
        [(20 << 20) + 100, 50],
      ];
      for (let i = 0; i < 20; i++) {
        const at = Math.floor(Math.random() * SIZE);
        cases.push([at, 1 + Math.floor(Math.random() * (6 << 20))]);
      }
      for (const [at, length] of cases) {
        const got = await readAt(source, at, length);
        expect(got.equals(bytes.subarray(at, Math.min(SIZE, at + length))), `${length} bytes at ${at}`).toBe(true);
      }
      expect((await readAt(source, SIZE, 10)).length).toBe(0);
    } finally {
      await source.close();
    }
  }, 60_000);

  it('opens an empty object (size 0) and reads nothing from it', async () => {
    const source = await open('empty.bin');
    expect(source.size).toBe(0);
    expect((await readAt(source, 0, 10)).length).toBe(0);
    await source.close();
  });

  it('says vault.not-found for a key that is not there', async () => {
    await expect(open('nothing-here.zip')).rejects.toMatchObject({ code: 'vault.not-found' });
  });

  it('aborts what is in flight when its signal is', async () => {
    const abort = new AbortController();
    const source = await openS3Source({ client, bucket, key: 'object.bin', endpoint: 'loopback' }, abort.signal);
    const reading = readAt(source, 0, 30 << 20);
    abort.abort();
    await expect(reading).rejects.toMatchObject({ code: 'operation.cancelled' });
    await source.close();
  });
});
