// `proofline inspect IMAGE --archive ZIP`: a published image checked against an evidence archive
// with nothing but the two files (and, for the time, a TSA root). Each forgery names its mismatch:
// an image published from another archive, a signer certificate the device did not issue, a label
// edited after signing, an image re-signed by someone else's C2PA key naming this archive, a
// time-stamp token over other bytes. Exit codes as verify's: 0, 1, 2, 3.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestTimestamp, tokenFromResponse } from '../../src/core/attest/tsa-client.js';
import { readTrustedRoots } from '../../src/core/attest/trusted-roots.js';
import { readC2pa } from '../../src/core/provenance/c2pa-read.js';
import { signWithC2pa } from '../../src/core/provenance/c2pa-sign.js';
import { signatureTimeStamp } from '../../src/core/provenance/c2pa-signer.js';
import { loadOrCreateC2paSigningKey } from '../../src/core/provenance/c2pa-signing-key.js';
import { checkPublishedImage } from '../../src/core/provenance/published-check.js';
import { publishImage } from '../../src/core/provenance/publish-image.js';
import { EVIDENCE_ASSERTION } from '../../src/core/provenance/publish-manifest.js';
import { proofline } from '../support/cli.js';
import { makePublishSession, type PublishSession } from '../support/publish-session.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let root: string;
let s: PublishSession;
let second: PublishSession;
let other: PublishSession;
let tsa: RunningTsa;
let roots: Buffer[];
const path = (name: string): string => join(root, name);

/** The PNG without its C2PA manifest store (caBX): the labelled image as it was before signing. */
function withoutManifest(png: Buffer): Buffer {
  const parts = [png.subarray(0, 8)];
  for (let at = 8; at + 12 <= png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) !== 'caBX') parts.push(png.subarray(at, at + 12 + length));
    at += 12 + length;
  }
  return Buffer.concat(parts);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-publish-check-'));
  s = await makePublishSession(path('main'));
  // A second session on the same device, and a session on another device (its own data folder,
  // so its own device key, with the same certificate names: this machine's host name).
  second = await makePublishSession(path('second'), { pl: s.pl });
  other = await makePublishSession(path('other'));
  tsa = await startTsa({ dir: root, name: 'Check' });
  roots = readTrustedRoots([tsa.caPath]);
  await publishImage(s.pl, { sessionId: s.id, sha256: s.final, out: path('timed.png'), archive: s.archive, label: true, tsaUrls: [tsa.url] });
  await publishImage(s.pl, { sessionId: s.id, sha256: s.jpeg, out: path('untimed.jpg'), archive: s.archive, label: false });
  await publishImage(s.pl, { sessionId: second.id, sha256: second.final, out: path('second.png'), archive: second.archive, label: true, tsaUrls: [tsa.url] });
  await publishImage(other.pl, { sessionId: other.id, sha256: other.final, out: path('other-device.png'), archive: other.archive, label: true, tsaUrls: [tsa.url] });
}, 300_000);

afterAll(async () => {
  s?.pl.close();
  other?.pl.close();
  await tsa?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('checking a published image against its evidence archive', () => {
  it('the image published from this archive, time-stamped by a TSA whose root is given: every check passes, exit 0', async () => {
    const r = await checkPublishedImage(path('timed.png'), s.archive, roots);
    expect(r.mismatches).toEqual([]);
    expect(r.c2pa).toMatchObject({ ok: true, failures: [] });
    expect(r.device.ok).toBe(true);
    expect(r.named).toEqual({ sessionId: s.id, archiveSha256: r.archive.sha256, tagManifestSha256: r.archive.tagManifestSha256 });
    expect(r.label).toEqual({ produceId: s.id, reservedCode1: r.archive.sha256, present: true, ok: true });
    expect(r.timeStamp).toMatchObject({ present: true, status: 'verified', genTime: expect.stringMatching(/^\d{4}-/) });
    expect(r.exitCode).toBe(0);
  });

  it('without the TSA root, or without a time-stamp (and unlabelled): intact but no trusted time, exit 3', async () => {
    const untrusted = await checkPublishedImage(path('timed.png'), s.archive);
    expect(untrusted.mismatches).toEqual([]);
    expect(untrusted.timeStamp.status).toBe('untrusted');
    expect(untrusted.exitCode).toBe(3);
    const untimed = await checkPublishedImage(path('untimed.jpg'), s.archive, roots);
    expect(untimed.mismatches).toEqual([]);
    expect(untimed.label).toMatchObject({ present: false, ok: true });
    expect(untimed.timeStamp).toMatchObject({ present: false, status: 'none' });
    expect(untimed.exitCode).toBe(3);
  });

  it('an image published by this device from another session’s archive: archive, session and label do not match', async () => {
    const r = await checkPublishedImage(path('second.png'), s.archive, roots);
    expect(r.device.ok).toBe(true);
    expect(r.c2pa.ok).toBe(true);
    expect(r.mismatches).toEqual(['archive', 'session', 'label']);
    expect(r.exitCode).toBe(1);
  });

  it('the image as generated, without Content Credentials: nothing ties it to the archive', async () => {
    const r = await checkPublishedImage(join(path('main'), '00003-final.png'), s.archive, roots);
    expect(r.c2pa).toEqual({ manifest: null, failures: ['no Content Credentials'], ok: false });
    expect(r.mismatches).toEqual(['c2pa', 'device', 'archive', 'session']);
    expect(r.exitCode).toBe(1);
  });

  it('an image signed on another device (a signer certificate naming this device as issuer, not issued by its key): device does not match', async () => {
    const bytes = readFileSync(path('other-device.png'));
    const signer = new X509Certificate((await import('../../src/core/provenance/c2pa-signer.js')).signerChain(bytes, (await readC2pa(bytes, 'image/png')).activeManifest!)[0]!);
    const device = new X509Certificate(execFileSync('unzip', ['-p', s.archive, 'proofline/device-cert.pem']));
    expect(signer.issuer).toBe(device.subject);
    const r = await checkPublishedImage(path('other-device.png'), s.archive, roots);
    expect(r.c2pa.ok).toBe(true);
    expect(r.mismatches).toContain('device');
    expect(r.exitCode).toBe(1);
  });

  it('the label edited after signing (one digit of ReservedCode1): the hard binding and the label both fail', async () => {
    const bytes = readFileSync(path('timed.png'));
    const text = bytes.toString('latin1');
    const archiveSha = (await checkPublishedImage(path('timed.png'), s.archive, roots)).archive.sha256;
    // The XMP iTXt chunk holds the label's JSON (XML-escaped); only it names ReservedCode1.
    const at = text.indexOf(archiveSha, text.indexOf('ReservedCode1'));
    expect(at).toBeGreaterThan(text.indexOf('XML:com.adobe.xmp'));
    const edited = Buffer.from(bytes);
    edited[at] = edited[at] === 0x30 ? 0x31 : 0x30;
    // As an editing tool would, the chunk's CRC is made right again (PNG §5.3), so the file reads.
    const chunk = text.lastIndexOf('iTXt', at) - 4;
    const length = edited.readUInt32BE(chunk);
    edited.writeUInt32BE(crc32(edited.subarray(chunk + 4, chunk + 8 + length)), chunk + 8 + length);
    writeFileSync(path('edited-label.png'), edited);
    const r = await checkPublishedImage(path('edited-label.png'), s.archive, roots);
    expect(r.c2pa.failures).toContain('assertion.dataHash.mismatch');
    expect(r.mismatches).toEqual(['c2pa', 'label']);
    expect(r.exitCode).toBe(1);
  });

  it('this image re-signed by someone else’s C2PA key, naming this archive and session: only the device check catches it', async () => {
    const bytes = readFileSync(path('timed.png'));
    const original = (await readC2pa(bytes, 'image/png')).manifest!;
    // Its actions and the evidence assertion copied as they are: only the signer differs.
    const copied = (original['assertions'] as { label: string; data: unknown }[]).filter((a) => a.label === EVIDENCE_ASSERTION || a.label.startsWith('c2pa.actions'));
    expect(copied).toHaveLength(2);
    const key = await loadOrCreateC2paSigningKey(await other.pl.device());
    const resigned = await signWithC2pa({
      asset: withoutManifest(bytes),
      format: 'image/png',
      definition: { claim_generator_info: [{ name: 'Proofline', version: '0.1.0' }], title: 'timed.png', assertions: copied },
      ingredients: [],
      key,
      tsaUrls: [tsa.url],
    });
    writeFileSync(path('resigned.png'), resigned.bytes);
    const r = await checkPublishedImage(path('resigned.png'), s.archive, roots);
    expect(r.c2pa.ok).toBe(true);
    expect(r.label.ok).toBe(true);
    expect(r.named.tagManifestSha256).toBe(r.archive.tagManifestSha256);
    expect(r.timeStamp.status).toBe('verified');
    expect(r.mismatches).toEqual(['device']);
    expect(r.exitCode).toBe(1);
  });

  it('a time-stamp token over other bytes in place of the real one: the time-stamp does not match', async () => {
    const bytes = readFileSync(path('timed.png'));
    const real = signatureTimeStamp(bytes, (await readC2pa(bytes, 'image/png')).activeManifest!)!.token;
    let swap: Buffer | null = null;
    for (let i = 0; i < 20 && !swap; i++) {
      const token = tokenFromResponse((await requestTimestamp(tsa.url, createHash('sha256').update(`other ${i}`).digest())).response);
      if (token.length === real.length) swap = token;
    }
    const at = bytes.indexOf(real);
    writeFileSync(path('swapped-token.png'), Buffer.concat([bytes.subarray(0, at), swap!, bytes.subarray(at + real.length)]));
    const r = await checkPublishedImage(path('swapped-token.png'), s.archive, roots);
    expect(r.timeStamp.status).toBe('invalid');
    expect(r.mismatches).toEqual(['time-stamp']);
    expect(r.exitCode).toBe(1);
  });

  it('from the command line, in plain words, with verify’s exit codes: 0, 3, 1 naming the mismatch, 2 for unusable input', { timeout: 120_000 }, async () => {
    const ok = await proofline(['inspect', path('timed.png'), '--archive', s.archive, '--trust', tsa.caPath]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('yes the Content Credentials validate');
    expect(ok.stdout).toContain('yes they were signed by the device that made this archive');
    expect(ok.stdout).toContain(`yes the TC260 label names this session and archive: ProduceID ${s.id}`);
    expect(ok.stdout).toMatch(/yes time-stamp \d{4}-\S+ by .*valid, from a trusted TSA/);
    expect(ok.stdout).toContain('result: everything matches, with a trusted time');
    const noTrust = await proofline(['inspect', path('timed.png'), '--archive', s.archive]);
    expect(noTrust.code).toBe(3);
    expect(noTrust.stdout).toContain('pass --trust ROOT');
    const forged = await proofline(['inspect', path('resigned.png'), '--archive', s.archive, '--trust', tsa.caPath]);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toContain('NO  they were signed by the device that made this archive');
    expect(forged.stdout).toContain('mismatch: device');
    const json = await proofline(['inspect', path('second.png'), '--archive', s.archive, '--json']);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { mismatches: string[] }).mismatches).toEqual(['archive', 'session', 'label']);
    writeFileSync(path('not-a-zip.zip'), 'not a zip');
    const badArchive = await proofline(['inspect', path('timed.png'), '--archive', path('not-a-zip.zip')]);
    expect(badArchive.code).toBe(2);
    expect(badArchive.stderr).toMatch(/not-a-zip\.zip cannot be checked: it is not a Proofline evidence archive/);
    const badImage = await proofline(['inspect', path('not-a-zip.zip'), '--archive', s.archive]);
    expect(badImage.code).toBe(2);
  });
});
