// The web archives (WACZ) inside an evidence archive: each judged by verify-wacz.ts, and its
// signer compared with the key its own capture event recorded (wacz-observer.ts gathers those
// during verify's one pass over the events). That event is what ties a WACZ signature to the
// device: it names the WACZ's SHA-256 and `wacz.signature.signer` side by side, and checkpoints the
// device's Ed25519 key signed cover it. A key another capture recorded says nothing of this file.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CertificateInput } from '../attest/tsa-verify.js';
import { publicKeyId as keyIdOf } from '../attest/wacz-signature.js';
import { throwIfCancelled } from '../errors.js';
import * as layout from './bag-layout.js';
import { ArchiveError, type ZipArchive } from './read-zip.js';
import { inspectOpenWacz, inspectWacz, type InspectOptions, type WaczFindings } from './verify-wacz.js';
import type { CheckStatus, VerifyCheck } from './verify-report.js';
import type { WaczNamings, WaczObserver } from './wacz-observer.js';
import { formatBytes } from './zip-limits.js';

/**
 * A WACZ Proofline writes is stored in the evidence archive (bag-plan.ts: media is not deflated)
 * and read in place. One deflated by someone who re-zipped the bag must be copied out to be read
 * at random; a copy is made only up to this size, so that verify cannot fill the disk.
 */
export const WACZ_COPY_MAX = 1 << 30;

const short = (keyId: string): string => `${keyId.slice(0, 16)}…`;

interface Outcome {
  readonly status: CheckStatus;
  readonly detail: string;
}

/** What the payload pass learned: the chain's namings, and each file's SHA-256 as read. */
export interface WaczPassFacts {
  readonly chain: WaczObserver;
  readonly sha256Of: (name: string) => string | undefined;
}

export async function checkWaczSignatures(archive: ZipArchive, payloadFiles: readonly string[], { chain, sha256Of }: WaczPassFacts, chainOk: boolean, trustedRoots: readonly CertificateInput[], signal?: AbortSignal): Promise<VerifyCheck> {
  const id = 'web.wacz-signature' as const;
  const shaOf = (name: string): string => name.slice(layout.ARTIFACTS_DIR.length, layout.ARTIFACTS_DIR.length + 64);
  // A WACZ by its path, or by what the chain calls it (its path takes the extension of the name it was first given).
  const waczs = payloadFiles.filter((name) => name.startsWith(layout.ARTIFACTS_DIR) && (name.endsWith('.wacz') || chain.namingsOf(shaOf(name)) !== undefined));
  if (waczs.length === 0) return { id, status: 'skip', detail: 'no web archive (WACZ) in this archive', where: [] };
  if (!chainOk) return { id, status: 'skip', detail: 'not checked: the event chain is broken', where: [] };
  const recorded = chain.recordedKeys();
  const outcomes: (Outcome & { where: string })[] = [];
  for (const entry of waczs) {
    throwIfCancelled(signal, 'Verifying the web archives was cancelled.', { entry });
    const namings = chain.namingsOf(shaOf(entry));
    const capture = namings?.captures[0];
    const other = namings?.other;
    const label = capture ? `${capture.name} (event #${capture.seq})` : other ? `${other.name} (event #${other.seq}, ${other.type})` : entry;
    // The file must be the one its event names: a WACZ of another capture, signed by the same
    // key, put in its place would otherwise pass here (the manifests say so too).
    const actual = sha256Of(entry);
    const swapped = actual !== undefined && actual !== shaOf(entry) ? `not the file the chain names: its SHA-256 is ${short(actual)}, the chain's ${short(shaOf(entry))}; in itself: ` : '';
    const found = await inspectEntry(archive, entry, { trustedRoots, signal });
    const judged = found === 'too-large'
      ? { status: 'warn' as const, detail: `not checked: it is deflated in this archive (not as Proofline stores it) and over ${formatBytes(WACZ_COPY_MAX)} to copy out` }
      : judgeWacz(found, namings, recorded);
    outcomes.push({ status: swapped ? 'fail' : judged.status, detail: `${label}: ${swapped}${judged.detail}`, where: entry });
  }
  const worst = (['fail', 'warn', 'pass', 'skip'] as const).find((s) => outcomes.some((o) => o.status === s))!;
  const shown = outcomes.filter((o) => o.status === worst);
  const where = worst === 'pass' || worst === 'skip' ? [] : shown.map((o) => o.where);
  return { id, status: worst, detail: `${shown.length} of ${outcomes.length} WACZ: ${shown.map((o) => o.detail).join(' | ')}`, where };
}

/**
 * One WACZ against what the chain says of it.
 * - Written by a capture that recorded a signer: it must be signed, by that key (fail otherwise).
 * - Written by a capture that recorded none (a Proofline before signing): unsigned is a skip.
 * - No capture event wrote it (attached by hand, or its capture never finished): its bytes are
 *   the chain's since the event that added it, but nothing ties its signature to a capture; a
 *   signature, even by this device's own WACZ key, is reported (warn), never passed.
 */
export function judgeWacz(found: WaczFindings, namings: WaczNamings | undefined, recordedKeys: ReadonlySet<string>): Outcome {
  const captures = namings?.captures ?? [];
  const signer = found.signer;
  if (captures.length === 0) {
    const other = namings?.other;
    const added = other ? `no capture event wrote it: event #${other.seq} (${other.type}) added it${other.type === 'web.capture.file' ? ' and its capture event never came' : ''}` : 'no event of the chain names it';
    if (found.problems.length > 0) return { status: 'warn', detail: `${added}, and it does not verify on its own: ${found.problems.join('; ')} (its bytes are as they were added)` };
    if (!found.signed) return { status: 'skip', detail: `not signed; ${added}` };
    const whose = recordedKeys.has(signer!.publicKey) ? "this device's WACZ key" : 'a key no capture of this chain records';
    return { status: 'warn', detail: `signed by ${whose} ${short(signer!.keyId)}, but ${added}, so the signature cannot be tied to a capture: it says only that the key's holder signed it` };
  }
  if (found.problems.length > 0) return { status: 'fail', detail: found.problems.join('; ') };
  const expected = captures.find((c) => c.publicKey !== null);
  if (!expected) {
    if (!found.signed) return { status: 'skip', detail: 'not signed: written by a Proofline before WACZ signing; its bytes are covered by the manifests and the chain' };
    return { status: 'warn', detail: `signed by key ${short(signer!.keyId)}, but its capture event records no signer: the signature cannot be tied to this device` };
  }
  if (!found.signed) return { status: 'fail', detail: `the chain records it signed by key ${short(keyIdOf(expected.publicKey!))}, but it carries no signature (signedData removed)` };
  const wrong = captures.find((c) => c.publicKey !== null && c.publicKey !== signer!.publicKey);
  if (wrong) return { status: 'fail', detail: `signed by key ${short(signer!.keyId)}, not by the key ${short(keyIdOf(wrong.publicKey!))} this device recorded for it (event #${wrong.seq})` };
  if (found.timestamp?.status === 'untrusted') return { status: 'warn', detail: `signature by this device's key verifies; its timestamp is not trusted (${found.timestamp.detail})` };
  const time = found.timestamp?.status === 'verified'
    ? `timestamped ${found.timestamp.genTime} by ${found.timestamp.tsa}`
    : `no timestamp of its own (${expected.timestampNone ?? 'none recorded'}); the checkpoints anchor it`;
  return { status: 'pass', detail: `${found.resources} files intact, signed by this device's WACZ key ${short(signer!.keyId)}, ${time}` };
}

/** Read in place when stored (always, as Proofline writes it); copied out, bounded, when deflated. */
async function inspectEntry(archive: ZipArchive, entry: string, options: InspectOptions): Promise<WaczFindings | 'too-large'> {
  let inner: ZipArchive | undefined;
  try {
    inner = await archive.openStoredArchive(entry);
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    return { problems: [`not a readable ZIP: ${error.message}`], signed: false, resources: 0 };
  }
  if (inner) {
    try {
      return await inspectOpenWacz(inner, options);
    } finally {
      inner.close();
    }
  }
  const size = archive.entries.find((e) => e.name === entry)?.size ?? Infinity;
  if (size > WACZ_COPY_MAX) return 'too-large';
  const dir = await mkdtemp(join(tmpdir(), 'proofline-wacz-'));
  try {
    const file = join(dir, 'capture.wacz');
    await pipeline(await archive.openStream(entry), createWriteStream(file), ...(options.signal ? [{ signal: options.signal }] : []));
    return await inspectWacz(file, options);
  } catch (error) {
    throwIfCancelled(options.signal, 'Verifying the web archives was cancelled.', { entry });
    if (!(error instanceof ArchiveError)) throw error;
    return { problems: [`damaged in this archive: ${error.message}`], signed: false, resources: 0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
