import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRef, EventBody } from '../../src/shared/domain.js';
import { checkpointSubject } from '../../src/core/attest/checkpoints.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { captureUrls, type CaptureProgress } from '../../src/core/capture/web/capture-urls.js';
import { proofline } from '../support/cli.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { expectValidWacz, MOVED_MARKER, MOVING_HEIGHT_PX, MOVING_MARKER, startTestSite, type TestSite } from '../support/test-site.js';

let root: string;
let site: TestSite;
let tsa: RunningTsa;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-web-'));
  [site, tsa] = await Promise.all([startTestSite(root), startTsa({ dir: root, name: 'Web capture TSA' })]);
});

afterAll(async () => {
  await Promise.all([site?.stop(), tsa?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

function events(pl: Proofline, sessionId: string): EventBody[] {
  return [...pl.events.iterate(sessionId)].map((e) => e.body);
}

function artifactPath(extracted: string, ref: ArtifactRef): string {
  const ext = ref.name.slice(ref.name.lastIndexOf('.'));
  return join(extracted, 'data', 'artifacts', `${ref.sha256}${ext}`);
}

function byName(body: EventBody, name: string): ArtifactRef {
  const ref = body.artifacts.find((a) => a.name === name);
  if (!ref) throw new Error(`event ${body.seq} has no ${name}: ${body.artifacts.map((a) => a.name).join(', ')}`);
  return ref;
}

describe('web capture', () => {
  it('captures a batch into a sealed archive that verifies: every artifact, redirects, lazy content, TLS chain, bounded failures', async () => {
    const dataDir = join(root, 'batch');
    const pl = openProofline({ dataDir, tsaUrls: [tsa.url], tsaTimeoutMs: 10_000 });
    const refused = await site.refusedUrl();
    const urls = [`${site.httpOrigin}/redirect`, `${site.httpsOrigin}/tall`, `${site.httpOrigin}/never`, `${site.httpOrigin}/missing`, refused];
    const progress: CaptureProgress[] = [];
    let sessionId: string;
    const started = Date.now();
    try {
      const session = await pl.sessions.create({ kind: 'web', title: 'Infringing copies' });
      sessionId = session.id;
      const batch = await captureUrls(pl, session.id, urls, {
        concurrency: 2,
        retries: 1,
        retryDelayMs: 50,
        navigationTimeoutMs: 4000,
        extraCaRoots: [site.caPem],
        onProgress: (p) => progress.push(p),
      });
      const elapsed = Date.now() - started;
      const [redirect, tall, never, missing, refusedResult] = batch.results;

      // One failure never stops the batch: every URL has a result, in order.
      expect(batch.results.map((r) => r.url)).toEqual(urls);
      expect(redirect).toMatchObject({ ok: true, finalUrl: `${site.httpOrigin}/plain`, status: 200, partial: false });
      expect(tall).toMatchObject({ ok: true, status: 200, partial: false });
      // The never-finishing page is bounded by the navigation timeout and kept as it rendered.
      expect(never).toMatchObject({ ok: true, status: 200, partial: true });
      expect(missing).toMatchObject({ ok: false, status: 404, error: { kind: 'http-error', message: 'HTTP 404 Not Found' } });
      expect(missing!.eventSeq).toBeTypeOf('number');
      expect(refusedResult).toMatchObject({ ok: false, attempts: 2, error: { kind: 'refused' } });
      expect(elapsed).toBeLessThan(45_000);
      expect(progress.filter((p) => p.url === refused).map((p) => p.state)).toEqual(['queued', 'loading', 'retrying', 'loading', 'failed']);
      expect(progress.filter((p) => p.url === urls[1]).map((p) => p.state)).toEqual(['queued', 'loading', 'scrolling', 'saving', 'done']);

      const log = events(pl, session.id);
      const captures = log.filter((e) => e.type === 'web.capture');
      expect(captures).toHaveLength(4);
      const captureOf = (url: string): EventBody => captures.find((e) => e.payload['url'] === url)!;

      // Redirects: typed URL, each hop with its status and Location, the final URL.
      const navigation = log.find((e) => e.type === 'web.navigation' && e.payload['typedUrl'] === urls[0])!;
      expect(navigation.payload['redirects']).toEqual([
        { url: `${site.httpOrigin}/redirect`, status: 301, location: '/redirect-2' },
        { url: `${site.httpOrigin}/redirect-2`, status: 302, location: '/plain' },
      ]);
      expect(navigation.payload).toMatchObject({ finalUrl: `${site.httpOrigin}/plain`, status: 200, serverIp: '127.0.0.1', serverPort: Number(new URL(site.httpOrigin).port), loaded: true });
      expect(captureOf(urls[0]!).payload).toMatchObject({ title: 'Plain page', finalUrl: `${site.httpOrigin}/plain` });
      expect(captureOf(urls[0]!).payload['headers']).toContainEqual(['x-test-site', 'proofline']);

      // Every artifact was chained as written, before the summary that names them all.
      for (const capture of captures) {
        const names = capture.artifacts.map((a) => a.name).sort();
        const expected = ['capture.wacz', 'dom.html', 'network.har', 'page.mhtml', 'screenshot.png', 'text.txt'];
        expect(names).toEqual(String(capture.payload['url']).startsWith('https:') ? [...expected, 'tls-chain.pem'].sort() : expected);
        const files = log.filter((e) => e.type === 'web.capture.file' && e.payload['captureId'] === capture.payload['captureId']);
        expect(files.map((e) => e.artifacts[0]!.sha256).sort()).toEqual(capture.artifacts.map((a) => a.sha256).sort());
        expect(Math.max(...files.map((e) => e.seq))).toBeLessThan(capture.seq);
      }

      // TLS: the browser trusted the test CA only through its SPKI hash; the chain was fetched
      // separately and shows leaf then test CA, not trusted by the system.
      const tls = captureOf(urls[1]!).payload['tls'] as { [key: string]: unknown };
      expect(tls).toMatchObject({ protocol: 'TLSv1.3', authorized: false, authorizedWithExtraRoots: true, browser: { protocol: 'TLS 1.3', issuer: 'Proofline Test Web CA' } });
      expect(String(tls['authorizationError'])).toMatch(/CERT|ISSUER|SELF_SIGNED/);
      const caSha = createHash('sha256').update(new X509Certificate(site.caPem).raw).digest('hex');
      const leafSha = createHash('sha256').update(new X509Certificate(site.leafPem).raw).digest('hex');
      expect((tls['chain'] as { sha256: string }[]).map((c) => c.sha256)).toEqual([leafSha, caSha]);
      expect(captureOf(urls[1]!).payload['certificateHandling']).toEqual({ ignoreHttpsErrors: false, extraRootSpkiHashes: [expect.any(String)] });

      // Scroll: the tall page was scrolled to its bottom within the bounds.
      expect(captureOf(urls[1]!).payload['scroll']).toMatchObject({ hitHeightLimit: false, hitTimeLimit: false, maxHeightPx: 40_000, maxMs: 30_000 });
      expect((captureOf(urls[1]!).payload['scroll'] as { heightPx: number }).heightPx).toBeGreaterThanOrEqual(site.tallHeightPx);
      expect(log.find((e) => e.type === 'web.navigation' && e.payload['typedUrl'] === urls[2])!.payload['loaded']).toBe(false);

      const failed = log.filter((e) => e.type === 'web.capture.failed');
      expect(failed.map((e) => [e.payload['url'], e.payload['kind'], e.payload['attempt'], e.payload['willRetry']])).toEqual(expect.arrayContaining([
        [refused, 'refused', 1, true],
        [refused, 'refused', 2, false],
        [urls[3], 'http-error', 1, false],
      ]));
      // By the time the batch returns, every capture is covered by a checkpoint taken after it
      // (taken behind the pages, one covering those that finished together), timestamped by the TSA.
      const checkpoints = pl.checkpoints.list(session.id);
      const tokens = pl.timestamps.list(session.id).filter((t) => t.subject.startsWith('checkpoint:'));
      for (const capture of captures) {
        const covering = checkpoints.find((c) => c.statement.treeSize > capture.seq);
        expect(covering, `a checkpoint over ${capture.payload['url']}`).toBeDefined();
        expect(tokens.find((t) => t.subject === checkpointSubject(covering!.statement.index))?.state).toBe('obtained');
      }
      expect(tokens.filter((t) => t.state === 'pending')).toEqual([]);

      await pl.sessions.seal(session.id);
      await pl.exportSession(session.id, { out: join(root, 'batch.zip') });
    } finally {
      pl.close();
    }

    // The archive verifies with the tools a lawyer has: the CLI, then the extracted files.
    const verified = await proofline(['verify', join(root, 'batch.zip'), '--trust', tsa.caPath, '--json']);
    expect(verified.stderr).toBe('');
    expect(JSON.parse(verified.stdout).exitCode).toBe(0);
    expect(verified.code).toBe(0);
    const extracted = join(root, 'batch-extracted');
    mkdirSync(extracted);
    execFileSync('unzip', ['-q', join(root, 'batch.zip'), '-d', extracted]);
    const archived = readFileSync(join(extracted, 'data', 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EventBody);
    const captures = archived.filter((e) => e.type === 'web.capture');
    expect(captures).toHaveLength(4);
    for (const capture of captures) {
      for (const ref of capture.artifacts) {
        const data = readFileSync(artifactPath(extracted, ref));
        expect(createHash('sha256').update(data).digest('hex'), `${capture.payload['url']} ${ref.name}`).toBe(ref.sha256);
      }
      const wacz = await expectValidWacz(artifactPath(extracted, byName(capture, 'capture.wacz')));
      expect(wacz.pages[0]).toMatchObject({ url: capture.payload['finalUrl'], title: capture.payload['title'] });
    }

    // The tall page: lazy images far below and the image inserted on scroll are in the HAR and
    // the WACZ, and the screenshot is as tall as the whole page.
    const tall = captures.find((e) => e.payload['url'] === urls[1])!;
    const har = JSON.parse(readFileSync(artifactPath(extracted, byName(tall, 'network.har')), 'utf8')) as { log: { entries: { request: { url: string }; response: { status: number; content: { size: number } } }[] } };
    const harUrls = har.log.entries.filter((e) => e.response.status === 200 && e.response.content.size > 0).map((e) => new URL(e.request.url).pathname);
    expect(harUrls).toEqual(expect.arrayContaining(['/tall', '/img/top.png', '/img/lazy-1.png', '/img/lazy-2.png', '/img/scroll-inserted.png']));
    const tallWacz = await expectValidWacz(artifactPath(extracted, byName(tall, 'capture.wacz')));
    expect(tallWacz.records.map((r) => new URL(r.url).pathname)).toEqual(expect.arrayContaining(['/img/lazy-1.png', '/img/lazy-2.png', '/img/scroll-inserted.png']));
    const screenshot = PNG.sync.read(readFileSync(artifactPath(extracted, byName(tall, 'screenshot.png'))));
    expect(screenshot.height).toBeGreaterThanOrEqual(site.tallHeightPx);
    expect(screenshot.width).toBe(1280);
    // The picture itself shows the image inserted on scroll (solid rgb(220,160,0), 80x80).
    let orange = 0;
    for (let i = 0; i < screenshot.data.length; i += 4) {
      if (screenshot.data[i] === 220 && screenshot.data[i + 1] === 160 && screenshot.data[i + 2] === 0) orange += 1;
    }
    expect(orange).toBeGreaterThanOrEqual(80 * 80 * 0.9);
    const mhtml = readFileSync(artifactPath(extracted, byName(tall, 'page.mhtml')), 'utf8');
    expect(mhtml).toMatch(/Content-Type: multipart\/related/i);
    expect(readFileSync(artifactPath(extracted, byName(tall, 'dom.html')), 'utf8')).toContain('alt="inserted on scroll"');
    expect(readFileSync(artifactPath(extracted, byName(tall, 'text.txt')), 'utf8')).toContain('bottom of the page');
    const pem = readFileSync(artifactPath(extracted, byName(tall, 'tls-chain.pem')), 'utf8');
    const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    expect(certs.map((c) => new X509Certificate(c).subject)).toEqual([new X509Certificate(site.leafPem).subject, new X509Certificate(site.caPem).subject]);

    // The never-finishing page kept what rendered; its held-open image is marked truncated.
    const never = captures.find((e) => e.payload['url'] === urls[2])!;
    expect(never.payload['partial']).toBe(true);
    expect(readFileSync(artifactPath(extracted, byName(never, 'text.txt')), 'utf8')).toContain('Text that rendered.');
  }, 150_000);

  it('files only the first document under its URL when the page moves itself during the capture, and records the move', async () => {
    const pl = openProofline({ dataDir: join(root, 'moving') });
    try {
      const session = await pl.sessions.create({ kind: 'web', title: 'Moving' });
      const from = `${site.httpOrigin}/moving`;
      const to = `${site.httpOrigin}/moved`;
      // No scroll (maxScrollMs 0): the DOM, the text and the MHTML are taken; the form is submitted
      // when the full-page screenshot ends the page's animation (test-site.ts), while it is taken.
      const batch = await captureUrls(pl, session.id, [from], { maxScrollMs: 0, retries: 0 });
      expect(batch.results[0]).toMatchObject({ ok: true, status: 200, finalUrl: from, navigatedTo: to });
      expect(site.requested).toContain('/moved');

      const log = events(pl, session.id);
      const captures = log.filter((e) => e.type === 'web.capture');
      // The other document is named, not captured: no capture is filed under its URL.
      expect(captures.map((e) => e.payload['url'])).toEqual([from]);
      const capture = captures[0]!;
      const captureId = capture.payload['captureId'];
      expect(capture.payload).toMatchObject({ url: from, finalUrl: from, status: 200, title: 'A page that moves' });

      // The move is on record, in the capture and as its own event, with both URLs, when and during which step.
      const navigated = capture.payload['navigated'] as { [key: string]: unknown };
      expect(navigated).toMatchObject({ from, to, toCaptured: false });
      expect(['mhtml', 'screenshot']).toContain(navigated['step']);
      expect(Number.isNaN(Date.parse(String(navigated['at'])))).toBe(false);
      const moved = log.filter((e) => e.type === 'web.capture.navigated');
      expect(moved).toHaveLength(1);
      expect(moved[0]!.payload).toMatchObject({ captureId, url: from, from, to, toCaptured: false, step: navigated['step'] });
      expect(moved[0]!.seq).toBeLessThan(capture.seq);

      // Every file filed under the first URL is of the first document.
      const names = capture.artifacts.map((a) => a.name);
      expect(names).toEqual(expect.arrayContaining(['dom.html', 'text.txt', 'network.har', 'capture.wacz']));
      expect(navigated['notCaptured']).toEqual(['page.mhtml', 'screenshot.png'].filter((n) => !names.includes(n)));
      expect(navigated['notCaptured']).not.toEqual([]);
      expect([...(capture.payload['artifacts'] as string[])].sort()).toEqual([...names].sort());
      const files = log.filter((e) => e.type === 'web.capture.file' && e.payload['captureId'] === captureId);
      expect(files.map((e) => e.payload['url'])).toEqual(names.map(() => from));
      const read = (name: string): string => readFileSync(pl.blobs.pathOf(byName(capture, name).sha256), 'utf8');
      for (const name of ['dom.html', 'text.txt', ...(names.includes('page.mhtml') ? ['page.mhtml'] : [])]) {
        expect(read(name), name).toContain(MOVING_MARKER);
        expect(read(name), name).not.toContain(MOVED_MARKER);
      }
      if (names.includes('screenshot.png')) {
        expect(PNG.sync.read(readFileSync(pl.blobs.pathOf(byName(capture, 'screenshot.png').sha256))).height).toBeGreaterThanOrEqual(MOVING_HEIGHT_PX);
      }
    } finally {
      pl.close();
    }
  }, 60_000);

  it('refuses an untrusted certificate by default (tls, not retried) and captures it when told to, saying so', async () => {
    const pl = openProofline({ dataDir: join(root, 'tls') });
    try {
      const session = await pl.sessions.create({ kind: 'web', title: 'TLS' });
      const url = `${site.httpsOrigin}/plain`;
      const refused = await captureUrls(pl, session.id, [url], { retries: 2, retryDelayMs: 10 });
      expect(refused.results[0]).toMatchObject({ ok: false, attempts: 1, error: { kind: 'tls' } });
      expect(refused.results[0]!.error!.message).toMatch(/ERR_CERT_AUTHORITY_INVALID/);
      const ignored = await captureUrls(pl, session.id, [url], { ignoreHttpsErrors: true });
      expect(ignored.results[0]).toMatchObject({ ok: true, status: 200 });
      const capture = events(pl, session.id).find((e) => e.type === 'web.capture')!;
      expect(capture.payload['certificateHandling']).toEqual({ ignoreHttpsErrors: true, extraRootSpkiHashes: [] });
      expect(capture.payload['tls']).toMatchObject({ authorized: false });
      expect(capture.payload['tls']).not.toHaveProperty('authorizedWithExtraRoots');
    } finally {
      pl.close();
    }
  });

  it('bounds the scroll by height and by time, clips the screenshot at the height bound and records which bound it hit', async () => {
    const pl = openProofline({ dataDir: join(root, 'bounds') });
    try {
      const session = await pl.sessions.create({ kind: 'web', title: 'Bounds' });
      const url = `${site.httpOrigin}/tall`;
      const byHeight = await captureUrls(pl, session.id, [url], { maxScrollHeightPx: 3000 });
      const byTime = await captureUrls(pl, session.id, [url], { maxScrollMs: 0 });
      expect([byHeight.results[0]!.ok, byTime.results[0]!.ok]).toEqual([true, true]);
      const [heightCapture, timeCapture] = events(pl, session.id).filter((e) => e.type === 'web.capture');
      expect(heightCapture!.payload['scroll']).toMatchObject({ hitHeightLimit: true, hitTimeLimit: false, maxHeightPx: 3000 });
      expect(heightCapture!.payload['screenshot']).toMatchObject({ heightPx: 3000, clippedAtPx: 3000 });
      const clipped = PNG.sync.read(readFileSync(pl.blobs.pathOf(byName(heightCapture!, 'screenshot.png').sha256)));
      expect(clipped.height).toBe(3000);
      expect(timeCapture!.payload['scroll']).toMatchObject({ hitTimeLimit: true, steps: 0, maxMs: 0 });
      // Never scrolled: the image inserted on scroll was not loaded, and the record says why.
      const har = JSON.parse(readFileSync(pl.blobs.pathOf(byName(timeCapture!, 'network.har').sha256), 'utf8')) as { log: { entries: { request: { url: string } }[] } };
      const requested = har.log.entries.map((e) => new URL(e.request.url).pathname);
      expect(requested).toContain('/tall');
      expect(requested).not.toContain('/img/scroll-inserted.png');
    } finally {
      pl.close();
    }
  });

  it('proofline capture records the environment check, continues past a failing URL and exits non-zero naming it', async () => {
    const data = join(root, 'cli');
    const created = await proofline(['--data', data, 'session', 'new', '--kind', 'web', '--title', 'CLI capture', '--json']);
    expect(created.code).toBe(0);
    const id = JSON.parse(created.stdout).id as string;
    const refused = await site.refusedUrl();
    const list = join(root, 'urls.txt');
    writeFileSync(list, `# pages to fix\n${site.httpOrigin}/page/1\n\n${refused}\n`);
    const failing = await proofline(['--data', data, 'capture', id, `${site.httpOrigin}/plain`, '--file', list, '--retries', '0', '--timeout', '10', '--no-public-ip']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain(`captured  ${site.httpOrigin}/plain`);
    expect(failing.stdout).toContain(`captured  ${site.httpOrigin}/page/1`);
    expect(failing.stdout).toMatch(new RegExp(`FAILED +${refused.replace(/[/.]/g, '\\$&')}: refused`));
    expect(failing.stderr).toContain(`1 of 3 URL(s) not captured: ${refused} (refused)`);

    const ok = await proofline(['--data', data, 'capture', id, `${site.httpOrigin}/page/2`, '--no-env-check', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ captured: 1, failed: 0, environmentCheck: null, results: [{ ok: true, status: 200 }] });

    const pl = openProofline({ dataDir: data });
    try {
      const log = events(pl, id);
      const check = log.filter((e) => e.type === 'web.environment-check');
      expect(check).toHaveLength(1);
      expect(check[0]!.payload['target']).toBe(`${site.httpOrigin}/plain`);
      expect(check[0]!.seq).toBeLessThan(log.find((e) => e.type === 'web.navigation')!.seq);
      expect(log.filter((e) => e.type === 'web.capture').map((e) => e.payload['url'])).toEqual(expect.arrayContaining([`${site.httpOrigin}/plain`, `${site.httpOrigin}/page/1`, `${site.httpOrigin}/page/2`]));
    } finally {
      pl.close();
    }

    const usage = await proofline(['--data', data, 'capture', id, '--headless']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/give at least one URL/);
    // Without URLs the capture is interactive, and a browser window needs a display.
    const headed = await proofline(['--data', data, 'capture', id], { DISPLAY: '' });
    expect(headed.code).toBe(1);
    expect(headed.stderr).toMatch(/needs a display: set DISPLAY/);
  }, 120_000);
});
