// The creator's record of a session, over what its sources captured: the gallery, marks, lineage
// links and comparisons.
import type { ParsedInputOf } from '../../../shared/contract.js';
import type { ArtifactRef, StoredEvent } from '../../../shared/domain.js';
import type * as V from '../../../shared/views.js';
import { GALLERY_EVENT_PREFIXES, GALLERY_EVENT_TYPES, galleryFromEvents } from '../../views/session-view.js';
import { orUndefined, type LifecycleContext } from './deps.js';
import * as load from './modules.js';

export type CompareRequest = Pick<ParsedInputOf<'generation.compare'>, 'out' | 'ffmpegPath'>;
export type Relation = ParsedInputOf<'generation.link'>['relation'];

export function gallery(context: LifecycleContext, sessionId: string): V.Gallery {
  return galleryFromEvents([...context.pl.events.ofTypes(sessionId, GALLERY_EVENT_TYPES, GALLERY_EVENT_PREFIXES)].map((event) => event.body));
}

export async function mark(context: LifecycleContext, sessionId: string, sha256: string, value: V.Mark, reason?: string): Promise<StoredEvent> {
  const { markGeneration } = await load.marks();
  return markGeneration(context.pl, sessionId, sha256, value, reason);
}

export async function link(context: LifecycleContext, sessionId: string, from: string, to: string, relation: Relation, note?: string): Promise<StoredEvent> {
  const { linkGenerations } = await load.lineage();
  return linkGenerations(context.pl, sessionId, from, to, relation, note);
}

export async function compare(context: LifecycleContext, sessionId: string, a: string, b: string, request: CompareRequest): Promise<V.Comparison> {
  const { compareImages } = await load.compare();
  const { event, ...result } = await compareImages(context.pl, sessionId, a, b, {
    outDir: request.out,
    ffmpegPath: request.ffmpegPath ?? orUndefined(context.settings().ffmpegPath),
  });
  return { ...result, event: { seq: event.body.seq, hash: event.hash } };
}

/** The artifact with this SHA-256 (or unique prefix of 8+ digits) in the session; undefined if none. */
export async function findArtifact(context: LifecycleContext, sessionId: string, sha256: string): Promise<ArtifactRef | undefined> {
  const { findSessionArtifact, ArtifactLookupError } = await load.marks();
  try {
    return findSessionArtifact(context.pl, sessionId, sha256).artifact;
  } catch (error) {
    if (error instanceof ArtifactLookupError && error.reason === 'missing') return undefined;
    throw error;
  }
}
