// `proofline renew`: keeps an archive's time attested beyond its TSA certificates (RFC 4998).
//
// The first run adds proofline/evidence-record.ers: one archive timestamp whose hash tree holds
// the archive's data objects (tag manifest, every token, the seal signature) as one group
// (§4.2), timestamped now. Each later run is a timestamp renewal (§5.2): a new archive timestamp
// in the same chain over the previous one's timeStamp, to be made before that token's TSA
// certificate expires. Hash-tree renewal (a new chain under a new hash algorithm, §5.2) is not
// done: SHA-256 stands, and the verifier says so if it meets a record that has one.
//
// The record lies outside the tag manifest, like seal.tsr, so the bag stays byte-identical; the
// archive is rewritten with every other entry copied as it is (add-zip-entry.ts).

import { ProoflineError } from '../errors.js';
import { requestTimestamp, tokenFromResponse, TsaError } from '../attest/tsa-client.js';
import type { CertificateInput } from '../attest/tsa-verify.js';
import { publicTsaUrl } from '../attest/tsa-names.js';
import type { RenewalChain } from '../../shared/views.js';
import { addZipEntry } from './add-zip-entry.js';
import { EVIDENCE_RECORD, isEvidenceObject } from './bag-layout.js';
import { decodeEvidenceRecord, encodeEvidenceRecord, OID_SHA256, type ArchiveTimeStamp, type EvidenceRecord } from './evidence-record.js';
import { groupHashtree, reduceHashtree, sha256 } from './evidence-hash-tree.js';
import { ArchiveError, openArchive } from './read-zip.js';
import { verifyArchive } from './verify-archive.js';
import { judgeEvidenceRecord, type EvidenceObject } from './verify-evidence-record.js';
import type { VerifyProgress } from './verify-report.js';

export interface RenewOptions {
  readonly tsaUrl: string;
  /** TSA roots trusted to judge the tokens (as verify's --trust); none: the chain is shown untrusted. */
  readonly trustedRoots?: readonly CertificateInput[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: VerifyProgress) => void;
}

export interface RenewOutcome {
  readonly path: string;
  /** 'created': the first archive timestamp; 'renewed': a timestamp renewal appended. */
  readonly action: 'created' | 'renewed';
  readonly chain: RenewalChain;
  /** What the verifier would say of the record now, when it is not a pass (untrusted, a gap). */
  readonly warning?: string;
}

const TAG_FILE_MAX = 64 << 20;

export async function renewArchive(path: string, options: RenewOptions): Promise<RenewOutcome> {
  const trustedRoots = options.trustedRoots ?? [];
  // A tampered archive is not renewed: a fresh timestamp over it would attest the tampering.
  const report = await verifyArchive(path, { trustedRoots, signal: options.signal, onProgress: options.onProgress });
  if (report.exitCode === 2) throw new ProoflineError('renew.unusable', `${path} cannot be renewed: ${report.summary}`, { path, reason: report.summary });
  if (report.exitCode === 1) {
    throw new ProoflineError('renew.not-verified', `${path} does not verify, so it was not renewed (a new timestamp would attest a changed archive); the file was not changed. ${report.summary}`, { path, reason: report.summary });
  }

  const { objects, existing } = await readEvidenceInputs(path);
  let digest: Buffer;
  let build: (token: Buffer) => EvidenceRecord;
  if (existing) {
    const record = decodeEvidenceRecord(existing);
    const chain = record.chains.at(-1)!;
    // §5.2 timestamp renewal: the new token covers the hash of the last one's timeStamp field.
    digest = sha256(chain.at(-1)!.timeStamp);
    build = (token) => ({ ...record, chains: [...record.chains.slice(0, -1), [...chain, { digestAlgorithm: OID_SHA256, reducedHashtree: [], timeStamp: token }]] });
  } else {
    const tree = groupHashtree(objects.map((o) => sha256(o.bytes)));
    digest = reduceHashtree(tree);
    const first: ArchiveTimeStamp = { digestAlgorithm: OID_SHA256, reducedHashtree: tree, timeStamp: Buffer.alloc(0) };
    build = (token) => ({ digestAlgorithms: [OID_SHA256], chains: [[{ ...first, timeStamp: token }]] });
  }

  let token: Buffer;
  try {
    token = tokenFromResponse((await requestTimestamp(options.tsaUrl, digest, { signal: options.signal })).response, options.tsaUrl);
  } catch (error) {
    if (!(error instanceof TsaError)) throw error;
    // The client's words, less its queue's next step, and never the URL's credentials.
    const url = publicTsaUrl(options.tsaUrl);
    const reason = error.message.split(options.tsaUrl).join(url).replace(/:? ?the (request stays queued|reply was discarded)[^.]*\.?/g, '').trim();
    throw new ProoflineError('renew.tsa-failed', `${path} was not renewed: the TSA gave no timestamp (${reason}). The archive was not changed; try again later or with another TSA (--tsa).`, { path, url, reason }, { cause: error });
  }

  const ers = encodeEvidenceRecord(build(token));
  // What verify will say of it, before anything is written: a record it would fail is a bug here.
  const judged = await judgeEvidenceRecord(ers, objects, trustedRoots);
  if (judged.status === 'fail' || !judged.renewal) throw new ProoflineError('renew.write-failed', `${path} was not renewed: the new evidence record does not check out (${judged.detail}). The archive was not changed.`, { path, reason: judged.detail });
  try {
    await addZipEntry(path, EVIDENCE_RECORD, ers, { signal: options.signal });
  } catch (error) {
    if (error instanceof ProoflineError && error.code === 'operation.cancelled') throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ProoflineError('renew.write-failed', `${path} was not renewed: writing it failed (${reason}). The archive was not changed.`, { path, reason }, { cause: error });
  }
  return { path, action: existing ? 'renewed' : 'created', chain: judged.renewal, ...(judged.status === 'warn' && { warning: judged.detail }) };
}

/** The data objects as they are now, and the evidence record already there, if any. */
async function readEvidenceInputs(path: string): Promise<{ objects: EvidenceObject[]; existing?: Buffer }> {
  const archive = await openArchive(path).catch((error: unknown) => {
    if (error instanceof ArchiveError) throw new ProoflineError('renew.unusable', `${path} cannot be renewed: ${error.message}`, { path, reason: error.message });
    throw error;
  });
  try {
    const names = archive.entries.map((e) => e.name);
    const objects: EvidenceObject[] = [];
    for (const name of names.filter(isEvidenceObject).sort()) objects.push({ path: name, bytes: await archive.readBytes(name, TAG_FILE_MAX) });
    const existing = archive.has(EVIDENCE_RECORD) ? await archive.readBytes(EVIDENCE_RECORD, TAG_FILE_MAX) : undefined;
    return { objects, ...(existing && { existing }) };
  } finally {
    archive.close();
  }
}
