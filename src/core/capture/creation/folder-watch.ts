import { stat } from 'node:fs/promises';
import { basename, extname, relative, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { JsonValue, StoredEvent } from '../../../shared/domain.js';
import type { Proofline } from '../../proofline.js';
import type { NewEvent } from '../../store/event-log.js';
import { mediaTypeOf } from '../../store/media-types.js';
import type { CaptureNotice, CaptureSource, NoticeListener } from '../capture-source.js';
import { readImageMetadata } from './metadata/index.js';
import { metadataJson, RAW_PAYLOAD_LIMIT } from './metadata/payload.js';
import { ProoflineError } from '../../errors.js';
import { checkFolders } from './watch-folders-check.js';

export interface WatchFoldersOptions {
  /** Output folders of AI tools: every new or changed PNG/JPEG/WebP becomes a `generation.image`. */
  readonly folders: readonly string[];
  /** Work folders: every saved version of any file becomes a `draft.saved`. */
  readonly drafts?: readonly string[];
  readonly onNotice?: NoticeListener;
  /** How long a file's size must stay unchanged before it is read (default 300 ms). */
  readonly stabilityMs?: number;
}

export interface FolderWatch extends CaptureSource {
  /** Resolves once the initial scan is done and new files will be seen. */
  readonly ready: Promise<void>;
  stats(): { images: number; drafts: number; errors: number };
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);
// Files that are half-written or belong to an editor's save dance, never the saved work itself:
// dot files (.goutputstream-*, .~lock.*), backups (name~), Office owner files (~$name), and the
// temp/partial suffixes of browsers, downloaders, Photoshop, vim and ComfyUI's custom savers.
const TEMPORARY = /^\.|~$|^~\$|\.(tmp|temp|part|partial|crdownload|download|swp|swx|lock|lck)$/i;
// Blob writes wait on fsync; several in flight let the disk work while parsing goes on.
const CONCURRENCY = 8;

export function isTemporaryName(name: string): boolean {
  return TEMPORARY.test(name);
}

/**
 * Watches output and draft folders. Each new or changed file is streamed into the blob store
 * (hashed once), then its metadata is read from the stored copy, so what is parsed is exactly what
 * is kept even if the file changes again a moment later. Identical content at the same path gives
 * no event; the same content at another path gives an event naming the earlier one.
 */
export async function watchFolders(pl: Proofline, sessionId: string, options: WatchFoldersOptions): Promise<FolderWatch> {
  const outputs = await checkFolders(options.folders, 'output');
  const drafts = await checkFolders(options.drafts ?? [], 'draft');
  if (outputs.length + drafts.length === 0) throw new ProoflineError('watch.no-folder', 'Give at least one folder to watch (an output folder or a drafts folder).');
  const name = `watch:${[...outputs, ...drafts].join(',')}`;
  const notify = (level: CaptureNotice['level'], message: string, eventSeq?: number): void =>
    options.onNotice?.({ source: name, level, message, ...(eventSeq === undefined ? {} : { eventSeq }) });

  // Restarting a watch on the same session must not re-record what is already in the chain.
  const lastSha = new Map<string, string>();
  const versions = new Map<string, number>();
  const firstSeen = new Map<string, { path: string; seq: number }>();
  // Only the images and drafts, through the type index: a restart costs what was watched, not the session.
  for (const event of pl.events.ofTypes(sessionId, ['generation.image', 'draft.saved'])) {
    const { type, payload, artifacts, seq } = event.body;
    if ((type !== 'generation.image' && type !== 'draft.saved') || typeof payload['path'] !== 'string' || !artifacts[0]) continue;
    lastSha.set(payload['path'], artifacts[0].sha256);
    if (!firstSeen.has(artifacts[0].sha256)) firstSeen.set(artifacts[0].sha256, { path: payload['path'], seq });
    if (type === 'draft.saved' && typeof payload['version'] === 'number') versions.set(payload['path'], payload['version']);
  }

  const counts = { images: 0, drafts: 0, errors: 0 };
  const started = pl.events.append(sessionId, { type: 'capture.watch.started', payload: { folders: outputs, draftFolders: drafts } });
  notify('info', `watching ${outputs.length} output and ${drafts.length} draft folder(s)`, started.body.seq);

  // Events that become ready together are appended in one transaction: one fsync for the batch
  // (synchronous=FULL makes each commit wait for the disk), in the order they became ready.
  let batch: { event: NewEvent; resolve: (stored: StoredEvent) => void; reject: (error: unknown) => void }[] = [];
  const appendSoon = (event: NewEvent): Promise<StoredEvent> =>
    new Promise((resolve, reject) => {
      if (batch.length === 0) setImmediate(flush);
      batch.push({ event, resolve, reject });
    });
  const flush = (): void => {
    const items = batch;
    batch = [];
    try {
      const stored = pl.events.appendBatch(sessionId, items.map((i) => i.event));
      items.forEach((item, n) => item.resolve(stored[n]!));
    } catch (error) {
      items.forEach((item) => item.reject(error));
    }
  };

  const rootOf = (path: string): { root: string; kind: 'output' | 'draft' } | undefined => {
    const all = [...outputs.map((root) => ({ root, kind: 'output' as const })), ...drafts.map((root) => ({ root, kind: 'draft' as const }))];
    return all.filter((r) => path === r.root || path.startsWith(r.root + sep)).sort((a, b) => b.root.length - a.root.length)[0];
  };

  const record = async (path: string, change: 'add' | 'change'): Promise<void> => {
    const root = rootOf(path);
    if (!root) return;
    let blob;
    let mtime: string | null = null;
    try {
      mtime = (await stat(path)).mtime.toISOString();
      blob = await pl.blobs.putFile(path);
    } catch (error) {
      counts.errors += 1;
      notify('warn', `${path} could not be read (it may have been moved or deleted while being saved): ${(error as Error).message}`);
      return;
    }
    const previous = lastSha.get(path);
    if (previous === blob.sha256) return;
    const relativePath = relative(root.root, path).split(sep).join('/');
    const duplicate = firstSeen.get(blob.sha256);
    const artifact = { sha256: blob.sha256, size: blob.size, name: basename(path), mime: mediaTypeOf(path) };
    const common: { [key: string]: JsonValue } = {
      folder: root.root,
      relativePath,
      path,
      change: previous === undefined && change === 'add' ? 'added' : 'changed',
      mtime,
      sm3: blob.sm3,
      ...(duplicate && duplicate.path !== path ? { duplicateOf: { path: duplicate.path, seq: duplicate.seq } } : {}),
    };
    try {
      let event;
      if (root.kind === 'output') {
        let metadata: JsonValue = null;
        let metadataError: string | undefined;
        try {
          metadata = metadataJson(await readImageMetadata(pl.blobs.pathOf(blob.sha256)), RAW_PAYLOAD_LIMIT);
        } catch (error) {
          metadataError = (error as Error).message.replace(pl.blobs.pathOf(blob.sha256), path);
        }
        event = await appendSoon({
          type: 'generation.image',
          payload: { ...common, metadata, ...(metadataError ? { metadataError } : {}) },
          artifacts: [artifact],
        });
        counts.images += 1;
        notify(metadataError ? 'warn' : 'info', metadataError ? `${relativePath}: stored, but ${metadataError}` : `${relativePath}: ${describe(metadata)}`, event.body.seq);
      } else {
        const version = (versions.get(path) ?? 0) + 1;
        event = await appendSoon({
          type: 'draft.saved',
          payload: { ...common, version, previousSha256: previous ?? null },
          artifacts: [artifact],
        });
        versions.set(path, version);
        counts.drafts += 1;
        notify('info', `${relativePath}: version ${version} saved`, event.body.seq);
      }
      lastSha.set(path, blob.sha256);
      if (!firstSeen.has(blob.sha256)) firstSeen.set(blob.sha256, { path, seq: event.body.seq });
    } catch (error) {
      counts.errors += 1;
      notify('error', `${path} was stored but could not be recorded: ${(error as Error).message}`);
    }
  };

  // One file at a time per path (versions stay in order), a few paths at once.
  const perPath = new Map<string, Promise<void>>();
  const waiting: (() => void)[] = [];
  let running = 0;
  const slot = async (): Promise<void> => {
    if (running < CONCURRENCY) { running += 1; return; }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  const pending = new Set<Promise<void>>();
  const enqueue = (path: string, change: 'add' | 'change'): void => {
    const previous = perPath.get(path) ?? Promise.resolve();
    const job = previous.then(async () => {
      await slot();
      try {
        await record(path, change);
      } finally {
        release();
      }
    });
    perPath.set(path, job);
    pending.add(job);
    void job.finally(() => {
      pending.delete(job);
      if (perPath.get(path) === job) perPath.delete(path);
    });
  };

  const watcher: FSWatcher = watch([...outputs, ...drafts], {
    ignoreInitial: true,
    awaitWriteFinish: { stabilityThreshold: options.stabilityMs ?? 300, pollInterval: 50 },
    ignored: (path, stats) => {
      if (isTemporaryName(basename(path))) return true;
      if (stats?.isDirectory()) return false;
      const root = rootOf(path);
      return root?.kind === 'output' && extname(path) !== '' && !IMAGE_EXTENSIONS.has(extname(path).toLowerCase());
    },
  });
  watcher.on('add', (path) => enqueue(resolve(path), 'add'));
  watcher.on('change', (path) => enqueue(resolve(path), 'change'));
  watcher.on('unlink', (path) => notify('info', `${path} was removed from the folder (its recorded copy is kept)`));
  watcher.on('error', (error) => {
    counts.errors += 1;
    notify('error', `watching failed: ${(error as Error).message}`);
  });
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  let stopped: Promise<void> | undefined;
  return {
    name,
    ready,
    stats: () => ({ ...counts }),
    stop() {
      stopped ??= (async () => {
        await watcher.close();
        while (pending.size > 0) await Promise.allSettled([...pending]);
        try {
          const event = pl.events.append(sessionId, { type: 'capture.watch.stopped', payload: { folders: outputs, draftFolders: drafts, ...counts } });
          notify('info', `stopped: ${counts.images} image(s), ${counts.drafts} draft version(s), ${counts.errors} error(s)`, event.body.seq);
        } catch (error) {
          notify('error', `could not record the end of watching: ${(error as Error).message}`);
        }
      })();
      return stopped;
    },
  };
}

function describe(metadata: JsonValue): string {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return 'stored';
  const seed = metadata['seed'];
  return `${String(metadata['tool'])}${seed !== null && seed !== undefined ? `, seed ${String(seed)}` : ''}`;
}
