// An evidence archive from a Proofline before WACZ signing: its web capture's WACZ carries no
// signedData and its capture event names no signer key. Verifying it must not turn an archive
// that verified before into a failure: the WACZ check is skipped with a note saying why.
// The older version is reproduced by capturing with no WACZ signer, the one thing it lacked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openProofline } from '../../src/core/proofline.js';
import { captureUrls } from '../../src/core/capture/web/capture-urls.js';
import { proofline } from '../support/cli.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { startTestSite, type TestSite } from '../support/test-site.js';

vi.mock('../../src/core/capture/web/wacz-session-signer.js', () => ({ waczSignerFor: async () => undefined, signingFacts: () => ({}) }));

let root: string;
let site: TestSite;
let tsa: RunningTsa;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-wacz-old-'));
  [site, tsa] = await Promise.all([startTestSite(root), startTsa({ dir: root, name: 'Old WACZ TSA' })]);
});

afterAll(async () => {
  await Promise.all([site?.stop(), tsa?.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('an archive whose WACZ predates signing', () => {
  it('still verifies (exit 0), its WACZ check skipped with a note that it was made before signing', async () => {
    const pl = openProofline({ dataDir: join(root, 'data'), tsaUrls: [tsa.url], tsaTimeoutMs: 10_000 });
    const out = join(root, 'old.zip');
    try {
      const session = await pl.sessions.create({ kind: 'web', title: 'Before signing' });
      expect((await captureUrls(pl, session.id, [`${site.httpOrigin}/plain`], { retries: 0 })).results[0]).toMatchObject({ ok: true });
      const capture = [...pl.events.iterate(session.id)].find((e) => e.body.type === 'web.capture')!;
      expect(Object.keys(capture.body.payload['wacz'] as object).sort()).toEqual(['datapackageHash', 'records', 'waczVersion']);
      await pl.sessions.seal(session.id);
      await pl.exportSession(session.id, { out });
    } finally {
      pl.close();
    }
    const result = await proofline(['verify', out, '--trust', tsa.caPath, '--json']);
    const report = JSON.parse(result.stdout) as { exitCode: number; checks: { id: string; status: string; detail: string }[] };
    expect(result.code).toBe(0);
    expect(report.checks.find((c) => c.id === 'web.wacz-signature')).toMatchObject({
      status: 'skip',
      detail: expect.stringMatching(/capture\.wacz \(event #\d+\): not signed: written by a Proofline before WACZ signing/),
    });
  }, 120_000);
});
