// The WACZ check's decision table (judgeWacz), the chain observer that feeds it, and the window
// through which a WACZ stored in an evidence archive is read in place without reading past it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventBody } from '../../src/shared/domain.js';
import { judgeWacz } from '../../src/core/archive/verify-wacz-archive.js';
import type { WaczFindings } from '../../src/core/archive/verify-wacz.js';
import { WaczObserver } from '../../src/core/archive/wacz-observer.js';
import { openArchive } from '../../src/core/archive/read-zip.js';
import { writeWacz } from '../support/wacz-forge.js';

const KEY = 'MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE-device';
const OTHER = 'MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE-other';
const SHA = 'a'.repeat(64);
const root = mkdtempSync(join(tmpdir(), 'proofline-wacz-bind-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const event = (seq: number, type: string, payload: EventBody['payload'], name = 'capture.wacz'): EventBody => ({
  v: 1, session: 's', seq, time: '2026-01-01T00:00:00.000Z', type, payload, artifacts: [{ sha256: SHA, size: 1, name, mime: 'application/wacz' }], prev: '',
});
const signedBy = (publicKey: string): EventBody['payload'] => ({ wacz: { records: 1, signature: { signer: { publicKey, keyId: 'k', algorithm: 'ECDSA P-384 SHA-256' }, timestamp: { none: 'no TSA is configured' } } } });
const found = (over: Partial<WaczFindings> = {}): WaczFindings => ({ problems: [], signed: true, signer: { publicKey: KEY, keyId: 'f'.repeat(64) }, resources: 3, ...over });
const observed = (...events: EventBody[]): WaczObserver => {
  const observer = new WaczObserver();
  for (const e of events) observer.observe(e);
  return observer;
};
const judge = (f: WaczFindings, ...events: EventBody[]): { status: string; detail: string } => {
  const chain = observed(...events);
  return judgeWacz(f, chain.namingsOf(SHA), chain.recordedKeys());
};

describe('judgeWacz: a WACZ against its own capture event', () => {
  const file = event(3, 'web.capture.file', { role: 'wacz' });
  it('passes only a signature by the key its own capture event recorded', () => {
    expect(judge(found(), file, event(4, 'web.capture', signedBy(KEY)))).toMatchObject({ status: 'pass' });
    expect(judge(found(), event(4, 'web.capture.network', signedBy(KEY)))).toMatchObject({ status: 'pass' });
    expect(judge(found({ signer: { publicKey: OTHER, keyId: 'e'.repeat(64) } }), event(4, 'web.capture', signedBy(KEY)))).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^signed by key eeeeeeeeeeeeeeee…, not by the key .* \(event #4\)/) });
    expect(judge(found({ signed: false, signer: undefined }), event(4, 'web.capture', signedBy(KEY)))).toMatchObject({ status: 'fail', detail: expect.stringMatching(/signedData removed/) });
    expect(judge(found({ problems: ['archive/data.warc.gz: SHA-256 is …'] }), event(4, 'web.capture', signedBy(KEY)))).toMatchObject({ status: 'fail' });
  });

  it('does not accept a key another capture recorded for a WACZ no capture wrote (the lenience this replaces)', () => {
    const elsewhere = { ...event(9, 'web.capture', signedBy(KEY)), artifacts: [{ sha256: 'b'.repeat(64), size: 1, name: 'capture.wacz', mime: 'application/wacz' }] };
    expect(judge(found(), file, elsewhere)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^signed by this device's WACZ key ffffffffffffffff…, but no capture event wrote it: event #3 \(web\.capture\.file\) added it and its capture event never came/) });
    expect(judge(found(), event(5, 'artifact.attached', { sourcePath: '/x' }, 'edited.wacz'), elsewhere)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/event #5 \(artifact\.attached\) added it, so/) });
    expect(judge(found({ signer: { publicKey: OTHER, keyId: 'e'.repeat(64) } }), event(5, 'artifact.attached', {}))).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^signed by a key no capture of this chain records/) });
  });

  it('keeps an unsigned WACZ a skip, whether an older capture wrote it or it was attached; an attached WACZ that does not verify is reported, not called tampered', () => {
    const unsigned = found({ signed: false, signer: undefined });
    expect(judge(unsigned, event(4, 'web.capture', { wacz: { records: 1 } }))).toMatchObject({ status: 'skip', detail: expect.stringMatching(/before WACZ signing/) });
    expect(judge(unsigned, event(5, 'artifact.attached', {}))).toMatchObject({ status: 'skip' });
    expect(judge(found(), event(4, 'web.capture', { wacz: { records: 1 } }))).toMatchObject({ status: 'warn', detail: expect.stringMatching(/its capture event records no signer/) });
    expect(judge(found({ problems: ['datapackage-digest.json is missing'] }), event(5, 'artifact.attached', {}))).toMatchObject({ status: 'warn', detail: expect.stringMatching(/does not verify on its own: datapackage-digest\.json is missing/) });
  });

  it('takes a signer only from the events that write WACZ, not from a payload.wacz in any other event', () => {
    expect(judge(found(), event(5, 'artifact.attached', signedBy(KEY)))).toMatchObject({ status: 'warn' });
  });
});

describe('a stored ZIP read in place through a window', () => {
  it('serves the inner archive and nothing past its end: a cut-short inner ZIP is not read with the outer one\'s directory', async () => {
    const inner = join(root, 'inner.wacz');
    await writeWacz(inner, new Map([['datapackage.json', Buffer.from('{"resources":[]}')], ['archive/data.warc.gz', Buffer.alloc(5000, 7)]]));
    const whole = readFileSync(inner);
    const outer = join(root, 'outer.zip');
    await writeWacz(outer, new Map([['a/whole.wacz', whole], ['b/cut.wacz', whole.subarray(0, whole.length - 30)], ['c/after.txt', Buffer.from('after')]]));
    const archive = await openArchive(outer);
    try {
      const good = (await archive.openStoredArchive('a/whole.wacz'))!;
      try {
        expect(good.entries.map((e) => e.name)).toEqual(['datapackage.json', 'archive/data.warc.gz']);
        expect(await good.readText('datapackage.json', 1024)).toBe('{"resources":[]}');
        expect(await good.readBytes('archive/data.warc.gz', 1 << 20)).toEqual(Buffer.alloc(5000, 7));
      } finally {
        good.close();
      }
      await expect(archive.openStoredArchive('b/cut.wacz')).rejects.toMatchObject({ code: 'archive.damaged', message: expect.stringMatching(/b\/cut\.wacz' is not a readable ZIP/) });
      // The outer archive is still usable after both.
      expect(await archive.readText('c/after.txt', 16)).toBe('after');
    } finally {
      archive.close();
    }
  });
});
