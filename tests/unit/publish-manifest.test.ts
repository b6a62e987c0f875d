import { describe, expect, it } from 'vitest';
import type { Gallery, GalleryImage, LineageEdge } from '../../src/shared/views.js';
import { generationParameters, ingredientsOf, softwareAgent } from '../../src/core/provenance/publish-manifest.js';

const image = (sha: string, metadata: GalleryImage['metadata'] = null): GalleryImage => ({
  sha256: sha.repeat(64).slice(0, 64),
  name: `${sha}.png`,
  mime: 'image/png',
  size: 1,
  seq: 0,
  time: '2026-01-01T00:00:00Z',
  source: 'watch',
  metadata,
  mark: null,
  markHistory: [],
});
const edge = (from: string, to: string, relation: string, inferred: boolean, seq: number): LineageEdge => ({ from: from.repeat(64).slice(0, 64), to: to.repeat(64).slice(0, 64), relation, inferred, basis: '', seq });

describe('what a published image says about how it was made', () => {
  it('names the direct parent parentOf (one only, the creator’s link before an inferred one) and every earlier image componentOf', () => {
    const gallery: Gallery = {
      images: ['a', 'b', 'c', 'd', 'e'].map((s) => image(s)),
      // a → b → e (creator's links), c → e inferred variant (later), d → c draft, and a cycle back from e to a.
      edges: [edge('a', 'b', 'edit-of', false, 1), edge('c', 'e', 'variant', true, 9), edge('b', 'e', 'edit-of', false, 5), edge('d', 'c', 'draft-of', true, 3), edge('e', 'a', 'img2img', false, 10)],
      comparisons: [],
      notes: [],
    };
    const found = ingredientsOf(gallery, 'e'.repeat(64));
    expect(found.map((i) => [i.name, i.relationship, i.relation])).toEqual([
      ['b.png', 'parentOf', 'edit-of'],
      ['c.png', 'componentOf', 'variant'],
      ['a.png', 'componentOf', 'edit-of'],
      ['d.png', 'componentOf', 'draft-of'],
    ]);
  });

  it('an image with no lineage has no ingredients', () => {
    expect(ingredientsOf({ images: [image('a')], edges: [], comparisons: [], notes: [] }, 'a'.repeat(64))).toEqual([]);
  });

  it('keeps a 64-bit seed’s exact digits, as a string, whether recorded as seed or (in older events) seedExact', () => {
    expect(generationParameters(image('a', { seed: '6952411511246973023' }))['seed']).toBe('6952411511246973023');
    expect(generationParameters(image('a', { seed: 6952411511246973000, seedExact: '6952411511246973023' }))['seed']).toBe('6952411511246973023');
  });

  it('names the AI tool and its version as the image recorded them', () => {
    expect(softwareAgent(image('a', { tool: 'a1111', parameters: { Version: 'v1.10.1' } }))).toEqual({ name: 'AUTOMATIC1111 Stable Diffusion WebUI', version: 'v1.10.1' });
    expect(softwareAgent(image('a', { tool: 'comfyui', software: 'ComfyUI 0.3.10' }))).toEqual({ name: 'ComfyUI', version: 'ComfyUI 0.3.10' });
    expect(softwareAgent(image('a', { tool: 'unknown' }))).toEqual({ name: 'unknown AI tool' });
  });
});
