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
