/** Domain types shared by the core, the hosts and the renderer. */
export type SessionKind = 'creation' | 'web';
export type SessionState = 'open' | 'sealed' | 'recovered';

export interface SessionSummary {
  readonly id: string;
  readonly kind: SessionKind;
  readonly title: string;
  readonly creator: string;
  readonly description: string;
  readonly state: SessionState;
  readonly interrupted: boolean;
  readonly createdAt: string;
  readonly sealedAt: string | null;
  readonly eventCount: number;
  /** For a sealed session, whether a TSA has timestamped its seal; null while not sealed. */
  readonly sealTimestamped: boolean | null;
}

export interface ArtifactRef {
  readonly sha256: string;
  readonly size: number;
  readonly name: string;
  readonly mime: string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The signed, hashed unit of evidence. Its RFC 8785 form is what `hash` is taken over. */
export interface EventBody {
  readonly v: 1;
  readonly session: string;
  readonly seq: number;
  readonly time: string;
  readonly type: string;
  readonly payload: { readonly [key: string]: JsonValue };
  readonly artifacts: readonly ArtifactRef[];
  readonly prev: string;
}

export interface StoredEvent {
  readonly body: EventBody;
  readonly canonical: string;
  readonly hash: string;
}

/** How far a session's events are proven to exist by trusted timestamps (the live screens). */
export interface AnchoringStatus {
  /** Seconds within which each new event is to be covered by a timestamped checkpoint. */
  readonly anchorSeconds: number;
  /** The TSAs asked now. */
  readonly tsaUrls: readonly string[];
  readonly events: number;
  /** Events (from #0) covered by a checkpoint or seal that a TSA has timestamped. */
  readonly provenEvents: number;
  /** The TSA time of the latest such token. */
  readonly lastProvenAt: string | null;
  /** Recorded time of the first event no token covers yet; null when every event is covered. */
  readonly unprovenSince: string | null;
  /** The longest any event waited (or is still waiting) for its token, in seconds. */
  readonly largestGapSeconds: number | null;
  /** Timestamp requests still waiting for a TSA, and the last error one gave. */
  readonly pending: number;
  readonly lastError: string | null;
}
