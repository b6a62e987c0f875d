import { describe, expect, it } from 'vitest';
import { parseA1111, splitInfotext } from '../../src/core/capture/creation/metadata/a1111.js';
import { aigcFromXmp } from '../../src/core/capture/creation/metadata/aigc-label.js';
import { parseFooocus } from '../../src/core/capture/creation/metadata/fooocus.js';
import { parseInvokeAI } from '../../src/core/capture/creation/metadata/invokeai.js';
import { parseMidjourney } from '../../src/core/capture/creation/metadata/midjourney.js';
import { parseNovelAI } from '../../src/core/capture/creation/metadata/novelai.js';
import { A1111_PARAMETERS, AIGC_LABEL, FOOOCUS_JSON, INVOKEAI_METADATA, MIDJOURNEY_DESCRIPTION, NOVELAI_COMMENT, tc260Xmp } from '../support/ai-images.js';

describe('AUTOMATIC1111 / Forge infotext', () => {
  it('splits multi-line prompt and negative prompt from the settings line, unquoting quoted values', () => {
    const parsed = parseA1111(A1111_PARAMETERS);
    expect(parsed).toMatchObject({
      tool: 'a1111',
      prompt: 'masterpiece, a red fox in the snow, (detailed fur:1.2)\ngolden hour',
      negativePrompt: 'lowres, bad anatomy\nblurry',
      seed: '3141592653',
      steps: 28,
      sampler: 'DPM++ 2M',
      scheduler: 'Karras',
      cfgScale: 6.5,
      width: 832,
      height: 1216,
      model: { name: 'sd_xl_base_1.0', hash: '6ce0161689' },
    });
    expect(parsed.parameters['Lora hashes']).toBe('fox_v2: 1a2b3c4d5e6f, snow: 0f0f0f0f0f0f');
    expect(parsed.parameters['Denoising strength']).toBe('0.35');
    expect(parsed.parameters['Version']).toBe('v1.10.1');
  });

  it('keeps a prompt without a settings line whole, with no negative prompt', () => {
    expect(splitInfotext('just a prompt, with commas: and colons')).toEqual({ prompt: 'just a prompt, with commas: and colons', negativePrompt: null, settings: {} });
  });

  it('reports Fooocus images saved in the A1111 scheme as fooocus', () => {
    expect(parseA1111('a cat\nSteps: 30, Sampler: DPM++ 2M SDE, Seed: 5, Size: 1024x1024, Version: Fooocus v2.5.5').tool).toBe('fooocus');
  });
});

describe('InvokeAI', () => {
  it('reads invokeai_metadata (5.x model object)', () => {
    const warnings: string[] = [];
    expect(parseInvokeAI(JSON.stringify(INVOKEAI_METADATA), undefined, warnings)).toMatchObject({
      tool: 'invokeai', prompt: 'a cozy reading nook, warm light', negativePrompt: 'clutter', seed: '1234567', steps: 30, cfgScale: 6, width: 1024, height: 1024,
      sampler: 'dpmpp_2m_k', model: { name: 'Juggernaut XL v9', hash: 'blake3:9f1e…' },
    });
    expect(warnings).toEqual([]);
  });

  it('reads 3.x model names and the init image of img2img', () => {
    const meta = { ...INVOKEAI_METADATA, generation_mode: 'img2img', model: { model_name: 'stable-diffusion-v1-5', base_model: 'sd-1' }, init_image: 'a1b2c3.png' };
    expect(parseInvokeAI(JSON.stringify(meta), undefined, [])).toMatchObject({ model: { name: 'stable-diffusion-v1-5', hash: null }, inputImage: 'a1b2c3.png' });
  });

  it('warns, and keeps going, when the JSON is broken', () => {
    const warnings: string[] = [];
    expect(parseInvokeAI('{"positive_prompt": "cut', undefined, warnings)).toBeNull();
    expect(warnings[0]).toMatch(/invokeai_metadata.*not JSON/);
  });
});

describe('Fooocus', () => {
  it('reads the fooocus-scheme JSON: string seed and tuple resolution become numbers', () => {
    expect(parseFooocus(JSON.stringify(FOOOCUS_JSON))).toMatchObject({
      tool: 'fooocus', prompt: 'a cat astronaut', negativePrompt: '', seed: '8813052427012345', steps: 30, cfgScale: 4, width: 1152, height: 896,
      sampler: 'dpmpp_2m_sde_gpu', scheduler: 'karras', model: { name: 'juggernautXL_v8Rundiffusion.safetensors', hash: 'aeb7e9e689' },
    });
  });
});

describe('NovelAI', () => {
  it('reads Comment JSON, the undesired content as the negative prompt, and the model hash from Source', () => {
    const texts = new Map([
      ['Title', 'NovelAI generated image'],
      ['Description', NOVELAI_COMMENT.prompt],
      ['Software', 'NovelAI'],
      ['Source', 'NovelAI Diffusion V4.5 4BDE2A90'],
      ['Comment', JSON.stringify(NOVELAI_COMMENT)],
    ]);
    expect(parseNovelAI(texts, [])).toMatchObject({
      tool: 'novelai', prompt: '1girl, cherry blossoms, 樱花, best quality', negativePrompt: 'lowres, bad hands', seed: '2718281828', steps: 28, cfgScale: 5,
      width: 832, height: 1216, sampler: 'k_euler_ancestral', model: { name: 'NovelAI Diffusion V4.5', hash: '4BDE2A90' },
    });
  });
});

describe('Midjourney', () => {
  it('separates the prompt from --parameters and the job id', () => {
    const parsed = parseMidjourney(MIDJOURNEY_DESCRIPTION);
    expect(parsed).toMatchObject({ tool: 'midjourney', prompt: 'a paper boat on a rainy street, cinematic', negativePrompt: 'people', seed: '987654', model: { name: 'Midjourney v6.1' } });
    expect(parsed.parameters).toMatchObject({ '--ar': '3:2', 'Job ID': '1b7c9d2e-3f4a-4b5c-8d6e-7f8091a2b3c4' });
  });
});

describe('TC260 AIGC implicit label (GB 45438-2025)', () => {
  it('reads the label from an XMP attribute and from an element, keeping the JSON as embedded', () => {
    for (const attribute of [true, false]) {
      const label = aigcFromXmp(tc260Xmp(AIGC_LABEL, attribute))!;
      expect(label).toMatchObject({ label: '1', contentProducer: AIGC_LABEL.ContentProducer, produceId: AIGC_LABEL.ProduceID, propagateId: 'post-7781', carrier: 'xmp' });
      expect(label.meaning).toMatch(/AI-generated/);
      expect(JSON.parse(label.raw)).toEqual(AIGC_LABEL);
    }
  });

  it('finds nothing in XMP without the TC260 field', () => {
    expect(aigcFromXmp('<x:xmpmeta><rdf:RDF><rdf:Description dc:format="image/png"/></rdf:RDF></x:xmpmeta>')).toBeUndefined();
  });
});
