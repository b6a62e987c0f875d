import { describe, expect, it } from 'vitest';
import { summariseComfyGraph, summariseComfyWorkflow, type ComfyGraph } from '../../src/core/capture/creation/metadata/comfyui-graph.js';
import { comfyPromptGraph, comfyWorkflow } from '../support/ai-images.js';

describe('ComfyUI graphs', () => {
  it('follows links from KSampler to the prompt text (through a string node), the LoRA-wrapped checkpoint and the latent size', () => {
    const summary = summariseComfyGraph(comfyPromptGraph(156680208700286) as unknown as ComfyGraph);
    expect(summary).toMatchObject({
      tool: 'comfyui', prompt: '水墨山水，远山与小舟, ink landscape', negativePrompt: 'text, watermark, 模糊', seed: '156680208700286', steps: 25, cfgScale: 7.5,
      sampler: 'dpmpp_2m', scheduler: 'karras', width: 1024, height: 768, model: { name: 'sd_xl_base_1.0.safetensors', hash: null }, inputImage: null,
    });
    expect(summary.parameters['loras']).toBe('ink_style.safetensors');
  });

  it('names the LoadImage input of an img2img graph', () => {
    expect(summariseComfyGraph(comfyPromptGraph(1, { img2img: true }) as unknown as ComfyGraph)).toMatchObject({ inputImage: 'sketch-v3.png', parameters: { denoise: '0.6' } });
  });

  it('reads SamplerCustomAdvanced graphs (Flux style): noise, guider, sampler select and scheduler nodes', () => {
    const graph = {
      '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a neon koi in rain', clip: ['11', 0] } },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['13', 0], vae: ['10', 0] } },
      '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'flux' } },
      '12': { class_type: 'UNETLoader', inputs: { unet_name: 'flux1-dev.safetensors', weight_dtype: 'default' } },
      '13': { class_type: 'SamplerCustomAdvanced', inputs: { noise: ['25', 0], guider: ['22', 0], sampler: ['16', 0], sigmas: ['17', 0], latent_image: ['27', 0] } },
      '16': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' } },
      '17': { class_type: 'BasicScheduler', inputs: { scheduler: 'simple', steps: 20, denoise: 1, model: ['12', 0] } },
      '22': { class_type: 'BasicGuider', inputs: { model: ['12', 0], conditioning: ['26', 0] } },
      '25': { class_type: 'RandomNoise', inputs: { noise_seed: 219670278747233 } },
      '26': { class_type: 'FluxGuidance', inputs: { guidance: 3.5, conditioning: ['6', 0] } },
      '27': { class_type: 'EmptySD3LatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 } },
    } as unknown as ComfyGraph;
    expect(summariseComfyGraph(graph)).toMatchObject({ prompt: 'a neon koi in rain', seed: '219670278747233', steps: 20, sampler: 'euler', scheduler: 'simple', width: 1024, height: 1024, model: { name: 'flux1-dev.safetensors' } });
  });

  it('takes the sampler that feeds the saved image when a graph has a hires second pass', () => {
    const graph = {
      ...comfyPromptGraph(11),
      '20': { class_type: 'LatentUpscale', inputs: { samples: ['3', 0], upscale_method: 'nearest-exact', width: 2048, height: 1536, crop: 'disabled' } },
      '21': { class_type: 'KSampler', inputs: { seed: 22, steps: 12, cfg: 5, sampler_name: 'euler', scheduler: 'normal', denoise: 0.5, model: ['10', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['20', 0] } },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['21', 0], vae: ['4', 2] } },
    } as unknown as ComfyGraph;
    expect(summariseComfyGraph(graph)).toMatchObject({ seed: '22', steps: 12, cfgScale: 5, prompt: '水墨山水，远山与小舟, ink landscape' });
  });

  it('falls back to the UI workflow (widgets and links) when there is no API graph', () => {
    expect(summariseComfyWorkflow(comfyWorkflow())).toMatchObject({
      prompt: 'beautiful scenery nature glass bottle landscape', negativePrompt: 'text, watermark', seed: '42', steps: 20, cfgScale: 8, sampler: 'euler', scheduler: 'normal',
      width: 512, height: 512, model: { name: 'v1-5-pruned-emaonly.safetensors' },
    });
  });
});
