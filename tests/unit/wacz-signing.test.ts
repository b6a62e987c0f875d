// The WACZ signing key (one per device, beside the device key, created once even by two processes
// at once) and the WACZ writer when no TSA answers: the capture goes on after a bounded wait, the
// WACZ is signed without a token, and the facts for the chain say why there is none.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateWaczSigningKey } from '../../src/core/attest/wacz-signing-key.js';
import { writeWacz } from '../../src/core/capture/web/wacz-writer.js';
import { inspectWacz } from '../../src/core/archive/verify-wacz.js';
import { readWacz } from '../support/wacz-forge.js';

const root = mkdtempSync(join(tmpdir(), 'proofline-wacz-key-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const page = { url: 'http://127.0.0.1:1/x', title: 'x', ts: new Date('2026-03-01T10:00:00Z') };
const exchange = {
  url: page.url,
  date: page.ts,
  method: 'GET',
  requestHeaders: [],
  requestBody: new Uint8Array(0),
  status: 200,
  statusText: 'OK',
  responseHeaders: [['Content-Type', 'text/html']] as [string, string][],
  body: Buffer.from('<p>hello</p>'),
  truncated: false,
};

describe('the WACZ signing key', () => {
  it('is a P-384 key beside the device key, readable by its owner only, and the same on every load', () => {
    const dir = join(root, 'device');
    mkdirSync(dir);
    const keyPath = join(dir, 'device-key.pem');
    const first = loadOrCreateWaczSigningKey({ keyPath });
    expect(first.keyPath).toBe(join(dir, 'wacz-key.pem'));
    expect(statSync(first.keyPath).mode & 0o777).toBe(0o600);
    expect(first.privateKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    expect(loadOrCreateWaczSigningKey({ keyPath }).publicKey).toBe(first.publicKey);
  });

  it('is created once when two processes start at once', async () => {
    const dir = join(root, 'race');
    mkdirSync(dir);
    const script = `import('${new URL('../../build/core/attest/wacz-signing-key.js', import.meta.url).pathname}').then((m) => console.log(m.loadOrCreateWaczSigningKey({ keyPath: ${JSON.stringify(join(dir, 'device-key.pem'))} }).publicKey))`;
    const runs = await Promise.all(Array.from({ length: 6 }, () => promisify(execFile)(process.execPath, ['-e', script])));
    expect(new Set(runs.map((r) => r.stdout.trim())).size).toBe(1);
    // No process's temporary file is left behind.
    expect(readdirSync(dir)).toEqual(['wacz-key.pem']);
  });

  it('refuses a key file that is not P-384, saying which file to move aside', () => {
    const dir = join(root, 'wrong');
    mkdirSync(dir);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(dir, 'wacz-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    expect(() => loadOrCreateWaczSigningKey({ keyPath: join(dir, 'device-key.pem') })).toThrow(expect.objectContaining({ code: 'wacz.key-invalid', params: { path: join(dir, 'wacz-key.pem') } }));
  });
});

describe('a WACZ signed when no TSA answers', () => {
  let silent: Server | undefined;
  afterAll(() => silent?.close());

  it('is written after a bounded wait, signed without a token, and says why there is none', async () => {
    // A TSA that takes the request and never answers, and one whose port is closed.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const hanging = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/tsa`;
    const closed = 'http://127.0.0.1:9/tsa';
    const key = loadOrCreateWaczSigningKey({ keyPath: join(root, 'device', 'device-key.pem') });
    const out = join(root, 'no-tsa.wacz');
    const started = Date.now();
    const written = await writeWacz(out, { exchanges: [exchange], pages: [page], title: 't', software: 'Proofline test', created: page.ts, signer: { key, tsaUrls: [hanging, closed], tsaWaitMs: 400 } });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(written.signing?.signer.publicKey).toBe(key.publicKey);
    expect(written.signing?.timestamp).toEqual({ none: expect.stringMatching(/did not answer within 0.4 s.*unreachable/s) });
    const digest = JSON.parse((await readWacz(out)).get('datapackage-digest.json')!.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(digest).sort()).toEqual(['hash', 'path', 'signedData']);
    const found = await inspectWacz(out, { trustedRoots: [] });
    expect(found).toMatchObject({ problems: [], signed: true, signer: { publicKey: key.publicKey } });
    expect(found.timestamp).toBeUndefined();
  });

  it('is signed with no TSA configured at all, and says so', async () => {
    const key = loadOrCreateWaczSigningKey({ keyPath: join(root, 'device', 'device-key.pem') });
    const written = await writeWacz(join(root, 'none.wacz'), { exchanges: [exchange], pages: [page], title: 't', software: 'Proofline test', created: page.ts, signer: { key, tsaUrls: [] } });
    expect(written.signing?.timestamp).toEqual({ none: 'no TSA is configured' });
  });
});
