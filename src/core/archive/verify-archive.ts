import { createHash } from 'node:crypto';
import type { EventBody } from '../../shared/domain.js';
import { stat } from 'node:fs/promises';
import type { CheckpointStatement } from '../attest/checkpoints.js';
import { certificateKey, verifyDeviceSignature } from '../attest/device-identity.js';
import type { TrustFailure } from '../attest/tsa-chain.js';
import { verifyTimestampResponse, type CertificateInput, type TimestampVerdict } from '../attest/tsa-verify.js';
import { sm3 } from '../attest/sm2-cms.js';
import { throwIfCancelled } from '../errors.js';
import { createHasher, sha256Hex, type DigestAlgorithm, type Hasher } from '../store/hashing.js';
import * as layout from './bag-layout.js';
import { parseBagInfo, parseManifest, type ManifestEntry } from './bag-text.js';
import { ArchiveError, openArchive, type ByteSource, type EntrySink, type ZipArchive, type ZipEntryInfo, type ZipLimits } from './read-zip.js';
import { ChainReader, isRecordedTime, type ChainObserver, type ChainReading } from './verify-events.js';
import { chainWorkersFor } from './chain-pool.js';
import { RecordingContinuity } from './verify-recording.js';
import { BatchAccounting, judgeBatches } from './batch-accounting.js';
import { ArtifactIndex } from './altered-items.js';
import { WaczObserver } from './wacz-observer.js';
import type { TokenReasonKind } from '../../shared/anchoring.js';
import { conclude, unusable, type AnchoringReport, type CheckId, type CheckStatus, type TokenSummary, type VerifyCheck, type VerifyProgress, type VerifyReport } from './verify-report.js';
import { declarationOf, describeRange, formatSeconds, judgeAnchoring, TOLERANCE_SECONDS, type AnchorDeclaration } from './verify-time.js';

export interface VerifyOptions {
  /** PEM texts of the TSA roots the user trusts (`--trust`). None is built in. */
  readonly trustedRoots?: readonly CertificateInput[];
  /** Also recompute SM3 of every payload file (slower: SM3 has no CPU instructions). */
  readonly sm3?: boolean;
  readonly limits?: Partial<ZipLimits>;
  readonly onProgress?: (progress: VerifyProgress) => void;
  /**
   * Stops the verification between entries and inside a large one; it then throws
   * `operation.cancelled` (there is no verdict on an archive half-read), never a report.
   */
  readonly signal?: AbortSignal;
  /** Worker threads for the event chain's walk (default: chainWorkersFor the log's size; 0: in place). */
  readonly chainWorkers?: number;
}

/** How far a TSA's clock may sit before the device's (a token cannot predate what it covers). */
const CLOCK_TOLERANCE_MS = TOLERANCE_SECONDS * 1000;
const TAG_FILE_MAX = 64 << 20;

class Checks {
  readonly list: VerifyCheck[] = [];
  add(id: CheckId, status: CheckStatus, detail: string, where: readonly string[] = []): void {
    this.list.push({ id, status, detail, where });
  }
}

/**
 * Recomputes everything an archive claims (DESIGN.md, "proofline verify"). Never extracts: the
 * payload is read once, in the ZIP's own order with large reads, straight into the hashes (and
 * events.jsonl into the chain's walk), under the safe reader's limits; memory stays bounded
 * whatever the number of files or events (issue 13).
 */
export async function verifyArchive(file: string | ByteSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  // A source (an object in the vault, s3-byte-source.ts) is read as a file is; it is this call's to close.
  const path = typeof file === 'string' ? file : file.name;
  if (typeof file === 'string') {
    try {
      const info = await stat(path);
      if (!info.isFile()) return unusable(path, `${path} is not a file`);
    } catch (error) {
      return unusable(path, `cannot read ${path}: ${(error as Error).message}`);
    }
  }
  const stopIfCancelled = (): void => throwIfCancelled(options.signal, `Verifying ${path} was cancelled before it finished: there is no verdict, and the archive was not changed.`, { path });
  stopIfCancelled();
  let archive: ZipArchive;
  try {
    archive = await openArchive(file, options.limits);
  } catch (error) {
    if (error instanceof ArchiveError) return unusable(path, error.message);
    throw error;
  }
  try {
    const report = await verifyOpened(archive, path, options, stopIfCancelled);
    stopIfCancelled();
    return report;
  } catch (error) {
    // Whatever step heard the cancellation, it is said once, for the whole verification.
    stopIfCancelled();
    if (error instanceof ArchiveError && error.reason !== 'damaged') return unusable(path, error.message);
    throw error;
  } finally {
    archive.close();
  }
}

async function verifyOpened(archive: ZipArchive, path: string, options: VerifyOptions, stopIfCancelled: () => void): Promise<VerifyReport> {
  const checks = new Checks();
  checks.add('archive.readable', 'pass', `${archive.entries.length} entries; no unsafe names, links, duplicates or oversized entries`);
  const files = new Set(archive.entries.filter((e) => !e.isDirectory).map((e) => e.name));
  const declaredSize = new Map(archive.entries.map((e) => [e.name, e.size]));
  const readTag = async (name: string): Promise<string | undefined> => (files.has(name) ? archive.readText(name, TAG_FILE_MAX) : undefined);
  // Tag files are read once: the tag-manifest check and the checkpoint and seal checks share them.
  const tagBytes = new Map<string, Promise<Buffer | undefined>>();
  const readTagBytes = (name: string): Promise<Buffer | undefined> => {
    let bytes = tagBytes.get(name);
    if (!bytes) tagBytes.set(name, (bytes = files.has(name) ? archive.readBytes(name, TAG_FILE_MAX) : Promise.resolve(undefined)));
    return bytes;
  };

  // --- Bag structure (RFC 8493 §2.1) -------------------------------------------------------
  const bagit = await readTag(layout.BAGIT_TXT);
  const manifestText = await readTag(layout.MANIFEST_SHA256);
  const tagManifestBytes = await readTagBytes(layout.TAGMANIFEST_SHA256);
  const bagInfoText = await readTag(layout.BAG_INFO);
  const structural: string[] = [];
  if (bagit === undefined) structural.push('bagit.txt is missing');
  else if (bagit !== layout.BAGIT_TXT_CONTENT) structural.push('bagit.txt does not declare BagIt-Version 1.0 with UTF-8 tag files');
  if (manifestText === undefined) structural.push('manifest-sha256.txt is missing');
  if (tagManifestBytes === undefined) structural.push('tagmanifest-sha256.txt is missing');
  if (bagInfoText === undefined) structural.push('bag-info.txt is missing');
  for (const required of [layout.SESSION_JSON, layout.EVENTS_JSONL]) if (!files.has(required)) structural.push(`${required} is missing`);
  let bagInfo = new Map<string, string[]>();
  let manifest: ManifestEntry[] = [];
  let tagManifest: ManifestEntry[] = [];
  try {
    if (bagInfoText !== undefined) bagInfo = parseBagInfo(bagInfoText);
    if (manifestText !== undefined) manifest = parseManifest(manifestText, layout.MANIFEST_SHA256, 64);
    if (tagManifestBytes !== undefined) tagManifest = parseManifest(tagManifestBytes.toString('utf8'), layout.TAGMANIFEST_SHA256, 64);
  } catch (error) {
    structural.push((error as Error).message);
  }
  if (structural.length > 0) {
    checks.add('bag.structure', 'fail', structural.join('; '), structural.map((s) => s.split(' ')[0]!));
    return conclude(path, checks.list);
  }
  checks.add('bag.structure', 'pass', 'bagit.txt, bag-info.txt, manifest-sha256.txt and tagmanifest-sha256.txt present and well-formed');

  // --- Checkpoints' statements first: small files that say which heads and Merkle roots the one
  // pass over the events must take on its way (their signatures are judged below).
  const checkpointFiles = [...files].filter((n) => /^proofline\/checkpoints\/\d{6}\.json$/.test(n)).sort();
  const statements: { path: string; bytes: Buffer; statement: CheckpointStatement | undefined }[] = [];
  for (const statementPath of checkpointFiles) {
    stopIfCancelled();
    const bytes = (await readTagBytes(statementPath))!;
    statements.push({ path: statementPath, bytes, statement: parseJson(bytes.toString('utf8')) as CheckpointStatement | undefined });
  }
  const treeSizes = statements.flatMap(({ statement }) => {
    const size = (statement as { treeSize?: unknown } | undefined)?.treeSize;
    return typeof size === 'number' ? [size] : [];
  });

  // --- Payload and events: every data/ file read once, in the order of the ZIP, straight into
  // its hashes; data/events.jsonl also into the chain's walk, so verify holds no event but the
  // first and the last, whatever the session's length (issue 13).
  const sessionId = bagInfo.get('Proofline-Session-Id')?.[0];
  const { continuity, batches, artifactIndex, times, declarations, wacz, observer } = chainObservers();
  const workers = options.chainWorkers ?? chainWorkersFor(declaredSize.get(layout.EVENTS_JSONL) ?? 0);
  const chainReader = new ChainReader(sessionId, treeSizes, observer, { workers });
  let chainDamage: ArchiveError | undefined;

  const payloadFiles = [...files].filter((name) => name.startsWith('data/')).sort();
  const total = payloadFiles.reduce((sum, name) => sum + (declaredSize.get(name) ?? 0), 0);
  let done = 0;
  const computed = new Map<string, { sha256: string; sm3?: string; size: number }>();
  const damaged: string[] = [];
  const algorithms: ('sha256' | 'sm3')[] = options.sm3 ? ['sha256', 'sm3'] : ['sha256'];
  let current: PayloadSink | undefined;
  const sinkFor = (info: ZipEntryInfo): PayloadSink => (current = new PayloadSink(algorithms, info.name === layout.EVENTS_JSONL ? chainReader : undefined));
  stopIfCancelled();
  try {
    for await (const read of archive.readInOrder(payloadFiles, sinkFor, options.signal)) {
      const name = read.info.name;
      if (read.error) {
        damaged.push(`${name}: ${read.error.message}`);
        if (name === layout.EVENTS_JSONL) chainDamage = read.error;
        continue;
      }
      const digests = current!.digests();
      computed.set(name, { sha256: digests.sha256, sm3: digests.sm3, size: current!.size });
      done += current!.size;
      options.onProgress?.({ kind: 'verify', done, total, file: name });
    }
    stopIfCancelled();
  } catch (error) {
    chainReader.close(); // its workers would keep the process alive
    throw error;
  }

  const oxum = bagInfo.get('Payload-Oxum')?.[0];
  // A damaged entry (CRC or length wrong) is reported by the manifest check; count its declared
  // size here so that Oxum speaks only of what it measures: the number and size of files.
  const sizeOf = (name: string): number => computed.get(name)?.size ?? declaredSize.get(name) ?? 0;
  const actualOctets = payloadFiles.reduce((sum, name) => sum + sizeOf(name), 0);
  const actualOxum = `${actualOctets}.${payloadFiles.length}`;
  if (!oxum) checks.add('bag.payload-oxum', 'fail', 'bag-info.txt has no Payload-Oxum', [layout.BAG_INFO]);
  else if (oxum !== actualOxum) checks.add('bag.payload-oxum', 'fail', `bag-info.txt says ${oxum} (bytes.files), the payload is ${actualOxum}`, [layout.BAG_INFO]);
  else checks.add('bag.payload-oxum', 'pass', `${payloadFiles.length} payload files, ${actualOctets} bytes, as declared`);

  const listed = new Map(manifest.map((m) => [m.path, m]));
  const mismatched = damaged.slice();
  for (const entry of manifest) {
    const actual = computed.get(entry.path);
    if (actual && actual.sha256 !== entry.digest) mismatched.push(`${entry.path}: SHA-256 is ${actual.sha256}, the manifest says ${entry.digest}`);
  }
  if (mismatched.length > 0) checks.add('bag.payload-manifest', 'fail', `${mismatched.length} payload file(s) changed: ${mismatched[0]}`, mismatched.map(firstWord));
  else checks.add('bag.payload-manifest', 'pass', `SHA-256 of all ${manifest.length} payload files matches manifest-sha256.txt`);

  const sm3Text = await readTag(layout.MANIFEST_SM3);
  if (sm3Text === undefined) checks.add('bag.sm3-manifest', 'warn', 'manifest-sm3.txt is missing', [layout.MANIFEST_SM3]);
  else if (!options.sm3) checks.add('bag.sm3-manifest', 'skip', 'SM3 digests not recomputed (pass --sm3); manifest-sm3.txt itself is covered by the tag manifest');
  else {
    const bad = parseManifest(sm3Text, layout.MANIFEST_SM3, 64).filter((m) => computed.get(m.path)?.sm3 !== m.digest).map((m) => m.path);
    if (bad.length > 0) checks.add('bag.sm3-manifest', 'fail', `SM3 differs for ${bad.join(', ')}`, bad);
    else checks.add('bag.sm3-manifest', 'pass', 'SM3 of every payload file matches manifest-sm3.txt');
  }

  // --- Tag manifest and completeness -------------------------------------------------------
  const tagProblems: string[] = [];
  for (const entry of tagManifest) {
    const bytes = await readTagBytes(entry.path);
    if (bytes === undefined) tagProblems.push(`${entry.path}: listed in the tag manifest but missing`);
    else if (sha256Hex(bytes) !== entry.digest) tagProblems.push(`${entry.path}: SHA-256 differs from the tag manifest`);
  }
  if (tagProblems.length > 0) checks.add('bag.tag-manifest', 'fail', tagProblems[0]!, tagProblems.map(firstWord));
  else checks.add('bag.tag-manifest', 'pass', `all ${tagManifest.length} tag files match tagmanifest-sha256.txt`);

  const tagListed = new Set(tagManifest.map((m) => m.path));
  const missing = manifest.filter((m) => !files.has(m.path)).map((m) => m.path);
  const extra = [...files].filter((name) =>
    name.startsWith('data/') ? !listed.has(name) : !tagListed.has(name) && name !== layout.TAGMANIFEST_SHA256 && !layout.isSealFile(name),
  );
  if (missing.length + extra.length > 0) {
    const parts = [
      ...missing.map((m) => `${m} is listed but missing`),
      ...extra.map((m) => `${m} is in the archive but in no manifest (added after sealing)`),
    ];
    checks.add('bag.completeness', 'fail', parts.join('; '), [...missing, ...extra]);
  } else checks.add('bag.completeness', 'pass', 'every file is listed in a manifest and every listed file is present');

  // --- Event chain ---------------------------------------------------------------------------
  let chain: ChainReading | undefined;
  if (chainDamage) {
    chainReader.close();
    checks.add('events.chain', 'fail', `data/events.jsonl cannot be read intact: ${chainDamage.message}`, [layout.EVENTS_JSONL]);
  } else {
    chain = await chainReader.finish();
    if (chain.problem) checks.add('events.chain', 'fail', chain.problem.detail, [`${layout.EVENTS_JSONL}:${chain.problem.line}`]);
    else checks.add('events.chain', 'pass', `${chain.count} events, each hash-linked to the one before; head ${chain.head!.slice(0, 16)}…`);
  }
  const chainOk = chain !== undefined && chain.problem === undefined;

  if (chainOk) {
    const absent: string[] = [];
    const absentWhere: string[] = [];
    const payloadBySha = new Map<string, string>();
    for (const name of payloadFiles) {
      if (!name.startsWith(layout.ARTIFACTS_DIR)) continue;
      const sha = name.slice(layout.ARTIFACTS_DIR.length, layout.ARTIFACTS_DIR.length + 64);
      payloadBySha.set(sha, name);
    }
    for (const [sha, { ref, seq }] of chain!.artifacts) {
      const name = payloadBySha.get(sha);
      const actual = name ? computed.get(name) : undefined;
      if (!name) {
        absent.push(`event ${seq} names ${ref.name} (${sha.slice(0, 16)}…), which is not in the archive`);
        absentWhere.push(`${layout.EVENTS_JSONL}:${seq + 1}`);
      } else if (!actual || actual.sha256 !== sha || actual.size !== ref.size) {
        absent.push(`${name} does not have the SHA-256 and size event ${seq} recorded`);
        absentWhere.push(name);
      }
    }
    // The payload is exactly what the session's events name (bag-plan.ts): a file no event names
    // was put there by someone else.
    const named = new Set(chain!.artifacts.keys());
    for (const name of payloadFiles) {
      if (name === layout.SESSION_JSON || name === layout.EVENTS_JSONL) continue;
      const sha = name.startsWith(layout.ARTIFACTS_DIR) ? name.slice(layout.ARTIFACTS_DIR.length, layout.ARTIFACTS_DIR.length + 64) : '';
      if (!named.has(sha) || payloadBySha.get(sha) !== name) {
        absent.push(`${name} is in the payload but no event names it`);
        absentWhere.push(name);
      }
    }
    if (absent.length > 0) checks.add('events.artifacts', 'fail', absent[0]!, absentWhere);
    else checks.add('events.artifacts', 'pass', `${chain!.artifacts.size} artifacts named by events, each present with its recorded hash and size`);
  } else checks.add('events.artifacts', 'skip', 'not checked: the event chain is broken');

  if (chainOk) {
    const recording = continuity.result();
    checks.add('recording.continuity', recording.status, recording.detail, recording.where);
  } else checks.add('recording.continuity', 'skip', 'not checked: the event chain is broken');

  if (chainOk) {
    const judged = judgeBatches(batches);
    checks.add('web.batches', judged.status, judged.detail, judged.seqs.map((seq) => `${layout.EVENTS_JSONL}:${seq + 1}`));
  } else checks.add('web.batches', 'skip', 'not checked: the event chain is broken');

  // --- Web archives: each WACZ intact and signed by the key its capture event names (verify-wacz-archive.ts)
  stopIfCancelled();
  checks.list.push(await (await import('./verify-wacz-archive.js')).checkWaczSignatures(archive, payloadFiles, { chain: wacz, sha256Of: (name) => computed.get(name)?.sha256 }, chainOk, options.trustedRoots ?? [], options.signal));

  // --- Session description and device --------------------------------------------------------
  const sessionDoc = parseJson(await readTag(layout.SESSION_JSON)) as Record<string, unknown> | undefined;
  const created = chain?.first;
  const device = created?.payload['device'] as { keyId?: string; certificate?: string } | undefined;
  const sessionProblems: string[] = [];
  if (!sessionDoc) sessionProblems.push('data/session.json is not JSON');
  if (!created || created.type !== 'session.created') sessionProblems.push('the first event is not session.created');
  if (sessionDoc && created) {
    if (sessionDoc['id'] !== created.session || sessionId !== created.session) sessionProblems.push('session id differs between session.json, bag-info.txt and the events');
    if (sessionDoc['title'] !== created.payload['title']) sessionProblems.push('the title in session.json differs from the session.created event');
    for (const field of ['kind', 'creator', 'description'] as const) {
      if ((sessionDoc[field] ?? '') !== (created.payload[field] ?? '')) sessionProblems.push(`the ${field} in session.json differs from the session.created event`);
    }
    // createdAt is written a moment before the session.created event (the same clock).
    const createdGap = Math.abs(Date.parse(String(sessionDoc['createdAt'])) - Date.parse(created.time));
    if (!isRecordedTime(sessionDoc['createdAt']) || !(createdGap <= 5_000) || bagInfo.get('Proofline-Created-At')?.[0] !== sessionDoc['createdAt']) {
      sessionProblems.push(`the created time differs between session.json (${String(sessionDoc['createdAt'])}), bag-info.txt (${String(bagInfo.get('Proofline-Created-At')?.[0])}) and the session.created event (${created.time})`);
    }
    if (sessionDoc['eventCount'] !== chain?.count) sessionProblems.push(`session.json counts ${String(sessionDoc['eventCount'])} events, the chain has ${chain?.count}`);
    if (chain?.last?.type !== 'session.sealed') sessionProblems.push('the last event is not session.sealed: events were cut from the end');
    // A session is created once and sealed once: nothing may follow the seal.
    else if (chain.sealedAtSeq !== undefined && chain.sealedAtSeq !== chain.count - 1) sessionProblems.push(`event #${chain.sealedAtSeq} already sealed the session, yet events follow it: the session went on after it was sealed`);
    else if (chain.createdAgainAt !== undefined) sessionProblems.push(`event #${chain.createdAgainAt} is a second session.created`);
    else if (!isRecordedTime(chain.last.payload['sealedAt'])) sessionProblems.push(`the session.sealed event's sealedAt (${String(chain.last.payload['sealedAt'])}) is not a time`);
    // The seal window is measured from the sealed time in the chain, which the checkpoints cover;
    // session.json and bag-info.txt only repeat it.
    else if (sessionDoc['sealedAt'] !== chain.last.payload['sealedAt'] || bagInfo.get('Proofline-Sealed-At')?.[0] !== chain.last.payload['sealedAt']) {
      sessionProblems.push(`the sealed time differs between session.json (${String(sessionDoc['sealedAt'])}), bag-info.txt (${String(bagInfo.get('Proofline-Sealed-At')?.[0])}) and the session.sealed event (${String(chain.last.payload['sealedAt'])})`);
    }
  }
  if (sessionProblems.length > 0 && chainOk) checks.add('session.metadata', 'fail', sessionProblems.join('; '), [layout.SESSION_JSON]);
  else if (!chainOk) checks.add('session.metadata', 'skip', 'not checked: the event chain is broken');
  else checks.add('session.metadata', 'pass', 'session.json and bag-info.txt agree with the session.created and session.sealed events');

  const certPem = await readTag(layout.DEVICE_CERT);
  let deviceKeyPem: string | undefined;
  const deviceProblems: string[] = [];
  if (!certPem) deviceProblems.push(`${layout.DEVICE_CERT} is missing`);
  else {
    try {
      const { keyId, publicKeyPem } = certificateKey(certPem);
      deviceKeyPem = publicKeyPem;
      if (!device?.keyId) deviceProblems.push('the session.created event names no device key');
      else if (keyId !== device.keyId) deviceProblems.push(`${layout.DEVICE_CERT} holds key ${keyId.slice(0, 16)}…, but the session was created by ${device.keyId.slice(0, 16)}…`);
      else if (device.certificate?.trim() !== certPem.trim()) deviceProblems.push(`${layout.DEVICE_CERT} differs from the certificate recorded in the session.created event`);
      // VERIFY.md has people check signatures with this file, so it must be the certificate's key.
      const publicKeyFile = await readTag(layout.DEVICE_PUBLIC_KEY);
      if (publicKeyFile?.trim() !== deviceKeyPem.trim()) deviceProblems.push(`${layout.DEVICE_PUBLIC_KEY} is not the key of ${layout.DEVICE_CERT}`);
    } catch (error) {
      deviceProblems.push(`${layout.DEVICE_CERT} is not a readable certificate: ${(error as Error).message}`);
    }
  }
  if (deviceProblems.length > 0) checks.add('device.identity', 'fail', deviceProblems.join('; '), [layout.DEVICE_CERT]);
  else checks.add('device.identity', 'pass', `device key ${device!.keyId!.slice(0, 16)}… recorded at session start; certificate matches`);

  // --- Checkpoints -------------------------------------------------------------------------
  const checkpoints: { path: string; statement: CheckpointStatement; bytes: Buffer }[] = [];
  const sigProblems: string[] = [];
  for (const { path: statementPath, bytes, statement } of statements) {
    stopIfCancelled();
    const sigPath = statementPath.replace(/\.json$/, '.sig');
    const signature = await readTagBytes(sigPath);
    if (!statement) {
      sigProblems.push(`${statementPath} is not JSON`);
      continue;
    }
    checkpoints.push({ path: statementPath, statement, bytes });
    if (!signature) sigProblems.push(`${sigPath} is missing`);
    else if (!deviceKeyPem || !verifyDeviceSignature(deviceKeyPem, bytes, signature)) sigProblems.push(`${statementPath}: signature does not verify with the session's device key`);
    else if (statement.device !== device?.keyId || statement.session !== sessionId) sigProblems.push(`${statementPath} names another device or session`);
    else if (statement.index !== Number(statementPath.slice(layout.CHECKPOINTS_DIR.length, layout.CHECKPOINTS_DIR.length + 6))) sigProblems.push(`${statementPath} holds the statement of checkpoint ${String(statement.index)}`);
  }
  if (checkpointFiles.length === 0) checks.add('checkpoints.signatures', 'fail', 'the archive has no checkpoints', [layout.CHECKPOINTS_DIR]);
  else if (sigProblems.length > 0) checks.add('checkpoints.signatures', 'fail', sigProblems[0]!, sigProblems.map(firstWord));
  else checks.add('checkpoints.signatures', 'pass', `${checkpoints.length} checkpoints, each signed by the session's device key`);

  if (!chainOk) checks.add('checkpoints.coverage', 'skip', 'not checked: the event chain is broken');
  else {
    const coverage: string[] = [];
    // Heads and roots were taken at each checkpoint's size during the one pass over the events.
    const { count, heads, roots } = chain!;
    for (const { path: cpPath, statement } of checkpoints) {
      const size = statement.treeSize;
      if (!Number.isInteger(size) || size < 1 || size > count) coverage.push(`${cpPath} covers ${size} events but the chain has ${count}: events were removed`);
      else if (heads.get(size) !== statement.head) coverage.push(`${cpPath}: event ${size - 1} hashes to ${heads.get(size)!.slice(0, 16)}…, the signed head is ${String(statement.head).slice(0, 16)}…`);
      else if (roots.get(size) !== statement.merkleRoot) coverage.push(`${cpPath}: Merkle root over ${size} events differs from the signed one`);
    }
    const final = checkpoints.at(-1)?.statement;
    if (final && (final.reason !== 'seal' || final.treeSize !== count)) coverage.push(`the last checkpoint is not the seal over all ${count} events`);
    if (coverage.length > 0) checks.add('checkpoints.coverage', 'fail', coverage[0]!, coverage.map(firstWord));
    else if (checkpoints.length > 0) checks.add('checkpoints.coverage', 'pass', `each checkpoint's head and Merkle root match the chain; the seal checkpoint covers all ${chain!.count} events`);
    else checks.add('checkpoints.coverage', 'skip', 'no checkpoints to compare');
  }

  // --- Timestamps --------------------------------------------------------------------------
  // Every token is judged on its own (sound? over what it should cover? from a TSA trusted
  // here?); only the trusted ones then prove when events existed (time.anchoring below).
  const trusted = options.trustedRoots ?? [];
  const sealedAtText = chain?.last?.type === 'session.sealed' ? chain.last.payload['sealedAt'] : sessionDoc?.['sealedAt'];
  const sealedAt = isRecordedTime(sealedAtText) ? Date.parse(sealedAtText) : Number.NaN;
  const createdAt = Date.parse(String(sessionDoc?.['createdAt'] ?? ''));
  const eventCount = chain?.count ?? 0;
  const summaries: TokenSummary[] = [];
  const tokenFiles = [...files].filter((n) => /^proofline\/timestamps\/\d{6}-tsa\d+\.tsr$/.test(n)).sort();
  const tsProblems: string[] = [];
  const tsUntrusted: string[] = [];
  const clockNotes: string[] = [];
  for (const tokenPath of tokenFiles) {
    stopIfCancelled();
    const index = tokenPath.slice(layout.TIMESTAMPS_DIR.length, layout.TIMESTAMPS_DIR.length + 6);
    const checkpoint = checkpoints.find((c) => c.path === `${layout.CHECKPOINTS_DIR}${index}.json`);
    if (!checkpoint) {
      tsProblems.push(`${tokenPath} timestamps a checkpoint the archive does not have`);
      continue;
    }
    const verdict = await verifyTimestampResponse((await readTagBytes(tokenPath))!, { digest: digestOf(checkpoint.bytes), sm3Digest: sm3(checkpoint.bytes), trustedRoots: trusted });
    const judged = judgeToken(tokenPath, verdict, trusted.length === 0);
    const covers = Number.isInteger(checkpoint.statement.treeSize) ? checkpoint.statement.treeSize : 0;
    summaries.push(summarize(tokenPath, covers, verdict, judged));
    if (judged.fail) tsProblems.push(judged.fail);
    else if (judged.untrusted) tsUntrusted.push(judged.untrusted);
    const early = clockAhead(verdict, Date.parse(checkpoint.statement.time));
    if (early) clockNotes.push(`${tokenPath}: ${early}`);
  }
  if (tsProblems.length > 0) checks.add('timestamps.checkpoints', 'fail', tsProblems[0]!, tsProblems.map(firstWord));
  else if (tokenFiles.length === 0) checks.add('timestamps.checkpoints', 'warn', 'the archive holds no checkpoint token (proofline/timestamps/ has none)', [layout.TIMESTAMPS_DIR]);
  else if (tsUntrusted.length > 0) checks.add('timestamps.checkpoints', 'warn', `${tsUntrusted.length} of ${tokenFiles.length} checkpoint token(s) not trusted. First: ${tsUntrusted[0]!}`, tsUntrusted.map(firstWord));
  else checks.add('timestamps.checkpoints', 'pass', `${tokenFiles.length} checkpoint tokens, each over its checkpoint and from a trusted TSA`);

  // --- Seal --------------------------------------------------------------------------------
  const sealSig = await readTagBytes(layout.SEAL_SIGNATURE);
  if (!sealSig) checks.add('seal.signature', 'fail', `${layout.SEAL_SIGNATURE} is missing`, [layout.SEAL_SIGNATURE]);
  else if (!deviceKeyPem || !verifyDeviceSignature(deviceKeyPem, tagManifestBytes!, sealSig)) checks.add('seal.signature', 'fail', 'the seal signature over tagmanifest-sha256.txt does not verify with the device key', [layout.SEAL_SIGNATURE]);
  else {
    const resumedAt = bagInfo.get(layout.SEAL_RESUMED_AT)?.[0];
    const resumed = resumedAt ? `; the seal was interrupted and finished at ${resumedAt} by a later process (begun at ${bagInfo.get('Proofline-Sealed-At')?.[0] ?? '?'})` : '';
    checks.add('seal.signature', 'pass', `tagmanifest-sha256.txt is signed by the session's device key${resumed}`);
  }

  // seal.tsr lies outside the tag manifest (it timestamps it), so anyone can add one at any
  // time: one dated after the seal window proves only that the archive existed by then.
  const sealTokens = [...files].filter((n) => layout.isSealFile(n) && n.endsWith('.tsr')).sort();
  const sealProblems: string[] = [];
  const sealUntrusted: string[] = [];
  const sealLate: string[] = [];
  const sealWindowMs = TOLERANCE_SECONDS * 1000;
  for (const tokenPath of sealTokens) {
    const verdict = await verifyTimestampResponse((await readTagBytes(tokenPath))!, { digest: digestOf(tagManifestBytes!), sm3Digest: sm3(tagManifestBytes!), trustedRoots: trusted });
    const judged = judgeToken(tokenPath, verdict, trusted.length === 0);
    summaries.push(summarize(tokenPath, eventCount, verdict, judged));
    // The latest the TSA vouches for: genTime plus the accuracy it states.
    const time = (verdict.genTime?.getTime() ?? Number.NaN) + (verdict.accuracyMs ?? 0);
    if (judged.fail) sealProblems.push(judged.fail);
    else if (judged.untrusted) sealUntrusted.push(judged.untrusted);
    else if (!(time <= sealedAt + sealWindowMs)) {
      const stated = verdict.accuracyMs ? ` ± ${verdict.accuracyMs / 1000} s` : '';
      sealLate.push(Number.isFinite(sealedAt)
        ? `${tokenPath} is dated ${verdict.genTime!.toISOString()}${stated}, ${formatSeconds(Math.round((time - sealedAt) / 1000))} after the seal at ${new Date(sealedAt).toISOString()} (allowed: ${TOLERANCE_SECONDS} s): it proves only that the archive existed by then, not that it was sealed then`
        : `${tokenPath} is dated ${verdict.genTime!.toISOString()}${stated}, but the archive's seal time is not a time: it proves only that the archive existed by then`);
    }
    const early = clockAhead(verdict, sealedAt);
    if (early) clockNotes.push(`${tokenPath}: ${early}`);
  }
  const sealOnTime = sealTokens.length - sealProblems.length - sealUntrusted.length - sealLate.length;
  if (sealProblems.length > 0) checks.add('seal.timestamp', 'fail', sealProblems[0]!, sealProblems.map(firstWord));
  else if (sealTokens.length === 0) checks.add('seal.timestamp', 'warn', 'the archive holds no seal token (proofline/seal.tsr is absent)', ['proofline/seal.tsr']);
  else if (sealOnTime > 0) checks.add('seal.timestamp', 'pass', `the tag manifest is timestamped by a trusted TSA within ${TOLERANCE_SECONDS} s of the seal (${sealOnTime} token(s))`);
  else if (sealLate.length > 0) checks.add('seal.timestamp', 'warn', sealLate[0]!, sealLate.map(firstWord));
  else checks.add('seal.timestamp', 'warn', sealUntrusted[0]!, sealUntrusted.map(firstWord));

  // --- Renewal: the RFC 4998 evidence record beside the seal, if any (verify-evidence-record.ts)
  checks.list.push(await (await import('./verify-evidence-record.js')).checkEvidenceRecord(files, readTagBytes, trusted));

  // --- Time: when each event was proven to exist -------------------------------------------
  let anchoring: AnchoringReport | undefined;
  if (!chainOk) checks.add('time.anchoring', 'skip', 'not checked: the event chain is broken');
  else {
    anchoring = judgeAnchoring({ times: times.values(), declarations, tokens: summaries });
    const interval = `every event must be proven within ${anchoring.anchorSeconds} s (the session's anchoring interval) plus ${anchoring.toleranceSeconds} s`;
    if (anchoring.late.length > 0) {
      const count = anchoring.late.reduce((sum, r) => sum + r.to - r.from + 1, 0);
      const trustedCount = summaries.filter((t) => t.trusted).length;
      const none = trustedCount === 0
        ? summaries.length === 0 ? ' The archive holds no timestamp token.' : ` None of its ${summaries.length} token(s) is from a TSA trusted here${trusted.length === 0 ? ' (no trusted TSA root was given: pass it with --trust)' : ''}.`
        : '';
      const detail = `${count} of ${eventCount} events are not proven in time (${interval}): ${anchoring.late.slice(0, 3).map((r) => describeRange(r, anchoring!)).join('; ')}${anchoring.late.length > 3 ? `; and ${anchoring.late.length - 3} more range(s)` : ''}.${none}`;
      checks.add('time.anchoring', 'warn', detail, anchoring.late.map((r) => `${layout.EVENTS_JSONL}:${r.from + 1}-${r.to + 1}`));
    } else {
      const longest = anchoring.ranges.reduce((max, r) => ((r.lagSeconds ?? 0) > (max.lagSeconds ?? 0) ? r : max), anchoring.ranges[0]!);
      const detail = `${interval}; all ${eventCount} are, by ${summaries.filter((t) => t.trusted).length} trusted token(s), the last at ${anchoring.lastProven}; the longest wait: ${describeRange(longest, anchoring)}, ${formatSeconds(Math.max(0, longest.lagSeconds ?? 0))} after`;
      checks.add('time.anchoring', clockNotes.length > 0 ? 'warn' : 'pass', `${detail}${clockNotes.length > 0 ? `. But the device clock ran ahead of the TSA: ${clockNotes[0]}` : ''}`);
    }
  }

  return conclude(path, checks.list, sessionDoc && Number.isFinite(createdAt)
    ? {
        id: String(sessionDoc['id']),
        kind: String(sessionDoc['kind']),
        title: String(sessionDoc['title']),
        createdAt: String(sessionDoc['createdAt']),
        sealedAt: String(sessionDoc['sealedAt']),
        events: chain?.count ?? 0,
      }
    : undefined, anchoring, artifactIndex.altered(checks.list, (seq) => times.at(seq)));
}

interface TokenJudgement {
  readonly fail?: string;
  readonly untrusted?: string;
  readonly kind?: TokenReasonKind;
}

const KIND_OF_CAUSE: Readonly<Record<TrustFailure, TokenReasonKind>> = { 'no-roots': 'noRoots', signer: 'notTsaCert', path: 'notChained' };

function judgeToken(tokenPath: string, verdict: TimestampVerdict, noRoots: boolean): TokenJudgement {
  if (verdict.status === 'invalid') {
    const failed = verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    return { fail: `${tokenPath} is not a valid timestamp over what it should cover (${failed.join('; ')})`, kind: 'invalid' };
  }
  if (!verdict.genTime) return { fail: `${tokenPath} carries no time`, kind: 'noTime' };
  if (verdict.status === 'untrusted') {
    const chain = verdict.checks.find((c) => c.name === 'chain');
    return {
      untrusted: `${tokenPath} is not counted: ${chain?.detail ?? 'its TSA is not trusted here'}${noRoots ? ' (pass the TSA\'s root certificate with --trust)' : ''}`,
      kind: KIND_OF_CAUSE[chain?.cause ?? 'path'],
    };
  }
  return {};
}

function summarize(path: string, covers: number, verdict: TimestampVerdict, judged: TokenJudgement): TokenSummary {
  return {
    path,
    covers,
    genTime: verdict.genTime?.toISOString() ?? null,
    ...(verdict.accuracyMs !== undefined && { accuracySeconds: verdict.accuracyMs / 1000 }),
    tsa: verdict.tsaName ?? null,
    ...(verdict.algorithm && { algorithm: verdict.algorithm }),
    serial: verdict.serial ?? null,
    policy: verdict.policy ?? null,
    trusted: !judged.fail && !judged.untrusted,
    ...((judged.fail ?? judged.untrusted) && { reason: judged.fail ?? judged.untrusted }),
    ...(judged.kind && { reasonKind: judged.kind }),
  };
}

/** A token cannot predate what it covers: if it seems to, the device's clock was ahead. */
function clockAhead(verdict: TimestampVerdict, deviceTime: number): string | undefined {
  const time = verdict.genTime === undefined ? undefined : verdict.genTime.getTime() + (verdict.accuracyMs ?? 0);
  if (time === undefined || !Number.isFinite(deviceTime) || time >= deviceTime - CLOCK_TOLERANCE_MS) return undefined;
  return `the TSA dates it ${verdict.genTime!.toISOString()}, ${formatSeconds(Math.round((deviceTime - time) / 1000))} before the device time ${new Date(deviceTime).toISOString()} of what it covers`;
}

/**
 * What the verifier learns from the events as the chain's walk passes them: the recording's
 * continuity, the batch accounting, the altered-item index, each WACZ's namings
 * (wacz-observer.ts, every event naming artifacts is whole), the recorded times (8 bytes an
 * event) and the anchoring the events declared. Every event is observed; those no observer
 * reads whole come as seq, type and time only (observedInFull in chain-line.ts says which), so a
 * long log is judged on worker threads without sending every body back.
 */
export function chainObservers(): {
  continuity: RecordingContinuity;
  batches: BatchAccounting;
  artifactIndex: ArtifactIndex;
  wacz: WaczObserver;
  times: TimeColumn;
  declarations: AnchorDeclaration[];
  observer: ChainObserver;
} {
  const continuity = new RecordingContinuity();
  const batches = new BatchAccounting();
  const artifactIndex = new ArtifactIndex();
  const wacz = new WaczObserver();
  const times = new TimeColumn();
  const declarations: AnchorDeclaration[] = [];
  const observer: ChainObserver = {
    full(body) {
      continuity.observe(body);
      batches.observe(body);
      artifactIndex.observe(body);
      wacz.observe(body);
      times.push(Date.parse(body.time));
      const declared = declarationOf(body.seq, body.type, body.payload);
      if (declared) declarations.push(declared);
    },
    light(seq, type, time) {
      artifactIndex.observeType(seq, type);
      times.push(time);
    },
  };
  return { continuity, batches, artifactIndex, wacz, times, declarations, observer };
}

/** An entry's bytes into its digests and, for data/events.jsonl, into the chain's walk. */
class PayloadSink implements EntrySink {
  private readonly hashers: (readonly [DigestAlgorithm, Hasher])[];
  size = 0;

  constructor(
    algorithms: readonly DigestAlgorithm[],
    private readonly chain: ChainReader | undefined,
  ) {
    this.hashers = algorithms.map((algorithm) => [algorithm, createHasher(algorithm)] as const);
  }

  update(chunk: Buffer): void | Promise<void> {
    for (const [, hasher] of this.hashers) hasher.update(chunk);
    this.size += chunk.length;
    return this.chain?.push(chunk);
  }

  digests(): { sha256: string; sm3?: string } {
    const digests: { sha256: string; sm3?: string } = { sha256: '' };
    for (const [algorithm, hasher] of this.hashers) digests[algorithm] = hasher.digestHex();
    return digests;
  }
}

/** Numbers appended one by one into a Float64Array that doubles: 8 bytes each, not a boxed array. */
export class TimeColumn {
  private array = new Float64Array(1024);
  private length = 0;

  push(value: number): void {
    if (this.length === this.array.length) {
      const next = new Float64Array(this.array.length * 2);
      next.set(this.array);
      this.array = next;
    }
    this.array[this.length++] = value;
  }

  at(index: number): number | undefined {
    return index >= 0 && index < this.length ? this.array[index] : undefined;
  }

  values(): Float64Array {
    return this.array.subarray(0, this.length);
  }
}

function digestOf(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstWord(text: string): string {
  return text.split(/[: ]/)[0]!;
}
