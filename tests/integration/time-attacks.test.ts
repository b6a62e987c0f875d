// Forgeries of time: histories rewritten or made up after the fact by someone who holds the data
// folder (and so the device's signing key), sealed again with the real TSA's later tokens or with
// tokens from an ordinary TLS certificate. Every archive here is intact to sha256sum and correctly
// signed by the device key; only when things were proven to exist, and by whom, gives it away.
// `proofline verify` must not say VERIFIED for any of them (DESIGN.md, "Time is proven, not claimed").

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnchorRange, VerifyReport } from '../../src/core/archive/verify-report.js';
import type { EventBody } from '../../src/shared/domain.js';
import { proofline, run } from '../support/cli.js';
import {
  checkpointTokens,
  deviceKey,
  dropSealTokens,
  exec,
  makeServerAuthSigner,
  prooflineAt,
  readEvents,
  makeHonestSession,
  repack,
  replaceAllTokens,
  requestToken,
  reseal,
  resignCheckpoints,
  rewriteEventsFrom,
  sessionDoc,
  sha256Hex,
  stampSeal,
  stripAllTokens,
  tagManifestDigest,
  tokenTime,
  unpack,
  type RogueSigner,
} from '../support/forge.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let tsa: RunningTsa;
let rogue: RogueSigner;
let root: string;
let data: string;
let archive: string;
let sessionId: string;

const cli = (...args: string[]) => proofline(['--data', data, '--tsa', tsa.url, ...args]);

interface Verified {
  readonly code: number;
  readonly report: VerifyReport;
  /** The human output of the same verify run without --json. */
  readonly text: string;
}

async function verify(zip: string, trust: readonly string[] = [tsa.caPath]): Promise<Verified> {
  const trustArgs = trust.flatMap((p) => ['--trust', p]);
  const json = await proofline(['verify', zip, ...trustArgs, '--json']);
  const human = await proofline(['verify', zip, ...trustArgs]);
  expect(json.stdout, json.stderr).not.toBe('');
  expect(human.code, 'text and --json runs agree on the exit code').toBe(json.code);
  return { code: json.code, report: JSON.parse(json.stdout) as VerifyReport, text: human.stdout + human.stderr };
}

/** An unzipped copy of the honest archive, edited by the attacker, zipped again. */
async function forge(name: string, edit: (dir: string) => Promise<void> | void): Promise<{ zip: string; dir: string }> {
  const dir = await unpack(archive, join(root, name));
  await edit(dir);
  return { zip: await repack(dir, join(root, `${name}.zip`)), dir };
}

/** A fresh seal token over the bag's current tag manifest, from the real TSA with its clock at `at`. */
async function lateSealToken(dir: string, at: Date): Promise<void> {
  tsa.setFakeTime(at);
  try {
    await stampSeal(dir, await requestToken(tsa.url, tagManifestDigest(dir), root));
  } finally {
    tsa.setFakeTime(null);
  }
}

const noteEdit = (text: string) => (event: EventBody): EventBody =>
  event.type === 'note' ? { ...event, payload: { ...event.payload, text: `${String(event.payload['text'])} ${text}` } } : event;

/** The first note of the honest session: where the owner starts rewriting. */
function firstNoteSeq(dir: string): number {
  const seq = readEvents(dir).find((e) => e.type === 'note')?.seq;
  expect(seq).toBeGreaterThan(0);
  return seq!;
}

const inRange = (seq: number, r: AnchorRange): boolean => r.from <= seq && seq <= r.to;
const rangeLabel = (r: AnchorRange): string => (r.from === r.to ? `#${r.from}` : `#${r.from}–#${r.to}`);

/** Every seq is in a range the report calls late (or unproven), and no such event counts as proven in time. */
function expectNamedLate(v: Verified, seqs: readonly number[]): void {
  const anchoring = v.report.anchoring;
  expect(anchoring, 'verify --json reports anchoring').toBeDefined();
  const late = anchoring!.late;
  for (const seq of seqs) expect(late.some((r) => inRange(seq, r)), `event #${seq} is named as not proven in time`).toBe(true);
  const allowed = anchoring!.anchorSeconds + anchoring!.toleranceSeconds;
  for (const event of anchoring!.events.filter((e) => seqs.includes(e.seq))) {
    expect(event.provenBy === null || (event.lagSeconds ?? 0) > allowed, `event #${event.seq} proven by ${event.provenBy}`).toBe(true);
  }
  expect(v.report.checks.find((c) => c.id === 'time.anchoring')?.status).toBe('warn');
  // The text names the late ranges as #from–#to.
  for (const r of late) expect(v.text).toContain(rangeLabel(r));
}

function expectIntactButUnattested(v: Verified): void {
  expect(v.report.checks.filter((c) => c.status === 'fail'), 'nothing is cryptographically wrong with the forgery').toEqual([]);
  expect(v.code).toBe(3);
  expect(v.report.exitCode).toBe(3);
  expect(v.report.verdict).toBe('unattested');
}

beforeAll(async () => {
  for (const tool of ['faketime', 'openssl', 'unzip', 'zip', 'sha256sum']) {
    expect((await exec('sh', ['-c', `command -v ${tool}`])).code, `${tool} is needed`).toBe(0);
  }
  root = mkdtempSync(join(tmpdir(), 'proofline-time-attacks-'));
  data = join(root, 'data');
  // TSA certificate valid long enough that a token dated 2027-12-01 is still from a valid certificate:
  // the only thing wrong with it must be its time.
  tsa = await startTsa({ name: 'Time', certDays: 1200 });
  rogue = await makeServerAuthSigner(join(root, 'web-pki'), new Date('2025-01-01T00:00:00Z'));
  ({ sessionId, archive } = await makeHonestSession(cli, root, 'Poster series, batch 3'));
}, 120_000);

afterAll(async () => {
  tsa.setFakeTime(null);
  await tsa?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the honest archive these forgeries start from', () => {
  it('verifies: exit 0, every event proven in time', async () => {
    const v = await verify(archive);
    expect(v.code, v.text).toBe(0);
    expect(v.report.verdict).toBe('verified');
    expect(v.report.anchoring?.late ?? []).toEqual([]);
  });
});

describe('an owner rewrites the history and re-seals it later', () => {
  it('case 1: re-sealed with a fresh token ten minutes later: exit 3, the rewritten events named as not proven in time', async () => {
    let rewritten: number[] = [];
    let sealedAt = 0;
    const { zip, dir } = await forge('rewrite-10-minutes', async (d) => {
      const key = deviceKey(data);
      const from = firstNoteSeq(d);
      rewritten = rewriteEventsFrom(d, from, noteEdit('(and the client approved the blue variant)'));
      const { dropped } = resignCheckpoints(d, key, from);
      // The tokens over the rewritten checkpoints no longer verify and are dropped; those over earlier checkpoints stay.
      const kept = checkpointTokens(d).map((t) => t.path);
      for (const path of dropped) expect(kept).not.toContain(path);
      reseal(d, key);
      sealedAt = Date.parse(sessionDoc(d).sealedAt);
      await lateSealToken(d, new Date(sealedAt + 10 * 60_000));
    });
    expect(rewritten[0]).toBe(firstNoteSeq(dir));

    // Standard tools find nothing wrong: the bag, the device's seal signature and the TSA's token all check out.
    expect((await run('sha256sum', ['-c', '--quiet', 'manifest-sha256.txt'], dir)).code).toBe(0);
    expect((await run('sha256sum', ['-c', '--quiet', 'tagmanifest-sha256.txt'], dir)).code).toBe(0);
    const sealSig = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'proofline/device-key.pub.pem', '-rawin', '-in', 'tagmanifest-sha256.txt', '-sigfile', 'proofline/seal.sig'], dir);
    expect(sealSig.stdout).toMatch(/Signature Verified Successfully/);
    const sealOk = await run('openssl', ['ts', '-verify', '-data', 'tagmanifest-sha256.txt', '-in', 'proofline/seal.tsr', '-CAfile', tsa.caPath, '-untrusted', tsa.chainPath], dir);
    expect(sealOk.stdout + sealOk.stderr).toMatch(/Verification: OK/);
    // ...only the time does: openssl shows the seal token ten minutes after the seal.
    const { time } = await tokenTime(join(dir, 'proofline/seal.tsr'));
    expect((time.getTime() - sealedAt) / 1000).toBeGreaterThanOrEqual(9 * 60);

    const v = await verify(zip);
    expect(v.code, v.text).not.toBe(0);
    expectIntactButUnattested(v);
    expectNamedLate(v, rewritten);
    const sealToken = v.report.anchoring!.tokens.find((t) => t.path === 'proofline/seal.tsr');
    expect(sealToken?.genTime, 'the seal token is reported').toBeTruthy();
    const sealLag = Date.parse(sealToken!.genTime!) - sealedAt;
    expect(sealLag).toBeGreaterThanOrEqual(9 * 60_000);
    // Dated after the seal window, the seal token attests only that the archive existed by then.
    if (sealLag > v.report.anchoring!.sealWindowSeconds * 1000) {
      const sealCheck = v.report.checks.find((c) => c.id === 'seal.timestamp')!;
      expect(sealCheck.status).toBe('warn');
      expect(`${sealToken?.reason ?? ''} ${sealCheck.detail}`).toMatch(/existed by/i);
    }
    expect(v.text).toMatch(/WARN/);
  });

  it('case 2: re-sealed with a token a year later (2027-12-01): exit 3, the range named, the seal token only "existed by"', async () => {
    let rewritten: number[] = [];
    const { zip, dir } = await forge('rewrite-next-year', async (d) => {
      const key = deviceKey(data);
      const from = firstNoteSeq(d);
      rewritten = rewriteEventsFrom(d, from, noteEdit('(reworded a year later)'));
      resignCheckpoints(d, key, from);
      reseal(d, key);
      await lateSealToken(d, new Date('2027-12-01T00:00:00Z'));
    });

    const text = (await run('openssl', ['ts', '-reply', '-in', 'proofline/seal.tsr', '-text'], dir)).stdout;
    expect(text).toMatch(/^Time stamp: Dec {2}1 00:0\d:\d\d 2027 GMT$/m);
    const sealOk = await run('openssl', ['ts', '-verify', '-data', 'tagmanifest-sha256.txt', '-in', 'proofline/seal.tsr', '-CAfile', tsa.caPath, '-untrusted', tsa.chainPath], dir);
    expect(sealOk.stdout + sealOk.stderr).toMatch(/Verification: OK/);

    const v = await verify(zip);
    expect(v.code, v.text).not.toBe(0);
    expectIntactButUnattested(v);
    expectNamedLate(v, rewritten);
    const sealToken = v.report.anchoring!.tokens.find((t) => t.path === 'proofline/seal.tsr');
    expect(sealToken?.genTime).toMatch(/^2027-12-01T/);
    const sealCheck = v.report.checks.find((c) => c.id === 'seal.timestamp')!;
    expect(`${sealToken?.reason ?? ''} ${sealCheck.detail}`).toMatch(/existed by/i);
    expect(v.text).toMatch(/existed by/i);
    expect(v.text).toMatch(/2027/);
  });
});

describe('tokens signed by a certificate that is not a time-stamping authority', () => {
  it('case 3: every token re-made with a TLS serverAuth certificate under a trusted root: not 0, and the certificate is named', async () => {
    const { zip, dir } = await forge('server-auth-tokens', async (d) => {
      const sealedAt = Date.parse(sessionDoc(d).sealedAt);
      const written = await replaceAllTokens(d, deviceKey(data), rogue, {
        checkpoint: (statement) => new Date(Date.parse(statement.time) + 1_000),
        seal: () => new Date(sealedAt + 2_000),
      });
      expect(written).toContain('proofline/seal.tsr');
    });

    // openssl refuses the signer for what it is...
    const digest = tagManifestDigest(dir);
    const refused = await run('openssl', ['ts', '-verify', '-digest', digest, '-in', 'proofline/seal.tsr', '-CAfile', rogue.caPath], dir);
    expect(refused.stdout).toMatch(/Verification: FAILED/);
    expect(refused.stderr).toMatch(/unsuitable certificate purpose/);
    // ...while the token is otherwise sound: its CMS signature verifies when any purpose is allowed.
    const token = join(root, 'server-auth-seal.token.der');
    expect((await run('openssl', ['ts', '-reply', '-in', join(dir, 'proofline/seal.tsr'), '-token_out', '-out', token])).code).toBe(0);
    const cms = await run('openssl', ['cms', '-verify', '-inform', 'DER', '-in', token, '-CAfile', rogue.caPath, '-purpose', 'any', '-binary', '-out', join(root, 'tstinfo.der')]);
    expect(cms.stderr).toMatch(/Verification successful/);
    for (const { path } of checkpointTokens(dir)) {
      const statement = `proofline/checkpoints/${path.slice('proofline/timestamps/'.length, 'proofline/timestamps/'.length + 6)}.json`;
      const cp = await run('openssl', ['ts', '-verify', '-digest', sha256Hex(readFileSync(join(dir, statement))), '-in', path, '-CAfile', rogue.caPath], dir);
      expect(cp.stderr, path).toMatch(/unsuitable certificate purpose/);
    }

    const v = await verify(zip, [tsa.caPath, rogue.caPath]);
    expect(v.code, v.text).not.toBe(0);
    expect(v.report.verdict).not.toBe('verified');
    expect(v.text).toMatch(/timeStamping/);
    expect(v.text).toMatch(/shop\.example\.test/);
    expect((v.report.anchoring?.tokens ?? []).filter((t) => t.trusted)).toEqual([]);
    for (const t of v.report.anchoring?.tokens ?? []) expect(t.reason, t.path).toMatch(/timeStamping/);
    // The viewer says it in the reader's language from this, not from the English reason.
    for (const t of v.report.anchoring?.tokens ?? []) expect(t.reasonKind, t.path).toBe('notTsaCert');
  });

  it('case 4: a session fabricated with a fresh device key, dated 2025-06-01, tokens from the serverAuth certificate: not 0', async () => {
    const fabData = join(root, 'fabricated-data');
    const base = Date.parse('2025-06-01T10:00:00Z');
    const at = (seconds: number): Date => new Date(base + seconds * 1000);
    const png = join(root, 'fabricated.png');
    writeFileSync(png, Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(3_000, 9)]));
    const created = await prooflineAt(at(0), ['--data', fabData, 'session', 'new', '--title', 'Poster series, batch 3', '--creator', 'Li Wei', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const id = JSON.parse(created.stdout).id as string;
    const steps: [number, string[]][] = [
      [20, ['note', id, 'chose seed 1234: the pose matches the brief']],
      [40, ['attach', id, png]],
      [60, ['note', id, 'final: 00017.png']],
      [80, ['seal', id]],
    ];
    for (const [seconds, args] of steps) {
      const result = await prooflineAt(at(seconds), ['--data', fabData, ...args]);
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(0);
    }
    const fabZip = join(root, 'fabricated-raw.zip');
    const exported = await prooflineAt(at(100), ['--data', fabData, 'export', id, '--out', fabZip]);
    expect(exported.code, exported.stderr).toBe(0);

    const dir = await unpack(fabZip, join(root, 'fabricated'));
    const events = readEvents(dir);
    for (const event of events) expect(event.time, `event #${event.seq}`).toMatch(/^2025-06-01T10:0[0-2]:/);
    const sealedAt = Date.parse(sessionDoc(dir).sealedAt);
    await replaceAllTokens(
      dir,
      deviceKey(fabData),
      rogue,
      { checkpoint: (statement) => new Date(Date.parse(statement.time) + 2_000), seal: () => new Date(sealedAt + 3_000) },
      { everyCheckpoint: true },
    );
    const zip = await repack(dir, join(root, 'fabricated.zip'));

    expect((await run('sha256sum', ['-c', '--quiet', 'tagmanifest-sha256.txt'], dir)).code).toBe(0);
    const { text, time } = await tokenTime(join(dir, 'proofline/seal.tsr'));
    expect(text).toMatch(/^Time stamp: Jun {2}1 10:01:\d\d 2025 GMT$/m);
    expect(time.toISOString().slice(0, 10)).toBe('2025-06-01');
    const refused = await run('openssl', ['ts', '-verify', '-digest', tagManifestDigest(dir), '-in', 'proofline/seal.tsr', '-CAfile', rogue.caPath], dir);
    expect(refused.stderr).toMatch(/unsuitable certificate purpose/);

    const v = await verify(zip, [tsa.caPath, rogue.caPath]);
    expect(v.code, v.text).not.toBe(0);
    expect(v.report.verdict).not.toBe('verified');
    expect((v.report.anchoring?.tokens ?? []).filter((t) => t.trusted)).toEqual([]);
    expect(v.text).toMatch(/timeStamping/);
  });
});

describe('tokens taken out', () => {
  it('case 5: every token stripped (timestamps.json, tag manifest, seal.sig redone): exit 3, the events are covered by no trusted timestamp', async () => {
    const { zip, dir } = await forge('stripped', (d) => {
      const removed = stripAllTokens(d);
      expect(removed).toContain('proofline/seal.tsr');
      reseal(d, deviceKey(data));
    });
    expect(JSON.parse(readFileSync(join(dir, 'proofline/timestamps.json'), 'utf8'))).toEqual([]);
    expect((await run('sha256sum', ['-c', '--quiet', 'tagmanifest-sha256.txt'], dir)).code).toBe(0);
    const count = readEvents(dir).length;

    const v = await verify(zip);
    // Never guesses why the tokens are missing (a TSA that was not configured, or did not answer)...
    expect(v.text).not.toMatch(/no TSA configured|configured or reachable|no TSA answered/i);
    // ...says what is absent: no trusted timestamp covers the events, #0 to the last.
    expect(v.text).toMatch(/(no|not .{0,40}any|without( a)?) trusted (RFC 3161 )?(time-?stamps?|tokens?)/i);
    expect(v.text).toContain(`#0–#${count - 1}`);
    expectIntactButUnattested(v);
    expectNamedLate(v, Array.from({ length: count }, (_, i) => i));
    expect(v.report.anchoring!.events.every((e) => e.provenBy === null)).toBe(true);
    expect(v.report.anchoring!.tokens).toEqual([]);
  });

  it('case 6: only seal.tsr stripped: says it is absent, never "no TSA answered at seal"', async () => {
    const { zip } = await forge('no-seal-token', (d) => {
      expect(dropSealTokens(d)).toEqual(['proofline/seal.tsr']);
    });

    const v = await verify(zip);
    expectIntactButUnattested(v);
    const seal = v.report.checks.find((c) => c.id === 'seal.timestamp')!;
    expect(seal.status).toBe('warn');
    expect(seal.where).toContain('proofline/seal.tsr');
    expect(seal.detail).toMatch(/absent|missing|not in the archive/i);
    expect(v.text).not.toMatch(/no TSA answered|no TSA configured|configured or reachable/i);
    expect(v.report.anchoring!.tokens.map((t) => t.path)).not.toContain('proofline/seal.tsr');
    // What no trusted checkpoint token covers is now proven by nothing.
    const covered = Math.max(0, ...v.report.anchoring!.tokens.filter((t) => t.trusted).map((t) => t.covers));
    const unproven = v.report.anchoring!.events.filter((e) => e.seq >= covered);
    for (const e of unproven) expect(e.provenBy, `event #${e.seq}`).toBeNull();
    if (unproven.length > 0) expectNamedLate(v, unproven.map((e) => e.seq));
  });
});
