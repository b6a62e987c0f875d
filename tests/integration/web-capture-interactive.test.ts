import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBody } from '../../src/shared/domain.js';
import { openProofline } from '../../src/core/proofline.js';
import { startInteractiveCapture } from '../../src/core/capture/web/interactive.js';
import { expectValidWacz, startTestSite, type TestSite } from '../support/test-site.js';
import { startXvfb, type RunningDisplay } from '../support/xvfb.js';
import { verifyArchive } from '../../src/core/archive/verify-archive.js';
import { readWacz } from '../support/wacz-forge.js';
import { publicKeyId as keyIdOf } from '../../src/core/attest/wacz-signature.js';

let root: string;
let site: TestSite;
let xvfb: RunningDisplay;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-browse-'));
  [site, xvfb] = await Promise.all([startTestSite(root), startXvfb({ width: 1280, height: 900 })]);
});

afterAll(async () => {
  await Promise.all([site?.stop(), xvfb?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('interactive web capture', () => {
  it('logs and captures every page the user reaches in a headed browser, with the screen recorded throughout', async () => {
    const pl = openProofline({ dataDir: join(root, 'data') });
    try {
      const session = await pl.sessions.create({ kind: 'web', title: 'Browsing to the infringing page' });
      const log = (): EventBody[] => [...pl.events.iterate(session.id)].map((e) => e.body);
      const browsing = await startInteractiveCapture(pl, session.id, {
        display: xvfb.display,
        startUrl: `${site.httpOrigin}/plain`,
        recording: { fps: 5, segmentSeconds: 2, clock: false },
      });
      let stopped = false;
      try {
        expect(browsing.recording, 'the screen recorder started').not.toBeNull();
        await waitFor(() => log().find((e) => e.type === 'web.capture' && e.payload['url'] === `${site.httpOrigin}/plain`), 30_000, 'the automatic capture of /plain');
        // The user follows a link: the navigation is logged and the new page captured on its own.
        await browsing.page.click('#to-tall');
        const tall = await waitFor(() => log().find((e) => e.type === 'web.capture' && e.payload['url'] === `${site.httpOrigin}/tall`), 45_000, 'the automatic capture of /tall');
        expect(tall.payload).toMatchObject({ trigger: 'auto', title: 'A tall page', status: 200 });
        expect(tall.artifacts.map((a) => a.name).sort()).toEqual(['dom.html', 'page.mhtml', 'screenshot.png', 'text.txt']);
        expect((tall.payload['scroll'] as { heightPx: number }).heightPx).toBeGreaterThanOrEqual(site.tallHeightPx);
        const manual = await browsing.captureNow();
        expect(manual.body.payload).toMatchObject({ trigger: 'manual', url: `${site.httpOrigin}/tall` });
        await browsing.stop();
        stopped = true;
      } finally {
        if (!stopped) await browsing.stop();
      }

      const events = log();
      const navigations = events.filter((e) => e.type === 'web.navigation').map((e) => [e.payload['finalUrl'], e.payload['status'], e.payload['trigger']]);
      expect(navigations).toEqual([[`${site.httpOrigin}/plain`, 200, 'interactive'], [`${site.httpOrigin}/tall`, 200, 'interactive']]);
      expect(events.find((e) => e.type === 'web.interactive.started')!.payload['browser']).toMatchObject({ path: expect.any(String) });
      // The whole browsing's network: one HAR and one WACZ listing every captured page.
      const network = events.find((e) => e.type === 'web.capture.network')!;
      expect(network.artifacts.map((a) => a.name).sort()).toEqual(['capture.wacz', 'network.har']);
      const wacz = await expectValidWacz(pl.blobs.pathOf(network.artifacts.find((a) => a.name === 'capture.wacz')!.sha256));
      expect(wacz.pages.map((p) => p['url'])).toEqual([`${site.httpOrigin}/plain`, `${site.httpOrigin}/tall`, `${site.httpOrigin}/tall`]);
      expect(wacz.records.map((r) => new URL(r.url).pathname)).toEqual(expect.arrayContaining(['/plain', '/tall', '/img/lazy-2.png', '/img/scroll-inserted.png']));
      const stoppedEvent = events.find((e) => e.type === 'web.interactive.stopped')!;
      expect(stoppedEvent.payload).toMatchObject({ pagesCaptured: 3, networkLog: 'stored' });
      // Recorded throughout: segments stored, and the recording ended after the last capture.
      const segments = events.filter((e) => e.type.startsWith('recording.') && e.artifacts.length > 0);
      expect(segments.length).toBeGreaterThan(0);
      const recordingStopped = events.find((e) => e.type === 'recording.stopped');
      expect(recordingStopped, `recording events: ${events.filter((e) => e.type.startsWith('recording.')).map((e) => e.type).join(', ')}`).toBeDefined();
      expect(recordingStopped!.seq).toBeGreaterThan(manual(events).seq);

      // The browsing's WACZ is signed (wacz-auth 0.1.0) by the key its own event records, and the
      // sealed archive's web.wacz-signature check passes it (no TSA here: the checkpoints anchor it).
      const recorded = (network.payload['wacz'] as { signature: { signer: { publicKey: string }; timestamp: { none?: string } } }).signature;
      const waczFile = pl.blobs.pathOf(network.artifacts.find((a) => a.name === 'capture.wacz')!.sha256);
      const digest = JSON.parse((await readWacz(waczFile)).get('datapackage-digest.json')!.toString('utf8')) as { signedData: Record<string, unknown> };
      expect(digest.signedData).toMatchObject({ publicKey: recorded.signer.publicKey, software: expect.stringMatching(/^Proofline /) });
      expect(recorded.timestamp.none).toMatch(/no TSA/);
      await pl.sessions.seal(session.id);
      const out = join(root, 'browsing.zip');
      await pl.exportSession(session.id, { out });
      const check = (await verifyArchive(out)).checks.find((c) => c.id === 'web.wacz-signature')!;
      expect(check.status, check.detail).toBe('pass');
      expect(check.detail).toMatch(new RegExp(`^1 of 1 WACZ: capture\\.wacz \\(event #${network.seq}\\): \\d+ files intact, signed by this device's WACZ key ${keyIdOf(recorded.signer.publicKey).slice(0, 16)}…`));
    } finally {
      pl.close();
    }
  }, 150_000);
});

function manual(events: EventBody[]): EventBody {
  return events.find((e) => e.type === 'web.capture' && e.payload['trigger'] === 'manual')!;
}
