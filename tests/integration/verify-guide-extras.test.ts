// VERIFY.md's promises for a web session: the commands of its WACZ section, cut out of the
// exported archive's own VERIFY.md and run with sh, python3, unzip and openssl alone, say
// "Verified OK" and name the key the capture event recorded; with one byte of the WARC changed
// (as an attacker would: the WACZ re-zipped, the bag's manifests left as they are), they fail.
// The SM2 section is run the same way in sm2-tsa.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProofline } from '../../src/core/proofline.js';
import { captureUrls } from '../../src/core/capture/web/capture-urls.js';
import { run } from '../support/cli.js';
import { startTestSite, type TestSite } from '../support/test-site.js';
import { flipWarcByte, readWacz, writeWacz } from '../support/wacz-forge.js';

let root: string;
let site: TestSite;
let bag: string;
let keyId: string;

/** The first ```sh block after the heading that starts with `heading`. */
export function scriptAfter(guide: string, heading: RegExp): string {
  const at = guide.search(heading);
  expect(at, `VERIFY.md has a section matching ${heading}`).toBeGreaterThan(-1);
  const block = /```sh\n([\s\S]*?)```/.exec(guide.slice(at));
  return block![1]!;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-guide-'));
  site = await startTestSite(root);
  const pl = openProofline({ dataDir: join(root, 'data'), tsaUrls: [] });
  const archive = join(root, 'web.zip');
  try {
    const session = await pl.sessions.create({ kind: 'web', title: 'Guide for a web capture' });
    const batch = await captureUrls(pl, session.id, [`${site.httpOrigin}/plain`], { retries: 0 });
    expect(batch.results[0]).toMatchObject({ ok: true });
    const capture = [...pl.events.iterate(session.id)].map((e) => e.body).find((e) => e.type === 'web.capture')!;
    keyId = ((capture.payload['wacz'] as { signature: { signer: { keyId: string } } }).signature.signer.keyId);
    await pl.sessions.seal(session.id);
    await pl.exportSession(session.id, { out: archive });
  } finally {
    pl.close();
  }
  bag = join(root, 'bag');
  execFileSync('unzip', ['-q', archive, '-d', bag]);
}, 120_000);

afterAll(async () => {
  await site?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("VERIFY.md's section on a web session's WACZ", () => {
  it('checks every file of the WACZ and its signature, naming the key the capture event recorded', async () => {
    const script = scriptAfter(readFileSync(join(bag, 'proofline/VERIFY.md'), 'utf8'), /^## \d+\. The web archives \(WACZ\)/m);
    const result = await run('sh', ['-c', script], bag);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`signed by key ${keyId}`);
    expect(result.stdout).toContain('Verified OK');
  });

  it('fails when one byte of the WARC inside the WACZ was changed', async () => {
    const script = scriptAfter(readFileSync(join(bag, 'proofline/VERIFY.md'), 'utf8'), /^## \d+\. The web archives \(WACZ\)/m);
    const [wacz] = execFileSync('sh', ['-c', 'ls data/artifacts/*.wacz'], { cwd: bag, encoding: 'utf8' }).trim().split('\n');
    const path = join(bag, wacz!);
    const entries = await readWacz(path);
    flipWarcByte(entries);
    await writeWacz(path, entries);
    const result = await run('sh', ['-c', script], bag);
    expect(result.stdout).toContain('NOT INTACT');
    expect(result.stdout).not.toContain('Verified OK');
    expect(result.stderr).toMatch(/data\.warc\.gz was changed/);
  });

  it('is section 6 of a web session with no SM2 token, and a creation session has neither', async () => {
    const guide = readFileSync(join(bag, 'proofline/VERIFY.md'), 'utf8');
    expect(guide).toMatch(/^## 6\. The web archives \(WACZ\)/m);
    expect(guide).not.toMatch(/Tokens signed with SM2/);
    const pl = openProofline({ dataDir: join(root, 'data'), tsaUrls: [] });
    const archive = join(root, 'creation.zip');
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'No web archive here' });
      await pl.sessions.seal(session.id);
      await pl.exportSession(session.id, { out: archive });
    } finally {
      pl.close();
    }
    const creationGuide = execFileSync('unzip', ['-p', archive, 'proofline/VERIFY.md'], { encoding: 'utf8' });
    expect(creationGuide).toMatch(/^## 5\. When each event was proven to exist/m);
    expect(creationGuide).not.toMatch(/WACZ|SM2/);
  });
});
