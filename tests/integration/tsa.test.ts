// RFC 3161 client and verifier against a real OpenSSL TSA on loopback, cross-checked with
// `openssl ts -verify`, the command VERIFY.md gives lawyers.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificatesPem,
  parseTimestampResponse,
  requestTimestamp,
  tokenFromResponse,
  TsaError,
  verifyTimestampResponse,
  type TimestampVerdict,
} from '../../src/core/attest/tsa-client.js';
import { tokenCertificates } from '../../src/core/attest/token-certificates.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

const run = promisify(execFile);

const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();
const failed = (verdict: TimestampVerdict): string[] => verdict.checks.filter((c) => !c.ok).map((c) => c.name);

async function expectTsaError(promise: Promise<unknown>): Promise<TsaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TsaError);
  return error as TsaError;
}

/** A URL on loopback where nothing listens: the port was bound, then released. */
async function deadUrl(): Promise<string> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/tsa`;
}

describe('RFC 3161 time-stamps from a real TSA', () => {
  let alpha: RunningTsa; // RSA root and TSA key
  let beta: RunningTsa; // EC P-256 root and TSA key
  let work: string;

  beforeAll(async () => {
    [alpha, beta] = await Promise.all([startTsa({ name: 'Alpha' }), startTsa({ name: 'Beta', keyType: 'ec' })]);
    work = await mkdtemp(join(tmpdir(), 'proofline-tsa-test-'));
  });

  afterAll(async () => {
    await Promise.all([alpha?.stop(), beta?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('verifies a token over a digest when the TSA root is trusted', async () => {
    const digest = sha256('checkpoint 1');
    const before = alpha.requests;
    const { response, nonce } = await requestTimestamp(alpha.url, digest);

    const verdict = await verifyTimestampResponse(response, { digest, nonce, trustedRoots: [alpha.caPem] });

    expect(verdict.status).toBe('verified');
    expect(verdict.checks.map((c) => [c.name, c.ok])).toEqual([
      ['status', true],
      ['imprint', true],
      ['nonce', true],
      ['signature', true],
      ['chain', true],
    ]);
    expect(verdict.checks.find((c) => c.name === 'chain')?.detail).toContain('critical extendedKeyUsage timeStamping');
    expect(verdict.tsaName).toBe('CN=Alpha TSA, O=Proofline Test');
    expect(Math.abs(verdict.genTime!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(alpha.requests).toBe(before + 1);
  });

  it('reads the fields of the reply as openssl ts -reply -text shows them', async () => {
    const digest = sha256('fields');
    const { response, nonce } = await requestTimestamp(alpha.url, digest);
    const parsed = parseTimestampResponse(response);

    expect(parsed.status).toBe(0);
    expect(parsed.imprintAlgorithm).toBe('sha256');
    expect(parsed.imprint).toEqual(digest);
    expect(parsed.nonce).toEqual(nonce);
    expect(parsed.policy).toBe('1.3.6.1.4.1.55555.1.1');
    expect(parsed.serial).toMatch(/^0x[0-9A-F]+$/);
    expect(parsed.certificates).toHaveLength(2); // the TSA certificate and its root (config `certs`)
    // What the bag's TSA chains are made of, read without PKI.js: the same bytes.
    expect(tokenCertificates(response)).toEqual(parsed.certificates);
    expect(tokenFromResponse(response)).toEqual(parsed.token);

    await writeFile(join(work, 'fields.tsr'), response);
    const { stdout } = await run('openssl', ['ts', '-reply', '-in', join(work, 'fields.tsr'), '-text']);
    expect(stdout).toContain(`Serial number: ${parsed.serial}`);
    expect(stdout).toContain(`Nonce: 0x${nonce.toString('hex').toUpperCase()}`);
  });

  it('gives a reply that openssl ts -verify accepts, by digest and by data file', async () => {
    const dataFile = join(work, 'tagmanifest-sha256.txt');
    await writeFile(dataFile, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  data/empty.txt\n');
    const digest = sha256(await readFile(dataFile));
    const { response } = await requestTimestamp(alpha.url, digest);
    const tsr = join(work, 'seal.tsr');
    await writeFile(tsr, response);
    // The TSA certificates as the archive stores them: PEM written from the token's own DER.
    const tsaCerts = join(work, 'tsa-certs.pem');
    await writeFile(tsaCerts, certificatesPem(parseTimestampResponse(response).certificates));

    const byDigest = await run('openssl', ['ts', '-verify', '-digest', digest.toString('hex'), '-in', tsr, '-CAfile', alpha.caPath, '-untrusted', alpha.tsaCertPath]);
    const byData = await run('openssl', ['ts', '-verify', '-data', dataFile, '-in', tsr, '-CAfile', alpha.caPath, '-untrusted', tsaCerts]);

    expect(byDigest.stdout).toContain('Verification: OK');
    expect(byData.stdout).toContain('Verification: OK');
  });

  it('verifies an ECDSA token from a second TSA running at the same time', async () => {
    const digest = sha256('ec');
    const { response, nonce } = await requestTimestamp(beta.url, digest);

    const verdict = await verifyTimestampResponse(response, { digest, nonce, trustedRoots: [beta.caPem] });

    expect(verdict.status).toBe('verified');
    expect(verdict.tsaName).toBe('CN=Beta TSA, O=Proofline Test');
  });

  it('answers parallel requests with distinct serials that all verify', async () => {
    const digests = [1, 2, 3, 4, 5].map((i) => sha256(`parallel ${i}`));
    const replies = await Promise.all(digests.map((d) => requestTimestamp(alpha.url, d)));
    const verdicts = await Promise.all(
      replies.map((r, i) => verifyTimestampResponse(r.response, { digest: digests[i]!, nonce: r.nonce, trustedRoots: [alpha.caPem] })),
    );

    expect(verdicts.map((v) => v.status)).toEqual(Array(5).fill('verified'));
    expect(new Set(verdicts.map((v) => v.serial)).size).toBe(5);
  });

  describe('a token that does not prove what it should', () => {
    let digest: Buffer;
    let response: Buffer;
    let nonce: Buffer;

    beforeAll(async () => {
      digest = sha256('the real data');
      ({ response, nonce } = await requestTimestamp(alpha.url, digest));
    });

    it('is invalid for another digest, naming the imprint check', async () => {
      const verdict = await verifyTimestampResponse(response, { digest: sha256('other data'), nonce, trustedRoots: [alpha.caPem] });

      expect(verdict.status).toBe('invalid');
      expect(failed(verdict)).toEqual(['imprint']);
      expect(verdict.checks.find((c) => c.name === 'imprint')?.detail).toContain(digest.toString('hex'));
    });

    it('is invalid for another nonce', async () => {
      const wrong = Buffer.from(nonce);
      wrong[7]! ^= 0xff;
      const verdict = await verifyTimestampResponse(response, { digest, nonce: wrong, trustedRoots: [alpha.caPem] });

      expect(verdict.status).toBe('invalid');
      expect(failed(verdict)).toEqual(['nonce']);
    });

    it('is untrusted without trusted roots', async () => {
      const verdict = await verifyTimestampResponse(response, { digest, nonce, trustedRoots: [] });

      expect(verdict.status).toBe('untrusted');
      expect(failed(verdict)).toEqual(['chain']);
      expect(verdict.checks.find((c) => c.name === 'chain')?.detail).toContain('no trusted roots');
    });

    it('is untrusted when only another TSA root is trusted, though the token carries its own root', async () => {
      const verdict = await verifyTimestampResponse(response, { digest, nonce, trustedRoots: [beta.caPem] });

      expect(verdict.status).toBe('untrusted');
      expect(failed(verdict)).toEqual(['chain']);
    });

    it('is invalid when a byte of the signature is flipped', async () => {
      const token = pkijs.ContentInfo.fromBER(parseTimestampResponse(response).token!);
      const signature = Buffer.from(new pkijs.SignedData({ schema: token.content }).signerInfos[0]!.signature.valueBlock.valueHexView);
      const at = response.indexOf(signature);
      expect(at).toBeGreaterThan(0);
      const tampered = Buffer.from(response);
      tampered[at + (signature.length >> 1)]! ^= 0x01;

      const verdict = await verifyTimestampResponse(tampered, { digest, nonce, trustedRoots: [alpha.caPem] });

      expect(verdict.status).toBe('invalid');
      expect(failed(verdict)).toContain('signature');
    });

    it('is invalid when the signed time is altered', async () => {
      // GeneralizedTime "YYYYMMDDHHMMSSZ" inside TSTInfo: move the year on by changing one digit.
      const genTime = Buffer.from(parseTimestampResponse(response).genTime!.toISOString().slice(0, 4));
      const at = response.indexOf(Buffer.concat([Buffer.from([0x18, 0x0f]), genTime]));
      expect(at).toBeGreaterThan(0);
      const tampered = Buffer.from(response);
      tampered[at + 5]! += 1;

      const verdict = await verifyTimestampResponse(tampered, { digest, nonce, trustedRoots: [alpha.caPem] });

      expect(verdict.status).toBe('invalid');
      expect(failed(verdict)).toContain('signature');
    });
  });

  describe('a TSA that cannot give a token', () => {
    it('reports a stopped TSA as unreachable, naming the URL', async () => {
      const url = await deadUrl();
      const error = await expectTsaError(requestTimestamp(url, sha256('x')));

      expect(error.reason).toBe('unreachable');
      expect(error.url).toBe(url);
      expect(error.message).toContain(url);
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.message).toContain('will be retried');
    });

    it('reports a TSA answering 503 as an http error, naming the URL', async () => {
      alpha.setDown(true);
      try {
        const error = await expectTsaError(requestTimestamp(alpha.url, sha256('x')));
        expect(error.reason).toBe('http');
        expect(error.message).toContain(alpha.url);
        expect(error.message).toContain('503');
      } finally {
        alpha.setDown(false);
      }
    });

    it('reports a TSA dropping the connection as unreachable', async () => {
      alpha.setDown(true, 'close');
      try {
        const error = await expectTsaError(requestTimestamp(alpha.url, sha256('x')));
        expect(error.reason).toBe('unreachable');
        expect(error.message).toContain(alpha.url);
      } finally {
        alpha.setDown(false);
      }
    });

    it('gives up on a TSA that never answers after the timeout', async () => {
      const sockets = new Set<Socket>();
      const silent: Server = createTcpServer((s) => sockets.add(s));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/tsa`;
      try {
        const error = await expectTsaError(requestTimestamp(url, sha256('x'), { timeoutMs: 300 }));
        expect(error.reason).toBe('unreachable');
        expect(error.message).toContain('did not answer within 0.3 s');
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });

    it('reports a garbage reply as malformed, and a verifier calls it invalid', async () => {
      alpha.setGarbage(true);
      try {
        const error = await expectTsaError(requestTimestamp(alpha.url, sha256('x')));
        expect(error.reason).toBe('malformed');
        expect(error.message).toContain(alpha.url);
      } finally {
        alpha.setGarbage(false);
      }
      const garbage = Buffer.from('<html>not a token</html>');
      expect(() => parseTimestampResponse(garbage, 'proofline/seal.tsr')).toThrow(/seal\.tsr is not a valid RFC 3161/);
      expect(() => tokenCertificates(garbage, 'proofline/seal.tsr')).toThrow(/seal\.tsr is not a DER TimeStampResp/);
      const verdict = await verifyTimestampResponse(garbage, { digest: sha256('x'), trustedRoots: [alpha.caPem] });
      expect(verdict.status).toBe('invalid');
      expect(failed(verdict)).toEqual(['status']);
    });

    it('reads a rejection with its failure reason', async () => {
      // A SHA-1 query: the TSA accepts only sha256/384/512 (its `digests`), so it answers badAlg.
      const query = join(work, 'sha1.tsq');
      await run('openssl', ['ts', '-query', '-digest', sha256('x').subarray(0, 20).toString('hex'), '-sha1', '-cert', '-out', query]);
      const body = await readFile(query);
      const res = await fetch(alpha.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body });
      const reply = Buffer.from(await res.arrayBuffer());

      const parsed = parseTimestampResponse(reply);
      expect(parsed.status).toBe(2);
      expect(parsed.statusText).toContain('badAlg');
      expect(tokenCertificates(reply)).toEqual([]);
      expect(() => tokenFromResponse(reply)).toThrow(/rejection/);
      const verdict = await verifyTimestampResponse(reply, { digest: sha256('x'), trustedRoots: [alpha.caPem] });
      expect(verdict.status).toBe('invalid');
      expect(verdict.checks).toEqual([{ name: 'status', ok: false, detail: expect.stringContaining('rejection') }]);
    });
  });
});
