import { basename } from 'node:path';
import type { EventBody, JsonValue, StoredEvent } from '../../../shared/domain.js';
import type { Proofline } from '../../proofline.js';
import { assertOpen } from '../../session-guard.js';
import { findSessionArtifact, MIN_SHA_PREFIX } from './marks.js';
import { ProoflineError } from '../../errors.js';

/**
 * How `to` came from `from` (an edge always points from the earlier image to the later one):
 * img2img: `from` was the input image; variant: same seed/prompt family; draft-of: `from` is an
 * earlier draft of `to`; edit-of: `to` is an edit of `from`; upscale-of: `to` is an upscale of `from`.
 */
export const RELATIONS = ['img2img', 'variant', 'draft-of', 'edit-of', 'upscale-of'] as const;
export type LineageRelation = (typeof RELATIONS)[number];

export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  readonly relation: LineageRelation;
  /** False for a `lineage.linked` event the creator recorded; true for one computed here. */
  readonly inferred: boolean;
  /** Why the edge exists: the event that states it, or the rule that inferred it. */
  readonly basis: string;
  /** The `lineage.linked` event, or the event whose payload the inference read. */
  readonly seq: number;
  readonly note?: string;
}

/** What inference reads of an event: a stored body or an archive's timeline event. */
export type LineageEvent = Pick<EventBody, 'seq' | 'type' | 'payload' | 'artifacts'>;

/** What inference needs to know of each image (a GalleryImage has all of it). */
export interface LineageImage {
  readonly sha256: string;
  readonly name: string;
  readonly firstSeq: number;
  readonly path?: string;
  readonly metadata?: { readonly [key: string]: JsonValue };
}

const MAX_NOTE = 2000;

export async function linkGenerations(pl: Proofline, sessionId: string, from: string, to: string, relation: LineageRelation, note?: string): Promise<StoredEvent> {
  if (!(RELATIONS as readonly string[]).includes(relation)) {
    throw new ProoflineError('lineage.relation', `'${String(relation)}' is not a lineage relation: use one of ${RELATIONS.join(', ')}.`, { relation: String(relation), relations: RELATIONS.join(', ') });
  }
  const text = note?.trim() ?? '';
  if (text.length > MAX_NOTE) throw new ProoflineError('text.too-long', `The note is ${text.length} characters; keep it under ${MAX_NOTE}.`, { length: text.length, max: MAX_NOTE });
  const session = assertOpen(pl, sessionId);
  const source = findSessionArtifact(pl, session.id, from).artifact.sha256;
  const target = findSessionArtifact(pl, session.id, to).artifact.sha256;
  if (source === target) throw new ProoflineError('lineage.self', `An image cannot come from itself: FROM and TO are both ${source}.`, { sha256: source });
  const event = pl.events.append(session.id, {
    type: 'lineage.linked',
    payload: { from: source, to: target, relation, note: text === '' ? null : text },
  });
  await pl.sessions.checkpointIfDue(session.id);
  return event;
}

/** The edges the creator recorded with `lineage.linked`, in order. */
export function explicitEdges(events: Iterable<LineageEvent>): LineageEdge[] {
  const edges: LineageEdge[] = [];
  for (const event of events) {
    if (event.type !== 'lineage.linked') continue;
    const { from, to, relation, note } = event.payload;
    if (typeof from !== 'string' || typeof to !== 'string' || !(RELATIONS as readonly JsonValue[]).includes(relation ?? null)) continue;
    edges.push({ from, to, relation: relation as LineageRelation, inferred: false, basis: `lineage.linked (event ${event.seq})`, seq: event.seq, ...(typeof note === 'string' ? { note } : {}) });
  }
  return edges;
}

/**
 * Edges read from what capture sources recorded, never appended: a draft's `previous` version,
 * an img2img `inputImage`, a ComfyUI workflow's LoadImage inputs, and same-seed variants
 * (consecutive images with one seed and one model). An edge the creator already recorded, with
 * the same ends and relation, is not repeated.
 */
export function inferLineage(events: readonly LineageEvent[], images: readonly LineageImage[], explicit: readonly LineageEdge[] = []): LineageEdge[] {
  const bySha = new Map(images.map((image) => [image.sha256, image]));
  const seen = new Set(explicit.map(edgeKey));
  const linked = new Set(explicit.flatMap((e) => [pairKey(e.from, e.to)]));
  const edges: LineageEdge[] = [];
  const add = (edge: LineageEdge): void => {
    if (edge.from === edge.to || !bySha.has(edge.from) || !bySha.has(edge.to)) return;
    if (seen.has(edgeKey(edge))) return;
    seen.add(edgeKey(edge));
    linked.add(pairKey(edge.from, edge.to));
    edges.push(edge);
  };

  for (const event of events) {
    const outputs = event.artifacts.filter((a) => bySha.has(a.sha256)).map((a) => a.sha256);
    if (outputs.length === 0) continue;
    // The folder watcher names the draft's earlier version previousSha256.
    const previous = event.payload['previousSha256'] ?? event.payload['previous'];
    if (event.type === 'draft.saved' && typeof previous === 'string') {
      for (const to of outputs) add({ from: previous, to, relation: 'draft-of', inferred: true, basis: `draft.saved (event ${event.seq}): previous version`, seq: event.seq });
    }
    for (const input of inputImagesOf(event)) {
      const from = matchImage(input, images, event.seq);
      if (!from) continue;
      for (const to of outputs) add({ from: from.sha256, to, relation: 'img2img', inferred: true, basis: `${event.type} (event ${event.seq}): input image ${input}`, seq: event.seq });
    }
  }

  // Same seed and model: variants of one another, chained in the order they were made.
  const groups = new Map<string, LineageImage[]>();
  for (const image of [...images].sort((a, b) => a.firstSeq - b.firstSeq)) {
    const seed = image.metadata?.['seed'];
    if (typeof seed !== 'number' && typeof seed !== 'string') continue;
    const key = JSON.stringify([String(seed), modelName(image.metadata?.['model'])]);
    groups.set(key, [...(groups.get(key) ?? []), image]);
  }
  for (const group of groups.values()) {
    for (let i = 1; i < group.length; i++) {
      const from = group[i - 1]!;
      const to = group[i]!;
      if (linked.has(pairKey(from.sha256, to.sha256))) continue;
      const model = modelName(to.metadata?.['model']);
      add({ from: from.sha256, to: to.sha256, relation: 'variant', inferred: true, basis: `same seed ${String(to.metadata?.['seed'])}${model ? ` and model ${model}` : ''}`, seq: to.firstSeq });
    }
  }
  return edges;
}

function edgeKey(edge: { from: string; to: string; relation: string }): string {
  return `${edge.from}|${edge.to}|${edge.relation}`;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Input images an event names: metadata.inputImage(s), or the LoadImage nodes of a ComfyUI workflow. */
function inputImagesOf(event: LineageEvent): string[] {
  const found: string[] = [];
  const metadata = event.payload['metadata'];
  for (const holder of [event.payload, isObject(metadata) ? metadata : {}]) {
    const one = holder['inputImage'];
    if (typeof one === 'string') found.push(one);
    const many = holder['inputImages'];
    if (Array.isArray(many)) for (const item of many) if (typeof item === 'string') found.push(item);
  }
  if (event.type.startsWith('comfyui.')) {
    // ComfyUI's API-format workflow: { "<node id>": { class_type, inputs } }; LoadImage's
    // inputs.image is the file name in ComfyUI's input folder.
    const prompt = event.payload['prompt'] ?? event.payload['workflow'];
    if (isObject(prompt)) {
      for (const node of Object.values(prompt)) {
        if (!isObject(node) || typeof node['class_type'] !== 'string' || !/^LoadImage/.test(node['class_type'])) continue;
        const inputs = node['inputs'];
        if (isObject(inputs) && typeof inputs['image'] === 'string') found.push(inputs['image']);
      }
    }
  }
  return [...new Set(found)];
}

/** An input named by SHA-256 (or a prefix of 8+), by path, or by file name. */
function matchImage(reference: string, images: readonly LineageImage[], seq: number): LineageImage | undefined {
  const ref = reference.trim();
  const lower = ref.toLowerCase();
  if (/^[0-9a-f]+$/.test(lower) && lower.length >= MIN_SHA_PREFIX) {
    const bySha = images.filter((i) => i.sha256.startsWith(lower));
    if (bySha.length === 1) return bySha[0];
  }
  const byPath = images.filter((i) => i.path !== undefined && i.path === ref);
  if (byPath.length > 0) return closestBefore(byPath, seq);
  // ComfyUI names "sub/file.png [input]"; a watcher names a full path: compare the file names.
  const name = basename(ref.replace(/\s*\[(input|output|temp)\]$/, '').replace(/\\/g, '/'));
  const byName = images.filter((i) => i.name === name || (i.path !== undefined && basename(i.path.replace(/\\/g, '/')) === name));
  return byName.length >= 1 ? closestBefore(byName, seq) : undefined;
}

/** Of several files with one name, the input is the latest recorded before the event that used it. */
function closestBefore(candidates: readonly LineageImage[], seq: number): LineageImage {
  const before = candidates.filter((c) => c.firstSeq < seq).sort((a, b) => b.firstSeq - a.firstSeq);
  return before[0] ?? candidates[0]!;
}

/** A model named as text, or as the metadata readers' { name, hash }. */
function modelName(model: JsonValue | undefined): string | null {
  if (typeof model === 'string') return model;
  if (isObject(model)) {
    if (typeof model['name'] === 'string') return model['name'];
    if (typeof model['hash'] === 'string') return model['hash'];
  }
  return null;
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
