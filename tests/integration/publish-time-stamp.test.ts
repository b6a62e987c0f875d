// The RFC 3161 time-stamp in a published image's C2PA signature (C2PA 2.1 §14.5.2, sigTst2):
// from the real loopback `openssl ts -reply` TSA, validated by c2pa-rs, cross-checked by
// `openssl ts -verify` over the bytes c2pa-rs's sigtst.rs says it covers; a dead or silent TSA
// never stops a publication, and the result says there is no trusted time.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestTimestamp, tokenFromResponse } from '../../src/core/attest/tsa-client.js';
import { readC2pa } from '../../src/core/provenance/c2pa-read.js';
import { signatureTimeStamp } from '../../src/core/provenance/c2pa-signer.js';
import { publishImage } from '../../src/core/provenance/publish-image.js';
import { publicationsOfArchive } from '../../src/core/provenance/publications.js';
import { sha256Hex } from '../../src/core/store/hashing.js';
import { proofline } from '../support/cli.js';
import { makePublishSession, type PublishSession } from '../support/publish-session.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let root: string;
let s: PublishSession;
let tsa: RunningTsa;
let silent: Server;
let silentUrl: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-publish-tst-'));
  s = await makePublishSession(root);
  tsa = await startTsa({ dir: root, name: 'Publish' });
  // A TSA that takes the connection and never answers: only a bounded wait gets past it.
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}/tsa`;
}, 120_000);

afterAll(async () => {
  s?.pl.close();
  await tsa?.stop();
  silent?.close();
  rmSync(root, { recursive: true, force: true });
});

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('a trusted time on the Content Credentials (sigTst2)', () => {
  it('puts the TSA’s token in the C2PA signature: c2pa-rs validates it, openssl ts -verify agrees over the bytes it covers, the publication records its time', { timeout: 120_000 }, async () => {
    const out = join(root, 'timed.png');
    const before = Date.now();
    const result = await publishImage(s.pl, { sessionId: s.id, sha256: s.final, out, archive: s.archive, label: true, tsaUrls: [tsa.url] });
    expect(result.timeStamp).toMatchObject({ tsa: tsa.url, genTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const genTime = (result.timeStamp as { genTime: string }).genTime;
    expect(Math.abs(Date.parse(genTime) - before)).toBeLessThan(60_000);

    const bytes = readFileSync(out);
    const reading = await readC2pa(bytes, 'image/png');
    // c2pa-rs 0.92 (c2pa-wasm 0.15): the token matches the signature (timeStamp.validated); the
    // loopback TSA is on no list it trusts (timeStamp.untrusted, informational, not a failure).
    expect(reading.failures).toEqual(['signingCredential.untrusted']);
    expect(reading.successes).toContain('timeStamp.validated');
    expect(reading.successes).toContain('claimSignature.insideValidity');
    expect(reading.informational).toContain('timeStamp.untrusted');

    // The same token, checked by OpenSSL against the TSA's root, over the countersignature
    // Sig_structure of the signature (what c2pa-rs's cose_countersign_data hashes for sigTst2).
    const stamp = signatureTimeStamp(bytes, reading.activeManifest!)!;
    expect(stamp.version).toBe('sigTst2');
    writeFileSync(join(root, 'token.der'), stamp.token);
    writeFileSync(join(root, 'covered.bin'), stamp.covered);
    const verified = openssl(['ts', '-verify', '-in', join(root, 'token.der'), '-token_in', '-data', join(root, 'covered.bin'), '-CAfile', tsa.caPath, '-untrusted', tsa.tsaCertPath]);
    expect(verified).toContain('Verification: OK');
    const text = openssl(['ts', '-reply', '-in', join(root, 'token.der'), '-token_in', '-text']);
    // openssl prints the imprint as a hex dump ("0000 - 3f 2a … 9c-1d …   ascii"): its bytes.
    const dump = text.slice(text.indexOf('Message data:'), text.indexOf('Serial number:'));
    const imprint = [...dump.matchAll(/^\s*[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})/gm)].map((m) => m[1]!.replace(/[ -]/g, '')).join('');
    expect(imprint).toBe(createHash('sha256').update(stamp.covered).digest('hex'));
    // …and over any other bytes (the claim itself, v1's target) it does not verify.
    writeFileSync(join(root, 'other.bin'), stamp.covered.subarray(1));
    expect(() => openssl(['ts', '-verify', '-in', join(root, 'token.der'), '-token_in', '-data', join(root, 'other.bin'), '-CAfile', tsa.caPath, '-untrusted', tsa.tsaCertPath])).toThrow();

    // The publication row (device-signed) carries the token's time.
    const device = await s.pl.device();
    const row = publicationsOfArchive(s.pl.db, sha256Hex(readFileSync(s.archive)), device).find((p) => p.body.outputName === 'timed.png')!;
    expect(row.body.timeStamp).toEqual({ tsa: tsa.url, genTime });
    expect(row.signatureValid).toBe(true);
  });

  it('a token over other bytes, put in place of the real one, is a mismatch for c2pa-rs and for openssl', { timeout: 120_000 }, async () => {
    const bytes = readFileSync(join(root, 'timed.png'));
    const active = (await readC2pa(bytes, 'image/png')).activeManifest!;
    const real = signatureTimeStamp(bytes, active)!.token;
    // The same TSA's token over something else, of the same length (so the file stays well formed).
    let other: Buffer | null = null;
    for (let i = 0; i < 20 && !other; i++) {
      const token = tokenFromResponse((await requestTimestamp(tsa.url, createHash('sha256').update(`not this signature ${i}`).digest())).response);
      if (token.length === real.length) other = token;
    }
    expect(other).not.toBeNull();
    const at = bytes.indexOf(real);
    const forged = Buffer.concat([bytes.subarray(0, at), other!, bytes.subarray(at + real.length)]);
    const reading = await readC2pa(forged, 'image/png');
    expect(reading.successes).not.toContain('timeStamp.validated');
    expect(reading.informational).toContain('timeStamp.mismatch');
    const stamp = signatureTimeStamp(forged, active)!;
    writeFileSync(join(root, 'forged-token.der'), stamp.token);
    writeFileSync(join(root, 'forged-covered.bin'), stamp.covered);
    expect(() => openssl(['ts', '-verify', '-in', join(root, 'forged-token.der'), '-token_in', '-data', join(root, 'forged-covered.bin'), '-CAfile', tsa.caPath, '-untrusted', tsa.tsaCertPath])).toThrow(/Verification: FAILED|message imprint mismatch/);
  });

  it('a TSA that never answers: published after the bounded wait, without a token, and the result says so', { timeout: 120_000 }, async () => {
    const out = join(root, 'untimed.png');
    const started = Date.now();
    const result = await publishImage(s.pl, { sessionId: s.id, sha256: s.final, out, archive: s.archive, label: true, tsaUrls: [silentUrl], tsaWaitMs: 1500 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.timeStamp).toMatchObject({ none: expect.stringMatching(/did not answer within 1.5 s/) });
    expect(result.publication.body.timeStamp).toBeNull();
    const bytes = readFileSync(out);
    const reading = await readC2pa(bytes, 'image/png');
    expect(reading.failures).toEqual(['signingCredential.untrusted']);
    expect(reading.successes).not.toContain('timeStamp.validated');
    expect(signatureTimeStamp(bytes, reading.activeManifest!)).toBeNull();
  });

  it('a token c2pa-rs does not accept (its TSA certificate had expired at the token’s time): published without it, saying why', { timeout: 120_000 }, async () => {
    const expired = await startTsa({ dir: root, name: 'Expired', certDays: 1, fakeTime: new Date(Date.now() + 3 * 86_400_000) });
    try {
      const out = join(root, 'expired-tsa.png');
      const result = await publishImage(s.pl, { sessionId: s.id, sha256: s.final, out, archive: s.archive, label: true, tsaUrls: [expired.url] });
      expect(result.timeStamp).toEqual({ none: `c2pa-rs did not accept the token from ${expired.url} (timeStamp.outsideValidity)` });
      expect(result.publication.body.timeStamp).toBeNull();
      const bytes = readFileSync(out);
      const reading = await readC2pa(bytes, 'image/png');
      expect(reading.failures).toEqual(['signingCredential.untrusted']);
      expect(signatureTimeStamp(bytes, reading.activeManifest!)).toBeNull();
    } finally {
      await expired.stop();
    }
  });

  it('from the command line: --tsa gives the time; a TSA that is down gives an image without one, exit 0, saying so', { timeout: 120_000 }, async () => {
    const data = join(root, 'data');
    const timed = await proofline(['--data', data, '--tsa', tsa.url, 'publish', s.id, s.final, '--out', join(root, 'cli-timed.png'), '--archive', s.archive]);
    expect(timed.code).toBe(0);
    expect(timed.stdout).toMatch(/time-stamp: \d{4}-\d\d-\d\dT\S+ by http:\/\/127\.0\.0\.1:\d+\/tsa \(RFC 3161, in the C2PA signature\)/);
    tsa.setDown(true, 'close');
    try {
      const untimed = await proofline(['--data', data, '--tsa', tsa.url, 'publish', s.id, s.final, '--out', join(root, 'cli-untimed.png'), '--archive', s.archive, '--json']);
      expect(untimed.code).toBe(0);
      const result = JSON.parse(untimed.stdout) as { timeStamp: unknown; noTimeStamp: { kind: string; detail: string } };
      expect(result.timeStamp).toBeNull();
      expect(result.noTimeStamp).toEqual({ kind: 'no-answer', detail: expect.stringMatching(/127\.0\.0\.1/) });
    } finally {
      tsa.setDown(false);
    }
  });
});
