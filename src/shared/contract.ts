// The one operation contract (DESIGN.md: "one typed contract is the single source of truth for
// IPC, the web host and the renderer's client"). Every operation a person can do in the app is
// declared here once: its name, the zod schema its input must pass, the type of its result and,
// for long operations, the type of the progress events it streams. The preload bridge, the IPC
// registration in src/main, the web host (`proofline serve`) and the renderer's client are all
// derived from this object; adding an operation here makes it appear everywhere, and the
// compiler names every place that must handle it.
import { z } from 'zod';
import type * as V from './views.js';
import type { AnchoringStatus, SessionSummary } from './domain.js';
import type { ErrorCode, ErrorKind, ErrorParams } from './errors.js';
import { QUALITY_NAMES, X264_PRESETS } from './recording.js';

/** A phantom marker carrying a TypeScript type through a value (no runtime check). */
export interface Returns<T> {
  readonly __returns?: T;
}
const returns = <T>(): Returns<T> => ({});

interface OperationSpec<I extends z.ZodType, R, P> {
  readonly input: I;
  readonly result: Returns<R>;
  /** Present for long operations: the type of each progress event streamed before the result. */
  readonly progress?: Returns<P>;
  /** Electron-only operations (native dialogs); the web host answers them with 404. */
  readonly desktopOnly?: true;
}
const op = <I extends z.ZodType, R, P = never>(spec: OperationSpec<I, R, P>): OperationSpec<I, R, P> => spec;

// Inputs are bounded: the web host and IPC both parse them before the core sees anything.
const id = z.string().trim().min(4).max(64).regex(/^[0-9a-zA-Z-]+$/, 'a session id or a unique prefix of it');
const sha256 = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[0-9a-f]*$/, 'a SHA-256 (or a unique prefix of 8+ hex digits)')
  .min(8, 'too short: give at least 8 hex digits of the SHA-256')
  .max(64, 'a SHA-256 has 64 hex digits');
const text = (max: number) => z.string().max(max);
const path = z.string().trim().min(1).max(4096);
const url = z.string().trim().max(8192).regex(/^https?:\/\//i, 'an http:// or https:// address');
/** s3://BUCKET[/PREFIX]: the team vault, or (with a key) one archive in it. */
const vaultUrl = z.string().trim().max(1100).regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 's3://BUCKET[/PREFIX], the bucket named as S3 names them');
/** A matter: one folder of the vault, named by the team (letters, digits, . _ -). */
const matterName = z.string().trim().min(1).max(128).regex(/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u, 'a matter name: letters, digits, dots, dashes and underscores');
const queueUrl = z.string().trim().max(2048).regex(/^rediss?:\/\/.+/, 'redis://HOST:PORT');
/** S3 Object Lock's two retention modes; COMPLIANCE: not even the account owner can shorten it. */
export const VAULT_MODES = ['COMPLIANCE', 'GOVERNANCE'] as const;
/** The most URLs one fleet submission takes. */
export const MAX_FLEET_URLS = 100_000;
/** The most URLs one web.capture takes (the CLI captures a longer list in turns). */
export const MAX_BATCH_URLS = 1000;
/** A positive number of seconds (fractions allowed) up to `max`. */
const seconds = (max: number) => z.number().positive().max(max);
/** PEM text of extra trusted roots for captured pages (the CLI's --ca). */
const pemRoots = z.array(z.string().max(1 << 20)).max(32);

export const settingsSchema = z.object({
  language: z.enum(['system', 'en', 'zh']).default('system'),
  tsaUrls: z.array(url).max(8).default([]),
  trustedRootFiles: z.array(path).max(16).default([]),
  watchFolders: z.array(path).max(32).default([]),
  draftFolders: z.array(path).max(32).default([]),
  modelFolders: z.array(path).max(32).default([]),
  comfyuiUrl: url.or(z.literal('')).default(''),
  ffmpegPath: z.string().max(4096).default(''),
  browserPath: z.string().max(4096).default(''),
  recording: z
    .object({
      fps: z.number().int().min(1).max(60).default(15),
      quality: z.enum(QUALITY_NAMES).default('standard'),
      clock: z.boolean().default(true),
      segmentSeconds: z.number().int().min(2).max(600).default(10),
      display: z.string().max(64).default(''),
    })
    .prefault({}),
  /** Seconds within which every new event is covered by a timestamped checkpoint (DESIGN.md). */
  anchorSeconds: z.number().int().min(5).max(3600).default(60),
  /**
   * The team vault (docs/FLEET.md): an S3 bucket with Object Lock. Credentials are never here:
   * they come the AWS way (environment, ~/.aws profiles), so they never reach an archive or a log.
   */
  vault: z
    .object({
      /** s3://BUCKET[/PREFIX]; '' for none ($PROOFLINE_VAULT and the CLI's --vault override it). */
      url: vaultUrl.or(z.literal('')).default(''),
      /** The S3 endpoint (MinIO, Ceph's radosgw); '' for AWS or $AWS_ENDPOINT_URL_S3. */
      endpoint: z.string().trim().max(2048).regex(/^(https?:\/\/.+)?$/i, 'an http:// or https:// address').default(''),
      region: z.string().trim().max(64).default(''),
      /** An AWS profile of ~/.aws/config; '' for the default chain. */
      profile: z.string().trim().max(128).default(''),
      /**
       * Days each pushed archive is kept; 0 (the default): the bucket's own default retention,
       * mode included, as `vault init` set it. Never more than was asked: COMPLIANCE cannot be undone.
       */
      retentionDays: z.number().int().min(0).max(36_500).default(0),
      /** The mode of a retention given in days (not used when the bucket's default applies). */
      mode: z.enum(VAULT_MODES).default('COMPLIANCE'),
      /** The matter pushes go under when none is named. */
      matter: matterName.or(z.literal('')).default(''),
    })
    .prefault({}),
  /** The capture fleet's queue: redis://HOST:PORT; '' for none ($PROOFLINE_QUEUE overrides it). */
  queueUrl: queueUrl.or(z.literal('')).default(''),
});
export type Settings = z.infer<typeof settingsSchema>;

/** A change to some settings: only the fields given, nested `recording` fields too. */
export type SettingsPatch = Partial<Omit<Settings, 'recording'>> & { readonly recording?: Partial<Settings['recording']> };

/**
 * The same fields with every default taken off and every field optional: zod 4 fills defaults
 * even inside `.partial()`, so patching `{language}` would otherwise reset the TSAs and folders.
 */
function withoutDefaults(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) return withoutDefaults(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodObject) {
    return z.strictObject(Object.fromEntries(Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => [key, withoutDefaults(field).optional()])));
  }
  return schema;
}
export const settingsPatchSchema = withoutDefaults(settingsSchema) as unknown as z.ZodType<SettingsPatch>;

export const operations = {
  'app.info': op({ input: z.object({}), result: returns<V.AppInfo>() }),
  'settings.get': op({ input: z.object({}), result: returns<Settings>() }),
  'settings.update': op({ input: settingsPatchSchema, result: returns<Settings>() }),
  /** Asks each TSA (Settings' or the one given) for a real token over a random digest; records nothing. */
  // trustedRootFiles, when given, overrides Settings' (the CLI's --trust).
  'tsa.test': op({ input: z.object({ url: url.optional(), trustedRootFiles: z.array(path).max(16).optional() }), result: returns<V.TsaTestResult[]>() }),

  'session.list': op({ input: z.object({}), result: returns<SessionSummary[]>() }),
  'session.get': op({ input: z.object({ id }), result: returns<V.SessionDetail>() }),
  'session.create': op({
    input: z.object({
      kind: z.enum(['creation', 'web']),
      title: text(200).trim().min(1, 'say what is being recorded'),
      creator: text(200).optional(),
      description: text(4000).optional(),
    }),
    result: returns<SessionSummary>(),
  }),
  'session.events': op({
    input: z.object({ id, afterSeq: z.number().int().min(-1).default(-1), limit: z.number().int().min(1).max(2000).default(500) }),
    result: returns<V.TimelineEvent[]>(),
  }),
  'session.note': op({ input: z.object({ id, text: text(10_000).trim().min(1, 'write the note first') }), result: returns<V.TimelineEvent>() }),
  'session.attach': op({ input: z.object({ id, files: z.array(path).min(1).max(10_000) }), result: returns<V.TimelineEvent[]>() }),
  /** How far the session's events are proven to exist by trusted timestamps (live screens). */
  'session.anchoring': op({ input: z.object({ id }), result: returns<AnchoringStatus>() }),
  'session.seal': op({ input: z.object({ id }), result: returns<V.SealSummary>() }),
  'session.export': op({
    input: z.object({ id, out: path.optional() }),
    result: returns<V.ExportSummary>(),
    progress: returns<V.Progress>(),
  }),

  'recording.start': op({
    input: z.object({
      id,
      screen: z.boolean().default(true),
      watch: z.array(path).max(32).optional(),
      drafts: z.array(path).max(32).optional(),
      comfyuiUrl: url.optional(),
      region: z.object({ width: z.number().int().min(16), height: z.number().int().min(16), x: z.number().int().min(0), y: z.number().int().min(0) }).optional(),
      // Each of these, when given, overrides Settings for this recording (the CLI's flags).
      display: z.string().trim().min(1).max(64).optional(),
      fps: z.number().positive().max(120).optional(),
      quality: z.enum(QUALITY_NAMES).optional(),
      /** Exact libx264 CRF; overrides the quality's. */
      crf: z.number().int().min(0).max(51).optional(),
      preset: z.enum(X264_PRESETS).optional(),
      segmentSeconds: seconds(600).optional(),
      /** Burn the date and time into the video. */
      clock: z.boolean().optional(),
      ffmpegPath: path.optional(),
      /** Stop by itself after this long. */
      durationSeconds: seconds(7 * 24 * 3600).optional(),
      /** Model folders to hash into the environment snapshot the first recording of a session takes. */
      models: z.array(path).max(32).optional(),
    }),
    result: returns<V.RecordingStatus>(),
  }),
  'recording.pause': op({ input: z.object({ id }), result: returns<V.RecordingStatus>() }),
  'recording.resume': op({ input: z.object({ id }), result: returns<V.RecordingStatus>() }),
  /** Stops every source of the session; the result's `ended` says how the recording ended. */
  'recording.stop': op({ input: z.object({ id, reason: text(500).trim().min(1).optional() }), result: returns<V.RecordingStatus>() }),
  'recording.status': op({ input: z.object({ id }), result: returns<V.RecordingStatus>() }),

  'generation.gallery': op({ input: z.object({ id }), result: returns<V.Gallery>() }),
  'generation.mark': op({
    input: z.object({ id, sha256, mark: z.enum(['selected', 'rejected', 'final']), reason: text(2000).optional() }),
    result: returns<V.TimelineEvent>(),
  }),
  'generation.link': op({
    input: z.object({ id, from: sha256, to: sha256, relation: z.enum(['img2img', 'variant', 'draft-of', 'edit-of', 'upscale-of']), note: text(2000).optional() }),
    result: returns<V.TimelineEvent>(),
  }),
  'generation.compare': op({
    // out: a folder to also write the heatmap PNG into; ffmpegPath: for images neither PNG nor JPEG.
    input: z.object({ id, a: sha256, b: sha256, out: path.optional(), ffmpegPath: path.optional() }),
    result: returns<V.Comparison>(),
  }),
  /**
   * A copy of a sealed session's final image with C2PA Content Credentials and, when `label`,
   * the TC260 implicit label. `out`: the file to write (default: beside the exports); `archive`:
   * the session's evidence archive (default: its export in the exports folder, made if absent).
   */
  'image.publish': op({
    input: z.object({ id, sha256, out: path.optional(), archive: path.optional(), label: z.boolean().default(true) }),
    result: returns<V.PublishSummary>(),
  }),
  'blob.get': op({ input: z.object({ id, sha256, maxBytes: z.number().int().min(1).max(64 << 20).default(16 << 20) }), result: returns<V.BlobData>() }),

  /** Records the environment snapshot into the session; without `id`, only takes it. */
  'environment.snapshot': op({
    // Each, when given, overrides Settings (the CLI's flags); models: folders whose files are hashed.
    input: z.object({ id: id.optional(), models: z.array(path).max(32).optional(), comfyuiUrl: url.optional(), a1111Url: url.optional(), ffmpegPath: path.optional() }),
    result: returns<V.EnvironmentSnapshot>(),
    progress: returns<V.Progress>(),
  }),

  'web.checkEnvironment': op({
    input: z.object({
      id: id.optional(),
      url: url.optional(),
      browserPath: path.optional(),
      /** The service asked for this machine's public address; null: ask none. */
      publicIpUrl: url.nullable().optional(),
      dohUrl: url.optional(),
      dohFormat: z.enum(['json', 'wire']).optional(),
      /** SNTP servers, host or host:port. */
      ntpServers: z.array(z.string().trim().min(1).max(300)).max(16).optional(),
      hostsFile: path.optional(),
      /** Time limit of each probe. */
      timeoutMs: z.number().positive().max(3_600_000).optional(),
    }),
    result: returns<V.EnvironmentCheck>(),
    progress: returns<V.Progress>(),
  }),
  'web.capture': op({
    input: z.object({
      id,
      // Any text: the core reads each as a URL (https:// when no scheme is given) and records
      // one it cannot read as a failed capture, so one bad line of a list stops nothing.
      urls: z.array(z.string().trim().min(1).max(8192)).min(1).max(MAX_BATCH_URLS),
      concurrency: z.number().int().min(1).max(16).default(2),
      retries: z.number().int().min(0).max(10).default(1),
      browserPath: path.optional(),
      /** Navigation time limit per page; a page still loading then is captured as it stands. */
      timeoutSeconds: seconds(3600).optional(),
      extraCaRoots: pemRoots.optional(),
      ignoreHttpsErrors: z.boolean().optional(),
    }),
    result: returns<V.BatchSummary>(),
    progress: returns<V.CaptureProgress>(),
  }),
  'web.browse.start': op({
    input: z.object({
      id,
      url: url.optional(),
      recordScreen: z.boolean().default(true),
      browserPath: path.optional(),
      timeoutSeconds: seconds(3600).optional(),
      extraCaRoots: pemRoots.optional(),
      ignoreHttpsErrors: z.boolean().optional(),
    }),
    result: returns<V.BrowseStatus>(),
  }),
  'web.browse.captureNow': op({ input: z.object({ id }), result: returns<V.TimelineEvent>() }),
  'web.browse.stop': op({ input: z.object({ id, reason: text(500).trim().min(1).optional() }), result: returns<V.BrowseStatus>() }),
  'web.browse.status': op({ input: z.object({ id }), result: returns<V.BrowseStatus>() }),
  'web.pages': op({ input: z.object({ id }), result: returns<V.CapturedPage[]>() }),

  'archive.open': op({ input: z.object({ path }), result: returns<V.ArchiveHandle>() }),
  'archive.verify': op({
    input: z.object({ archive: z.string().uuid() }),
    result: returns<V.VerifyReport>(),
    progress: returns<V.Progress>(),
  }),
  'archive.contents': op({ input: z.object({ archive: z.string().uuid() }), result: returns<V.ArchiveContents>() }),
  /** Checks a published image (`image`, a path on the host) against the opened archive; TSA roots from Settings. */
  'archive.checkPublished': op({ input: z.object({ archive: z.string().uuid(), image: path }), result: returns<V.PublishedImageCheck>() }),
  'archive.file': op({
    input: z.object({ archive: z.string().uuid(), path: path.max(1024), maxBytes: z.number().int().min(1).max(64 << 20).default(16 << 20) }),
    result: returns<V.BlobData>(),
  }),

  /**
   * The court report (PDF) of an opened archive: verified first, printed by Chromium, signed.
   * Written to `out`, or beside the exports; `serve` offers it as a download (`downloadPath`).
   */
  'archive.report': op({
    input: z.object({
      archive: z.string().uuid(),
      lang: z.enum(['zh', 'en']).default('en'),
      out: path.optional(),
      /** PEM text of TSA roots to trust instead of Settings' (the CLI's --trust). */
      trustedRoots: z.array(z.string().max(1 << 20)).max(32).optional(),
    }),
    result: returns<V.ReportSummary>(),
    progress: returns<V.Progress>(),
  }),

  /**
   * Renews an opened archive's timestamps with an RFC 4998 evidence record: adds
   * proofline/evidence-record.ers, or a timestamp renewal to it, from `tsaUrl` (default: the
   * first TSA in Settings). The archive is verified first and refused if it does not verify; it
   * is rewritten in place, every other entry as it was.
   */
  'archive.renew': op({
    input: z.object({
      archive: z.string().uuid(),
      tsaUrl: url.optional(),
      /** PEM text of TSA roots to judge the chain with instead of Settings' (the CLI's --trust). */
      trustedRoots: z.array(z.string().max(1 << 20)).max(32).optional(),
    }),
    result: returns<V.RenewResult>(),
    progress: returns<V.Progress>(),
  }),

  /**
   * The team vault (docs/FLEET.md). `vault` overrides Settings' vault URL for this call; the
   * endpoint, region and credentials come from Settings and the AWS environment.
   */
  /** Sends a sealed session's archive (exported first if need be) or an archive file to the vault, with its retention. */
  'vault.push': op({
    input: z.object({ id: id.optional(), archive: path.optional(), matter: matterName.optional(), vault: vaultUrl.optional() }).refine((v) => (v.id === undefined) !== (v.archive === undefined), 'name a session (id) or an archive file, not both'),
    result: returns<V.VaultPush>(),
    progress: returns<V.Progress>(),
  }),
  /** What was pushed of a session or of an opened archive: the facts the viewer shows. */
  'vault.pushes': op({ input: z.object({ id: id.optional(), archive: z.string().uuid().optional() }), result: returns<V.VaultPush[]>() }),
  'vault.list': op({ input: z.object({ matter: matterName.optional(), vault: vaultUrl.optional() }), result: returns<V.VaultListing>() }),
  /** Verifies one archive straight from the bucket (ranged reads, never a whole download). */
  'vault.verify': op({ input: z.object({ key: text(1024).min(1), vault: vaultUrl.optional() }), result: returns<V.VerifyReport>(), progress: returns<V.Progress>() }),
  /** Brings an archive down from the vault (checked against its recorded SHA-256) and opens it in the viewer. */
  'vault.open': op({ input: z.object({ key: text(1024).min(1), vault: vaultUrl.optional() }), result: returns<V.ArchiveHandle>(), progress: returns<V.Progress>() }),
  'vault.hold': op({ input: z.object({ key: text(1024).min(1), on: z.boolean(), vault: vaultUrl.optional() }), result: returns<V.VaultArchive>() }),

  /** The capture fleet (docs/FLEET.md): enqueue URLs for `proofline worker` machines, and follow them. */
  'fleet.submit': op({
    input: z.object({
      urls: z.array(z.string().trim().min(1).max(8192)).min(1).max(MAX_FLEET_URLS),
      matter: matterName,
      queue: queueUrl.optional(),
      /** Submit again under an earlier id: URLs it holds already are not queued twice. */
      submission: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a submission id: letters, digits, dots, dashes, underscores').optional(),
      /** Attempts per URL (a failed capture or a killed worker's job is tried again), and the first wait between them. */
      attempts: z.number().int().min(1).max(20).optional(),
      backoffSeconds: seconds(3600).optional(),
    }),
    result: returns<V.FleetSubmission>(),
  }),
  'fleet.status': op({ input: z.object({ submission: z.string().trim().min(1).max(64).optional(), queue: queueUrl.optional() }), result: returns<V.FleetStatus>() }),

  'dialog.chooseArchive': op({ input: z.object({}), result: returns<string | null>(), desktopOnly: true }),
  'dialog.chooseFolder': op({ input: z.object({}), result: returns<string | null>(), desktopOnly: true }),
  'dialog.chooseSaveArchive': op({ input: z.object({ suggestedName: text(200) }), result: returns<string | null>(), desktopOnly: true }),
} as const;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type InputOf<N extends OperationName> = z.input<Operations[N]['input']>;
export type ParsedInputOf<N extends OperationName> = z.output<Operations[N]['input']>;
export type ResultOf<N extends OperationName> = Operations[N]['result'] extends Returns<infer R> ? R : never;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ProgressOf<N extends OperationName> = Operations[N] extends OperationSpec<any, any, infer P> ? P : never;

export const operationNames = Object.keys(operations) as OperationName[];

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(operations, name);
}

/** A long operation: one that streams progress, and so the one kind a person can cancel. */
// By its progress type: every spec has an optional `progress` field, but only long ones a type.
export type LongOperationName = { [N in OperationName]: [ProgressOf<N>] extends [never] ? never : N }[OperationName];

export function isLongOperation(name: OperationName): name is LongOperationName {
  return 'progress' in operations[name];
}

export const longOperationNames = operationNames.filter(isLongOperation);

/**
 * The cancel channel (docs/ARCHITECTURE.md, "Cancellation"). The renderer's client gives every
 * call of a long operation a call id; `cancel` names it, over IPC (the preload's `cancel`) or
 * HTTP (`POST /api/cancel` with the secret), and the host aborts that call's AbortSignal in its
 * HandlerContext. A call id is opaque to the hosts; an unknown or finished one is not an error.
 */
export const callIdSchema = z.string().regex(/^[0-9a-zA-Z-]{1,64}$/, 'a call id: letters, digits and dashes');
export const cancelInput = z.strictObject({ callId: callIdSchema });
export type CancelInput = z.infer<typeof cancelInput>;
/** Whether a call was still running when the cancel came. */
export interface CancelResult {
  readonly cancelled: boolean;
}

/**
 * The live channel (docs/ARCHITECTURE.md, "Live screens are pushed, not polled"): a window names
 * the sessions it shows (by their full ids), and the host pushes a pulse for each at once and
 * again whenever one of them changes, whichever process changed it; the screen then fetches what
 * it shows. Over IPC (the preload's `watch` and
 * `onPulse`) or HTTP (`GET /api/live?session=…` with the secret, as server-sent events).
 */
export const MAX_WATCHED_SESSIONS = 16;
export const watchInput = z.strictObject({ sessions: z.array(id).max(MAX_WATCHED_SESSIONS) });
export type WatchInput = z.infer<typeof watchInput>;
/** Where a session stands, read without reading its events: a screen compares it with what it shows. */
export interface SessionPulse {
  readonly id: string;
  /** The seq of the chain's last event; -1 before any. */
  readonly headSeq: number;
  /** The index of the session's last checkpoint; -1 before any. */
  readonly checkpoint: number;
  /** Timestamps still owed by the TSAs, and the tries made for them: a token came, or a TSA failed again. */
  readonly pendingTimestamps: number;
  readonly timestampTries: number;
}

/** How a component calls a long operation: its progress, and a signal that cancels it. */
export interface CallOptions<P> {
  readonly onProgress?: (progress: P) => void;
  /** Aborting it cancels the call; the call then rejects with a cancellation (`operation.cancelled` or the operation's own code). */
  readonly signal?: AbortSignal;
}

/** The renderer's view of every operation: one async function each; long ones take progress and a signal. */
export type OperationClient = {
  readonly [N in OperationName]: N extends LongOperationName
    ? (input: InputOf<N>, options?: CallOptions<ProgressOf<N>>) => Promise<ResultOf<N>>
    : (input: InputOf<N>) => Promise<ResultOf<N>>;
};

/** What a host implements: one handler per operation, given parsed input and a progress sink. */
export type OperationHandlers = {
  readonly [N in OperationName]: (input: ParsedInputOf<N>, context: HandlerContext<ProgressOf<N>>) => Promise<ResultOf<N>>;
};

export interface HandlerContext<P> {
  readonly progress: (event: P) => void;
  /** Aborted when the caller cancels (the cancel channel, Ctrl-C in the CLI) or goes away. */
  readonly signal: AbortSignal;
}

/**
 * An error a person can act on, carried across IPC and HTTP with its kind intact; `code` and
 * `params` let the renderer say it in the reader's language (src/shared/errors.ts).
 */
export interface OperationError {
  readonly kind: ErrorKind;
  readonly message: string;
  readonly code?: ErrorCode;
  readonly params?: ErrorParams;
  /** For invalid input: which field and why. */
  readonly issues?: readonly { readonly path: string; readonly message: string }[];
}

/** Parses an operation's input, turning zod's issues into an OperationError. */
export function parseInput<N extends OperationName>(name: N, input: unknown): { ok: true; value: ParsedInputOf<N> } | { ok: false; error: OperationError } {
  const result = operations[name].input.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data as ParsedInputOf<N> };
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0];
  return {
    ok: false,
    error: { kind: 'invalid-input', code: 'input.invalid', message: first ? `${first.path || 'input'}: ${first.message}` : 'invalid input', issues },
  };
}
