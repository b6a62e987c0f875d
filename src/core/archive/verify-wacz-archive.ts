// The web archives (WACZ) inside an evidence archive: each judged by verify-wacz.ts, and its
// signer compared with the key the session's chain names for it. The chain is what ties the WACZ
// key to the device: the web capture event that names the WACZ records `wacz.signature.signer`,
// and that event is covered by checkpoints the device's Ed25519 key signed.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import type { CertificateInput } from '../attest/tsa-verify.js';
import { publicKeyId as keyIdOf } from '../attest/wacz-signature.js';
import * as layout from './bag-layout.js';
import type { ZipArchive } from './read-zip.js';
import { inspectWacz } from './verify-wacz.js';
import type { CheckStatus, VerifyCheck } from './verify-report.js';

interface Naming {
  readonly seq: number;
  readonly name: string;
  /** The signer key the event recorded, or null when it recorded none (made before signing). */
  readonly publicKey: string | null;
  readonly timestampNone?: string;
}

const WACZ_EVENTS = new Set(['web.capture', 'web.capture.network']);
const short = (keyId: string): string => `${keyId.slice(0, 16)}…`;

export async function checkWaczSignatures(archive: ZipArchive, payloadFiles: readonly string[], chainOk: boolean, trustedRoots: readonly CertificateInput[], signal?: AbortSignal): Promise<VerifyCheck> {
  const id = 'web.wacz-signature' as const;
  const waczs = payloadFiles.filter((name) => name.startsWith(layout.ARTIFACTS_DIR) && name.endsWith('.wacz'));
  if (waczs.length === 0) return { id, status: 'skip', detail: 'no web archive (WACZ) in this archive', where: [] };
  if (!chainOk) return { id, status: 'skip', detail: 'not checked: the event chain is broken', where: [] };
  const named = await waczNamings(archive);
  // The device has one WACZ key: a WACZ whose own capture event is missing (a crash between its
  // file event and its capture event) is still tied to the device if another capture names the key.
  const sessionKeys = new Set([...named.values()].flatMap((n) => (n.publicKey ? [n.publicKey] : [])));
  const dir = await mkdtemp(join(tmpdir(), 'proofline-wacz-'));
  const outcomes: { status: CheckStatus; detail: string; where: string }[] = [];
  try {
    for (const entry of waczs) {
      const sha = entry.slice(layout.ARTIFACTS_DIR.length, layout.ARTIFACTS_DIR.length + 64);
      const naming = named.get(sha);
      const label = naming ? `${naming.name} (event #${naming.seq})` : entry;
      const file = join(dir, `${sha}.wacz`);
      await pipeline(await archive.openStream(entry), createWriteStream(file), ...(signal ? [{ signal }] : []));
      const found = await inspectWacz(file, { trustedRoots, signal });
      await rm(file, { force: true });
      const add = (status: CheckStatus, detail: string): void => void outcomes.push({ status, detail: `${label}: ${detail}`, where: entry });
      if (found.problems.length > 0) add('fail', found.problems.join('; '));
      else if (naming?.publicKey && !found.signed) add('fail', `the chain records it signed by key ${short(keyIdOf(naming.publicKey))}, but it carries no signature (signedData removed)`);
      else if (naming?.publicKey && found.signer?.publicKey !== naming.publicKey) {
        add('fail', `signed by key ${short(found.signer!.keyId)}, not by the key ${short(keyIdOf(naming.publicKey))} this device recorded for it`);
      } else if (!found.signed) add('skip', 'not signed: written by a Proofline before WACZ signing; its bytes are covered by the manifests and the chain');
      else if (!naming?.publicKey && !sessionKeys.has(found.signer!.publicKey)) add('warn', `signed by key ${short(found.signer!.keyId)}, which the chain does not name: the signer cannot be tied to this device`);
      else if (found.timestamp?.status === 'untrusted') add('warn', `signature by this device's key verifies; its timestamp is not trusted (${found.timestamp.detail})`);
      else {
        const time = found.timestamp?.status === 'verified' ? `timestamped ${found.timestamp.genTime} by ${found.timestamp.tsa}` : `no timestamp of its own (${naming?.timestampNone ?? 'none recorded'}); the checkpoints anchor it`;
        add('pass', `${found.resources} files intact, signed by this device's WACZ key ${short(found.signer!.keyId)}, ${time}`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const worst = (['fail', 'warn', 'pass', 'skip'] as const).find((s) => outcomes.some((o) => o.status === s))!;
  const shown = outcomes.filter((o) => o.status === worst);
  const where = worst === 'pass' || worst === 'skip' ? [] : shown.map((o) => o.where);
  return { id, status: worst, detail: `${shown.length} of ${outcomes.length} WACZ: ${shown.map((o) => o.detail).join(' | ')}`, where };
}

/** The events that name a WACZ, read from data/events.jsonl once more (only when there is a WACZ). */
async function waczNamings(archive: ZipArchive): Promise<Map<string, Naming>> {
  const found = new Map<string, Naming>();
  const lines = createInterface({ input: await archive.openStream(layout.EVENTS_JSONL), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.includes('"web.capture')) continue;
    let body: { seq?: number; type?: string; payload?: { wacz?: { signature?: { signer?: { publicKey?: string }; timestamp?: { none?: string } } } }; artifacts?: { sha256: string; name: string }[] };
    try {
      body = JSON.parse(line) as typeof body;
    } catch {
      continue; // the chain check judges unreadable lines
    }
    if (!WACZ_EVENTS.has(body.type ?? '') || !body.payload?.wacz) continue;
    const signature = body.payload.wacz.signature;
    for (const artifact of body.artifacts ?? []) {
      if (!artifact.name.endsWith('.wacz')) continue;
      found.set(artifact.sha256, {
        seq: body.seq ?? -1,
        name: artifact.name,
        publicKey: signature?.signer?.publicKey ?? null,
        ...(signature?.timestamp?.none !== undefined && { timestampNone: signature.timestamp.none }),
      });
    }
  }
  return found;
}
