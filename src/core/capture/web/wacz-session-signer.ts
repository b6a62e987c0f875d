import { loadOrCreateWaczSigningKey } from '../../attest/wacz-signing-key.js';
import type { Proofline } from '../../proofline.js';
import type { WaczSigner, WaczSigningFacts } from './wacz-writer.js';
import type { JsonValue } from '../../../shared/domain.js';

/**
 * The signer of a session's WACZ: the WACZ key beside this device's key, and the TSAs the session
 * anchors with (session_anchoring, kept current by SessionService at every checkpoint).
 */
export async function waczSignerFor(pl: Proofline, sessionId: string): Promise<WaczSigner> {
  const key = loadOrCreateWaczSigningKey(await pl.device());
  const row = pl.db.prepare('SELECT tsa_urls AS tsaUrls FROM session_anchoring WHERE session_id = ?').get(sessionId) as { tsaUrls: string } | undefined;
  const tsaUrls = row ? (JSON.parse(row.tsaUrls) as string[]) : [];
  return { key, tsaUrls };
}

/** The signing facts as the capture's event records them, under `wacz.signature`. */
export function signingFacts(signing: WaczSigningFacts | null): { [key: string]: JsonValue } {
  if (!signing) return {};
  return {
    signature: {
      spec: signing.spec,
      signer: { ...signing.signer },
      signedAt: signing.signedAt,
      timestamp: { ...signing.timestamp },
    },
  };
}
