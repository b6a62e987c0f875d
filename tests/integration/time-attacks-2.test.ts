// Forgeries of time, round 2. Round 1 (time-attacks.test.ts) showed that a history rewritten and
// re-sealed later, tokens from a TLS certificate, a fabricated session and stripped tokens do not
// verify with exit 0. Here the attacker knows how the verifier computes proven-by times (trusted
// tokens over checkpoints, seal.tsr within 60 s of sealedAt, the anchoring interval from the
// session's own events) and aims at the edges: recorded times the verifier parses or compares
// loosely, declarations it believes, token fields it ignores, files and events it does not tie to
// anything, and certificates valid at the wrong time.
//
// Every forgery starts from a real session made with the CLI and a real loopback TSA
// (openssl ts -reply, its clock set with libfaketime where the attack needs "later"), is
// re-signed with the device key from the data folder, and is intact to sha256sum. Nine of these
// verified with exit 0 when they were written (future-dated events, zone-less times, a longer
// interval declared behind a backwards clock, TSA accuracy, createdAt, an unnamed payload file,
// events after the seal, a duplicate checkpoint, a sealedAt that is not a time); the rest pinned
// attempts that were already caught.

import { sign } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnchorRange, VerifyReport } from '../../src/core/archive/verify-report.js';
import { canonicalJson } from '../../src/core/store/canonical-json.js';
import { hashEvent } from '../../src/core/store/event-chain.js';
import type { EventBody } from '../../src/shared/domain.js';
import { proofline } from '../support/cli.js';
import {
  deviceKey,
  dropTokens,
  exec,
  makeHonestSession,
  mintToken,
  readCheckpoints,
  readEvents,
  repack,
  reseal,
  sessionDoc,
  sha256Hex,
  stampSeal,
  tagManifestDigest,
  unpack,
} from '../support/forge.js';
import { asNew, editBagInfo, editSessionJson, makeSigner, rebuildChain, reissueTsaCertificates, resealAndStamp, setTsaAccuracy, shifted, tokenAt, type NewEvent } from '../support/forge-2.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let tsa: RunningTsa;
let root: string;
let data: string;
let archive: string;
let sessionId: string;
/** The honest session's seal time (ms) and its events. */
let S: number;
let honest: EventBody[];

const DAY = 86_400_000;
const cli = (...args: string[]) => proofline(['--data', data, '--tsa', tsa.url, ...args]);

interface Verified {
  readonly code: number;
  readonly report: VerifyReport;
  /** The human output of the same verify without --json. */
  readonly text: string;
}

/** `proofline verify` twice, --json and text, side by side (2 cores). */
async function verify(zip: string, trust: readonly string[] = [tsa.caPath], env: Record<string, string> = {}): Promise<Verified> {
  const trustArgs = trust.flatMap((p) => ['--trust', p]);
  const [json, human] = await Promise.all([proofline(['verify', zip, ...trustArgs, '--json'], env), proofline(['verify', zip, ...trustArgs], env)]);
  expect(json.stdout, json.stderr).not.toBe('');
  expect(human.code, 'text and --json runs agree on the exit code').toBe(json.code);
  return { code: json.code, report: JSON.parse(json.stdout) as VerifyReport, text: human.stdout + human.stderr };
}

let forged = 0;
/** An unzipped copy of the honest archive, edited by the attacker, zipped again. */
async function forge(name: string, edit: (dir: string) => Promise<void> | void): Promise<{ zip: string; dir: string }> {
  const dir = await unpack(archive, join(root, `${++forged}-${name}`));
  await edit(dir);
  return { zip: await repack(dir, join(root, `${forged}-${name}.zip`)), dir };
}

const key = () => deviceKey(data);
/** Whole seconds, so that a TSA asked "at" this instant dates its token this very second. */
const second = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);
const seqOf = (type: string, events = honest): number => events.find((e) => e.type === type)!.seq;
const firstNote = (): number => seqOf('note');
const edited = (e: EventBody, text: string): NewEvent =>
  e.type === 'note' ? asNew(e, { payload: { ...e.payload, text: `${String(e.payload['text'])} ${text}` } }) : asNew(e);
const sealedEvent = (at: Date, from = honest.at(-1)!): NewEvent => asNew(from, { time: at.toISOString(), payload: { ...from.payload, sealedAt: at.toISOString() } });
/** Token from the loopback TSA at the time a checkpoint statement claims. */
const stampAtStatementTime = (t: RunningTsa = tsa) => (digest: string, st: { time: string }) => tokenAt(t, second(Date.parse(st.time)), digest, root);

const inRange = (seq: number, r: AnchorRange): boolean => r.from <= seq && seq <= r.to;

function expectIntact(v: Verified): void {
  expect(v.report.checks.filter((c) => c.status === 'fail'), 'nothing is cryptographically wrong with the forgery').toEqual([]);
}

/** Every seq is in a range the report calls late (or unproven), and none counts as proven in time. */
function expectNamedLate(v: Verified, seqs: readonly number[]): void {
  const anchoring = v.report.anchoring;
  expect(anchoring, 'verify --json reports anchoring').toBeDefined();
  for (const seq of seqs) expect(anchoring!.late.some((r) => inRange(seq, r)), `event #${seq} is named as not proven in time`).toBe(true);
  expect(v.report.checks.find((c) => c.id === 'time.anchoring')?.status).toBe('warn');
}

/**
 * The events the report points at as not attested: those in its late ranges, and those in any
 * failed or warned check's `where` (data/events.jsonl:LINE or :FROM-TO, lines counted from 1).
 */
function namedSeqs(v: Verified): Set<number> {
  const seqs = new Set<number>();
  for (const r of v.report.anchoring?.late ?? []) for (let s = r.from; s <= r.to; s++) seqs.add(s);
  for (const c of v.report.checks.filter((x) => x.status === 'fail' || x.status === 'warn')) {
    for (const w of c.where) {
      const m = /events\.jsonl:(\d+)(?:-(\d+))?$/.exec(w);
      if (m) for (let line = Number(m[1]); line <= Number(m[2] ?? m[1]); line++) seqs.add(line - 1);
    }
  }
  return seqs;
}

/** Not exit 0, and every seq is pointed at (late range, or a failed or warned check's where). */
function expectNamed(v: Verified, seqs: readonly number[]): void {
  expect(v.code, v.text).not.toBe(0);
  const named = namedSeqs(v);
  for (const seq of seqs) expect(named.has(seq), `event #${seq} is named as not attested:\n${v.text}`).toBe(true);
}

/** Checks that did not pass, as "id: detail" lines (for messages and loose matching). */
const problems = (v: Verified): string => v.report.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => `${c.id}: ${c.detail}`).join('\n');

/**
 * The owner's re-seal: the last event (session.sealed) replaced by one at `at`, its checkpoint
 * re-signed and timestamped by the real TSA at `at`, seal.tsr too. Every earlier event, checkpoint
 * and token is untouched. `extra` edits the bag before it is sealed again.
 */
async function resealedLater(d: string, at: Date, extra?: (d: string) => void): Promise<void> {
  const n = honest.length;
  await rebuildChain(d, { key: key(), keep: n - 1, tail: [sealedEvent(at)], checkpoints: [{ treeSize: n, time: at.toISOString() }], stamp: stampAtStatementTime(), tsaUrl: tsa.url });
  extra?.(d);
  await resealAndStamp(d, key(), (digest) => tokenAt(tsa, at, digest, root));
}

beforeAll(async () => {
  for (const tool of ['faketime', 'openssl', 'unzip', 'zip']) {
    expect((await exec('sh', ['-c', `command -v ${tool}`])).code, `${tool} is needed`).toBe(0);
  }
  root = mkdtempSync(join(tmpdir(), 'proofline-time-attacks-2-'));
  data = join(root, 'data');
  tsa = await startTsa({ name: 'Round2', dir: root });
  // Its certificates issued a month ago and valid 3 years: tokens dated ten minutes before the seal
  // or a year after it come from a valid certificate, so the only thing wrong with them is their time.
  await reissueTsaCertificates(tsa, new Date(Date.now() - 30 * DAY), 1100, 'Round2');
  ({ sessionId, archive } = await makeHonestSession(cli, root, 'Poster series, batch 4'));
  const dir = await unpack(archive, join(root, 'honest'));
  honest = readEvents(dir);
  S = Date.parse(sessionDoc(dir).sealedAt);
  expect(honest.map((e) => e.type)).toEqual(['session.created', 'note', 'artifact.attached', 'note', 'note', 'session.sealed']);
}, 90_000);

afterAll(async () => {
  tsa?.setFakeTime(null);
  await tsa?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('baseline', () => {
  it('the honest archive verifies: exit 0, every event proven in time', async () => {
    const v = await verify(archive);
    expect(v.code, v.text).toBe(0);
    expect(v.report.anchoring?.late).toEqual([]);
  });

  it('pin: the owner re-seals a month later, changing nothing but session.sealed: exit 0, and the report says sealed a month later', async () => {
    const at = second(S + 30 * DAY);
    const { zip } = await forge('resealed-later', (d) => resealedLater(d, at));
    const v = await verify(zip);
    // Indistinguishable from a session sealed a month after its last note: the earlier events keep
    // their own tokens, and the new seal time is what the report shows. The holes below build on this.
    expect(v.code, v.text).toBe(0);
    expect(v.report.session?.sealedAt).toBe(at.toISOString());
    const ranges = v.report.anchoring!.ranges;
    for (const e of v.report.anchoring!.events.slice(0, -1)) expect(Date.parse(e.provenBy!)).toBeLessThan(S + 60_000);
    // Proven by the new seal checkpoint's token: its time plus the accuracy the TSA states (1 s).
    expect(Date.parse(ranges.at(-1)!.provenBy!) - at.getTime()).toBeGreaterThanOrEqual(0);
    expect(Date.parse(ranges.at(-1)!.provenBy!) - at.getTime()).toBeLessThanOrEqual(1_000);
  });
});

describe('recorded times the verifier trusts too much', () => {
  it('every recorded time moved two days into the future, checkpoints dated now and timestamped now: must not verify (events proven two days before they were recorded)', async () => {
    const ahead = 2 * DAY;
    let now = new Date();
    const { zip, dir } = await forge('future-dated', async (d) => {
      const sizes = readCheckpoints(d).map((c) => c.statement.treeSize);
      now = second(Date.now());
      const tail = honest.map((e) => asNew(e, { time: shifted(e.time, ahead) }));
      // seal.tsr is held to sealedAt, so sealedAt says now; the session.sealed event itself is dated with the rest.
      tail[tail.length - 1] = asNew(honest.at(-1)!, { time: shifted(honest.at(-1)!.time, ahead), payload: { ...honest.at(-1)!.payload, sealedAt: now.toISOString() } });
      // Every token from the trusted TSA, now (its clock pinned to this second so that a loaded
      // machine cannot push seal.tsr out of the seal window).
      await rebuildChain(d, { key: key(), keep: 0, tail, checkpoints: sizes.map((treeSize) => ({ treeSize, time: now.toISOString() })), stamp: (digest) => tokenAt(tsa, now, digest, root), tsaUrl: tsa.url });
      const createdAt = shifted(honest[0]!.time, ahead);
      editSessionJson(d, (doc) => ({ ...doc, createdAt }));
      editBagInfo(d, { 'Proofline-Created-At': createdAt });
      await resealAndStamp(d, key(), (digest) => tokenAt(tsa, now, digest, root));
    });
    const v = await verify(zip);
    // The forgery: every token (all from the trusted TSA, all sound) is dated about two days before
    // any event it covers was, by the events' own account, recorded.
    const latestToken = Math.max(...v.report.anchoring!.tokens.map((t) => Date.parse(t.genTime!)));
    expect(v.report.anchoring!.tokens.every((t) => t.trusted)).toBe(true);
    expect(Math.min(...readEvents(dir).map((e) => Date.parse(e.time))) - latestToken).toBeGreaterThan(DAY);
    expect(v.code, `the archive claims every event happened two days after a TSA saw it:\n${v.text}`).not.toBe(0);
    expect(v.report.verdict).not.toBe('verified');
    expect(problems(v)).toMatch(/ahead|before (it was|they were) recorded|in the future|recorded .{0,40}after/i);
    expectNamed(v, honest.map((e) => e.seq));
    expect(now.getTime()).toBeGreaterThan(S);
  });

  it('pin: a device clock two days ahead, as an honest device would record it (checkpoints dated by it too): exit 3, the clock named', async () => {
    const ahead = 2 * DAY;
    const { zip } = await forge('clock-ahead', async (d) => {
      const checkpoints = readCheckpoints(d).map((c) => ({ treeSize: c.statement.treeSize, time: shifted(c.statement.time, ahead) }));
      const tail = honest.map((e) => asNew(e, { time: shifted(e.time, ahead) }));
      tail[tail.length - 1] = sealedEvent(new Date(Date.parse(honest.at(-1)!.time) + ahead));
      await rebuildChain(d, { key: key(), keep: 0, tail, checkpoints, stamp: (digest) => tokenAt(tsa, null, digest, root), tsaUrl: tsa.url });
      // The same clock wrote the session's created time.
      const createdAt = shifted(String(JSON.parse(readFileSync(join(d, 'data/session.json'), 'utf8')).createdAt), ahead);
      editSessionJson(d, (doc) => ({ ...doc, createdAt }));
      editBagInfo(d, { 'Proofline-Created-At': createdAt });
      await resealAndStamp(d, key(), (digest) => tokenAt(tsa, null, digest, root));
    });
    const v = await verify(zip);
    expectIntact(v);
    expect(v.code, v.text).toBe(3);
    expect(v.report.checks.find((c) => c.id === 'time.anchoring')?.status).toBe('warn');
    expect(problems(v)).toMatch(/clock ran ahead|ahead/);
  });

  it('times written without a zone ("…T06:49:17.974"), rewritten five hours later: the verdict must not depend on the verifier\'s time zone', async () => {
    const at = second(S + 5 * 3_600_000);
    const from = firstNote();
    const { zip, dir } = await forge('zoneless-times', async (d) => {
      const tail = honest.slice(from, -1).map((e) => ({ ...edited(e, '(and the client approved the blue variant)'), time: e.time.replace(/Z$/, '') }));
      await rebuildChain(d, { key: key(), keep: from, tail: [...tail, sealedEvent(at)], checkpoints: [{ treeSize: honest.length, time: at.toISOString() }], stamp: stampAtStatementTime(), tsaUrl: tsa.url });
      await resealAndStamp(d, key(), (digest) => tokenAt(tsa, at, digest, root));
    });
    // events.jsonl shows the original wall-clock times of the session (recorded in UTC, see its environment).
    expect(readEvents(dir)[from]!.time).toBe(honest[from]!.time.replace(/Z$/, ''));
    // Five hours west of UTC (no daylight saving, so the test does not depend on the date).
    const [west, utc] = await Promise.all([verify(zip, [tsa.caPath], { TZ: 'Etc/GMT+5' }), verify(zip, [tsa.caPath], { TZ: 'UTC' })]);
    expect(utc.code, utc.text).not.toBe(0);
    expect(west.code, `in UTC-5 the same archive says:\n${west.text}`).toBe(utc.code);
    expect(west.report.verdict).not.toBe('verified');
  });
});

describe('anchoring declarations', () => {
  /** Rewrites from the first note at `at`: a declaration (payload `anchorSeconds`) dated 5 s before `at`, the notes at their old times. */
  async function declaredLonger(name: string, anchorSeconds: unknown, at: Date) {
    const from = firstNote();
    let rewritten: number[] = [];
    const forgery = await forge(name, async (d) => {
      const decl: NewEvent = {
        time: new Date(at.getTime() - 5_000).toISOString(),
        type: 'anchoring.changed',
        payload: { anchorSeconds: anchorSeconds as number, tsaUrls: [tsa.url], previous: { anchorSeconds: 60, tsaUrls: [tsa.url] } },
      };
      const rest = honest.slice(from, -1).map((e) => edited(e, '(and the client approved the blue variant)'));
      const built = await rebuildChain(d, {
        key: key(),
        keep: from,
        tail: [decl, ...rest, sealedEvent(at)],
        checkpoints: [{ treeSize: from + 1, time: decl.time }, { treeSize: honest.length + 1, time: at.toISOString() }],
        stamp: stampAtStatementTime(),
        tsaUrl: tsa.url,
      });
      rewritten = built.events.filter((e) => e.seq > from && e.type !== 'session.sealed').map((e) => e.seq);
      await resealAndStamp(d, key(), (digest) => tokenAt(tsa, at, digest, root));
    });
    return { ...forgery, rewritten };
  }

  it('rewritten 30 min later behind an anchoring.changed (3600 s) dated just before the new token, the old times kept after it (time runs backwards): must name the rewritten notes late', async () => {
    const at = second(S + 30 * 60_000);
    const { zip, rewritten } = await declaredLonger('declared-3600', 3600, at);
    expect(rewritten.length).toBeGreaterThanOrEqual(3);
    const v = await verify(zip);
    expect(v.code, `the notes were rewritten 30 minutes after they were first proven:\n${v.text}`).not.toBe(0);
    expectNamed(v, rewritten);
  });

  it('pin: the same with anchorSeconds -5 or "3600" (not a positive number): ignored, the rewritten notes named late (exit 3)', async () => {
    const at = second(S + 30 * 60_000);
    for (const [name, value] of [['declared-negative', -5], ['declared-string', '3600']] as const) {
      const { zip, rewritten } = await declaredLonger(name, value, at);
      const v = await verify(zip);
      expectIntact(v);
      expect(v.code, v.text).toBe(3);
      expect(v.report.anchoring!.anchorSeconds).toBe(60);
      expectNamedLate(v, rewritten);
    }
  });

  it('pin: the whole history rewritten 30 min later with session.created declaring 3600 s: the declaration does not count (exit 3, every rewritten event late)', async () => {
    const at = second(S + 30 * 60_000);
    const { zip } = await forge('created-3600', async (d) => {
      const created = honest[0]!;
      const anchoring = created.payload['anchoring'] as Record<string, unknown>;
      const tail = [asNew(created, { payload: { ...created.payload, anchoring: { ...anchoring, anchorSeconds: 3600 } } }), ...honest.slice(1, -1).map((e) => edited(e, '(reworded)')), sealedEvent(at)];
      await rebuildChain(d, { key: key(), keep: 0, tail, checkpoints: [{ treeSize: honest.length, time: at.toISOString() }], stamp: stampAtStatementTime(), tsaUrl: tsa.url });
      await resealAndStamp(d, key(), (digest) => tokenAt(tsa, at, digest, root));
    });
    const v = await verify(zip);
    expectIntact(v);
    expect(v.code, v.text).toBe(3);
    expectNamedLate(v, honest.slice(0, -1).map((e) => e.seq));
  });
});

describe('token fields the verifier ignores', () => {
  it('a trusted TSA that states an accuracy of ±1 h, its clock 50 min slow: the notes rewritten 50 min later must not count as proven in time', async () => {
    const sloppy = await startTsa({ name: 'Sloppy', dir: root });
    try {
      const { chainPem } = await reissueTsaCertificates(sloppy, new Date(S - 30 * DAY), 1100, 'Sloppy');
      setTsaAccuracy(sloppy, 3600);
      const from = firstNote();
      const sealed = honest.at(-1)!;
      // What the sloppy TSA's clock reads when the owner asks, 50 minutes after the seal.
      const reads = second(S + 5_000);
      let changed: number[] = [];
      const { zip, dir } = await forge('accuracy-1h', async (d) => {
        const tail = [...honest.slice(from, -1).map((e) => edited(e, '(and the client approved the blue variant)')), asNew(sealed)];
        const built = await rebuildChain(d, {
          key: key(),
          keep: from,
          tail,
          checkpoints: [{ treeSize: honest.length, time: sealed.time }],
          stamp: (digest) => tokenAt(sloppy, reads, digest, root),
          tsaNumber: 2,
          tsaChainPem: chainPem,
          tsaUrl: sloppy.url,
        });
        changed = built.changed.filter((s) => s < honest.length - 1);
        await resealAndStamp(d, key(), (digest) => tokenAt(sloppy, reads, digest, root));
      });
      const text = (await exec('openssl', ['ts', '-reply', '-in', join(dir, 'proofline/seal.tsr'), '-text'])).stdout;
      expect(text).toMatch(/Accuracy: 0x0E10 seconds|Accuracy: 3600 seconds/);
      const v = await verify(zip, [tsa.caPath, sloppy.caPath]);
      expect(v.code, `a token good to ±1 h cannot prove an event within 60 s:\n${v.text}`).not.toBe(0);
      expectNamed(v, changed);
    } finally {
      await sloppy.stop();
    }
  });
});

describe('what the seal does not tie to the events', () => {
  it('re-sealed a month later with session.json\'s createdAt moved a year back: must say createdAt differs from the session.created event', async () => {
    const forgedCreated = new Date(S - 365 * DAY).toISOString();
    const { zip } = await forge('created-a-year-earlier', (d) =>
      resealedLater(d, second(S + 30 * DAY), (dd) => {
        editSessionJson(dd, (doc) => ({ ...doc, createdAt: forgedCreated }));
        editBagInfo(dd, { 'Proofline-Created-At': forgedCreated });
      }),
    );
    const v = await verify(zip);
    expect(v.code, `verify prints "created ${forgedCreated}" for a session whose first event is ${honest[0]!.time}:\n${v.text}`).toBe(1);
    const metadata = v.report.checks.find((c) => c.id === 'session.metadata')!;
    expect(metadata.status).toBe('fail');
    expect(metadata.detail).toMatch(/created/i);
  });

  it('re-sealed a month later with a file added to data/artifacts/ that no event names: must name the file', async () => {
    const extra = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2_000, 3)]);
    const path = `data/artifacts/${sha256Hex(extra)}.png`;
    const { zip } = await forge('unnamed-artifact', (d) => resealedLater(d, second(S + 30 * DAY), (dd) => writeFileSync(join(dd, path), extra)));
    const v = await verify(zip);
    expect(v.code, `${path} is in the archive and named by no event:\n${v.text}`).toBe(1);
    expect(v.report.checks.filter((c) => c.status === 'fail').flatMap((c) => [c.detail, ...c.where]).join('\n')).toContain(path);
  });

  it('events appended after session.sealed (the image marked Final a month later) and sealed again: must say the session went on after it was sealed', async () => {
    const at = second(S + 30 * DAY);
    const sealedSeq = honest.length - 1;
    const image = honest.find((e) => e.type === 'artifact.attached')!.artifacts[0]!;
    const { zip } = await forge('after-seal', async (d) => {
      const mark: NewEvent = { time: new Date(at.getTime() - 20_000).toISOString(), type: 'generation.marked', payload: { sha256: image.sha256, mark: 'final', reason: 'the client approved it' } };
      await rebuildChain(d, {
        key: key(),
        keep: honest.length,
        tail: [mark, sealedEvent(at)],
        checkpoints: [{ treeSize: honest.length + 1, time: mark.time }, { treeSize: honest.length + 2, time: at.toISOString() }],
        stamp: stampAtStatementTime(),
        tsaUrl: tsa.url,
      });
      await resealAndStamp(d, key(), (digest) => tokenAt(tsa, at, digest, root));
    });
    const v = await verify(zip);
    expect(v.code, `event #${sealedSeq} sealed the session; two more follow it:\n${v.text}`).not.toBe(0);
    const saysSo = new RegExp(`(#|event )${sealedSeq}\\b[^\\n]*seal|seal[^\\n]*(#|event )${sealedSeq}\\b`, 'i').test(problems(v));
    expect(saysSo || namedSeqs(v).has(sealedSeq), `event #${sealedSeq} (session.sealed) is named:\n${problems(v)}`).toBe(true);
  });

  it('re-sealed with a duplicate checkpoint (000009.json = 000001.json, index 1, with its token): must name the file whose statement has another index', async () => {
    const { zip } = await forge('duplicate-checkpoint', async (d) => {
      for (const [a, b] of [['checkpoints/000001.json', 'checkpoints/000009.json'], ['checkpoints/000001.sig', 'checkpoints/000009.sig'], ['timestamps/000001-tsa1.tsr', 'timestamps/000009-tsa1.tsr']]) {
        copyFileSync(join(d, 'proofline', a!), join(d, 'proofline', b!));
      }
      // The new seal checkpoint goes after the highest index present: 000010.json stays the last.
      await resealedLater(d, second(S + 30 * DAY));
    });
    const v = await verify(zip);
    expect(v.code, `proofline/checkpoints/000009.json says index 1:\n${v.text}`).toBe(1);
    expect(problems(v)).toContain('000009.json');
  });

  it('pin: seal.tsr obtained 10 min after the seal and session.json / bag-info.txt sealedAt moved to match: exit 1, the three sealed times named', async () => {
    const at = second(S + 10 * 60_000);
    const { zip } = await forge('sealed-at-moved', async (d) => {
      editSessionJson(d, (doc) => ({ ...doc, sealedAt: at.toISOString() }));
      editBagInfo(d, { 'Proofline-Sealed-At': at.toISOString() });
      await resealAndStamp(d, key(), (digest) => tokenAt(tsa, at, digest, root));
    });
    const v = await verify(zip);
    expect(v.code, v.text).toBe(1);
    const metadata = v.report.checks.find((c) => c.id === 'session.metadata')!;
    expect(metadata.status).toBe('fail');
    expect(metadata.detail).toContain(at.toISOString());
    expect(metadata.detail).toContain(String(honest.at(-1)!.payload['sealedAt']));
  });

  it('sealedAt "at once" everywhere (session.sealed, session.json, bag-info.txt) and seal.tsr a month after the seal: must not say the seal token is within 60 s of the seal', async () => {
    const at = second(S + 30 * DAY);
    const n = honest.length;
    const { zip } = await forge('sealed-at-unreadable', async (d) => {
      const sealed = asNew(honest.at(-1)!, { time: at.toISOString(), payload: { ...honest.at(-1)!.payload, sealedAt: 'at once' } });
      await rebuildChain(d, { key: key(), keep: n - 1, tail: [sealed], checkpoints: [{ treeSize: n, time: at.toISOString() }], stamp: stampAtStatementTime(), tsaUrl: tsa.url });
      await resealAndStamp(d, key(), (digest) => tokenAt(tsa, second(at.getTime() + 30 * DAY), digest, root));
    });
    const v = await verify(zip);
    expect(v.code, `seal.tsr is dated 30 days after session.sealed was recorded:\n${v.text}`).not.toBe(0);
    const seal = v.report.checks.find((c) => c.id === 'seal.timestamp')!;
    const metadata = v.report.checks.find((c) => c.id === 'session.metadata')!;
    expect(seal.status !== 'pass' || metadata.status === 'fail', `${seal.detail}\n${metadata.detail}`).toBe(true);
  });

  it('pin: the seal checkpoint\'s token and seal.tsr both taken out: exit 3, session.sealed proven by nothing', async () => {
    const last = readCheckpoints(join(root, 'honest')).at(-1)!;
    const { zip } = await forge('no-seal-proof', (d) => {
      dropTokens(d, [`proofline/timestamps/${String(last.index).padStart(6, '0')}-tsa1.tsr`]);
      reseal(d, key());
    });
    const v = await verify(zip);
    expectIntact(v);
    expect(v.code, v.text).toBe(3);
    const sealedSeq = honest.length - 1;
    expect(v.report.anchoring!.events[sealedSeq]!.provenBy).toBeNull();
    expectNamedLate(v, [sealedSeq]);
    expect(v.text).toContain(`#${sealedSeq}`);
  });
});

describe('tokens in unexpected places', () => {
  it('pin: checkpoint 000002.json replaced by a statement the owner crafts now (bigger treeSize, another session, a head from later) and timestamped by the real TSA: exit 1, the checkpoint named', async () => {
    const events = honest;
    const cp2 = readCheckpoints(join(root, 'honest')).find((c) => c.index === 2)!;
    const head = (seq: number): string => hashEvent(events[seq]!).hash;
    const variants: [string, Record<string, unknown>, RegExp][] = [
      ['bigger-tree', { treeSize: 99, head: head(events.length - 1) }, /covers 99 events but the chain has/],
      ['other-session', { session: '00000000-0000-4000-8000-000000000000' }, /names another device or session/],
      ['later-head', { head: head(4) }, /event \d+ hashes to .* the signed head is/],
    ];
    for (const [name, change, expected] of variants) {
      const { zip } = await forge(`crafted-${name}`, async (d) => {
        const bytes = Buffer.from(canonicalJson({ ...cp2.statement, ...change, time: new Date().toISOString() }), 'utf8');
        writeFileSync(join(d, cp2.path), bytes);
        writeFileSync(join(d, cp2.path.replace(/\.json$/, '.sig')), sign(null, bytes, key()));
        writeFileSync(join(d, 'proofline/timestamps/000002-tsa1.tsr'), await tokenAt(tsa, null, sha256Hex(bytes), root));
        reseal(d, key());
      });
      const v = await verify(zip);
      expect(v.code, v.text).toBe(1);
      expect(problems(v), name).toMatch(expected);
      expect(problems(v), name).toContain('000002.json');
    }
  });

  it('pin: the seal checkpoint\'s token copied as proofline/timestamps/000001-tsa9.tsr (a TSA with no certificates file): exit 1, the token named', async () => {
    const last = readCheckpoints(join(root, 'honest')).at(-1)!;
    const { zip } = await forge('token-elsewhere', (d) => {
      copyFileSync(join(d, `proofline/timestamps/${String(last.index).padStart(6, '0')}-tsa1.tsr`), join(d, 'proofline/timestamps/000001-tsa9.tsr'));
      reseal(d, key());
    });
    const v = await verify(zip);
    expect(v.code, v.text).toBe(1);
    expect(v.report.checks.find((c) => c.id === 'timestamps.checkpoints')?.detail).toMatch(/000001-tsa9\.tsr.*(imprint|other data)/);
  });

  it('pin: seal.tsr replaced by one dated 10 min BEFORE sealedAt (a TSA clock behind): exit 3, the clock difference named', async () => {
    const { zip } = await forge('seal-before-sealed', async (d) => {
      await stampSeal(d, await tokenAt(tsa, second(S - 10 * 60_000), tagManifestDigest(d), root));
    });
    const v = await verify(zip);
    expectIntact(v);
    expect(v.code, v.text).toBe(3);
    // The token itself is sound and from a certificate valid then: only its time gives it away.
    expect(v.report.anchoring!.tokens.find((t) => t.path === 'proofline/seal.tsr')?.trusted).toBe(true);
    expect(v.report.checks.find((c) => c.id === 'time.anchoring')?.status).toBe('warn');
    expect(problems(v)).toMatch(/seal\.tsr[^\n]*(before|ahead)/);
  });

  it('pin: a second seal token a year later (seal-2.tsr) beside the honest one: still exit 0, the late one reported', async () => {
    const { zip } = await forge('second-seal-token', async (d) => {
      writeFileSync(join(d, 'proofline/seal-2.tsr'), await tokenAt(tsa, second(S + 365 * DAY), tagManifestDigest(d), root));
    });
    const v = await verify(zip);
    expect(v.code, v.text).toBe(0);
    const late = v.report.anchoring!.tokens.find((t) => t.path === 'proofline/seal-2.tsr');
    expect(late?.genTime?.slice(0, 4)).toBe(String(new Date(S + 365 * DAY).getUTCFullYear()));
    expect(late?.trusted).toBe(true);
  });
});

describe('certificates valid at the wrong time, or for more than time-stamping', () => {
  const TSA_EXT = 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, nonRepudiation\nextendedKeyUsage = critical, timeStamping';

  /** The notes rewritten (times kept) and every new token minted by `signer`, dated 2–3 s after the seal. */
  async function rewrittenWith(name: string, signer: Awaited<ReturnType<typeof makeSigner>>) {
    const from = firstNote();
    const sealed = honest.at(-1)!;
    return forge(name, async (d) => {
      await rebuildChain(d, {
        key: key(),
        keep: from,
        tail: [...honest.slice(from, -1).map((e) => edited(e, '(reworded)')), asNew(sealed)],
        checkpoints: [{ treeSize: honest.length, time: sealed.time }],
        stamp: (digest) => mintToken(signer, digest, second(S + 2_000)),
        tsaNumber: 2,
        tsaChainPem: readFileSync(signer.chainPath, 'utf8'),
        tsaUrl: 'https://tsa.example.test/',
      });
      await resealAndStamp(d, key(), (digest) => mintToken(signer, digest, second(S + 3_000)));
    });
  }

  it('pin: a genuine time-stamping certificate issued the day after the seal, tokens back-dated to the seal: exit 3, "not yet valid"', async () => {
    const signer = await makeSigner(join(root, 'tsa-tomorrow'), { issuedAt: new Date(S + DAY), days: 365, ext: TSA_EXT, name: 'Tomorrow TSA' });
    const { zip } = await rewrittenWith('tsa-not-yet-valid', signer);
    const v = await verify(zip, [tsa.caPath, signer.caPath]);
    expectIntact(v);
    expect(v.code, v.text).toBe(3);
    const mine = v.report.anchoring!.tokens.filter((t) => t.path.includes('tsa2') || t.path.endsWith('seal.tsr'));
    expect(mine.length).toBe(2);
    for (const t of mine) expect(t.reason, t.path).toMatch(/not yet valid/);
  });

  it('pin: a time-stamping certificate that had expired two days before the seal: exit 3, "expired"', async () => {
    const signer = await makeSigner(join(root, 'tsa-expired'), { issuedAt: new Date(S - 3 * DAY), days: 1, ext: TSA_EXT, name: 'Expired TSA' });
    const { zip } = await rewrittenWith('tsa-expired', signer);
    const v = await verify(zip, [tsa.caPath, signer.caPath]);
    expectIntact(v);
    expect(v.code, v.text).toBe(3);
    for (const t of v.report.anchoring!.tokens.filter((x) => x.path.includes('tsa2') || x.path.endsWith('seal.tsr'))) expect(t.reason, t.path).toMatch(/expired/);
  });

  it('pin: an ordinary multi-purpose certificate (serverAuth and timeStamping, not critical) under a trusted root: exit 3, its extendedKeyUsage named', async () => {
    const signer = await makeSigner(join(root, 'multi-purpose'), {
      issuedAt: new Date(S - 30 * DAY),
      days: 365,
      ext: 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth, timeStamping',
      name: 'Example Shop',
    });
    const { zip } = await rewrittenWith('multi-purpose', signer);
    const v = await verify(zip, [tsa.caPath, signer.caPath]);
    expectIntact(v);
    expect(v.code, v.text).toBe(3);
    expect(v.text).toMatch(/extendedKeyUsage/);
  });
});
