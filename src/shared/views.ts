// The shapes the UI reads: results of the operations in contract.ts. Plain data, JSON-safe.
import type { ArtifactRef, JsonValue, SessionSummary } from './domain.js';

export interface AppInfo {
  readonly version: string;
  readonly host: 'electron' | 'web';
  readonly dataDir: string;
  readonly platform: string;
  readonly device: { readonly keyId: string; readonly keyPath: string; readonly keyStorage: string };
  /** What this host can do here; the UI disables what is missing and says why. */
  readonly capabilities: {
    readonly ffmpeg: { readonly ok: boolean; readonly detail: string };
    readonly browser: { readonly ok: boolean; readonly detail: string };
    readonly display: { readonly ok: boolean; readonly detail: string };
  };
}

export interface Progress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
}

export interface TimelineEvent {
  readonly seq: number;
  readonly time: string;
  readonly type: string;
  readonly hash: string;
  readonly payload: { readonly [key: string]: JsonValue };
  readonly artifacts: readonly ArtifactRef[];
}

/** The environment snapshot a new creation session takes in the background (model hashing can take minutes). */
export interface EnvironmentJob {
  readonly state: 'running' | 'done' | 'failed';
  /** The model file being hashed, with bytes done of its size. */
  readonly file?: string;
  readonly done?: number;
  readonly total?: number;
  readonly error?: string;
}

export interface SessionDetail {
  readonly session: SessionSummary;
  readonly environment: EnvironmentJob | null;
  readonly counts: { readonly [type: string]: number };
  readonly lastCheckpoint: { readonly seq: number; readonly time: string; readonly treeSize: number } | null;
  readonly pendingTimestamps: number;
  readonly recording: RecordingStatus;
}

export interface SealSummary {
  readonly id: string;
  readonly sealedAt: string | null;
  readonly events: number;
  readonly tagManifestSha256: string;
  readonly sealTokens: number;
  /** Tokens over the seal checkpoint, inside the archive (0: its last events are not proven by one). */
  readonly sealCheckpointTokens: number;
  readonly pendingTimestamps: number;
  /** TSAs configured when it was sealed. */
  readonly tsaCount: number;
  readonly warning?: string;
}

export interface ExportSummary {
  readonly path: string;
  readonly files: number;
  readonly payloadBytes: number;
}

export interface SourceStatus {
  readonly name: string;
  readonly kind: 'screen' | 'watch' | 'comfyui' | 'other';
  readonly state: 'running' | 'stopped' | 'failed';
  /** What it has captured so far, for the UI to put in words. */
  readonly counts: { readonly [what: string]: number };
  readonly detail: string;
}

export interface RecordingStatus {
  readonly state: 'idle' | 'recording' | 'paused' | 'stopping' | 'failed';
  readonly startedAt: string | null;
  readonly elapsedMs: number;
  readonly segments: number;
  readonly bytes: number;
  readonly sources: readonly SourceStatus[];
  readonly lastError?: string;
}

export type Mark = 'selected' | 'rejected' | 'final';

export interface GalleryImage {
  readonly sha256: string;
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  readonly seq: number;
  readonly time: string;
  readonly source: string;
  readonly metadata: { readonly [key: string]: JsonValue } | null;
  readonly mark: { readonly mark: Mark; readonly reason: string; readonly time: string } | null;
}

export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  readonly relation: string;
  readonly inferred: boolean;
}

export interface Gallery {
  readonly images: readonly GalleryImage[];
  readonly edges: readonly LineageEdge[];
}

export interface ParamChange {
  readonly field: string;
  readonly a: JsonValue;
  readonly b: JsonValue;
}

export interface WordDiff {
  readonly op: 'same' | 'added' | 'removed';
  readonly text: string;
}

export interface Comparison {
  readonly a: string;
  readonly b: string;
  readonly hammingDistance: number;
  readonly differingPixelRatio: number;
  readonly resized: boolean;
  readonly heatmapSha256: string;
  readonly paramChanges: readonly ParamChange[];
  readonly promptDiff: readonly WordDiff[];
  readonly negativePromptDiff: readonly WordDiff[];
}

export interface BlobData {
  readonly mime: string;
  readonly size: number;
  /** Base64 of the bytes; absent when the file is larger than asked for. */
  readonly base64?: string;
  readonly truncated: boolean;
}

export type FindingStatus = 'pass' | 'warn' | 'fail' | 'not-checked';

export interface EnvironmentFinding {
  readonly id: string;
  readonly category: string;
  readonly status: FindingStatus;
  readonly title: string;
  /** The Chinese title of the same finding, from the core's table. */
  readonly titleZh?: string;
  readonly detail: string;
}

export interface EnvironmentCheck {
  readonly checkedAt: string;
  readonly target: string | null;
  readonly verdict: 'pass' | 'warn' | 'fail';
  readonly findings: readonly EnvironmentFinding[];
  readonly recordedSeq?: number;
}

export interface CaptureProgress {
  readonly url: string;
  readonly state: 'queued' | 'loading' | 'scrolling' | 'saving' | 'done' | 'failed' | 'retrying';
  readonly attempt: number;
  readonly message?: string;
}

export interface BatchSummary {
  readonly results: readonly { readonly url: string; readonly ok: boolean; readonly finalUrl?: string; readonly status?: number; readonly error?: string }[];
}

/** An interactive capture: a headed browser the user drives, the screen recorded throughout. */
export interface BrowseStatus {
  readonly state: 'idle' | 'browsing' | 'stopping';
  readonly url: string | null;
  readonly startedAt: string | null;
  readonly recording: boolean;
  readonly captures: number;
  readonly lastError?: string;
}

export interface CapturedPage {
  readonly seq: number;
  readonly time: string;
  readonly url: string;
  readonly finalUrl: string;
  readonly status: number | null;
  readonly title: string;
  readonly screenshot: ArtifactRef | null;
  readonly artifacts: readonly ArtifactRef[];
}

export interface ArchiveHandle {
  readonly archive: string;
  readonly path: string;
  readonly name: string;
  readonly size: number;
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface VerifyReport {
  readonly verdict: string;
  readonly exitCode: number;
  readonly summary: string;
  readonly session: { readonly id: string; readonly title: string; readonly kind: string; readonly sealedAt: string | null } | null;
  readonly checks: readonly { readonly id: string; readonly title: string; readonly status: CheckStatus; readonly detail: string; readonly where: readonly string[] }[];
  /** When each event was proven to exist (absent when the chain could not be read). */
  readonly anchoring?: AnchoringView;
}

/** One RFC 3161 token in the archive, as the verifier judged it (core TokenSummary). */
export interface AnchorToken {
  readonly path: string;
  /** How many events (from #0) it proves existed. */
  readonly covers: number;
  readonly genTime: string | null;
  readonly tsa: string | null;
  /** Counted for proven-by times: sound, over what it should cover, from a TSA trusted here. */
  readonly trusted: boolean;
  /** The verifier's reason (English) when it is not counted. */
  readonly reason?: string;
}

/** Consecutive events proven by the same token, or by none (core AnchorRange). */
export interface AnchorRangeView {
  readonly from: number;
  readonly to: number;
  /** Recorded (device) times of the first and last event of the range. */
  readonly firstTime: string;
  readonly lastTime: string;
  /** genTime of the earliest trusted token covering it; null: none does. */
  readonly provenBy: string | null;
  readonly token: string | null;
  readonly tsa: string | null;
  /** Largest provenBy − recorded time in the range, in seconds (null when not proven). */
  readonly lagSeconds: number | null;
  /** Proven later than the interval plus the tolerance allow, or not at all. */
  readonly late: boolean;
}

/**
 * The verifier's anchoring report without its per-event list: the ranges say the same per event
 * and stay small. Ranges and tokens are capped (`rangeCount`, `tokenCount` give the totals);
 * every late range is kept in `late` up to its own cap.
 */
export interface AnchoringView {
  readonly anchorSeconds: number;
  readonly toleranceSeconds: number;
  readonly sealWindowSeconds: number;
  /** Events judged (the chain's length). */
  readonly events: number;
  /** Latest proven-by time over all events, when every event is proven in time. */
  readonly lastProven: string | null;
  readonly ranges: readonly AnchorRangeView[];
  readonly rangeCount: number;
  readonly late: readonly AnchorRangeView[];
  readonly lateCount: number;
  /** Events in late ranges. */
  readonly lateEvents: number;
  /** Tokens not counted first, then the counted ones. */
  readonly tokens: readonly AnchorToken[];
  readonly tokenCount: number;
  readonly trustedTokens: number;
}

export interface ArchiveContents {
  readonly session: { readonly [key: string]: JsonValue } | null;
  readonly events: readonly TimelineEvent[];
  /** Paths inside the archive of every artifact, by SHA-256. */
  readonly artifactPaths: { readonly [sha256: string]: string };
  readonly recording: readonly { readonly path: string; readonly seq: number; readonly time: string; readonly durationMs: number | null; readonly mime: string }[];
  readonly truncated: boolean;
}
