import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageMetadata } from '../../src/core/capture/creation/metadata/index.js';
import { readC2pa } from '../../src/core/provenance/c2pa-read.js';
import { deviceTie } from '../../src/core/provenance/c2pa-signer.js';
import { publishImage } from '../../src/core/provenance/publish-image.js';
import { publicationsOfArchive } from '../../src/core/provenance/publications.js';
import { TC260_NS } from '../../src/core/provenance/tc260-xmp.js';
import { sha256Hex } from '../../src/core/store/hashing.js';
import { makePublishSession, type PublishSession } from '../support/publish-session.js';
import { proofline, run } from '../support/cli.js';

const { PNG } = pngjs;
let root: string;
let s: PublishSession;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-publish-'));
  s = await makePublishSession(root);
  // The device certificate as a third party has it: from the evidence archive.
  execFileSync('unzip', ['-p', s.archive, 'proofline/device-cert.pem'], { stdio: ['ignore', openSync(join(root, 'device-cert-from-archive.pem'), 'w'), 'inherit'] });
}, 120_000);

afterAll(() => {
  s?.pl.close();
  rmSync(root, { recursive: true, force: true });
});

/** exiftool, Debian's libimage-exiftool-perl: an independent reader of XMP and JUMBF. */
function exiftool(path: string): Record<string, unknown> {
  return (JSON.parse(execFileSync('exiftool', ['-a', '-G1', '-j', path], { encoding: 'utf8' })) as Record<string, unknown>[])[0]!;
}

/** The offset of the first IDAT's data in a PNG (its pixels, deflated). */
function firstIdat(png: Buffer): number {
  for (let at = 8; at + 8 <= png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') return at + 8;
    at += 12 + length;
  }
  throw new Error('no IDAT');
}

describe('publishing a final image with Content Credentials and the TC260 label', () => {
  it('writes byte-identical archives for two exports of one session, so the archive SHA-256 is the session’s', async () => {
    const again = join(root, 'evidence-again.zip');
    await s.pl.exportSession(s.id, { out: again });
    expect(sha256Hex(readFileSync(again))).toBe(sha256Hex(readFileSync(s.archive)));
  });

  it('a PNG: c2pa-rs validates the manifest (only the untrusted device signer), with the lineage as ingredients and the archive named', async () => {
    const out = join(root, 'published.png');
    const result = await publishImage(s.pl, { sessionId: s.id, sha256: s.final.slice(0, 10), out, archive: s.archive, label: true });
    const bytes = readFileSync(out);
    expect(result.sha256).toBe(sha256Hex(bytes));
    const archiveSha256 = sha256Hex(readFileSync(s.archive));

    const reading = await readC2pa(bytes, 'image/png');
    // signingCredential.untrusted: no C2PA trust list names a device certificate. Anything else fails.
    expect(reading.failures).toEqual(['signingCredential.untrusted']);
    expect(reading.successes).toEqual(expect.arrayContaining(['claimSignature.validated', 'assertion.dataHash.match']));
    expect(reading.ingredients.map((i) => [i.title, i.relationship, i.metadata?.['org.proofline.sha256']])).toEqual([
      ['00002-edit.png', 'parentOf', s.edit],
      ['00001-draft.png', 'componentOf', s.draft],
    ]);
    const manifest = reading.manifest as { assertions: { label: string; data: Record<string, unknown> }[]; signature_info: { common_name: string } };
    const actions = manifest.assertions.find((a) => a.label === 'c2pa.actions.v2')!.data['actions'] as Record<string, unknown>[];
    expect(actions[0]).toMatchObject({
      action: 'c2pa.created',
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      softwareAgent: { name: 'AUTOMATIC1111 Stable Diffusion WebUI', version: 'v1.10.1' },
      parameters: { prompt: 'a harbour at dawn, oil painting', seed: '3333', steps: '20', sampler: 'Euler a', cfgScale: '7', model: 'v1-5-pruned-emaonly' },
    });
    const evidence = manifest.assertions.find((a) => a.label === 'org.proofline.evidence')!.data;
    expect(evidence).toMatchObject({ archiveSha256, sessionId: s.id, imageSha256: s.final, tagManifestSha256: result.publication.body.tagManifestSha256 });
    expect(manifest.signature_info.common_name).toMatch(/^Proofline Content Credentials signer of device/);
    expect(result.publication.body).toMatchObject({ archiveSha256, c2paManifest: reading.activeManifest, outputSha256: result.sha256 });
  });

  it('exiftool reads the TC260 label from the XMP and sees the C2PA JUMBF; proofline’s own reader reads the label', async () => {
    const out = join(root, 'published.png');
    const tags = exiftool(out);
    const label = JSON.parse(String(tags['XMP-TC260:Aigc'])) as Record<string, string>;
    expect(label).toEqual({ Label: '1', ContentProducer: 'AUTOMATIC1111 Stable Diffusion WebUI v1.10.1', ProduceID: s.id, ReservedCode1: sha256Hex(readFileSync(s.archive)), ContentPropagator: '', PropagateID: '', ReservedCode2: '' });
    expect(tags['JUMBF:JUMDLabel']).toBe('c2pa');
    expect(tags['CBOR:ActionsDigitalSourceType']).toBe('http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia');
    const metadata = await readImageMetadata(out);
    expect(metadata.aigcLabel).toMatchObject({ label: '1', produceId: s.id, reservedCode1: sha256Hex(readFileSync(s.archive)), carrier: 'xmp' });
    // The generator's own parameters are still there, untouched.
    expect(metadata.prompt).toBe('a harbour at dawn, oil painting');
  });

  it('leaves the pixels as they were recorded', () => {
    const original = PNG.sync.read(readFileSync(s.pl.blobs.pathOf(s.final)));
    const published = PNG.sync.read(readFileSync(join(root, 'published.png')));
    expect(published.width).toBe(original.width);
    expect(Buffer.compare(published.data, original.data)).toBe(0);
  });

  it('one changed byte of pixel data, or of the label, is a hard-binding mismatch for c2pa-rs', async () => {
    const bytes = readFileSync(join(root, 'published.png'));
    const pixels = Buffer.from(bytes);
    pixels[firstIdat(pixels) + 5]! ^= 0x01;
    expect((await readC2pa(pixels, 'image/png')).failures).toContain('assertion.dataHash.mismatch');
    // The label was written before signing, so the binding covers it: ReservedCode1's first digit changed.
    const text = bytes.toString('latin1');
    expect(text.indexOf('ReservedCode1&quot;:&quot;')).toBeGreaterThan(0);
    const at = text.indexOf('ReservedCode1&quot;:&quot;') + 'ReservedCode1&quot;:&quot;'.length;
    const label = Buffer.from(bytes);
    label[at] = label[at] === 0x30 ? 0x31 : 0x30;
    expect((await readC2pa(label, 'image/png')).failures).toContain('assertion.dataHash.mismatch');
  });

  it('a JPEG without the label: valid Content Credentials, no TC260 XMP, pixels unchanged, a changed scan byte caught', async () => {
    const out = join(root, 'published.jpg');
    await publishImage(s.pl, { sessionId: s.id, sha256: s.jpeg, out, archive: s.archive, label: false });
    const bytes = readFileSync(out);
    const reading = await readC2pa(bytes, 'image/jpeg');
    expect(reading.failures).toEqual(['signingCredential.untrusted']);
    const tags = exiftool(out);
    expect(Object.keys(tags).filter((k) => k.startsWith('XMP-TC260'))).toEqual([]);
    expect(bytes.includes(Buffer.from(TC260_NS))).toBe(false);
    expect(tags['JUMBF:JUMDLabel']).toBe('c2pa');
    const original = jpeg.decode(readFileSync(s.pl.blobs.pathOf(s.jpeg)));
    expect(Buffer.compare(Buffer.from(jpeg.decode(bytes).data), Buffer.from(original.data))).toBe(0);
    // The entropy-coded scan follows the last SOS segment: one byte in the middle of it.
    const sos = bytes.lastIndexOf(Buffer.from([0xff, 0xda]));
    const changed = Buffer.from(bytes);
    const at = sos + Math.floor((bytes.length - sos) / 2);
    changed[at] = changed[at] === 0x00 ? 0x01 : changed[at]! === 0xff ? 0xfe : changed[at]! ^ 0x01;
    expect((await readC2pa(changed, 'image/jpeg')).failures).toContain('assertion.dataHash.mismatch');
  });

  it('records each publication, signed by the device key, and never lets one be changed or removed', async () => {
    const archiveSha256 = sha256Hex(readFileSync(s.archive));
    const device = await s.pl.device();
    const found = publicationsOfArchive(s.pl.db, archiveSha256, device);
    expect(found.map((p) => [p.body.outputName, p.body.tc260Label === null, p.signatureValid])).toEqual([
      ['published.png', false, true],
      ['published.jpg', true, true],
    ]);
    expect(found[1]!.body.prev).toBe(found[0]!.hash);
    // Another file of the same sealed bag (a seal token or an evidence record added outside the
    // tag manifest since) finds them by its tag manifest; an unrelated archive finds none.
    expect(publicationsOfArchive(s.pl.db, 'f'.repeat(64), device, found[0]!.body.tagManifestSha256)).toHaveLength(2);
    expect(publicationsOfArchive(s.pl.db, 'f'.repeat(64), device, 'e'.repeat(64))).toHaveLength(0);
    expect(() => s.pl.db.prepare("UPDATE publications SET body = replace(body, 'published', 'forged')").run()).toThrow(/never changed/);
    expect(() => s.pl.db.prepare('DELETE FROM publications').run()).toThrow(/never removed/);
  });

  it('a publication record edited by someone who dropped the triggers no longer checks (the report says so)', async () => {
    // A copy of the store, so the forgery does not touch the session the other tests use.
    const copy = join(root, 'forged.sqlite');
    await s.pl.db.backup(copy);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(copy);
    try {
      db.exec('DROP TRIGGER publications_no_update');
      // The forger points the JPEG's publication at a different output hash, keeping the signature.
      db.prepare("UPDATE publications SET body = replace(body, (SELECT json_extract(body, '$.outputSha256') FROM publications WHERE seq = 2), ?) WHERE seq = 2").run('f'.repeat(64));
      const found = publicationsOfArchive(db, sha256Hex(readFileSync(s.archive)), await s.pl.device());
      expect(found.map((p) => p.signatureValid)).toEqual([true, false]);
      expect(found[1]!.body.outputSha256).toBe('f'.repeat(64));
    } finally {
      db.close();
    }
  });

  it('the signer is tied to the archive’s device: c2pa-rs cannot tell another device’s signature from ours, the device certificate can', { timeout: 120_000 }, async () => {
    const deviceCertPem = readFileSync(join(root, 'device-cert-from-archive.pem'), 'utf8');
    for (const [file, format] of [['published.png', 'image/png'], ['published.jpg', 'image/jpeg']] as const) {
      const bytes = readFileSync(join(root, file));
      const tie = deviceTie(bytes, (await readC2pa(bytes, format)).activeManifest!, deviceCertPem);
      expect(tie).toMatchObject({ issuedByDevice: true, signerSubject: expect.stringMatching(/Proofline Content Credentials signer of device/) });
    }
    // The forgery: another machine (its own device key, the same names in its certificates)
    // publishes an image claiming this session's archive. c2pa-rs finds it just as valid…
    const other = await makePublishSession(join(root, 'other-device'));
    try {
      const forged = join(root, 'forged.png');
      await publishImage(other.pl, { sessionId: other.id, sha256: other.final, out: forged, archive: other.archive, label: true });
      const bytes = readFileSync(forged);
      const reading = await readC2pa(bytes, 'image/png');
      expect(reading.failures).toEqual(['signingCredential.untrusted']);
      // …but its signer was not issued by the device key in this session's archive.
      expect(deviceTie(bytes, reading.activeManifest!, deviceCertPem).issuedByDevice).toBe(false);
    } finally {
      other.pl.close();
    }
  });

  it('signs with a certificate fit for C2PA and issued by the device key', async () => {
    const device = await s.pl.device();
    const keyDir = join(device.keyPath, '..');
    const cert = new X509Certificate(readFileSync(join(keyDir, 'c2pa-cert.pem')));
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.36']);
    expect(cert.verify(new X509Certificate(device.certificatePem).publicKey)).toBe(true);
    expect(cert.issuer).toBe(new X509Certificate(device.certificatePem).subject);
    expect(readFileSync(join(keyDir, 'c2pa-key.pem')).length).toBeGreaterThan(0);
    expect((execFileSync('stat', ['-c', '%a', join(keyDir, 'c2pa-key.pem')], { encoding: 'utf8' })).trim()).toBe('600');
  });

  it('refuses an image not marked final, an archive of another state, and an existing output file', async () => {
    await expect(publishImage(s.pl, { sessionId: s.id, sha256: s.draft, out: join(root, 'x.png'), archive: s.archive, label: true })).rejects.toMatchObject({ code: 'publish.not-final' });
    const other = join(root, 'not-the-archive.zip');
    writeFileSync(other, 'PK\x05\x06' + '\0'.repeat(18));
    await expect(publishImage(s.pl, { sessionId: s.id, sha256: s.final, out: join(root, 'y.png'), archive: other, label: true })).rejects.toMatchObject({ code: 'publish.archive-mismatch' });
    await expect(publishImage(s.pl, { sessionId: s.id, sha256: s.final, out: join(root, 'published.png'), archive: s.archive, label: true })).rejects.toMatchObject({ code: 'publish.exists' });
  });

  it('refuses a session that is not sealed', async () => {
    const open = await makePublishSession(join(root, 'open'), { seal: false }).catch(async (error) => {
      throw error;
    });
    try {
      await expect(publishImage(open.pl, { sessionId: open.id, sha256: open.final, out: join(root, 'z.png'), archive: open.archive, label: true })).rejects.toMatchObject({ code: 'publish.unsealed', kind: 'conflict' });
    } finally {
      open.pl.close();
    }
  });

  it('from the command line: publish, then inspect reads the label; without --archive the session is exported beside it, byte for byte the same archive', { timeout: 120_000 }, async () => {
    const data = join(root, 'data');
    const out = join(root, 'cli.png');
    const published = await proofline(['--data', data, 'publish', s.id.slice(0, 8), s.final.slice(0, 12), '--out', out, '--archive', s.archive, '--json']);
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    const result = JSON.parse(published.stdout) as { path: string; archiveSha256: string; labeled: boolean; ingredients: { relationship: string }[] };
    expect(result).toMatchObject({ path: out, archiveSha256: sha256Hex(readFileSync(s.archive)), labeled: true });
    expect(result.ingredients.map((i) => i.relationship)).toEqual(['parentOf', 'componentOf']);
    const inspected = await proofline(['inspect', out, '--json']);
    expect(inspected.code).toBe(0);
    expect((JSON.parse(inspected.stdout) as { aigcLabel: Record<string, string> }).aigcLabel).toMatchObject({ label: '1', produceId: s.id, reservedCode1: result.archiveSha256 });

    const cwd = mkdtempSync(join(root, 'cwd-'));
    const defaults = await proofline(['--data', data, 'publish', s.id, s.final, '--no-label'], {}, cwd);
    expect(defaults.code).toBe(0);
    expect(defaults.stdout).toContain(join(cwd, '00003-final-published.png'));
    expect(defaults.stdout).toContain('TC260 label: none');
    const exported = readdirSync(cwd).filter((n) => n.endsWith('.zip'));
    expect(exported).toHaveLength(1);
    expect(sha256Hex(readFileSync(join(cwd, exported[0]!)))).toBe(result.archiveSha256);
  });

  it('from the command line: an unsealed session is refused with the reason, exit 1', { timeout: 120_000 }, async () => {
    const open = await makePublishSession(join(root, 'open-cli'), { seal: false });
    open.pl.close();
    const refused = await proofline(['--data', join(root, 'open-cli', 'data'), 'publish', open.id, open.final, '--out', join(root, 'never.png')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not sealed: seal and export it first/);
  });

  it('the court report made on this machine for the archive lists its published copies, in Chinese and English', { timeout: 300_000 }, async () => {
    const data = join(root, 'data');
    const archiveSha256 = sha256Hex(readFileSync(s.archive));
    const png = publicationsOfArchive(s.pl.db, archiveSha256, await s.pl.device())[0]!;
    for (const [lang, heading] of [['zh', '已发布的副本'], ['en', 'Published copies']] as const) {
      const pdf = join(root, `report-${lang}.pdf`);
      const made = await proofline(['--data', data, 'report', s.archive, '--lang', lang, '--out', pdf]);
      expect(made.stderr).toBe('');
      expect(made.code).toBe(0);
      const text = (await run('pdftotext', [pdf, '-'])).stdout;
      const flat = text.replace(/\s+/g, '');
      expect(flat).toContain(heading.replace(/\s+/g, ''));
      expect(flat).toContain(png.body.outputSha256);
      expect(flat).toContain(png.body.c2paManifest);
      expect(flat).toContain('published.png');
      // No TSA here: the report says the publication time is the device's word alone.
      expect(flat).toContain(lang === 'zh' ? '上面的发布时间仅是本设备的说法' : 'thepublicationtimeaboveisthisdevice');
    }
  });
});
