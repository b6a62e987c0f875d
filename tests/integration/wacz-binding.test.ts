// Each WACZ is bound to its own capture event: the event that wrote it names its SHA-256 and the
// signer key side by side, and only that key may have signed it. A key another capture recorded
// says nothing of this file. Forgeries are made as the device key's holder would make them: with
// the real WACZ key, through the real attach and artifact-sink code, or by swapping files.
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import archiver from 'archiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBody } from '../../src/shared/domain.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { captureUrls } from '../../src/core/capture/web/capture-urls.js';
import { ArtifactSink } from '../../src/core/capture/web/artifact-sink.js';
import { loadOrCreateWaczSigningKey } from '../../src/core/attest/wacz-signing-key.js';
import { openArchive } from '../../src/core/archive/read-zip.js';
import { verifyArchive } from '../../src/core/archive/verify-archive.js';
import { checkWaczSignatures } from '../../src/core/archive/verify-wacz-archive.js';
import { WaczObserver } from '../../src/core/archive/wacz-observer.js';
import { proofline } from '../support/cli.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { readZipEntries, startTestSite, type TestSite } from '../support/test-site.js';
import { flipWarcByte, readWacz, rehash, resign, writeWacz } from '../support/wacz-forge.js';

let root: string;
let site: TestSite;
let tsa: RunningTsa;

interface Report {
  exitCode: number;
  summary: string;
  checks: { id: string; status: string; detail: string; where: string[] }[];
}

const verify = async (path: string): Promise<Report & { code: number }> => {
  const result = await proofline(['verify', path, '--json', '--trust', tsa.caPath]);
  expect(result.stderr).toBe('');
  return { ...(JSON.parse(result.stdout) as Report), code: result.code };
};
const waczCheck = (report: Report): Report['checks'][number] => report.checks.find((c) => c.id === 'web.wacz-signature')!;
const entryOf = (sha256: string): string => `data/artifacts/${sha256}.wacz`;
const waczOf = (event: EventBody): string => event.artifacts.find((a) => a.name === 'capture.wacz')!.sha256;
const keyIdOf = (publicKey: string): string => createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex');

/** A session's capture events, sealed and exported. */
async function captureSession(pl: Proofline, title: string, paths: string[], before?: (sessionId: string, captures: EventBody[]) => Promise<void>): Promise<{ archive: string; captures: EventBody[]; events: EventBody[] }> {
  const session = await pl.sessions.create({ kind: 'web', title });
  const batch = await captureUrls(pl, session.id, paths.map((p) => `${site.httpOrigin}${p}`), { retries: 0 });
  expect(batch.results.every((r) => r.ok)).toBe(true);
  const captures = [...pl.events.iterate(session.id)].map((e) => e.body).filter((e) => e.type === 'web.capture');
  await before?.(session.id, captures);
  await pl.sessions.seal(session.id);
  const archive = join(root, `${session.id}.zip`);
  await pl.exportSession(session.id, { out: archive });
  return { archive, captures, events: [...pl.events.iterate(session.id)].map((e) => e.body) };
}

/** A copy of `source` (a signed WACZ) with one WARC byte changed, rehashed and re-signed with the device's own WACZ key. */
async function holderEdit(pl: Proofline, source: string, out: string): Promise<string> {
  const entries = await readWacz(source);
  flipWarcByte(entries);
  rehash(entries);
  resign(entries, loadOrCreateWaczSigningKey(await pl.device()));
  await writeWacz(out, entries);
  return out;
}

function rezip(out: string, entries: Map<string, Buffer>, deflate: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(out);
    const zip = archiver('zip', { store: !deflate, zlib: { level: 6 } });
    stream.on('close', () => resolve(out));
    zip.on('error', reject);
    zip.pipe(stream);
    for (const [name, data] of entries) zip.append(data, { name, store: !deflate });
    void zip.finalize();
  });
}

let pl: Proofline;
let honest: Awaited<ReturnType<typeof captureSession>>;
let added: Awaited<ReturnType<typeof captureSession>>;
let attachedSha: string;
let strandedSha: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-wacz-bind-'));
  [site, tsa] = await Promise.all([startTestSite(root), startTsa({ dir: root, name: 'Binding TSA' })]);
  pl = openProofline({ dataDir: join(root, 'data'), tsaUrls: [tsa.url], tsaTimeoutMs: 10_000 });
  honest = await captureSession(pl, 'Two pages', ['/plain', '/tall']);
  // The holder of the device's WACZ key edits a capture and brings it back into a session two
  // ways, neither through a capture: attached by hand (proofline attach), and stored by the
  // capture's own artifact sink with no capture event after it (a crash, or a doctored build).
  added = await captureSession(pl, 'One page and two added', ['/plain'], async (sessionId, captures) => {
    const own = pl.blobs.pathOf(waczOf(captures[0]!));
    const attached = await pl.sessions.attach(sessionId, [await holderEdit(pl, own, join(root, 'edited.wacz'))]);
    attachedSha = attached[0]!.body.artifacts[0]!.sha256;
    const stranded = await holderEdit(pl, pl.blobs.pathOf(waczOf(honest.captures[1]!)), join(root, 'stranded.wacz'));
    strandedSha = (await new ArtifactSink(pl, sessionId, 'never-finished', `${site.httpOrigin}/tall`).add(stranded, 'capture.wacz', 'wacz')).sha256;
  });
}, 180_000);

afterAll(async () => {
  pl?.close();
  await Promise.all([site?.stop(), tsa?.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('each WACZ bound to its own capture event', () => {
  it('passes two captures of one session, each signed by the key its own event recorded', async () => {
    const keys = honest.captures.map((c) => ((c.payload['wacz'] as any).signature.signer.publicKey as string));
    expect(keys[0]).toBe(keys[1]); // one device, one WACZ key: why "some capture names this key" proves nothing
    const report = await verify(honest.archive);
    expect(report.code).toBe(0);
    expect(waczCheck(report)).toMatchObject({ status: 'pass', where: [] });
    expect(waczCheck(report).detail).toMatch(/^2 of 2 WACZ: /);
    for (const capture of honest.captures) expect(waczCheck(report).detail).toContain(`capture.wacz (event #${capture.seq}): `);
    expect(waczCheck(report).detail).toContain(keyIdOf(keys[0]!).slice(0, 16));
  });

  it("fails the second capture's WACZ replaced by the first's, though the same device key signed both", async () => {
    const [first, second] = honest.captures.map(waczOf);
    const bag = new Map([...(await readZipEntries(honest.archive))].map(([n, e]) => [n, e.data]));
    bag.set(entryOf(second!), bag.get(entryOf(first!))!);
    const report = await verify(await rezip(join(root, 'swapped.zip'), bag, false));
    expect(report.code).toBe(1);
    expect(waczCheck(report)).toMatchObject({ status: 'fail', where: [entryOf(second!)] });
    expect(waczCheck(report).detail).toMatch(new RegExp(`capture\\.wacz \\(event #${honest.captures[1]!.seq}\\): not the file the chain names: its SHA-256 is ${first!.slice(0, 16)}…, the chain's ${second!.slice(0, 16)}…; in itself: 3 files intact, signed by this device's WACZ key`));
  });

  it("reports, never passes, a WACZ signed with the device's WACZ key that no capture event wrote: attached by hand, or stored with no capture event after it", async () => {
    const report = await verify(added.archive);
    // Intact (its bytes are the chain's since they were added) but not attested: exit 3, not 0.
    expect(report.code).toBe(3);
    expect(report.summary).toMatch(/^INTACT, NOT FULLY ATTESTED/);
    expect(report.checks.filter((c) => c.status !== 'pass' && c.status !== 'skip').map((c) => c.id)).toEqual(['web.wacz-signature']);
    const check = waczCheck(report);
    expect(check.status).toBe('warn');
    expect(check.where.sort()).toEqual([entryOf(attachedSha), entryOf(strandedSha)].sort());
    const attachSeq = added.events.find((e) => e.type === 'artifact.attached')!.seq;
    const fileSeq = added.events.find((e) => e.type === 'web.capture.file' && e.payload['captureId'] === 'never-finished')!.seq;
    expect(check.detail).toMatch(/^2 of 3 WACZ: /);
    expect(check.detail).toContain(`edited.wacz (event #${attachSeq}, artifact.attached): signed by this device's WACZ key`);
    expect(check.detail).toContain(`no capture event wrote it: event #${attachSeq} (artifact.attached) added it, so the signature cannot be tied to a capture`);
    expect(check.detail).toContain(`capture.wacz (event #${fileSeq}, web.capture.file): signed by this device's WACZ key`);
    expect(check.detail).toContain(`event #${fileSeq} (web.capture.file) added it and its capture event never came`);
    // The page the session did capture is not among those reported.
    expect(check.where).not.toContain(entryOf(waczOf(added.captures[0]!)));
  });

  it('reads each WACZ in place in the evidence archive (stored), and still checks one a re-zip deflated', async () => {
    const archive = await openArchive(honest.archive);
    try {
      const name = entryOf(waczOf(honest.captures[0]!));
      const inner = (await archive.openStoredArchive(name))!;
      try {
        expect(inner.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['datapackage.json', 'datapackage-digest.json', 'archive/data.warc.gz']));
        const alone = join(root, 'alone.wacz');
        writeFileSync(alone, (await readZipEntries(honest.archive)).get(name)!.data);
        const direct = await openArchive(alone);
        try {
          for (const file of ['datapackage.json', 'datapackage-digest.json']) expect(await inner.readBytes(file, 1 << 20)).toEqual(await direct.readBytes(file, 1 << 20));
        } finally {
          direct.close();
        }
      } finally {
        inner.close();
      }
    } finally {
      archive.close();
    }
    const bag = new Map([...(await readZipEntries(honest.archive))].map(([n, e]) => [n, e.data]));
    const deflated = await rezip(join(root, 'deflated.zip'), bag, true);
    const reopened = await openArchive(deflated);
    try {
      expect(await reopened.openStoredArchive(entryOf(waczOf(honest.captures[0]!)))).toBeUndefined();
    } finally {
      reopened.close();
    }
    const report = await verify(deflated);
    expect(waczCheck(report)).toMatchObject({ status: 'pass' });
    expect(waczCheck(report).detail).toMatch(/^2 of 2 WACZ: /);
  });

  it('writes no temporary file for a stored WACZ, and removes the copy of a deflated one when verify is cancelled mid-copy', async () => {
    const scratch = mkdtempSync(join(root, 'tmp-'));
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = scratch; // os.tmpdir() reads it on every call
    const seen: string[] = [];
    const watcher = watch(scratch, (_event, name) => void seen.push(String(name)));
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300)); // inotify events arrive after the fact
    try {
      expect((await verifyArchive(honest.archive, { trustedRoots: [readFileSync(tsa.caPath, 'utf8')] })).exitCode).toBe(0);
      await settle();
      expect(seen).toEqual([]);

      const chain = new WaczObserver();
      for (const e of honest.events) chain.observe(e);
      const archive = await openArchive(join(root, 'deflated.zip'));
      const controller = new AbortController();
      // The copy is cancelled once its first bytes are on their way to the temporary file.
      const cancelling = new Proxy(archive, {
        get: (target, key) => key === 'openStream'
          ? async (name: string) => (await target.openStream(name)).pipe(new PassThrough({ transform: (chunk, _enc, done) => (controller.abort(), done(null, chunk)) }))
          : Reflect.get(target, key, target),
      });
      try {
        const payload = archive.entries.map((e) => e.name).filter((n) => n.startsWith('data/'));
        await expect(checkWaczSignatures(cancelling, payload, { chain, sha256Of: () => undefined }, true, [], controller.signal)).rejects.toMatchObject({ code: 'operation.cancelled' });
      } finally {
        archive.close();
      }
      expect(controller.signal.aborted).toBe(true);
      await settle();
      expect(seen.length, 'the watcher saw the copy made (it would have seen one for a stored WACZ)').toBeGreaterThan(0);
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      watcher.close();
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    }
  });
});
