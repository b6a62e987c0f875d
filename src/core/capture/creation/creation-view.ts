import type { EventBody, JsonValue } from '../../../shared/domain.js';
import type { Proofline } from '../../proofline.js';
import { explicitEdges, inferLineage, type LineageEdge } from './lineage.js';
import { MARKS, type GenerationMark } from './marks.js';

export type { LineageEdge } from './lineage.js';

/** Which capture source recorded an image: the folder watcher, a draft, ComfyUI, or `attach`. */
export type GallerySource = 'watch' | 'draft' | 'comfyui' | 'attach';

export interface MarkRecord {
  readonly mark: GenerationMark;
  readonly reason: string | null;
  readonly seq: number;
  readonly time: string;
}

export interface GalleryImage {
  readonly sha256: string;
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  readonly firstSeq: number;
  readonly time: string;
  readonly source: GallerySource;
  /** Where the file was on disk when recorded, when the source said. */
  readonly path?: string;
  /** Whatever the recording event's payload.metadata holds (seed, model, prompt, inputImage…). */
  readonly metadata?: { readonly [key: string]: JsonValue };
  /** The latest mark: it supersedes the earlier ones, which stay in markHistory and the chain. */
  readonly mark?: MarkRecord;
  readonly markHistory: readonly MarkRecord[];
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

export interface CreationGallery {
  readonly images: GalleryImage[];
  readonly edges: LineageEdge[];
  readonly comparisons: ComparisonSummary[];
  readonly notes: { seq: number; time: string; text: string }[];
}

/** The creation views over a session's events: computed, never stored. */
export function creationGallery(pl: Proofline, sessionId: string): CreationGallery {
  const session = pl.sessions.get(sessionId);
  const events: EventBody[] = [];
  for (const event of pl.events.iterate(session.id)) events.push(event.body);
  return buildGallery(events);
}

/** The pure half of creationGallery: the same view from event bodies in chain order. */
export function buildGallery(events: readonly EventBody[]): CreationGallery {
  const images = new Map<string, GalleryImage>();
  const marks = new Map<string, MarkRecord[]>();
  const comparisons: ComparisonSummary[] = [];
  const notes: { seq: number; time: string; text: string }[] = [];
  for (const event of events) {
    const source = sourceOf(event.type);
    if (source) {
      for (const artifact of event.artifacts) {
        if (!artifact.mime.startsWith('image/') || images.has(artifact.sha256)) continue;
        const path = pathOf(event);
        const metadata = metadataOf(event, artifact.sha256);
        images.set(artifact.sha256, {
          sha256: artifact.sha256,
          name: artifact.name,
          mime: artifact.mime,
          size: artifact.size,
          firstSeq: event.seq,
          time: event.time,
          source,
          ...(path === undefined ? {} : { path }),
          ...(metadata === undefined ? {} : { metadata }),
          markHistory: [],
        });
      }
    }
    const p = event.payload;
    if (event.type === 'generation.marked' && typeof p['sha256'] === 'string' && (MARKS as readonly JsonValue[]).includes(p['mark'] ?? null)) {
      const history = marks.get(p['sha256']) ?? [];
      history.push({ mark: p['mark'] as GenerationMark, reason: typeof p['reason'] === 'string' ? p['reason'] : null, seq: event.seq, time: event.time });
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
  const list = [...images.values()].map((image) => {
    const history = marks.get(image.sha256) ?? [];
    const latest = history[history.length - 1];
    return { ...image, ...(latest ? { mark: latest } : {}), markHistory: history };
  });
  const explicit = explicitEdges(events);
  return { images: list, edges: [...explicit, ...inferLineage(events, list, explicit)], comparisons, notes };
}

function sourceOf(type: string): GallerySource | undefined {
  if (type === 'generation.image') return 'watch';
  if (type === 'draft.saved') return 'draft';
  if (type.startsWith('comfyui.')) return 'comfyui';
  if (type === 'artifact.attached') return 'attach';
  return undefined;
}

function pathOf(event: EventBody): string | undefined {
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
function metadataOf(event: EventBody, sha256: string): { [key: string]: JsonValue } | undefined {
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
