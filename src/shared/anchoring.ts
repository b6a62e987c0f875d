// When each event of an archive was proven to exist: what the verifier reports (src/core/archive/
// verify-time.ts) and what the viewer shows. Plain data, JSON-safe, shared by the core and the UI.

export type TokenReasonKind = 'noRoots' | 'notTsaCert' | 'notChained' | 'invalid' | 'noTime';

/** One RFC 3161 token in the archive, as the verifier judged it. */
export interface TokenSummary {
  /** Archive path, e.g. proofline/timestamps/000003-tsa1.tsr or proofline/seal.tsr. */
  readonly path: string;
  /** How many events (from #0) it proves existed: its checkpoint's tree size, or all for the seal. */
  readonly covers: number;
  readonly genTime: string | null;
  /** The accuracy the TSA states (± seconds); the token proves existence by genTime + accuracy. */
  readonly accuracySeconds?: number;
  readonly tsa: string | null;
  /** How the token is signed: "RSA with SHA-256", "ECDSA with SHA-384", "SM2 with SM3" (GM/T 0033). */
  readonly algorithm?: string;
  readonly serial: string | null;
  readonly policy: string | null;
  /** Counted for proven-by times: sound, over what it should cover, from a TSA trusted here. */
  readonly trusted: boolean;
  /** Why it is not counted, when it is not (English, for the record). */
  readonly reason?: string;
  /**
   * The same as a case a reader can act on: no trusted root given, a signer that is not a
   * time-stamping certificate, no chain to a trusted root, not a valid token over what it should
   * cover, or no time in it.
   */
  readonly reasonKind?: TokenReasonKind;
}

/** Consecutive events proven by the same token (or by none). */
export interface AnchorRange {
  readonly from: number;
  readonly to: number;
  /** Recorded (device) times of the first and last event of the range. */
  readonly firstTime: string;
  readonly lastTime: string;
  /** genTime of the earliest trusted token covering the range; null: no trusted token does. */
  readonly provenBy: string | null;
  /** The token that proves it, and its TSA's name. */
  readonly token: string | null;
  readonly tsa: string | null;
  /** Largest provenBy − recorded time in the range, in seconds (null when not proven). */
  readonly lagSeconds: number | null;
  /**
   * Not attested in time: proven later than the anchoring interval plus the tolerance allow, not
   * proven at all, or recorded later than it was proven (the device's clock ran ahead).
   */
  readonly late: boolean;
  /** Recorded more than the tolerance after the token that proves it existed. */
  readonly ahead?: boolean;
  /** The anchoring interval in force at the range's first event. */
  readonly allowedSeconds?: number;
}

export interface EventAnchor {
  readonly seq: number;
  readonly time: string;
  readonly provenBy: string | null;
  readonly lagSeconds: number | null;
}

export interface AnchoringReport {
  /** Seconds the session allowed between an event and its checkpoint (declared in its events). */
  readonly anchorSeconds: number;
  /** Added for TSA latency and clock differences. */
  readonly toleranceSeconds: number;
  /** How long after sealedAt a seal token may be dated and still attest the seal. */
  readonly sealWindowSeconds: number;
  readonly tokens: readonly TokenSummary[];
  readonly ranges: readonly AnchorRange[];
  /** Latest provenBy over all events, if every event is proven. */
  readonly lastProven: string | null;
  /** Events not proven in time: ranges that are late or not proven at all. */
  readonly late: readonly AnchorRange[];
  /** Per event, in order (the --json output carries it). */
  readonly events: readonly EventAnchor[];
}
