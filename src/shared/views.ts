// The shapes the hosts read: results of the operations in contract.ts. Plain data, JSON-safe.
// The UI shows part of them; the CLI prints them whole (its --json output), so a result carries
// everything a host prints, not only what the window shows.
import type { AlteredItem } from './altered.js';
import type { AnchorRange, TokenSummary } from './anchoring.js';
import type { ArtifactRef, JsonValue, SessionSummary } from './domain.js';
import type { ErrorValue } from './errors.js';

export interface AppInfo {
  readonly version: string;
  readonly host: 'electron' | 'web' | 'cli';
  readonly dataDir: string;
  readonly platform: string;
  readonly device: { readonly keyId: string; readonly keyPath: string; readonly keyStorage: string };
  /** What this host can do here; the UI disables what is missing and says why. */
  readonly capabilities: {
    readonly ffmpeg: { readonly ok: boolean; readonly detail: string };
    readonly browser: { readonly ok: boolean; readonly detail: string };
    readonly display: { readonly ok: boolean; readonly detail: string };
  };
  /**
   * What evidence made now would lack (the first-launch check): time-stamping authorities
   * configured (URLs without credentials) and trusted TSA roots for verify to count tokens.
   */
  readonly readiness: Readiness;
}

export interface Readiness {
  /** Settings' TSAs, as shown (publicTsaUrl): none means no third party proves any time. */
  readonly tsa: { readonly count: number; readonly urls: readonly string[] };
  /** Settings' trusted root files and the certificates in them; a problem names the file. */
  readonly trustedRoots: {
    readonly files: number;
    readonly certificates: number;
    readonly problem?: { readonly code: string; readonly message: string; readonly params: Readonly<Record<string, string | number>> };
  };
}

/** One TSA asked for a real token by `tsa.test` (nothing recorded). */
export interface TsaTestResult {
  /** The URL asked, without credentials. */
  readonly url: string;
  readonly ok: boolean;
  readonly elapsedMs: number;
  /** The token's genTime (ISO 8601), when a token came. */
  readonly genTime?: string;
  readonly accuracyMs?: number;
  /** The TSTInfo `tsa` name, or the signer's subject. */
  readonly tsaName?: string;
  /** The subject of the certificate that signed the token. */
  readonly signer?: string;
  /** How the token is signed: "RSA with SHA-256", "SM2 with SM3" (GM/T 0033). */
  readonly algorithm?: string;
  readonly policy?: string;
  /** Whether the signer chains to a configured trusted root (what verify would count). */
  readonly trusted?: boolean;
  /** Why it is not trusted: no roots configured, not a time-stamping certificate, no path. */
  readonly trustProblem?: { readonly cause: 'no-roots' | 'signer' | 'path'; readonly detail: string };
  /** Why no usable token came: the TSA client's reason, and its English message. */
  readonly error?: { readonly reason: 'unreachable' | 'http' | 'rejected' | 'malformed' | 'mismatch' | 'unusable'; readonly message: string };
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
  /** Checkpoint timestamp requests no TSA answered before the bag was fixed (listed in the archive). */
  readonly abandonedTimestamps: number;
  /** What the TSAs said when they gave no token, one line each. */
  readonly errors: readonly string[];
  /** Why a TSA gave no token, as a value the renderer says in the reader's language. */
  readonly tsaProblem?: ErrorValue;
}

export interface ExportSummary {
  readonly path: string;
  readonly files: number;
  readonly payloadBytes: number;
  /** Seal timestamps in the archive. */
  readonly sealTokens: number;
}

/** A court report written by `archive.report`. */
export interface ReportSummary {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  readonly pages: number;
  readonly lang: 'zh' | 'en';
  /** The verifier's verdict the report states on its cover. */
  readonly verdict: string;
  readonly archiveSha256: string;
  /** Which key signed the PDF, and whether a TSA timestamped the signature (PAdES B-T). */
  readonly signature: { readonly reportKeyId: string; readonly deviceKeyId: string; readonly sameDevice: boolean; readonly timestampedBy: string | null };
  /** Where a browser downloads it, under the web host's media root (`report/<id>`); absent elsewhere. */
  readonly download?: string;
}

/** A final image written by `image.publish`, with Content Credentials and (if chosen) the TC260 label. */
export interface PublishSummary {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  /** The evidence archive the image points to, and its SHA-256. */
  readonly archive: string;
  readonly archiveSha256: string;
  /** The active C2PA manifest's label (urn:c2pa:…). */
  readonly c2paManifest: string;
  readonly labeled: boolean;
  /** The lineage images named as C2PA ingredients. */
  readonly ingredients: readonly { readonly sha256: string; readonly name: string; readonly relationship: 'parentOf' | 'componentOf' }[];
  /** The publication's row in this device's publications, and its hash. */
  readonly publication: { readonly seq: number; readonly hash: string };
  /** The RFC 3161 token in the C2PA signature (sigTst2): its TSA and time; null when none answered. */
  readonly timeStamp: { readonly tsa: string; readonly genTime: string } | null;
  /** Why there is no time-stamp: no TSA configured, or none answered in time (detail: each TSA's reason). */
  readonly noTimeStamp?: { readonly kind: 'none-configured' | 'no-answer'; readonly detail: string };
  /** In the web host: `published/<id>`, the image as a download at /media/published/<id>. */
  readonly download?: string;
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
  /** What the start found worth saying but not refusing: another session records the same display. */
  readonly warnings?: readonly string[];
  /** How the session's last recording in this host ended (after recording.stop, or its duration). */
  readonly ended?: RecordingEnd;
}

/** A recording that has ended: why, and what it holds. */
export interface RecordingEnd {
  readonly reason: string;
  readonly startedAt: string;
  readonly elapsedMs: number;
  readonly segments: number;
  readonly bytes: number;
  readonly droppedFrames: number;
  /** How the screen recording ended; null when the screen was not recorded. */
  readonly screen: 'stopped' | 'failed' | null;
  readonly lastError?: string;
}

export type Mark = 'selected' | 'rejected' | 'final';

/** The capture source that recorded an image: the folder watcher, a draft, ComfyUI, or `attach`. */
export type GallerySource = 'watch' | 'draft' | 'comfyui' | 'attach';

export interface GalleryImage {
  readonly sha256: string;
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  readonly seq: number;
  readonly time: string;
  readonly source: GallerySource;
  readonly metadata: { readonly [key: string]: JsonValue } | null;
  readonly mark: { readonly mark: Mark; readonly reason: string; readonly time: string } | null;
  /** Where the file was on disk when recorded, when its source said. */
  readonly path?: string;
  /** Every mark in chain order; the last is `mark`. */
  readonly markHistory: readonly MarkRecord[];
}

export interface MarkRecord {
  readonly mark: Mark;
  readonly reason: string | null;
  readonly seq: number;
  readonly time: string;
}

export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  readonly relation: string;
  readonly inferred: boolean;
  /** Why the edge exists: the event that states it, or the rule that inferred it. */
  readonly basis: string;
  readonly seq: number;
  readonly note?: string;
}

export interface ComparisonSummary {
  readonly seq: number;
  readonly time: string;
  readonly a: string;
  readonly b: string;
  readonly hammingDistance: number;
  readonly differingPixelRatio: number;
  readonly resized: boolean;
  readonly heatmapSha256: string | null;
}

export interface Gallery {
  readonly images: readonly GalleryImage[];
  readonly edges: readonly LineageEdge[];
  readonly comparisons: readonly ComparisonSummary[];
  readonly notes: readonly { readonly seq: number; readonly time: string; readonly text: string }[];
}

export interface ParamChange {
  readonly field: string;
  /** null when the field is absent on that side. */
  readonly a: JsonValue;
  readonly b: JsonValue;
  readonly change: 'changed' | 'added' | 'removed';
}

export interface WordDiff {
  readonly op: 'same' | 'added' | 'removed';
  readonly text: string;
}

type Size = { readonly width: number; readonly height: number };

/** A recorded comparison of two images (the `comparison.made` event, and what it measured). */
export interface Comparison {
  readonly a: string;
  readonly b: string;
  readonly size: Size;
  /** Set when B had another size and was resized to A's to compare pixels. */
  readonly resized: { readonly from: Size; readonly to: Size } | null;
  readonly hashes: { readonly a: { readonly dHash: string; readonly pHash: string }; readonly b: { readonly dHash: string; readonly pHash: string } };
  /** pHash Hamming distance, 0 (same picture) to 64. */
  readonly hammingDistance: number;
  readonly dHashDistance: number;
  readonly differingPixels: number;
  readonly differingPixelRatio: number;
  readonly heatmapSha256: string;
  /** Where the heatmap PNG was also written, when a folder was given. */
  readonly heatmapPath: string | null;
  readonly paramDiff: { readonly changes: readonly ParamChange[]; readonly same: readonly string[]; readonly aHasParameters: boolean; readonly bHasParameters: boolean };
  readonly paramChanges: readonly ParamChange[];
  readonly promptDiff: readonly WordDiff[];
  readonly negativePromptDiff: readonly WordDiff[];
  readonly event: { readonly seq: number; readonly hash: string };
}

/** The environment snapshot (OS, hardware, tools, model hashes, clock offset), recorded or only taken. */
export interface EnvironmentSnapshot {
  /** The whole snapshot, as environment.json holds it. */
  readonly snapshot: { readonly [key: string]: JsonValue };
  /** The facts a person scans (the event's payload). */
  readonly summary: { readonly [key: string]: JsonValue };
  /** The `environment.snapshot` event; null when the snapshot was only taken. */
  readonly recorded: { readonly seq: number; readonly hash: string } | null;
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
  readonly detail: string;
  /** The raw facts behind the finding, as the recorded report keeps them. */
  readonly data: { readonly [key: string]: JsonValue };
  /** The Chinese title of the same finding, from the core's table. */
  readonly titleZh?: string;
}

export interface EnvironmentCheck {
  /** Format of the report (environment-check.json). */
  readonly v: 1;
  readonly checkedAt: string;
  readonly durationMs: number;
  readonly target: string | null;
  readonly verdict: 'pass' | 'warn' | 'fail';
  readonly counts: { readonly [status in FindingStatus]: number };
  /** The clock limits the check judged by, stated so a reader knows what pass meant. */
  readonly thresholds: { readonly clockWarnMs: number; readonly clockFailMs: number };
  readonly findings: readonly EnvironmentFinding[];
  readonly recordedSeq?: number;
  /** The `web.environment-check` event, when it was recorded into a session. */
  readonly recorded?: { readonly session: string; readonly seq: number; readonly hash: string };
}

export interface CaptureProgress {
  readonly url: string;
  /** `cancelled`: the batch was cancelled before this URL was captured. */
  readonly state: 'queued' | 'loading' | 'scrolling' | 'saving' | 'done' | 'failed' | 'retrying' | 'cancelled';
  readonly attempt: number;
  readonly message?: string;
}

export interface BatchSummary {
  readonly results: readonly BatchUrlResult[];
  readonly captured: number;
  readonly failed: number;
}

export interface BatchUrlResult {
  readonly url: string;
  readonly ok: boolean;
  readonly finalUrl?: string;
  readonly status?: number;
  /** The `web.capture` event (also set for a page captured with an HTTP error status). */
  readonly eventSeq?: number;
  /** Captured as it stood when the time limit came, still loading. */
  readonly partial?: boolean;
  readonly attempts: number;
  /** `kind: message`, for a person. */
  readonly error?: string;
  /** The same failure as data: kind (refused, dns, timeout, tls, http…) and message. */
  readonly failure?: { readonly kind: string; readonly message: string };
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
  /** The DOM as rendered (dom.html), shown only in a sandboxed frame. */
  readonly dom: ArtifactRef | null;
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
  /** What the failing checks name, as the session recorded it (the first 1000). */
  readonly altered?: readonly AlteredItem[];
  /** The RFC 4998 evidence record's chain of archive timestamps (absent: the archive has none). */
  readonly renewal?: RenewalChain;
}

/** One archive timestamp of an RFC 4998 evidence record, as the verifier judged it. */
export interface RenewalLink {
  /** 1 for the first archive timestamp (over the archive), then each renewal. */
  readonly position: number;
  readonly genTime: string | null;
  readonly tsa: string | null;
  /** Until when its TSA's signer certificate is valid: the renewal after it must come before. */
  readonly until: string | null;
  /** gap: dated after the certificate before it expired, so the chain is broken from here. */
  readonly status: 'ok' | 'untrusted' | 'gap' | 'invalid';
  readonly reason?: string;
}

/** The evidence record's chain and until when it attests the archive's time. */
export interface RenewalChain {
  readonly links: readonly RenewalLink[];
  /** The last unbroken, trusted link's certificate end; null when none counts. */
  readonly attestedUntil: string | null;
}

/** What `archive.renew` did. */
export interface RenewResult {
  readonly path: string;
  readonly name: string;
  /** created: the first archive timestamp; renewed: a timestamp renewal added to the chain. */
  readonly action: 'created' | 'renewed';
  readonly chain: RenewalChain;
  /** Why the chain does not attest as a verify with these roots would pass (untrusted, a gap). */
  readonly warning?: string;
}

/** One RFC 3161 token in the archive, as the verifier judged it. */
export type AnchorToken = Pick<TokenSummary, 'path' | 'covers' | 'genTime' | 'tsa' | 'algorithm' | 'trusted' | 'reason' | 'reasonKind'>;

/** Consecutive events proven by the same token, or by none. */
export type AnchorRangeView = AnchorRange;

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
  /** The same views a live session's screens get (core/views/session-view.ts), over the events read. */
  readonly gallery: Gallery;
  readonly pages: readonly CapturedPage[];
  /** The screen recording as one stream (core/views/recording-film.ts): what the HLS playlist lists. */
  readonly film?: RecordingFilm;
  readonly truncated: boolean;
}

/** What lies between two segments of the film: a pause, a new run (or recording), or time with no segment. */
export type FilmBreakKind = 'pause' | 'run' | 'gap';

/** One segment of the film, where it sits in the stream and on the recorded clock. */
export interface FilmSegment {
  /** The `recording.segment` event. */
  readonly seq: number;
  readonly recording: string;
  readonly run: number;
  readonly index: number;
  readonly sha256: string;
  /** The entry inside the archive. */
  readonly path: string;
  /** Wall-clock range, as the recorder recorded it (ISO 8601). */
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationSeconds: number;
  /** Seconds into the stream where this segment begins: the durations of those before it. */
  readonly mediaStart: number;
  readonly partial: boolean;
  /** Why the stream jumps in time before this segment (an HLS discontinuity), or null when it follows on. */
  readonly breakBefore: { readonly kind: FilmBreakKind; readonly seconds: number } | null;
}

export interface RecordingFilm {
  readonly segments: readonly FilmSegment[];
  readonly durationSeconds: number;
}

/**
 * `archive.checkPublished`: does a published image belong to the opened archive? The same answer
 * as `proofline inspect IMAGE --archive ZIP` (core/provenance/published-check.ts), one fact each.
 */
export interface PublishedImageCheck {
  readonly file: string;
  readonly archive: { readonly path: string; readonly sha256: string; readonly tagManifestSha256: string; readonly sessionId: string };
  /** c2pa-rs's verdict: the failure codes beyond the expected signingCredential.untrusted. */
  readonly c2pa: { readonly manifest: string | null; readonly failures: readonly string[]; readonly ok: boolean };
  readonly device: { readonly signer: string | null; readonly ok: boolean };
  /** What the manifest's org.proofline.evidence names. */
  readonly named: { readonly sessionId: string | null; readonly archiveSha256: string | null; readonly tagManifestSha256: string | null };
  readonly label: { readonly produceId: string | null; readonly reservedCode1: string | null; readonly present: boolean; readonly ok: boolean };
  readonly timeStamp: { readonly present: boolean; readonly genTime: string | null; readonly tsa: string | null; readonly status: 'verified' | 'untrusted' | 'invalid' | 'none'; readonly detail: string };
  /** Each check that failed, in the order shown. */
  readonly mismatches: readonly ('c2pa' | 'device' | 'archive' | 'session' | 'label' | 'time-stamp')[];
  /** 0 all match with a trusted time, 1 a mismatch, 3 all match without a trusted time. */
  readonly exitCode: 0 | 1 | 3;
}

/** One archive sent to the team vault, as recorded in the data folder and shown by the viewer. */
export interface VaultPush {
  /** s3://BUCKET/KEY of the archive. */
  readonly url: string;
  readonly bucket: string;
  readonly key: string;
  /** The object version the store gave it (null where the store keeps no versions). */
  readonly versionId: string | null;
  readonly matter: string;
  readonly sessionId: string | null;
  readonly archiveSha256: string;
  readonly bytes: number;
  readonly mode: 'COMPLIANCE' | 'GOVERNANCE' | null;
  /** Until when the store refuses to delete or replace it (ISO 8601). */
  readonly retainUntil: string | null;
  readonly legalHold: boolean;
  /** sealed: the session ended as its recorder meant; interrupted: recovered after a crash. */
  readonly outcome: 'sealed' | 'interrupted';
  readonly pushedAt: string;
  /** The key id (SHA-256 of the SPKI) of the device that captured it. */
  readonly device: string | null;
  /** vault.push only: the same archive (same SHA-256) was already under this key, so nothing was sent. */
  readonly alreadyThere?: boolean;
}

/** One archive in the vault, as the store reports it now. */
export interface VaultArchive {
  readonly url: string;
  readonly key: string;
  readonly matter: string;
  readonly sessionId: string | null;
  readonly title: string | null;
  readonly bytes: number;
  readonly lastModified: string | null;
  readonly versionId: string | null;
  readonly archiveSha256: string | null;
  readonly mode: 'COMPLIANCE' | 'GOVERNANCE' | null;
  readonly retainUntil: string | null;
  readonly legalHold: boolean;
  readonly outcome: 'sealed' | 'interrupted' | null;
  readonly device: string | null;
  /** The fleet job it answers, when a worker captured it. */
  readonly job: { readonly submission: string; readonly url: string; readonly attempt: number } | null;
  /**
   * What else the key holds. Object Lock protects versions, not keys: anyone allowed to write can
   * put a newer version over the key, or a delete marker that hides it from a plain GET and from
   * ordinary listings, while every locked version stays. The listing shows the newest version
   * and says so here; absent where the store was not asked (describeArchive).
   */
  readonly history?: {
    /** Archive versions under the key (1: never written over). */
    readonly versions: number;
    readonly deleteMarkers: number;
    /** The newest entry is a delete marker: the archive shown is the newest version under it. */
    readonly hidden: boolean;
  };
}

/** A machine that captured into the vault: its device certificate, stored in the vault. */
export interface VaultDevice {
  readonly keyId: string;
  readonly subject: string;
  readonly certificatePem: string;
  readonly key: string;
}

export interface VaultListing {
  readonly vault: string;
  readonly objectLock: { readonly enabled: boolean; readonly mode: 'COMPLIANCE' | 'GOVERNANCE' | null; readonly days: number | null };
  readonly matters: readonly { readonly name: string; readonly archives: number }[];
  readonly archives: readonly VaultArchive[];
  readonly devices: readonly VaultDevice[];
}

export interface FleetSubmission {
  readonly submission: string;
  readonly matter: string;
  readonly queued: number;
  /** URLs given twice in one submission are queued once. */
  readonly duplicates: number;
}

export type FleetJobState = 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'unknown';

export interface FleetJob {
  readonly url: string;
  readonly state: FleetJobState;
  /** Attempts started (a worker killed mid-job counts). */
  readonly attempts: number;
  readonly failedReason: string | null;
  readonly sessionId: string | null;
  readonly device: string | null;
  readonly archiveKey: string | null;
  /** Sessions of earlier attempts that did not finish (recovered and pushed as interrupted). */
  readonly interrupted: readonly string[];
}

export interface FleetStatus {
  readonly submissions: readonly {
    readonly submission: string;
    readonly matter: string;
    readonly submittedAt: string;
    readonly counts: Readonly<Record<FleetJobState, number>>;
    readonly jobs: readonly FleetJob[];
  }[];
}
