import { describe, expect, it } from 'vitest';
import { galleryFromEvents } from '../../src/core/views/session-view.js';
import type { ArtifactRef, EventBody, JsonValue } from '../../src/shared/domain.js';

const sha = (c: string): string => c.repeat(64).slice(0, 64);
const A = sha('a');
const B = sha('b');
const C = sha('c');
const D = sha('d');
const E = sha('e');
const F = sha('f');

function png(hash: string, name: string): ArtifactRef {
  return { sha256: hash, size: 1000, name, mime: 'image/png' };
}

/** A chain of event bodies, as the store would give them (hashes are not what is under test). */
function chain(...events: [string, { [key: string]: JsonValue }, ArtifactRef[]?][]): EventBody[] {
  return events.map(([type, payload, artifacts], seq) => ({
    v: 1,
    session: 's',
    seq,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    type,
    payload,
    artifacts: artifacts ?? [],
    prev: '0'.repeat(64),
  }));
}

const meta = (seed: number | null, model: string, prompt: string, extra: { [key: string]: JsonValue } = {}): { [key: string]: JsonValue } => ({
  tool: 'a1111', prompt, seed, model: { name: model, hash: null }, inputImage: null, ...extra,
});

describe('lineage', () => {
  it('draws the creator\'s links and infers drafts, img2img inputs and same-seed variants', () => {
    const g = galleryFromEvents(chain(
      /* 0 */ ['generation.image', { path: '/out/base.png', metadata: meta(42, 'sdxl', 'castle at dawn') }, [png(A, 'base.png')]],
      /* 1 */ ['generation.image', { path: '/out/base2.png', metadata: meta(42, 'sdxl', 'castle at dusk') }, [png(B, 'base2.png')]],
      /* 2 */ ['generation.image', { path: '/out/other-model.png', metadata: meta(42, 'flux', 'castle at dusk') }, [png(C, 'other-model.png')]],
      /* 3 */ ['generation.image', { path: '/out/i2i.png', metadata: meta(7, 'sdxl', 'castle, oil painting', { inputImage: 'base.png' }) }, [png(D, 'i2i.png')]],
      /* 4 */ ['draft.saved', { path: '/d/poster.png', version: 1, previousSha256: null }, [png(E, 'poster.png')]],
      /* 5 */ ['draft.saved', { path: '/d/poster.png', version: 2, previousSha256: E }, [png(F, 'poster.png')]],
      /* 6 */ ['lineage.linked', { from: D, to: E, relation: 'edit-of', note: 'painted over in Krita' }],
    ));
    const edges = g.edges.map((e) => `${e.from[0]}>${e.to[0]} ${e.relation}${e.inferred ? ' inferred' : ''}`);
    expect(edges).toEqual([
      'd>e edit-of',
      'a>d img2img inferred',
      'e>f draft-of inferred',
      // Same seed and model: a and b. c has the seed but another model: no edge.
      'a>b variant inferred',
    ]);
    expect(g.edges[0]).toMatchObject({ note: 'painted over in Krita', seq: 6, basis: 'lineage.linked (event 6)' });
    expect(g.edges[1]!.basis).toMatch(/input image base\.png/);
    expect(g.edges[3]!.basis).toBe('same seed 42 and model sdxl');
  });

  it('reads the input images of a ComfyUI workflow (LoadImage nodes) and skips an inferred edge the creator already drew', () => {
    const workflow = {
      '3': { class_type: 'KSampler', inputs: { seed: 5, steps: 20 } },
      '10': { class_type: 'LoadImage', inputs: { image: 'sketch.png [input]', upload: 'image' } },
    };
    const g = galleryFromEvents(chain(
      ['artifact.attached', { sourcePath: '/home/me/sketch.png' }, [png(A, 'sketch.png')]],
      ['comfyui.prompt', { promptId: 'x', prompt: workflow }, [png(B, 'ComfyUI_00002_.png'), png(C, 'ComfyUI_00003_.png')]],
      ['lineage.linked', { from: A, to: B, relation: 'img2img', note: null }],
    ));
    expect(g.edges.map((e) => `${e.from[0]}>${e.to[0]} ${e.relation}${e.inferred ? ' inferred' : ''}`)).toEqual([
      'a>b img2img',
      'a>c img2img inferred',
    ]);
  });

  it('reads a comfyui.prompt as the connector records it: per-output metadata, the graph summary\'s inputImage', () => {
    const summary = meta(77, 'flux-dev', 'a lighthouse, storm', { inputImage: 'sketch.png' });
    const g = galleryFromEvents(chain(
      ['artifact.attached', { sourcePath: '/home/me/sketch.png' }, [png(A, 'sketch.png')]],
      ['comfyui.prompt', {
        prompt_id: 'p-1',
        status: 'success',
        metadata: summary,
        outputs: [
          { node: '9', filename: 'ComfyUI_00001_.png', sha256: B, metadata: meta(77, 'flux-dev', 'a lighthouse, storm') },
          { node: '9', filename: 'ComfyUI_00002_.png', sha256: C, metadata: { error: 'no text chunks' } },
        ],
      }, [{ sha256: D, size: 10, name: 'prompt-p-1.json', mime: 'application/json' }, png(B, 'ComfyUI_00001_.png'), png(C, 'ComfyUI_00002_.png')]],
    ));
    expect(g.images.map((i) => [i.sha256[0], i.source])).toEqual([['a', 'attach'], ['b', 'comfyui'], ['c', 'comfyui']]);
    // B's own metadata (no inputImage in the file); C falls back to the workflow summary.
    expect(g.images[1]!.metadata?.['inputImage']).toBeNull();
    expect(g.images[2]!.metadata).toEqual(summary);
    expect(g.edges.map((e) => `${e.from[0]}>${e.to[0]} ${e.relation}${e.inferred ? ' inferred' : ''}`)).toEqual([
      'a>b img2img inferred',
      'a>c img2img inferred',
      'b>c variant inferred',
    ]);
  });

  it('ignores links to images it does not know and malformed link events', () => {
    const g = galleryFromEvents(chain(
      ['generation.image', { inputImage: 'nowhere.png', metadata: null }, [png(A, 'a.png')]],
      ['lineage.linked', { from: A, relation: 'variant' }],
      ['draft.saved', { path: '/d/x.png', version: 2, previousSha256: sha('9') }, [png(B, 'x.png')]],
    ));
    expect(g.edges).toEqual([]);
  });
});
