import type { EventBody, SessionSummary } from '../../shared/domain.js';
import { APP_NAME, APP_VERSION, ARCHIVE_FORMAT } from '../../shared/version.js';
import type { Checkpoint } from '../attest/checkpoints.js';
import { certificateKey } from '../attest/device-identity.js';
import type { TimestampRecord } from '../attest/timestamp-queue.js';
import { certificatesPem } from '../attest/tsa-pem.js';
import { tokenCertificates } from '../attest/token-certificates.js';
import { publicTsaUrl } from '../attest/tsa-names.js';
import { digestBytes, type Digests } from '../store/hashing.js';
import { isCompressible, mediaTypeOf, safeExtension } from '../store/media-types.js';
import * as layout from './bag-layout.js';
import { renderVerifyGuide, type VerifyGuideInput } from './verify-guide.js';
import { mentionsSm2 } from './verify-guide-sections.js';
import { ProoflineError } from '../errors.js';

/** Where the bytes of one archive entry come from when it is written. */
export type BagSource =
  | { readonly kind: 'bytes'; readonly data: Buffer }
  | { readonly kind: 'blob'; readonly sha256: string }
  | { readonly kind: 'events' };

export interface BagFile extends Digests {
  readonly path: string;
  readonly source: BagSource;
  /** Deflate text; store media, which is already compressed. */
  readonly deflate: boolean;
}

export interface BagPlan {
  readonly payload: readonly BagFile[];
  /** Tag files listed in tagmanifest-sha256.txt, then the tag manifest itself. */
  readonly tags: readonly BagFile[];
  readonly tagManifest: Buffer;
  readonly sealedAt: string;
}

/** What the plan needs from the store: a sealed session, read-only. */
export interface SealedSessionSource {
  readonly session: SessionSummary;
  /** data/events.jsonl's digests and event count, kept running by the checkpoints. */
  readonly eventsFile: { readonly digests: Digests; readonly count: number };
  /** The first event (seq 0), which names the device. */
  readonly created: EventBody | undefined;
  /** Every artifact the events name, once each, with the name it was first given and its stored digests (undefined: missing). */
  readonly artifacts: Iterable<{ readonly sha256: string; readonly name: string; readonly stored: Digests | undefined }>;
  readonly checkpoints: readonly Checkpoint[];
  /** VERIFY.md's text (default: this build's); sessions sealed by an older build need theirs. */
  readonly renderGuide?: (input: VerifyGuideInput) => string;
  /** Checkpoint requests as they stood when the bag was fixed: obtained or given up. */
  readonly timestamps: readonly TimestampRecord[];
  /**
   * The seal was finished by a later process (the one that began it ended between
   * `session.sealed` and fixing the bag): when it was finished, disclosed in bag-info.txt.
   */
  readonly sealResumedAt?: string;
}

/**
 * Derives every byte the manifests cover from the sealed session alone (DESIGN.md, "the bag is
 * fixed at seal"): the same session always plans the same manifests, whoever exports it, and
 * whenever. Reads no event but the first: the log's digests are kept by the checkpoints and
 * the artifacts by the store's index, so a seal costs the files, not the events (issue 13).
 */
export function planBag(source: SealedSessionSource): BagPlan {
  const { session } = source;
  if (session.state !== 'sealed' || !session.sealedAt) {
    throw new ProoflineError('session.not-sealed', `Session ${session.id} is not sealed. Seal it first ('proofline seal ${session.id}').`, { sessionId: session.id });
  }
  const sealedAt = session.sealedAt;

  const { created, eventsFile } = source;
  const device = created?.payload['device'] as { keyId?: string; certificate?: string } | undefined;
  if (!created || created.type !== 'session.created' || !device?.certificate || !device.keyId) {
    throw new ProoflineError('store.damaged', `Session ${session.id} has no session.created event with the device certificate: the store is damaged.`, { sessionId: session.id });
  }

  const payload: BagFile[] = [];
  payload.push(bytesFile(layout.SESSION_JSON, sessionJson(session, device.keyId, eventsFile.count)));
  payload.push({ ...eventsFile.digests, path: layout.EVENTS_JSONL, source: { kind: 'events' }, deflate: true });
  for (const { sha256, name, stored } of source.artifacts) {
    if (!stored) throw new ProoflineError('blob.missing', `Artifact ${sha256} named in session ${session.id} is missing from the blob store.`, { sha256, sessionId: session.id });
    const path = `${layout.ARTIFACTS_DIR}${sha256}${safeExtension(name)}`;
    payload.push({ ...stored, path, source: { kind: 'blob', sha256 }, deflate: isCompressible(mediaTypeOf(path)) });
  }
  payload.sort(byPath);

  const tags: BagFile[] = [];
  tags.push(bytesFile(layout.BAGIT_TXT, layout.BAGIT_TXT_CONTENT));
  tags.push(bytesFile(layout.BAG_INFO, bagInfo(session, device.keyId, payload, source.sealResumedAt)));
  tags.push(bytesFile(layout.MANIFEST_SHA256, payload.map((f) => layout.manifestLine(f.sha256, f.path)).join('')));
  tags.push(bytesFile(layout.MANIFEST_SM3, payload.map((f) => layout.manifestLine(f.sm3, f.path)).join('')));
  tags.push(bytesFile(layout.DEVICE_CERT, device.certificate));
  tags.push(bytesFile(layout.DEVICE_PUBLIC_KEY, certificateKey(device.certificate).publicKeyPem));

  for (const checkpoint of source.checkpoints) {
    const paths = layout.checkpointPaths(checkpoint.statement.index);
    tags.push(bytesFile(paths.statement, checkpoint.bytes));
    tags.push(bytesFile(paths.signature, checkpoint.signature));
  }

  const tsaNumbers = new Map<string, number>();
  const tsaCertificates = new Map<number, Map<string, Buffer>>();
  const index: object[] = [];
  const unanswered: object[] = [];
  const sm2Tokens: string[] = [];
  for (const record of source.timestamps) {
    const checkpointIndex = Number(/^checkpoint:(\d+)$/.exec(record.subject)?.[1]);
    if (!Number.isInteger(checkpointIndex)) continue;
    // The seal checkpoint's requests come after session.sealed (which lists those pending
    // before it): one no TSA answered before the bag was fixed is disclosed here.
    if (record.state === 'abandoned' && record.requestedAt >= sealedAt) {
      unanswered.push({ subject: layout.checkpointPaths(checkpointIndex).statement, token: null, tsa: publicTsaUrl(record.tsaUrl), requestedAt: record.requestedAt, attempts: record.attempts, lastError: record.lastError });
      continue;
    }
    if (record.state !== 'obtained' || !record.response) continue;
    const tsaNumber = tsaNumbers.get(record.tsaUrl) ?? tsaNumbers.size + 1;
    tsaNumbers.set(record.tsaUrl, tsaNumber);
    const path = layout.checkpointTokenPath(checkpointIndex, tsaNumber);
    tags.push(bytesFile(path, record.response));
    if (mentionsSm2(record.response)) sm2Tokens.push(path);
    const certs = tsaCertificates.get(tsaNumber) ?? new Map<string, Buffer>();
    for (const cert of tokenCertificates(record.response)) certs.set(cert.toString('hex'), cert);
    tsaCertificates.set(tsaNumber, certs);
    const { statement } = layout.checkpointPaths(checkpointIndex);
    index.push({
      subject: statement,
      token: path,
      tsa: publicTsaUrl(record.tsaUrl),
      requestedAt: record.requestedAt,
      obtainedAt: record.obtainedAt,
      genTime: record.genTime,
      attempts: record.attempts,
    });
  }
  for (const [tsaNumber, certs] of tsaCertificates) {
    if (certs.size > 0) tags.push(bytesFile(layout.tsaChainPath(tsaNumber), certificatesPem([...certs.values()])));
  }
  tags.push(bytesFile(layout.TIMESTAMPS_INDEX, `${JSON.stringify([...index, ...unanswered], null, 2)}\n`));
  tags.push(
    bytesFile(
      layout.VERIFY_MD,
      (source.renderGuide ?? renderVerifyGuide)({
        session,
        checkpoints: source.checkpoints.map((c) => c.statement.index),
        tokens: index as { subject: string; token: string; tsa: string }[],
        tsaChains: [...tsaCertificates.keys()].map((n) => layout.tsaChainPath(n)),
        ...(sm2Tokens.length > 0 && { sm2Tokens }),
      }),
    ),
  );
  tags.sort(byPath);

  const tagManifest = Buffer.from(tags.map((f) => layout.manifestLine(f.sha256, f.path)).join(''), 'utf8');
  return {
    payload,
    tags: [...tags, bytesFile(layout.TAGMANIFEST_SHA256, tagManifest)],
    tagManifest,
    sealedAt,
  };
}

export function bytesFile(path: string, content: string | Buffer): BagFile {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { ...digestBytes(data), path, source: { kind: 'bytes', data }, deflate: !path.endsWith('.tsr') && !path.endsWith('.sig') };
}

function byPath(a: BagFile, b: BagFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function sessionJson(session: SessionSummary, deviceKeyId: string, eventCount: number): string {
  const doc = {
    format: ARCHIVE_FORMAT,
    id: session.id,
    kind: session.kind,
    title: session.title,
    creator: session.creator,
    description: session.description,
    createdAt: session.createdAt,
    sealedAt: session.sealedAt,
    interrupted: session.interrupted,
    eventCount,
    device: deviceKeyId,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** RFC 8493 §2.2.2: label, colon, space, value; one line each (newlines in values folded away). */
function bagInfo(session: SessionSummary, deviceKeyId: string, payload: readonly BagFile[], sealResumedAt: string | undefined): string {
  const octets = payload.reduce((sum, f) => sum + f.size, 0);
  const oneLine = (v: string): string => v.replace(/[\r\n]+/g, ' ').trim();
  const fields: [string, string][] = [
    ['Bag-Software-Agent', `${APP_NAME} ${APP_VERSION}`],
    ['Bagging-Date', session.sealedAt!.slice(0, 10)],
    ['Payload-Oxum', `${octets}.${payload.length}`],
    ['External-Identifier', session.id],
    ['External-Description', oneLine(session.title)],
  ];
  if (session.creator) fields.push(['Contact-Name', oneLine(session.creator)]);
  fields.push(
    ['Proofline-Format', String(ARCHIVE_FORMAT)],
    ['Proofline-Session-Id', session.id],
    ['Proofline-Session-Kind', session.kind],
    ['Proofline-Created-At', session.createdAt],
    ['Proofline-Sealed-At', session.sealedAt!],
    ['Proofline-Device-Key', deviceKeyId],
  );
  if (sealResumedAt) fields.push([layout.SEAL_RESUMED_AT, sealResumedAt]);
  return fields.map(([label, value]) => `${label}: ${value}\n`).join('');
}
