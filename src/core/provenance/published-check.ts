// `proofline inspect IMAGE --archive ZIP`: does a published image belong to this evidence archive?
// Each answer from the two files alone, for someone who has neither Proofline's data folder nor
// any trust list: c2pa-rs validates the Content Credentials (signature and hard binding; the
// signer is "untrusted" as every device certificate is, C2PA 2.1 §15.4.1); the signer's
// certificate was issued by the device key whose certificate the archive carries
// (proofline/device-cert.pem); the archive and tag manifest SHA-256 in org.proofline.evidence
// are this archive's; the TC260 label (GB 45438-2025) names this session and archive; and the
// RFC 3161 time-stamp in the signature (sigTst2), judged against the roots given.
import { readFileSync } from 'node:fs';
import * as layout from '../archive/bag-layout.js';
import { openArchive } from '../archive/read-zip.js';
import { verifyTimestampResponse } from '../attest/tsa-verify.js';
import { readImageMetadata } from '../capture/creation/metadata/index.js';
import type { PublishedImageCheck } from '../../shared/views.js';
import { ProoflineError } from '../errors.js';
import { sha256Hex } from '../store/hashing.js';
import { readC2pa } from './c2pa-read.js';
import { deviceTie, signatureTimeStamp } from './c2pa-signer.js';
import { EVIDENCE_ASSERTION } from './publish-manifest.js';
import { EXPECTED_C2PA_FAILURES } from './publish-image.js';

/** The answer is the contract's (archive.checkPublished), whichever host asks. */
export type PublishedCheck = PublishedImageCheck;
export type CheckName = PublishedImageCheck['mismatches'][number];

function unusable(path: string, reason: string): ProoflineError {
  return new ProoflineError('publish.check-input', `${path} cannot be checked: ${reason}.`, { path, reason });
}

async function readArchive(path: string): Promise<{ sha256: string; tagManifestSha256: string; sessionId: string; deviceCertPem: string }> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw unusable(path, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  try {
    const zip = await openArchive(path);
    try {
      for (const name of [layout.TAGMANIFEST_SHA256, layout.SESSION_JSON, layout.DEVICE_CERT]) if (!zip.has(name)) throw new Error(`it has no ${name}`);
      const tagManifest = await zip.readText(layout.TAGMANIFEST_SHA256, 1 << 20);
      const session = JSON.parse(await zip.readText(layout.SESSION_JSON, 4 << 20)) as { id?: unknown };
      return { sha256: sha256Hex(bytes), tagManifestSha256: sha256Hex(tagManifest), sessionId: String(session.id), deviceCertPem: await zip.readText(layout.DEVICE_CERT, 64 << 10) };
    } finally {
      zip.close();
    }
  } catch (error) {
    throw unusable(path, `it is not a Proofline evidence archive (${(error as Error).message})`);
  }
}

/** A TimeStampResp around a bare token (RFC 3161 §2.4.2: status granted), for the verifier that takes responses. */
function asResponse(token: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]), token]);
  const length = body.length < 0x80 ? Buffer.from([body.length]) : body.length < 0x100 ? Buffer.from([0x81, body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([0x30]), length, body]);
}

export async function checkPublishedImage(file: string, archivePath: string, trustedRoots: readonly Buffer[] = []): Promise<PublishedCheck> {
  let bytes: Buffer;
  let metadata: Awaited<ReturnType<typeof readImageMetadata>>;
  try {
    bytes = readFileSync(file);
    metadata = await readImageMetadata(file);
  } catch (error) {
    throw unusable(file, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  const format = metadata.format === 'png' ? 'image/png' : metadata.format === 'jpeg' ? 'image/jpeg' : null;
  if (!format) throw unusable(file, `a published image is PNG or JPEG, this is ${metadata.format.toUpperCase()}`);
  const archive = await readArchive(archivePath);

  const reading = await readC2pa(bytes, format).catch(() => null);
  const manifest = reading?.activeManifest ?? null;
  const failures = reading ? reading.failures.filter((code) => !EXPECTED_C2PA_FAILURES.includes(code)) : [];
  const c2pa = { manifest, failures: manifest ? failures : ['no Content Credentials'], ok: manifest !== null && failures.length === 0 };

  let device: PublishedCheck['device'] = { signer: null, ok: false };
  if (manifest) {
    try {
      const tie = deviceTie(bytes, manifest, archive.deviceCertPem);
      device = { signer: tie.signerSubject, ok: tie.issuedByDevice };
    } catch {
      // no readable signer: not tied
    }
  }
  const assertions = (reading?.manifest?.['assertions'] ?? []) as { label?: string; data?: Record<string, unknown> }[];
  const evidence = assertions.find((a) => a.label === EVIDENCE_ASSERTION)?.data ?? {};
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const named = { sessionId: text(evidence['sessionId']), archiveSha256: text(evidence['archiveSha256']), tagManifestSha256: text(evidence['tagManifestSha256']) };

  const aigc = metadata.aigcLabel;
  const labelPresent = aigc !== undefined;
  const label = {
    produceId: aigc?.produceId ?? null,
    reservedCode1: aigc?.reservedCode1 ?? null,
    present: labelPresent,
    // No label is the creator's choice (--no-label); a label naming another session or archive is not.
    ok: !labelPresent || (aigc?.produceId === archive.sessionId && aigc.reservedCode1 === archive.sha256),
  };

  const stamp = manifest ? signatureTimeStamp(bytes, manifest) : null;
  let timeStamp: PublishedCheck['timeStamp'] = { present: false, genTime: null, tsa: null, status: 'none', detail: 'no time-stamp in the Content Credentials: the publication time is only the device’s word' };
  if (stamp) {
    const verdict = await verifyTimestampResponse(asResponse(stamp.token), { digest: Buffer.from(sha256Hex(stamp.covered), 'hex'), trustedRoots: [...trustedRoots] });
    const failed = verdict.checks.find((c) => !c.ok && c.name !== 'nonce');
    const status = verdict.status === 'invalid' || (failed && failed.name !== 'chain') ? 'invalid' : failed ? 'untrusted' : 'verified';
    timeStamp = { present: true, genTime: verdict.genTime?.toISOString() ?? null, tsa: verdict.tsaName ?? null, status, detail: failed?.detail ?? 'the TSA’s chain reaches a trusted root' };
  }

  const mismatches: CheckName[] = [];
  if (!c2pa.ok) mismatches.push('c2pa');
  if (!device.ok) mismatches.push('device');
  // The tag manifest names the sealed bag; the file's SHA-256 changes if a late seal token or an
  // evidence record is added outside it, so a match of the tag manifest is the bag's match.
  if (named.tagManifestSha256 !== archive.tagManifestSha256) mismatches.push('archive');
  if (named.sessionId !== archive.sessionId) mismatches.push('session');
  if (!label.ok) mismatches.push('label');
  // A token that does not cover this signature, or is not a TSA's signature at all, is a forgery.
  if (timeStamp.status === 'invalid') mismatches.push('time-stamp');
  const exitCode = mismatches.length > 0 ? 1 : timeStamp.status === 'verified' ? 0 : 3;
  return { file, archive: { path: archivePath, sha256: archive.sha256, tagManifestSha256: archive.tagManifestSha256, sessionId: archive.sessionId }, c2pa, device, named, label, timeStamp, mismatches, exitCode };
}
