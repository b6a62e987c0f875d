import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipTo, zipFolder } from '../support/bag-files.js';
import { proofline, run } from '../support/cli.js';
import { makeCreationArchive, makeWebArchive, type CreationArchive, type WebArchive } from '../support/report-archives.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { openProofline } from '../../src/core/proofline.js';
import { createHost } from '../../src/host/operations.js';
import { SettingsStore } from '../../src/host/settings-store.js';
import { startWebHost } from '../../src/host/web-host.js';

// The court report (issue 12): `proofline report` on real archives made by the command line,
// read back with poppler's pdftotext and checked with pdfsig, as a lawyer's tools would.

let root: string;
let tsa: RunningTsa;
let creation: CreationArchive;
let web: WebArchive;
/** Where the samples are kept for a person to look at (pdftoppm pages beside each PDF). */
const SAMPLES = process.env['PROOFLINE_REPORT_SAMPLES'] ?? join(tmpdir(), 'report-samples');

const STEP = { timeout: 240_000 };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-report-'));
  tsa = await startTsa({ dir: root, name: 'Report' });
  mkdirSync(SAMPLES, { recursive: true });
}, 60_000);

afterAll(async () => {
  await tsa?.stop();
  rmSync(root, { recursive: true, force: true });
});

interface Made {
  readonly pdf: string;
  readonly text: string;
  readonly sigfile: string;
}

async function report(archive: string, data: string, name: string, lang: 'zh' | 'en'): Promise<Made> {
  const pdf = join(root, `${name}.pdf`);
  const made = await proofline(['--data', data, '--tsa', tsa.url, 'report', archive, '--out', pdf, '--lang', lang, '--trust', tsa.caPath, '--json']);
  expect(made.code, made.stderr).toBe(0);
  const text = (await run('pdftotext', [pdf, '-'])).stdout;
  const sig = await run('pdfsig', [pdf]);
  copyFileSync(pdf, join(SAMPLES, `${name}.pdf`));
  await run('pdftoppm', ['-r', '50', '-png', pdf, join(SAMPLES, name)]);
  return { pdf, text, sigfile: sig.stdout + sig.stderr };
}

/** The payload files' SHA-256 from the archive's own manifest. */
function manifest(zip: string): { digest: string; path: string }[] {
  return execFileSync('unzip', ['-p', zip, 'manifest-sha256.txt'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => ({ digest: line.slice(0, 64), path: line.slice(66) }));
}

/** pdftotext breaks long hashes over lines and columns: compare without any whitespace. */
const squeeze = (text: string): string => text.replace(/\s+/g, '');

function anchoringTimes(zip: string, data: string): Promise<string[]> {
  return proofline(['--data', data, 'verify', zip, '--trust', tsa.caPath, '--json']).then((r) => {
    const report = JSON.parse(r.stdout) as { anchoring: { tokens: { genTime: string | null }[] } };
    return report.anchoring.tokens.flatMap((t) => (t.genTime ? [`${new Date(t.genTime).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`] : []));
  });
}

function sha256sum(path: string): string {
  return execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;
}

describe('proofline report on a creation session', () => {
  it('makes the archive: two AI generations, marks with reasons, a note, a comparison, an attachment, a screen recording', STEP, async () => {
    creation = await makeCreationArchive(root, tsa);
    expect(existsSync(creation.zip)).toBe(true);
  });

  for (const lang of ['en', 'zh'] as const) {
    it(`writes a signed ${lang} report whose cover states VERIFIED, the title, every file's SHA-256 and the anchoring times`, STEP, async () => {
      const { text, sigfile } = await report(creation.zip, creation.data, `creation-${lang}`, lang);
      expect(text).toContain('Lighthouse poster 灯塔海报');
      expect(text).toContain(lang === 'zh' ? '已验证（VERIFIED）' : 'VERIFIED: every file');
      expect(text).toContain(lang === 'zh' ? '电子证据报告' : 'Evidence report');
      const flat = squeeze(text);
      expect(flat).toContain(sha256sum(creation.zip));
      for (const file of manifest(creation.zip)) expect(flat, file.path).toContain(file.digest);
      for (const time of await anchoringTimes(creation.zip, creation.data)) expect(flat).toContain(squeeze(time));
      // The creative process: prompts, parameters, the human decisions and their reasons.
      expect(text).toContain('a lighthouse at dusk, oil painting');
      expect(text).toContain('client approved the oil painting');
      expect(text).toContain('00001-a1111.png');
      expect(text).toContain(lang === 'zh' ? '最终稿' : 'Final');
      expect(sigfile).toContain('Signature is Valid.');
      expect(sigfile).toContain('Proofline report signer of device');
      // Chinese glyphs are embedded, not referenced.
      const fonts = (await run('pdffonts', [join(SAMPLES, `creation-${lang}.pdf`)])).stdout;
      if (lang === 'zh') expect(fonts).toMatch(/WenQuanYiMicroHei\s+CID TrueType\s+Identity-H\s+yes/);
      expect(fonts).not.toMatch(/\bno\s+(yes|no)\s+(yes|no)\s+\d+\s+0\s*$/m);
    });
  }

  it('carries the archive SHA-256 and the page number in the footer of every page', STEP, async () => {
    const pdf = join(SAMPLES, 'creation-en.pdf');
    const pages = Number(/Pages:\s+(\d+)/.exec((await run('pdfinfo', [pdf])).stdout)?.[1]);
    expect(pages).toBeGreaterThan(3);
    const sha = sha256sum(creation.zip);
    for (let page = 1; page <= pages; page++) {
      const text = (await run('pdftotext', ['-f', String(page), '-l', String(page), pdf, '-'])).stdout;
      expect(text, `page ${page}`).toContain(`Archive SHA-256 ${sha}`);
      expect(text, `page ${page}`).toContain(`Page ${page} of ${pages}`);
    }
  });

  it('timestamps its signature with the TSA (PAdES B-T)', STEP, async () => {
    const pdf = join(root, 'timestamped.pdf');
    const made = await proofline(['--data', creation.data, '--tsa', tsa.url, 'report', creation.zip, '--out', pdf, '--json']);
    expect(made.code, made.stderr).toBe(0);
    const result = JSON.parse(made.stdout) as { signature: { timestampedBy: string | null; sameDevice: boolean } };
    expect(result.signature).toMatchObject({ timestampedBy: tsa.url, sameDevice: true });
    // The CMS carries the token as id-aa-signatureTimeStampToken (1.2.840.113549.1.9.16.2.14).
    const dir = join(root, 'dump');
    mkdirSync(dir);
    copyFileSync(pdf, join(dir, 'r.pdf'));
    await run('pdfsig', ['-dump', 'r.pdf'], dir);
    const cms = readFileSync(join(dir, 'r.pdf.sig0'));
    const asn1 = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: cms, encoding: 'utf8', maxBuffer: 16 << 20 });
    expect(asn1).toMatch(/id-smime-aa-timeStampToken|1\.2\.840\.113549\.1\.9\.16\.2\.14/);
    expect(asn1).toMatch(/id-smime-aa-signingCertificateV2|1\.2\.840\.113549\.1\.9\.16\.2\.47/);
  });

  it('says NOT VERIFIED on the cover of a tampered archive and names the altered image', STEP, async () => {
    const bag = join(root, 'tampered-bag');
    await unzipTo(creation.zip, bag);
    const events = readFileSync(join(bag, 'data/events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { artifacts?: { name: string; sha256: string }[] });
    const image = events.flatMap((e) => e.artifacts ?? []).find((a) => a.name === '00001-a1111.png')!;
    const file = join(bag, 'data/artifacts', `${image.sha256}.png`);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1]! ^= 0x01; // one bit of one pixel row
    writeFileSync(file, bytes);
    const tampered = join(root, 'tampered.zip');
    await zipFolder(bag, tampered);
    for (const lang of ['en', 'zh'] as const) {
      const { text, sigfile } = await report(tampered, creation.data, `tampered-${lang}`, lang);
      const cover = text.split('\f')[0]!;
      expect(cover).toContain(lang === 'zh' ? '未通过验证（NOT VERIFIED）' : 'NOT VERIFIED');
      expect(squeeze(cover)).toContain(`data/artifacts/${image.sha256}.png`);
      expect(cover).toContain('00001-a1111.png');
      expect(sigfile).toContain('Signature is Valid.');
    }
  });

  it('refuses a file that is not an archive with exit 2 and says why', STEP, async () => {
    const bogus = join(root, 'notes.zip');
    writeFileSync(bogus, 'these are not the archives you are looking for\n');
    const refused = await proofline(['--data', creation.data, 'report', bogus, '--out', join(root, 'bogus.pdf')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/notes\.zip is not a readable Proofline archive, so there is no report/);
    expect(existsSync(join(root, 'bogus.pdf'))).toBe(false);
  });

  it('says plainly that it needs Chromium when none can be found', STEP, async () => {
    const missing = await proofline(['--data', creation.data, 'report', creation.zip, '--out', join(root, 'nobrowser.pdf')], { PROOFLINE_BROWSER: join(root, 'no-such-chromium') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/printed by Chrome, Edge or Chromium, and none could be started/);
  });
});

describe('the Court report button in the browser host (proofline serve)', () => {
  it('makes the report through archive.report and hands the browser a PDF download', STEP, async () => {
    const dir = join(root, 'serve');
    const renderer = join(dir, 'renderer');
    mkdirSync(renderer, { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Proofline</title>');
    const pl = openProofline({ dataDir: creation.data });
    const host = createHost({ pl, settings: new SettingsStore(join(dir, 'settings')), host: 'web', exportDir: join(dir, 'exports') });
    const web = await startWebHost({ host, pl, rendererDir: renderer, archivePath: host.archivePath });
    try {
      const headers = { 'content-type': 'application/json', 'x-proofline-secret': web.secret };
      const api = async (op: string, input: unknown): Promise<Record<string, unknown>> => {
        const reply = await fetch(`${web.origin}/api/${op}`, { method: 'POST', headers, body: JSON.stringify(input) });
        const body = (await reply.json()) as { ok: boolean; result: Record<string, unknown>; error?: unknown };
        expect(body.ok, JSON.stringify(body.error)).toBe(true);
        return body.result;
      };
      const opened = await api('archive.open', { path: creation.zip });
      const made = (await api('archive.report', { archive: opened['archive'], lang: 'zh' })) as { download: string; name: string; path: string };
      expect(made.download).toMatch(/^report\/[0-9a-f-]{36}$/);
      const download = await fetch(`${web.origin}/media/${made.download}`, { headers: { 'x-proofline-secret': web.secret } });
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('application/pdf');
      expect(download.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="${made.name.replace(/\./g, '\\.')}"`));
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      expect(bytes.equals(readFileSync(made.path))).toBe(true);
      expect((await fetch(`${web.origin}/media/${made.download}`)).status).toBe(401);
    } finally {
      await host.shutdown();
      await web.close();
      pl.close();
    }
  });
});

describe('proofline report on a web capture', () => {
  it('makes the archive: the test site captured by proofline capture', STEP, async () => {
    web = await makeWebArchive(root, tsa);
  });

  for (const lang of ['en', 'zh'] as const) {
    it(`writes a signed ${lang} report with the URL, server IP, the screenshot over several pages and the capture log`, STEP, async () => {
      const { text, sigfile, pdf } = await report(web.zip, web.data, `web-${lang}`, lang);
      expect(text).toContain(web.title);
      expect(text).toContain(lang === 'zh' ? '已验证（VERIFIED）' : 'VERIFIED: every file');
      expect(text).toContain(web.url);
      expect(text).toContain('127.0.0.1');
      expect(text).toContain(lang === 'zh' ? '抓取日志' : 'Capture log');
      const flat = squeeze(text);
      expect(flat).toContain(sha256sum(web.zip));
      for (const file of manifest(web.zip)) expect(flat, file.path).toContain(file.digest);
      for (const time of await anchoringTimes(web.zip, web.data)) expect(flat).toContain(squeeze(time));
      expect(sigfile).toContain('Signature is Valid.');
      // The 9000 px page's screenshot is printed across pages, not shrunk onto one.
      const pages = Number(/Pages:\s+(\d+)/.exec((await run('pdfinfo', [pdf])).stdout)?.[1]);
      expect(pages).toBeGreaterThanOrEqual(8);
    });
  }
});
