// What the published image says about itself, from the sealed session's gallery alone (a pure
// function, the same for a session in the store and its archive): the C2PA manifest definition
// (C2PA 2.1 §18.10 actions, §18.6 ingredients, a custom assertion naming the evidence archive)
// and the TC260 label's fields (GB 45438-2025 Appendix E).
import type { JsonValue } from '../../shared/domain.js';
import type { Gallery, GalleryImage } from '../../shared/views.js';
import { APP_NAME, APP_VERSION } from '../../shared/version.js';
import type { Tc260Label } from './tc260-xmp.js';

/** IPTC digital source type for "created by a trained model" (C2PA 2.1 §18.10.4.1). */
export const TRAINED_ALGORITHMIC_MEDIA = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
export const EVIDENCE_ASSERTION = 'org.proofline.evidence';

export interface EvidenceReference {
  readonly sessionId: string;
  readonly sessionTitle: string;
  readonly sealedAt: string;
  readonly archiveSha256: string;
  readonly archiveName: string;
  readonly tagManifestSha256: string;
  readonly deviceKeyId: string;
}

export interface PublishedIngredient {
  readonly sha256: string;
  readonly name: string;
  readonly mime: string;
  /** parentOf: the image the final one was made from directly (at most one, C2PA 2.1 §8.3); componentOf: the earlier iterations, drafts and edits. */
  readonly relationship: 'parentOf' | 'componentOf';
  readonly relation: string;
}

const text = (v: JsonValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
const record = (v: JsonValue | undefined): { readonly [key: string]: JsonValue } => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

/** Every image the final one came from through the lineage, nearest first; one direct parent is parentOf. */
export function ingredientsOf(gallery: Gallery, finalSha256: string): PublishedIngredient[] {
  const bySha = new Map(gallery.images.map((image) => [image.sha256, image]));
  const found: PublishedIngredient[] = [];
  const seen = new Set([finalSha256]);
  // Breadth first from the final image backwards; of its direct parents the one the creator
  // linked (not inferred), else the latest recorded, is parentOf.
  let frontier = [finalSha256];
  let depth = 0;
  while (frontier.length > 0) {
    const next: string[] = [];
    const edges = gallery.edges.filter((e) => frontier.includes(e.to) && !seen.has(e.from)).sort((a, b) => Number(a.inferred) - Number(b.inferred) || b.seq - a.seq);
    for (const edge of edges) {
      if (seen.has(edge.from)) continue;
      seen.add(edge.from);
      const image = bySha.get(edge.from);
      if (!image) continue;
      const relationship = depth === 0 && !found.some((i) => i.relationship === 'parentOf') ? 'parentOf' : 'componentOf';
      found.push({ sha256: image.sha256, name: image.name, mime: image.mime, relationship, relation: edge.relation });
      next.push(edge.from);
    }
    frontier = next;
    depth++;
  }
  return found;
}

/** The generation parameters as the session recorded them (`generation.image` metadata). */
export function generationParameters(image: GalleryImage): { [key: string]: string } {
  const m = image.metadata ?? {};
  const model = record(m['model']);
  const out: { [key: string]: string } = {};
  const put = (key: string, value: string | null): void => {
    if (value !== null) out[key] = value;
  };
  put('prompt', text(m['prompt']));
  put('negativePrompt', text(m['negativePrompt']));
  // Seeds as text: a 64-bit seed does not survive a JSON number (issue 14).
  put('seed', text(m['seedExact']) ?? text(m['seed']));
  put('steps', text(m['steps']));
  put('sampler', text(m['sampler']));
  put('scheduler', text(m['scheduler']));
  put('cfgScale', text(m['cfgScale']));
  put('model', text(model['name']));
  put('modelHash', text(model['hash']));
  return out;
}

/** The product names of the tools the metadata readers name by id (metadata/types.ts GeneratorTool). */
const TOOL_NAMES: Readonly<Record<string, string>> = {
  a1111: 'AUTOMATIC1111 Stable Diffusion WebUI',
  forge: 'Stable Diffusion WebUI Forge',
  reforge: 'Stable Diffusion WebUI reForge',
  comfyui: 'ComfyUI',
  invokeai: 'InvokeAI',
  fooocus: 'Fooocus',
  novelai: 'NovelAI',
  midjourney: 'Midjourney',
  swarmui: 'SwarmUI',
  drawthings: 'Draw Things',
};

/** The AI tool and its version, as the image's metadata named them (C2PA 2.1 §18.10.4.2 softwareAgent). */
export function softwareAgent(image: GalleryImage): { name: string; version?: string } {
  const m = image.metadata ?? {};
  const tool = text(m['tool']);
  const version = text(record(m['parameters'])['Version']) ?? text(m['software']);
  const name = tool === null || tool === 'unknown' || tool === 'c2pa' ? 'unknown AI tool' : (TOOL_NAMES[tool] ?? tool);
  return { name, ...(version !== null && { version }) };
}

export function manifestDefinition(image: GalleryImage, ingredients: readonly PublishedIngredient[], evidence: EvidenceReference, format: string): { [key: string]: unknown } {
  return {
    claim_generator_info: [{ name: APP_NAME, version: APP_VERSION }],
    title: image.name,
    format,
    assertions: [
      {
        label: 'c2pa.actions.v2',
        data: {
          actions: [
            {
              action: 'c2pa.created',
              digitalSourceType: TRAINED_ALGORITHMIC_MEDIA,
              softwareAgent: softwareAgent(image),
              when: image.time,
              parameters: generationParameters(image),
            },
          ],
        },
      },
      {
        label: EVIDENCE_ASSERTION,
        data: {
          ...evidence,
          imageSha256: image.sha256,
          ingredients: ingredients.map((i) => ({ sha256: i.sha256, name: i.name, relationship: i.relationship, relation: i.relation })),
        },
      },
    ],
  };
}

/** c2pa-rs Ingredient JSON; the SHA-256 in instance_id and in the ingredient's metadata. */
export function ingredientJson(ingredient: PublishedIngredient): { [key: string]: unknown } {
  return {
    title: ingredient.name,
    format: ingredient.mime,
    relationship: ingredient.relationship,
    instance_id: `sha256:${ingredient.sha256}`,
    description: `${ingredient.relation} (Proofline lineage)`,
    metadata: { 'org.proofline.sha256': ingredient.sha256, 'org.proofline.relation': ingredient.relation },
  };
}

/**
 * The TC260 label: "1" (AI-generated: the session recorded the image as a generator's output);
 * ContentProducer the generating tool as recorded (run by the creator, so no service provider's
 * name or filing number exists); ProduceID the session id; ReservedCode1 the archive's SHA-256
 * (the producer's own integrity information, Appendix E); the propagator's three fields empty,
 * for the platform that later carries the image to fill in.
 */
export function tc260Label(image: GalleryImage, evidence: EvidenceReference): Tc260Label {
  const agent = softwareAgent(image);
  return {
    Label: '1',
    ContentProducer: agent.version ? `${agent.name} ${agent.version}` : agent.name,
    ProduceID: evidence.sessionId,
    ReservedCode1: evidence.archiveSha256,
    ContentPropagator: '',
    PropagateID: '',
    ReservedCode2: '',
  };
}
