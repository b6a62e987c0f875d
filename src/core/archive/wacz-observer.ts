// What the chain says of each web archive (WACZ), gathered during verify's one pass over the
// events (chainObservers in verify-archive.ts): which events name each WACZ's SHA-256, and for the
// capture event that wrote it, the signer key it recorded. The capture event (web.capture for a
// batch page, web.capture.network for an interactive browsing) is the only thing that ties a WACZ
// signature to this device: it names the WACZ's hash and its signer key side by side, and the
// device's Ed25519 key signs the checkpoints over it. A key recorded by *another* capture says
// nothing about this file.
import type { EventBody } from '../../shared/domain.js';

/** The events whose payload.wacz describes the WACZ they list (capture-page.ts, interactive.ts). */
export const WACZ_CAPTURE_EVENTS: ReadonlySet<string> = new Set(['web.capture', 'web.capture.network']);

export interface WaczCapture {
  readonly seq: number;
  readonly name: string;
  /** The signer key (base64 DER SPKI) the capture recorded; null: it recorded none (made before signing). */
  readonly publicKey: string | null;
  /** Why the capture's signature has no timestamp of its own, as it recorded it. */
  readonly timestampNone?: string;
}

export interface WaczNamings {
  /** The capture events that wrote it (one, for a WACZ Proofline made). */
  readonly captures: WaczCapture[];
  /** The first other event naming it: web.capture.file (stored before its capture event), artifact.attached, … */
  other?: { readonly seq: number; readonly type: string; readonly name: string };
}

export class WaczObserver {
  private readonly bySha = new Map<string, WaczNamings>();

  /** Every event that lists artifacts is observed whole (observedInFull in chain-line.ts). */
  observe(body: EventBody): void {
    if (!Array.isArray(body.artifacts) || body.artifacts.length === 0) return;
    const wacz = WACZ_CAPTURE_EVENTS.has(body.type) ? asObject(body.payload['wacz']) : undefined;
    for (const artifact of body.artifacts) {
      if (typeof artifact?.name !== 'string' || typeof artifact.sha256 !== 'string' || !artifact.name.toLowerCase().endsWith('.wacz')) continue;
      let namings = this.bySha.get(artifact.sha256);
      if (!namings) this.bySha.set(artifact.sha256, (namings = { captures: [] }));
      if (!wacz) {
        namings.other ??= { seq: body.seq, type: body.type, name: artifact.name };
        continue;
      }
      const signature = asObject(wacz['signature']);
      const publicKey = asObject(signature?.['signer'])?.['publicKey'];
      const none = asObject(signature?.['timestamp'])?.['none'];
      namings.captures.push({
        seq: body.seq,
        name: artifact.name,
        publicKey: typeof publicKey === 'string' ? publicKey : null,
        ...(typeof none === 'string' && { timestampNone: none }),
      });
    }
  }

  namingsOf(sha256: string): WaczNamings | undefined {
    return this.bySha.get(sha256);
  }

  /** Every key some capture of this chain recorded (named in a report, never accepted for another file). */
  recordedKeys(): Set<string> {
    return new Set([...this.bySha.values()].flatMap((n) => n.captures.flatMap((c) => (c.publicKey ? [c.publicKey] : []))));
  }

  /** The SHA-256s of every WACZ the chain names. */
  shas(): IterableIterator<string> {
    return this.bySha.keys();
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
