// A session's gallery and captured pages, read from its events and nothing else: the same pure
// functions build them for a live session (the lifecycle, over the store's chain) and for an
// opened archive (`archive.contents`, over data/events.jsonl), so the creation screen, the web
// session screen and the archive viewer cannot tell a session two different ways.
import type { ArtifactRef, EventBody, JsonValue } from '../../shared/domain.js';
import type * as V from '../../shared/views.js';
import { explicitEdges, inferLineage, type LineageImage } from '../capture/creation/lineage.js';
import { MARKS } from '../capture/creation/marks.js';

/** What the views read of an event: a stored body, or an archive's timeline event, both fit. */
export type SessionEvent = Pick<EventBody, 'seq' | 'time' | 'type' | 'payload' | 'artifacts'>;

/**
 * The capture source that recorded an image, by event type. These are the names the gallery has
 * always carried (`generation.gallery`, the CLI's `gallery --json`): they say which source it
 * was, where the viewer's old 'generated' could not tell the folder watcher from ComfyUI.
 */
export function gallerySourceOf(type: string): V.GallerySource | undefined {
  if (type === 'generation.image') return 'watch';
  if (type === 'draft.saved') return 'draft';
  if (type.startsWith('comfyui.')) return 'comfyui';
  if (type === 'artifact.attached') return 'attach';
  return undefined;
}

/**
 * The event types galleryFromEvents reads (and the type prefixes: every ComfyUI event): the live
 * gallery reads only these, through the store's type index, so its cost is the gallery's and not
 * the session's (issue 13). Every other event is passed over by galleryFromEvents, so the result
 * is the one over the whole chain; an image one of these events does not carry is not in it.
 */
export const GALLERY_EVENT_TYPES = ['generation.image', 'draft.saved', 'artifact.attached', 'generation.marked', 'comparison.made', 'note', 'lineage.linked'] as const;
export const GALLERY_EVENT_PREFIXES = ['comfyui.'] as const;
/** The one event type pagesFromEvents reads. */
export const PAGE_EVENT_TYPES = ['web.capture'] as const;

interface Found extends LineageImage {
  readonly mime: string;
  readonly size: number;
  readonly time: string;
  readonly source: V.GallerySource;
}

/**
 * Every image a capture source recorded, once, from the first event that carried it; its marks
 * (the latest is `mark`, the earlier stay in `markHistory`), the lineage recorded and inferred,
 * the comparisons and notes. Events in chain order.
 */
export function galleryFromEvents(events: readonly SessionEvent[]): V.Gallery {
  const found = new Map<string, Found>();
  const marks = new Map<string, V.MarkRecord[]>();
  const comparisons: V.ComparisonSummary[] = [];
  const notes: { seq: number; time: string; text: string }[] = [];
  for (const event of events) {
    const source = gallerySourceOf(event.type);
    if (source) {
      for (const artifact of event.artifacts) {
        if (!artifact.mime.startsWith('image/') || found.has(artifact.sha256)) continue;
        const path = pathOf(event);
        const metadata = metadataOf(event, artifact.sha256);
        found.set(artifact.sha256, {
          sha256: artifact.sha256,
          name: artifact.name,
          mime: artifact.mime,
          size: artifact.size,
          firstSeq: event.seq,
          time: event.time,
          source,
          ...(path === undefined ? {} : { path }),
          ...(metadata === undefined ? {} : { metadata }),
        });
      }
    }
    const p = event.payload;
    if (event.type === 'generation.marked' && typeof p['sha256'] === 'string' && (MARKS as readonly JsonValue[]).includes(p['mark'] ?? null)) {
      const history = marks.get(p['sha256']) ?? [];
      history.push({ mark: p['mark'] as V.Mark, reason: typeof p['reason'] === 'string' ? p['reason'] : null, seq: event.seq, time: event.time });
      marks.set(p['sha256'], history);
    } else if (event.type === 'comparison.made' && typeof p['a'] === 'string' && typeof p['b'] === 'string') {
      comparisons.push({
        seq: event.seq,
        time: event.time,
        a: p['a'],
        b: p['b'],
        hammingDistance: typeof p['hammingDistance'] === 'number' ? p['hammingDistance'] : NaN,
        differingPixelRatio: typeof p['differingPixelRatio'] === 'number' ? p['differingPixelRatio'] : NaN,
        resized: p['resized'] === true || (typeof p['resized'] === 'object' && p['resized'] !== null),
        heatmapSha256: typeof p['heatmapSha256'] === 'string' ? p['heatmapSha256'] : (event.artifacts[0]?.sha256 ?? null),
      });
    } else if (event.type === 'note' && typeof p['text'] === 'string') {
      notes.push({ seq: event.seq, time: event.time, text: p['text'] });
    }
  }
  const list = [...found.values()];
  const explicit = explicitEdges(events);
  const images = list.map((image): V.GalleryImage => {
    const history = marks.get(image.sha256) ?? [];
    const latest = history.at(-1);
    return {
      sha256: image.sha256,
      name: image.name,
      mime: image.mime,
      size: image.size,
      seq: image.firstSeq,
      time: image.time,
      source: image.source,
      metadata: image.metadata ?? null,
      mark: latest ? { mark: latest.mark, reason: latest.reason ?? '', time: latest.time } : null,
      ...(image.path === undefined ? {} : { path: image.path }),
      markHistory: history,
    };
  });
  return { images, edges: [...explicit, ...inferLineage(events, list, explicit)], comparisons, notes };
}

/** Every `web.capture`, in chain order, with the screenshot and the DOM the page views show. */
export function pagesFromEvents(events: readonly SessionEvent[]): V.CapturedPage[] {
  const str = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');
  const named = (artifacts: readonly ArtifactRef[], name: string, mime: string): ArtifactRef | null =>
    artifacts.find((a) => a.name === name) ?? artifacts.find((a) => a.mime === mime) ?? null;
  return events
    .filter((event) => event.type === 'web.capture')
    .map((event) => {
      const p = event.payload;
      // A page opened by hand in an interactive capture names what was typed as typedUrl.
      const url = str(p['url']) || str(p['typedUrl']);
      return {
        seq: event.seq,
        time: event.time,
        url,
        finalUrl: str(p['finalUrl']) || url,
        status: typeof p['status'] === 'number' ? p['status'] : null,
        title: str(p['title']),
        screenshot: named(event.artifacts, 'screenshot.png', 'image/png'),
        dom: named(event.artifacts, 'dom.html', 'text/html'),
        artifacts: event.artifacts,
      };
    });
}

function pathOf(event: SessionEvent): string | undefined {
  for (const key of ['path', 'sourcePath']) {
    const value = event.payload[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * payload.metadata as the source recorded it. A `comfyui.prompt` event carries one per output
 * image (read from the file, in payload.outputs[].metadata) beside the workflow's summary in
 * payload.metadata: the image's own wins, the summary stands in when the file said nothing.
 */
function metadataOf(event: SessionEvent, sha256: string): { [key: string]: JsonValue } | undefined {
  const outputs = event.payload['outputs'];
  if (Array.isArray(outputs)) {
    for (const output of outputs) {
      if (!isObject(output) || output['sha256'] !== sha256) continue;
      const own = output['metadata'];
      if (isObject(own) && own['error'] === undefined && (own['prompt'] !== null || own['seed'] !== null)) return own;
    }
  }
  const metadata = event.payload['metadata'];
  return isObject(metadata) ? metadata : undefined;
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
