// Checking an archive's RFC 4998 evidence record (proofline/evidence-record.ers), §5.3:
//   - it parses, and uses SHA-256 throughout;
//   - the first archive timestamp's hash tree holds exactly the hashes of the archive's data
//     objects as they are now (tag manifest, every token, the seal signature), and reduces
//     (§4.3) to the digest its token covers;
//   - each later one covers the previous one's timeStamp (§5.2 timestamp renewal), directly or
//     through its own hash tree;
//   - every token verifies (signature, imprint, TSA certificate chain at its genTime, trusted
//     roots as for every other token);
//   - each renewal is dated before the previous token's signer certificate expired: one after is
//     a gap, and the chain attests nothing from there on.
// The archive's time is then attested until the last unbroken link's certificate expires.

import { verifyTimestampResponse, type CertificateInput, type TimestampVerdict } from '../attest/tsa-verify.js';
import type { RenewalChain, RenewalLink } from '../../shared/views.js';
import { EVIDENCE_RECORD, isEvidenceObject, TAGMANIFEST_SHA256 } from './bag-layout.js';
import { decodeEvidenceRecord, EvidenceRecordSyntaxError, OID_SHA256, type ArchiveTimeStamp, type EvidenceRecord } from './evidence-record.js';
import { reduceHashtree, sha256 } from './evidence-hash-tree.js';
import { grantedResponse, signerNotAfter, unsignedPartsProblem } from './evidence-token.js';
import type { VerifyCheck } from './verify-report.js';

export interface EvidenceObject {
  readonly path: string;
  readonly bytes: Buffer;
}

const fail = (detail: string, where: readonly string[] = [EVIDENCE_RECORD]): VerifyCheck => ({ id: 'time.renewal', status: 'fail', detail, where });

/** The block verify-archive.ts runs: the check, or a skip when the archive has no record. */
export async function checkEvidenceRecord(
  files: ReadonlySet<string>,
  read: (name: string) => Promise<Buffer | undefined>,
  trustedRoots: readonly CertificateInput[],
): Promise<VerifyCheck> {
  if (!files.has(EVIDENCE_RECORD)) {
    return { id: 'time.renewal', status: 'skip', detail: `no evidence record (${EVIDENCE_RECORD}): the timestamps count as long as their TSA certificates; run \`proofline renew\` before they expire`, where: [] };
  }
  const objects: EvidenceObject[] = [];
  for (const path of [...files].filter(isEvidenceObject).sort()) objects.push({ path, bytes: (await read(path))! });
  return judgeEvidenceRecord((await read(EVIDENCE_RECORD))!, objects, trustedRoots);
}

/** §5.3 over an evidence record and the data objects it should cover now. */
export async function judgeEvidenceRecord(ers: Buffer, objects: readonly EvidenceObject[], trustedRoots: readonly CertificateInput[]): Promise<VerifyCheck> {
  let record: EvidenceRecord;
  try {
    record = decodeEvidenceRecord(ers);
  } catch (error) {
    if (error instanceof EvidenceRecordSyntaxError) return fail(`${EVIDENCE_RECORD} is not a readable RFC 4998 evidence record: ${error.message}`);
    throw error;
  }
  const chain = record.chains[0]!;
  // The first chain is checked, so it must be SHA-256 (what renew writes); later chains, made by a
  // hash-tree renewal under another algorithm, are reported as not checked below.
  const other = [...new Set(chain.flatMap((a) => (a.digestAlgorithm && a.digestAlgorithm !== OID_SHA256 ? [a.digestAlgorithm] : [])))];
  if (!record.digestAlgorithms.includes(OID_SHA256)) other.push(...record.digestAlgorithms);
  if (other.length > 0) return fail(`${EVIDENCE_RECORD} uses hash algorithm ${other.join(', ')}; this verifier computes SHA-256 only, so nothing in it was checked`);

  const coverage = coverageProblem(chain[0]!, objects);
  if (coverage) return fail(coverage.detail, coverage.where);

  const links: RenewalLink[] = [];
  let attestedUntil: Date | undefined;
  let broken = false;
  for (const [i, ats] of chain.entries()) {
    const position = i + 1;
    const digest = i === 0 ? reduceHashtree(ats.reducedHashtree) : renewedDigest(ats, chain[i - 1]!);
    if (!digest) return fail(`archive timestamp ${position} of ${EVIDENCE_RECORD} does not renew the one before it: its hash tree does not hold the hash of that one's timestamp (RFC 4998 §5.2)`);
    const response = grantedResponse(ats.timeStamp);
    const verdict = await verifyTimestampResponse(response, { digest, trustedRoots });
    if (verdict.status === 'invalid') {
      const failed = verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ');
      const over = i === 0 ? 'the archive' : `archive timestamp ${i}`;
      return fail(`archive timestamp ${position} of ${EVIDENCE_RECORD} is not a valid timestamp over ${over} (${failed})`);
    }
    // A token not yet renewed has parts no hash or signature covers: check them for consistency.
    const unsigned = i === chain.length - 1 ? await unsignedPartsProblem(response, trustedRoots, verdict.status === 'verified').catch((error: unknown) => `it cannot be read (${(error as Error).message})`) : undefined;
    if (unsigned) return fail(`archive timestamp ${position} of ${EVIDENCE_RECORD} was altered: ${unsigned}`);
    const until = signerNotAfter(response);
    const link = judgeLink(position, verdict, until, links.at(-1));
    links.push(link);
    if (!broken && link.status === 'ok') attestedUntil = until;
    else broken = true;
  }
  const renewal: RenewalChain = { links, attestedUntil: attestedUntil?.toISOString() ?? null };
  const described = links.map(describeLink).join('; ');
  const more = record.chains.length > 1 ? ` It also holds ${record.chains.length - 1} later chain(s) (hash-tree renewal, RFC 4998 §5.2), which this verifier does not check.` : '';
  const covered = `its first archive timestamp covers the tag manifest, ${objects.filter((o) => o.path.endsWith('.tsr')).length} token(s) and the seal signature as they are now`;
  const problem = links.find((l) => l.status !== 'ok');
  if (problem || more) {
    const why = problem ? `the chain is broken at archive timestamp ${problem.position}: ${problem.reason}` : more.trim();
    const until = attestedUntil ? `the archive's time is attested until ${attestedUntil.toISOString()}` : 'the record attests no time';
    return { id: 'time.renewal', status: 'warn', detail: `${covered}, but ${why}; ${until}. Chain: ${described}.${problem ? more : ''}`, where: [EVIDENCE_RECORD], renewal };
  }
  return { id: 'time.renewal', status: 'pass', detail: `${covered}; ${links.length} archive timestamp(s), each renewing the one before it in time: ${described}. The archive's time is attested until ${renewal.attestedUntil}`, where: [], renewal };
}

/** The first archive timestamp's first list must hold exactly the data objects' hashes now. */
function coverageProblem(first: ArchiveTimeStamp, objects: readonly EvidenceObject[]): { detail: string; where: string[] } | undefined {
  const list = first.reducedHashtree[0];
  if (!list) return { detail: `the first archive timestamp of ${EVIDENCE_RECORD} has no hash tree, so it names none of the archive's files`, where: [EVIDENCE_RECORD] };
  const listed = new Set(list.map((h) => h.toString('hex')));
  const hashes = new Map(objects.map((o) => [o.path, sha256(o.bytes).toString('hex')]));
  // The tag manifest first: it is the one that stands for the whole bag.
  const uncovered = objects
    .filter((o) => !listed.has(hashes.get(o.path)!))
    .map((o) => o.path)
    .sort((a, b) => Number(b === TAGMANIFEST_SHA256) - Number(a === TAGMANIFEST_SHA256));
  if (uncovered.length > 0) {
    const named = `${uncovered.slice(0, 3).join(', ')}${uncovered.length > 3 ? ` and ${uncovered.length - 3} more` : ''}`;
    return {
      detail: `${EVIDENCE_RECORD} does not cover ${named} as ${uncovered.length > 1 ? 'they are' : 'it is'} now: it was made for other data (another archive, or this one before it changed)`,
      where: [EVIDENCE_RECORD, ...uncovered],
    };
  }
  const known = new Set(hashes.values());
  const extra = list.filter((h) => !known.has(h.toString('hex'))).length;
  if (extra > 0) return { detail: `${EVIDENCE_RECORD} covers ${extra} file(s) this archive no longer has: a token or signature was removed after the record was made`, where: [EVIDENCE_RECORD] };
  return undefined;
}

/** §5.2: what a renewal's token must cover, or undefined when its tree omits the previous one. */
function renewedDigest(ats: ArchiveTimeStamp, previous: ArchiveTimeStamp): Buffer | undefined {
  const renewed = sha256(previous.timeStamp);
  if (ats.reducedHashtree.length === 0) return renewed;
  return ats.reducedHashtree[0]!.some((h) => h.equals(renewed)) ? reduceHashtree(ats.reducedHashtree) : undefined;
}

function judgeLink(position: number, verdict: TimestampVerdict, until: Date | undefined, previous: RenewalLink | undefined): RenewalLink {
  const base = { position, genTime: verdict.genTime?.toISOString() ?? null, tsa: verdict.tsaName ?? null, until: until?.toISOString() ?? null };
  if (verdict.status !== 'verified') {
    const chain = verdict.checks.find((c) => c.name === 'chain');
    return { ...base, status: 'untrusted', reason: `its token is not trusted: ${chain?.detail ?? 'its TSA is not trusted here'}${chain?.cause === 'no-roots' || !chain ? ' (pass the TSA root with --trust)' : ''}` };
  }
  if (!until) return { ...base, status: 'untrusted', reason: 'its signer certificate is not in the token, so until when it counts is unknown' };
  // The latest the TSA vouches for: genTime plus its stated accuracy (RFC 3161 §2.4.2).
  const latest = verdict.genTime!.getTime() + (verdict.accuracyMs ?? 0);
  if (previous?.until && latest > Date.parse(previous.until)) {
    return { ...base, status: 'gap', reason: `it is dated ${base.genTime}, after the certificate of archive timestamp ${previous.position} expired at ${previous.until}: the renewal came too late (RFC 4998 §5.2), so it proves only that the archive existed by ${base.genTime}` };
  }
  return { ...base, status: 'ok' };
}

function describeLink(link: RenewalLink): string {
  const state = link.status === 'ok' ? '' : ` [${link.status.toUpperCase()}]`;
  return `${link.position}) ${link.genTime ?? 'no time'} by ${link.tsa ?? 'an unknown TSA'}, valid until ${link.until ?? 'unknown'}${state}`;
}
