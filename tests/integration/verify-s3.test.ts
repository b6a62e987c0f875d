// `proofline verify s3://BUCKET/KEY`: an archive in the team vault verified in place, with ranged
// reads from the loopback Ceph gateway (src/core/vault/s3-byte-source.ts), as a lawyer handed a
// vault address would run it. Each test makes its own plain bucket (no Object Lock: the forgeries
// overwrite objects); every verdict is compared with the same file verified on disk.
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/core/vault/s3-client.js';
import { openS3Source } from '../../src/core/vault/s3-byte-source.js';
import { verifyVaultObject } from '../../src/core/vault/verify-object.js';
import { captureUrls } from '../../src/core/capture/web/capture-urls.js';
import { proofline, type CliResult } from '../support/cli.js';
import { startTestSite } from '../support/test-site.js';
import { hostile, PNG_BYTES } from '../support/hostile-zips.js';
import { freshBucket, services } from '../support/services.js';
import { openData } from '../support/vault-archive.js';

interface Report {
  archive: string;
  exitCode: number;
  summary: string;
  checks: { id: string; status: string; detail: string; where: string[] }[];
}

let root: string;
let data: string;
let client: S3Client;
let archive: string;
/** The random bytes of the attached image, found again in the archive for the forgery. */
let imageBytes: Buffer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-verify-s3-'));
  data = join(root, 'data');
  client = await createS3Client({}, { ...process.env, ...services().s3Env });
  const pl = openData(data);
  try {
    const session = await pl.sessions.create({ kind: 'creation', title: 'Harbour poster 海港海报' });
    await pl.sessions.note(session.id, 'the draft the client approved');
    // Random bytes behind a PNG signature: stored, not deflated (bag-plan.ts), so one byte of it can be found and changed.
    imageBytes = Buffer.concat([PNG_BYTES.subarray(0, 8), randomBytes(3 << 20)]);
    const image = join(root, 'final.png');
    writeFileSync(image, imageBytes);
    await pl.sessions.attach(session.id, [image]);
    await pl.sessions.seal(session.id);
    archive = join(root, 'evidence.zip');
    await pl.exportSession(session.id, { out: archive });
  } finally {
    pl.close();
  }
}, 120_000);

afterAll(() => {
  client?.destroy();
  if (root) rmSync(root, { recursive: true, force: true });
});

const cli = (args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> => proofline(['--data', data, ...args], { ...services().s3Env, ...env }, root);

async function bucketWith(objects: Record<string, Buffer | string>): Promise<string> {
  const bucket = freshBucket('verify-s3');
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, body] of Object.entries(objects)) {
    const bytes = typeof body === 'string' ? createReadStream(body) : body;
    const length = typeof body === 'string' ? statSync(body).size : body.length;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentLength: length }));
  }
  return bucket;
}

/** A report as JSON, its archive's name taken out so the disk's and the vault's can be compared. */
function parsed(result: CliResult, name: string): Report {
  expect(result.stdout, result.stderr).not.toBe('');
  return JSON.parse(result.stdout.split(name).join('ARCHIVE')) as Report;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('proofline verify s3://BUCKET/KEY', () => {
  it('verifies a sealed archive in the bucket with the same checks and verdict as the file on disk', async () => {
    const bucket = await bucketWith({ 'matters/harbour/evidence.zip': archive });
    const url = `s3://${bucket}/matters/harbour/evidence.zip`;
    const [fromDisk, fromVault] = await Promise.all([cli(['verify', archive, '--json']), cli(['verify', url, '--json'])]);
    // 3: intact, not attested in time (no TSA here): the verdict a file of this session gets.
    expect(fromDisk.code).toBe(3);
    expect(fromVault.code, fromVault.stderr).toBe(3);
    expect(fromVault.stderr).toBe('');
    const vault = parsed(fromVault, url);
    expect(vault.archive).toBe('ARCHIVE');
    expect(vault).toEqual(parsed(fromDisk, archive));
    expect(vault.checks.find((c) => c.id === 'bag.payload-manifest')?.status).toBe('pass');
    const text = await cli(['verify', url]);
    expect(text.code).toBe(3);
    expect(text.stdout).toContain(url);
    expect(text.stdout).toMatch(/INTACT, TIME NOT FULLY ATTESTED/);
  }, 60_000);

  it('fails an archive one of whose payload bytes was changed in the bucket, naming the file', async () => {
    const bytes = readFileSync(archive);
    const at = bytes.indexOf(imageBytes.subarray(1 << 20, (1 << 20) + 64));
    expect(at).toBeGreaterThan(0);
    bytes[at + 10]! ^= 0x01;
    const bucket = await bucketWith({ 'evidence.zip': bytes });
    const result = await cli(['verify', `s3://${bucket}/evidence.zip`, '--json']);
    expect(result.code).toBe(1);
    const manifest = parsed(result, `s3://${bucket}/evidence.zip`).checks.find((c) => c.id === 'bag.payload-manifest')!;
    expect(manifest.status).toBe('fail');
    expect(manifest.where.some((w) => /^data\/.+\.png$/.test(w))).toBe(true);
  }, 60_000);

  it('calls an object cut short unusable, as a file cut short, with exit 2', async () => {
    const bytes = readFileSync(archive);
    const bucket = await bucketWith({ 'cut.zip': bytes.subarray(0, bytes.length >> 1) });
    const result = await cli(['verify', `s3://${bucket}/cut.zip`]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/cut short/);
  }, 60_000);

  it('refuses a hostile ZIP in the bucket as it refuses the file', async () => {
    const zip = hostile.zipSlip();
    const file = join(root, 'slip.zip');
    writeFileSync(file, zip);
    const bucket = await bucketWith({ 'slip.zip': zip });
    const [fromDisk, fromVault] = await Promise.all([cli(['verify', file, '--json']), cli(['verify', `s3://${bucket}/slip.zip`, '--json'])]);
    expect(fromVault.code).toBe(2);
    expect(fromDisk.code).toBe(2);
    const vault = parsed(fromVault, `s3://${bucket}/slip.zip`);
    expect(vault.summary).toMatch(/proofline-slip/);
    expect(vault).toEqual(parsed(fromDisk, file));
  }, 60_000);

  it('says a key that is not in the bucket is not there (exit 2, as for a missing file)', async () => {
    const bucket = await bucketWith({});
    const result = await cli(['verify', `s3://${bucket}/matters/none/missing.zip`]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/s3:\/\/.+\/matters\/none\/missing\.zip is not in the vault/);
  }, 60_000);

  it('says the vault cannot be reached when its endpoint does not answer: no verdict, exit 2', async () => {
    const result = await cli(['verify', 's3://some-bucket/evidence.zip'], { AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await closedPort()}` });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot be reached \(ECONNREFUSED/);
    expect(result.stdout).not.toMatch(/VERIFIED|TAMPERED|INTACT/);
  }, 60_000);

  it('stops at an object replaced while it is being read, with no verdict', async () => {
    const bucket = await bucketWith({ 'evidence.zip': archive });
    const source = await openS3Source({ client, bucket, key: 'evidence.zip', endpoint: 'loopback' });
    try {
      // The tail (central directory) was read at open; the payload is read after the swap.
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'evidence.zip', Body: Buffer.from('something else') }));
      await expect(source.read(Buffer.alloc(4096), 0, 4096, 0)).rejects.toMatchObject({ code: 'vault.failed', message: /changed or was removed while it was being read/ });
    } finally {
      await source.close();
    }
  }, 60_000);

  it('stops when cancelled, with no report', async () => {
    const bucket = await bucketWith({ 'evidence.zip': archive });
    const abort = new AbortController();
    const verifying = verifyVaultObject({ client, location: { bucket, prefix: '' }, endpoint: 'loopback' }, 'evidence.zip', {
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });
    await expect(verifying).rejects.toMatchObject({ code: 'operation.cancelled' });
  }, 60_000);

  it('keeps its memory bounded whatever the size, and writes no temporary file', async () => {
    const { withLargeEntry } = await import('../support/large-archive.js');
    const peaks: number[] = [];
    for (const megabytes of [64, 448]) {
      const big = join(root, `large-${megabytes}.zip`);
      await withLargeEntry(archive, big, megabytes << 20);
      const bucket = await bucketWith({ 'large.zip': big });
      const temp = join(root, `tmp-${megabytes}`);
      mkdirSync(temp);
      const rss = join(root, `rss-${megabytes}.txt`);
      // GNU time's %M: the child's peak resident set, in KiB.
      const result = await new Promise<CliResult>((resolve) => {
        import('node:child_process').then(({ execFile }) =>
          execFile('/usr/bin/time', ['-f', '%M', '-o', rss, process.execPath, join(process.cwd(), 'bin/proofline'), '--data', data, 'verify', `s3://${bucket}/large.zip`], { env: { ...process.env, ...services().s3Env, TMPDIR: temp, PROOFLINE_TSA_URLS: '' }, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
          ),
        );
      });
      // 1: the extra entry is in no manifest (large-archive.ts); every byte of it was read and hashed.
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toMatch(/zz-large\.bin/);
      expect(readdirSync(temp)).toEqual([]);
      peaks.push(Number(readFileSync(rss, 'utf8').trim().split('\n').pop()) / 1024);
      rmSync(big);
    }
    // Seven times the bytes, the same memory: a fixed window of reads, never the object.
    expect(peaks[1]!).toBeLessThan(260);
    expect(peaks[1]! - peaks[0]!).toBeLessThan(48);
  }, 240_000);
});

describe('a web session archive in the vault', () => {
  it('verifies its signed WACZ in place, through a window on the object, as on disk', async () => {
    const site = await startTestSite(root);
    const web = join(root, 'web');
    const pl = openData(join(root, 'web-data'));
    try {
      const session = await pl.sessions.create({ kind: 'web', title: 'A page that will change' });
      expect((await captureUrls(pl, session.id, [`${site.httpOrigin}/plain`], { retries: 0 })).results[0]).toMatchObject({ ok: true });
      await pl.sessions.seal(session.id);
      mkdirSync(web);
      await pl.exportSession(session.id, { out: join(web, 'web.zip') });
    } finally {
      pl.close();
      await site.stop();
    }
    const file = join(web, 'web.zip');
    const bucket = await bucketWith({ 'web.zip': file });
    const url = `s3://${bucket}/web.zip`;
    const [fromDisk, fromVault] = await Promise.all([cli(['verify', file, '--json']), cli(['verify', url, '--json'])]);
    expect(fromVault.code, fromVault.stderr).toBe(fromDisk.code);
    const vault = parsed(fromVault, url);
    const wacz = vault.checks.find((c) => c.id === 'web.wacz-signature')!;
    expect(wacz.status).toBe('pass');
    expect(wacz.detail).toMatch(/signed by this device's WACZ key/);
    expect(vault).toEqual(parsed(fromDisk, file));
  }, 180_000);
});
