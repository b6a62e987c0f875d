// The attacker's workbench, round 2 (tests/integration/time-attacks-2.test.ts). Builds on
// forge.ts: everything here is what someone holding the data folder (the device's Ed25519 key)
// can do with the public format, the project's own canonical JSON and Merkle code, the device key,
// a real RFC 3161 TSA (`openssl ts -reply` on loopback, its clock set with libfaketime) and
// openssl for certificates.
//
// The central tool is rebuildChain(): keep the first `keep` events of a sealed archive byte for
// byte (and with them every checkpoint and token over them alone, which still verify), put new
// events after them, sign new checkpoints over the new chain with the device key and have them
// timestamped by whatever `stamp` returns (the real TSA now, the real TSA at a fake time, or a
// token minted with some certificate), then fix up session.json, bag-info.txt and timestamps.json
// the way an export would have written them. resealAndStamp() then redoes the manifests, the tag
// manifest, seal.sig and seal.tsr.

import { type KeyObject, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointReason, CheckpointStatement } from '../../src/core/attest/checkpoints.js';
import { parseTimestampResponse } from '../../src/core/attest/tsa-response.js';
import * as layout from '../../src/core/archive/bag-layout.js';
import { canonicalJson } from '../../src/core/store/canonical-json.js';
import { GENESIS_PREV, hashEvent, leafHash, merkleRoot } from '../../src/core/store/event-chain.js';
import type { ArtifactRef, EventBody, JsonValue } from '../../src/shared/domain.js';
import { checkpointTokens, dropTokens, exec, fakeTimeSpec, readCheckpoints, readEvents, requestToken, reseal, sha256Hex, stampSeal, tagManifestDigest, writeEvents, type RogueSigner } from './forge.js';
import type { RunningTsa } from './tsa-server.js';

/** An event to put in the chain: seq, prev, session and v are filled in. */
export interface NewEvent {
  readonly time: string;
  readonly type: string;
  readonly payload: { readonly [key: string]: JsonValue };
  readonly artifacts?: readonly ArtifactRef[];
}

/** The parts of an existing event a new one is made from (to re-append it with edits). */
export function asNew(event: EventBody, edit: Partial<NewEvent> = {}): NewEvent {
  return { time: event.time, type: event.type, payload: event.payload, artifacts: event.artifacts, ...edit };
}

export interface NewCheckpoint {
  /** How many events (from #0) it covers. */
  readonly treeSize: number;
  /** The statement's `time` (the device's word). */
  readonly time: string;
  /** Default: 'seal' for the last one, 'anchor' otherwise. */
  readonly reason?: CheckpointReason;
}

export interface RebuildOptions {
  readonly key: KeyObject;
  /** Events #0..#keep-1 stay as they are, with every checkpoint (and token) over them alone. */
  readonly keep: number;
  /** What follows them; the last must be the session.sealed event. */
  readonly tail: readonly NewEvent[];
  /** New checkpoints over the new chain, in order; the last must cover every event. */
  readonly checkpoints: readonly NewCheckpoint[];
  /** A token over the checkpoint's SHA-256 (hex); null: leave it without one. */
  readonly stamp: (digestHex: string, checkpoint: CheckpointStatement) => Promise<Buffer | null>;
  /** Which TSA number the new tokens are filed under (proofline/timestamps/NNNNNN-tsaK.tsr). Default 1. */
  readonly tsaNumber?: number;
  /** PEM chain to file as proofline/tsa-certs/tsaK.pem (a TSA the archive did not have). */
  readonly tsaChainPem?: string;
  /** The URL written in timestamps.json for the new tokens. */
  readonly tsaUrl?: string;
}

export interface Rebuilt {
  readonly events: EventBody[];
  /** Seqs whose hash differs from the archive's before the rebuild (or that are new). */
  readonly changed: number[];
  readonly checkpointPaths: string[];
  readonly tokenPaths: string[];
}

interface IndexEntry {
  subject: string;
  token: string | null;
  tsa: string;
  [key: string]: unknown;
}

/** Keeps the first `keep` events, appends `tail`, re-signs and re-timestamps what covers the new part. */
export async function rebuildChain(dir: string, options: RebuildOptions): Promise<Rebuilt> {
  const old = readEvents(dir);
  const oldHashes = old.map((e) => hashEvent(e).hash);
  const session = old[0]!.session;
  const events: EventBody[] = old.slice(0, options.keep);
  let prev = events.length > 0 ? hashEvent(events.at(-1)!).hash : GENESIS_PREV;
  for (const e of options.tail) {
    const body: EventBody = { v: 1, session, seq: events.length, time: e.time, type: e.type, payload: e.payload, artifacts: e.artifacts ?? [], prev };
    events.push(body);
    prev = hashEvent(body).hash;
  }
  if (events.at(-1)?.type !== 'session.sealed') throw new Error('the rebuilt chain must end with session.sealed');
  writeEvents(dir, events);
  const stored = events.map((e) => hashEvent(e));
  const changed = stored.map((s, i) => (s.hash !== oldHashes[i] ? i : -1)).filter((i) => i >= 0);

  // Checkpoints over any event from `keep` on sign the old chain: they go, with their tokens.
  const existing = readCheckpoints(dir);
  const gone = existing.filter((c) => c.statement.treeSize > options.keep);
  const goneIndexes = new Set(gone.map((c) => c.index));
  const goneTokens = checkpointTokens(dir).filter((t) => goneIndexes.has(Number(t.path.slice(layout.TIMESTAMPS_DIR.length, layout.TIMESTAMPS_DIR.length + 6))));
  dropTokens(dir, goneTokens.map((t) => t.path));
  for (const c of gone) {
    rmSync(join(dir, c.path), { force: true });
    rmSync(join(dir, c.path.replace(/\.json$/, '.sig')), { force: true });
  }
  const indexPath = join(dir, layout.TIMESTAMPS_INDEX);
  const index = (existsSync(indexPath) ? JSON.parse(readFileSync(indexPath, 'utf8')) : []) as IndexEntry[];
  const goneSubjects = new Set(gone.map((c) => c.path));
  const kept = index.filter((e) => !goneSubjects.has(e.subject));

  const device = (old[0]!.payload['device'] as { keyId: string }).keyId;
  const leaves = stored.map((s) => leafHash(s.canonical));
  // Numbered after the highest file name left (a statement's own index may say otherwise).
  const fileIndex = (path: string): number => Number(/(\d{6})\.json$/.exec(path)![1]);
  let next = Math.max(-1, ...existing.filter((c) => !goneIndexes.has(c.index)).map((c) => fileIndex(c.path))) + 1;
  const tsa = options.tsaNumber ?? 1;
  const checkpointPaths: string[] = [];
  const tokenPaths: string[] = [];
  mkdirSync(join(dir, layout.TIMESTAMPS_DIR), { recursive: true });
  for (const [i, cp] of options.checkpoints.entries()) {
    const last = i === options.checkpoints.length - 1;
    if (last && cp.treeSize !== events.length) throw new Error('the last new checkpoint must cover every event');
    const statement: CheckpointStatement = {
      v: 1,
      type: 'proofline.checkpoint',
      session,
      index: next++,
      reason: cp.reason ?? (last ? 'seal' : 'anchor'),
      time: cp.time,
      treeSize: cp.treeSize,
      head: stored[cp.treeSize - 1]!.hash,
      merkleRoot: merkleRoot(leaves.slice(0, cp.treeSize)),
      device,
    };
    const bytes = Buffer.from(canonicalJson(statement), 'utf8');
    const paths = layout.checkpointPaths(statement.index);
    writeFileSync(join(dir, paths.statement), bytes);
    writeFileSync(join(dir, paths.signature), sign(null, bytes, options.key));
    checkpointPaths.push(paths.statement);
    const token = await options.stamp(sha256Hex(bytes), statement);
    if (!token) continue;
    const tokenPath = layout.checkpointTokenPath(statement.index, tsa);
    writeFileSync(join(dir, tokenPath), token);
    tokenPaths.push(tokenPath);
    const genTime = parseTimestampResponse(token).genTime?.toISOString() ?? null;
    kept.push({ subject: paths.statement, token: tokenPath, tsa: options.tsaUrl ?? 'http://127.0.0.1/tsa', requestedAt: cp.time, obtainedAt: genTime, genTime, attempts: 1 });
  }
  writeFileSync(indexPath, `${JSON.stringify(kept, null, 2)}\n`);
  if (options.tsaChainPem) {
    mkdirSync(join(dir, layout.TSA_CERTS_DIR), { recursive: true });
    writeFileSync(join(dir, layout.tsaChainPath(tsa)), options.tsaChainPem);
  }

  // session.json and bag-info.txt as an export of the rebuilt session would write them.
  const sealedAt = String(events.at(-1)!.payload['sealedAt']);
  editSessionJson(dir, (doc) => ({ ...doc, sealedAt, eventCount: events.length }));
  editBagInfo(dir, { 'Proofline-Sealed-At': sealedAt, 'Bagging-Date': sealedAt.slice(0, 10) });
  return { events, changed, checkpointPaths, tokenPaths };
}

export function editSessionJson(dir: string, edit: (doc: Record<string, unknown>) => Record<string, unknown>): void {
  const path = join(dir, layout.SESSION_JSON);
  writeFileSync(path, `${JSON.stringify(edit(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>), null, 2)}\n`);
}

export function editBagInfo(dir: string, fields: Record<string, string>): void {
  const path = join(dir, layout.BAG_INFO);
  let text = readFileSync(path, 'utf8');
  for (const [label, value] of Object.entries(fields)) text = text.replace(new RegExp(`^${label}: .*$`, 'm'), `${label}: ${value}`);
  writeFileSync(path, text);
}

/** Manifests, tag manifest and seal.sig redone with the device key; then a seal token from `stamp`, if any. */
export async function resealAndStamp(dir: string, key: KeyObject, stamp?: (digestHex: string) => Promise<Buffer>): Promise<void> {
  reseal(dir, key);
  if (stamp) await stampSeal(dir, await stamp(tagManifestDigest(dir)));
}

/** A token from the real TSA, with its clock reading `at` (null: the real clock). */
export async function tokenAt(tsa: RunningTsa, at: Date | null, digestHex: string, workDir: string): Promise<Buffer> {
  tsa.setFakeTime(at);
  try {
    return await requestToken(tsa.url, digestHex, workDir);
  } finally {
    tsa.setFakeTime(null);
  }
}

/**
 * A TSA that states an accuracy of `seconds` in every token (TSTInfo `accuracy`, RFC 3161
 * §2.4.2): openssl ts -reply reads its configuration file for every reply.
 */
export function setTsaAccuracy(tsa: RunningTsa, seconds: number): void {
  const path = join(tsa.dir, 'tsa.cnf');
  writeFileSync(path, readFileSync(path, 'utf8').replace(/^accuracy = .*$/m, `accuracy = secs:${seconds}, millisecs:0, microsecs:0`));
}

/**
 * A root CA and one end-entity certificate under it with the extensions in `ext` (an openssl
 * `[leaf_ext]` section body), both issued "on" `issuedAt` (libfaketime), valid `days`. RSA, so
 * mintToken() can sign with it.
 */
const TSA_LEAF_EXT = 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, nonRepudiation\nextendedKeyUsage = critical, timeStamping';

/**
 * Gives a running loopback TSA new keys and certificates (same file names, so `openssl ts -reply`
 * and tsa.caPath pick them up) issued "on" `issuedAt`: startTsa() issues them now, after which a
 * token dated before now would come from a certificate not yet valid. Returns the new PEMs.
 */
export async function reissueTsaCertificates(tsa: RunningTsa, issuedAt: Date, days: number, name: string): Promise<{ caPem: string; tsaCertPem: string; chainPem: string }> {
  const made = await makeSigner(join(tsa.dir, 'reissued'), { issuedAt, days, ext: TSA_LEAF_EXT, name });
  for (const [from, to] of [['root.key', 'ca.key'], ['root.pem', 'ca.pem'], ['leaf.key', 'tsa.key'], ['leaf.pem', 'tsa.pem']]) {
    writeFileSync(join(tsa.dir, to!), readFileSync(join(made.dir, from!)));
  }
  const caPem = readFileSync(join(tsa.dir, 'ca.pem'), 'utf8');
  const tsaCertPem = readFileSync(join(tsa.dir, 'tsa.pem'), 'utf8');
  writeFileSync(tsa.chainPath, tsaCertPem + caPem);
  return { caPem, tsaCertPem, chainPem: tsaCertPem + caPem };
}

export async function makeSigner(dir: string, options: { issuedAt: Date; days: number; ext: string; name: string }): Promise<RogueSigner> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'ext.cnf'),
    `[ca_ext]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n[leaf_ext]\n${options.ext}\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n`,
  );
  const at = (args: string[]) => exec('faketime', ['-f', fakeTimeSpec(options.issuedAt), 'openssl', ...args], { env: { TZ: 'UTC' } });
  const steps: string[][] = [
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-keyout', join(dir, 'root.key'), '-out', join(dir, 'root.pem'),
      '-subj', `/O=${options.name}/CN=${options.name} Root CA`, '-config', join(dir, 'ext.cnf'), '-extensions', 'ca_ext'],
    ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-keyout', join(dir, 'leaf.key'), '-out', join(dir, 'leaf.csr'), '-subj', `/O=${options.name}/CN=${options.name} signer`],
    ['x509', '-req', '-in', join(dir, 'leaf.csr'), '-sha256', '-days', String(options.days), '-CA', join(dir, 'root.pem'), '-CAkey', join(dir, 'root.key'), '-CAcreateserial',
      '-extfile', join(dir, 'ext.cnf'), '-extensions', 'leaf_ext', '-out', join(dir, 'leaf.pem')],
  ];
  for (const step of steps) {
    const result = await at(step);
    if (result.code !== 0) throw new Error(`openssl ${step[0]} failed: ${result.stderr}`);
  }
  const certPem = readFileSync(join(dir, 'leaf.pem'), 'utf8');
  writeFileSync(join(dir, 'chain.pem'), certPem + readFileSync(join(dir, 'root.pem'), 'utf8'));
  const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(certPem)![1]!;
  return {
    dir,
    caPath: join(dir, 'root.pem'),
    certPath: join(dir, 'leaf.pem'),
    keyPath: join(dir, 'leaf.key'),
    chainPath: join(dir, 'chain.pem'),
    certDer: Buffer.from(body.replace(/\s+/g, ''), 'base64'),
  };
}

/** An ISO time `ms` milliseconds after `iso`. */
export const shifted = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
