// Images no one here made, from public test suites (tests/fixtures/ai-images/SOURCES.md names
// each one's repository, path, commit and licence). Expected values are those the source repo's
// own tests assert (sd-parsers tests/resources/parsers/*.py) or c2pa-rs's make_test_images wrote.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImageMetadata } from '../../src/core/capture/creation/metadata/index.js';
import { metadataJson } from '../../src/core/capture/creation/metadata/payload.js';

const fixture = (name: string): string => join(__dirname, '..', 'fixtures', 'ai-images', name);

interface Expected {
  tool: string;
  prompt: string | RegExp;
  negativePrompt?: string | null;
  seed: string;
  steps: number;
  sampler: string;
  cfgScale: number;
  model: string | null;
}

const SAMPLES: Record<string, Expected> = {
  'automatic1111_stealth.png': { tool: 'a1111', prompt: 'a circle', negativePrompt: 'a square', seed: '2015833630', steps: 20, sampler: 'Euler', cfgScale: 7, model: 'realisticVisionV51_v51VAE' },
  'invokeai_dream1.png': { tool: 'invokeai', prompt: /^professional full body photo of young woman, .* film grain, low contrast$/, negativePrompt: 'rendering, glowing eyes, skinny', seed: '2980747362', steps: 50, sampler: 'k_lms', cfgScale: 5, model: null },
  'fooocus1_cropped.png': { tool: 'fooocus', prompt: 'a smiling goldfish', seed: '6952411511246973023', steps: 30, sampler: 'dpmpp_2m_sde_gpu', cfgScale: 4, model: 'juggernautXL_v8Rundiffusion' },
  'automatic1111_cropped.png': { tool: 'a1111', prompt: 'photo of a duck', negativePrompt: 'monochrome', seed: '235284042', steps: 15, sampler: 'UniPC', cfgScale: 5, model: 'realistic_realisticVisionV20_v20' },
  'automatic1111_cropped.jpg': { tool: 'a1111', prompt: 'photo of a duck', negativePrompt: 'monochrome', seed: '235284042', steps: 15, sampler: 'UniPC', cfgScale: 5, model: 'realistic_realisticVisionV20_v20' },
  'invokeai_imeta1.png': { tool: 'invokeai', prompt: 'digital artwork, oil painting. painterly brushstrokes, holidays,', seed: '3293022630', steps: 35, sampler: 'euler', cfgScale: 8, model: 'juggernautXL' },
  'invokeai_sdmeta1.png': { tool: 'invokeai', prompt: /low contrast$/, negativePrompt: 'rendering, glowing eyes, skinny', seed: '2980747362', steps: 50, sampler: 'k_lms', cfgScale: 5, model: 'deliberateForInvoke_v08' },
  'novelai1_cropped.png': { tool: 'novelai', prompt: 'masterpiece, best quality,  cat, space, icon', seed: '2253955223', steps: 50, sampler: 'k_euler_ancestral', cfgScale: 10, model: 'Stable Diffusion' },
  'img2img_cropped.png': { tool: 'comfyui', prompt: /^photograph of victorian woman with wings, sky clouds, meadow grass/, seed: '280823642470253', steps: 20, sampler: 'sample_dpmpp_2m', cfgScale: 8, model: 'v1-5-pruned-emaonly.ckpt' },
};

describe('real images from public test suites', () => {
  for (const [name, want] of Object.entries(SAMPLES)) {
    it(`reads ${name}: tool ${want.tool}, seed ${want.seed}`, async () => {
      const m = await readImageMetadata(fixture(name));
      expect(m.tool).toBe(want.tool);
      if (typeof want.prompt === 'string') expect(m.prompt).toBe(want.prompt);
      else expect(m.prompt).toMatch(want.prompt);
      if (want.negativePrompt !== undefined) expect(m.negativePrompt).toBe(want.negativePrompt);
      expect({ seed: m.seed, steps: m.steps, sampler: m.sampler, cfgScale: m.cfgScale, model: m.model.name }).toEqual({ seed: want.seed, steps: want.steps, sampler: want.sampler, cfgScale: want.cfgScale, model: want.model });
      expect(m.warnings).toEqual([]);
    });
  }

  it('keeps the Fooocus 64-bit seed exact in the event payload too (no rounded 6952411511246973000)', async () => {
    const json = metadataJson(await readImageMetadata(fixture('fooocus1_cropped.png')));
    expect(json['seed']).toBe('6952411511246973023');
    expect(JSON.stringify(json)).not.toContain('6952411511246973000');
  });

  it('finds the A1111 parameters hidden in the alpha channel and names the carrier', async () => {
    const m = await readImageMetadata(fixture('automatic1111_stealth.png'));
    expect(m.parameters).toMatchObject({ carrier: 'stealth_pngcomp', 'Clip skip': '2', Version: 'v1.9.4-169-ga30b19dd' });
    expect(m.raw['stealth:stealth_pngcomp']).toMatch(/^a circle\nNegative prompt: a square\nSteps: 20/);
  });

  it('reads the InvokeAI Dream switches that are not core fields under their names', async () => {
    const m = await readImageMetadata(fixture('invokeai_dream1.png'));
    expect(m).toMatchObject({ width: 512, height: 768, parameters: { gfpgan_strength: '0.9', codeformer_fidelity: '0.75', upscale: '4 0.95', format: 'Dream' } });
  });
});

describe('C2PA manifests already in an input image (c2pa-rs test fixtures)', () => {
  it('reads the generator, actions and signer of a valid manifest, the signer untrusted', async () => {
    const m = await readImageMetadata(fixture('c2pa-C.jpg'));
    expect(m.tool).toBe('c2pa');
    expect(m.model.name).toBe('Make Test Images 0.33.1');
    expect(m.c2pa).toMatchObject({
      claimGenerator: 'make_test_images/0.33.1 c2pa-rs/0.33.1',
      generator: 'Make Test Images 0.33.1',
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia',
      actions: [{ action: 'c2pa.created' }],
      signer: { commonName: 'C2PA Signer', issuer: 'C2PA Test Signing Cert', time: '2024-08-06T21:53:37+00:00' },
      validationState: 'Valid',
      validationCodes: ['signingCredential.untrusted'],
    });
    expect(metadataJson(m)['c2pa']).toMatchObject({ generator: 'Make Test Images 0.33.1' });
  });

  it('reads Adobe Firefly\'s real manifest store (third-party model Gemini Flash) and, on pixels it did not sign, calls it invalid', async () => {
    // The caBX chunk is Firefly's, byte for byte; the 1×1 image around it is not the one Firefly
    // signed (the 2 MB original is too large to keep here): exactly a credential moved onto another picture.
    const m = await readImageMetadata(fixture('firefly-gemini-manifest-1px.png'));
    expect(m.c2pa).toMatchObject({
      claimGenerator: 'Adobe_Firefly',
      generator: 'Gemini Flash',
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      signer: { commonName: 'Adobe Firefly C2PA', issuer: 'Adobe Inc.' },
      validationState: 'Invalid',
    });
    expect(m.c2pa?.validationCodes).toContain('assertion.dataHash.mismatch');
    expect(m.tool).toBe('unknown');
  });

  it('does not take a manifest whose image hash no longer matches (XCA.jpg) as naming the generator', async () => {
    const m = await readImageMetadata(fixture('c2pa-XCA.jpg'));
    expect(m.tool).toBe('unknown');
    expect(m.software).toBeNull();
    expect(m.c2pa).toMatchObject({ validationState: 'Invalid' });
    expect(m.c2pa?.validationCodes).toContain('assertion.dataHash.mismatch');
    expect(m.warnings.join('\n')).toMatch(/C2PA manifest fails validation \(.*assertion\.dataHash\.mismatch/);
  });
});
