import { EMPTY_FIELDS, numberOrNull, seedOrNull, parseJsonObject, stringOrNull, type GenerationFields } from './types.js';

// ComfyUI's API-format graph (the `prompt` PNG text, /history's prompt[2]): node id → {class_type,
// inputs}, where an input is either a literal or a link `[sourceNodeId, outputIndex]`.
export interface ComfyNode {
  readonly class_type: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly _meta?: { readonly title?: string };
}
export type ComfyGraph = Readonly<Record<string, ComfyNode>>;

const CORE_SAMPLERS = /^(KSampler|KSamplerAdvanced|SamplerCustom|SamplerCustomAdvanced)$/;
/** Core samplers, and custom ones named after them ("KSampler (Efficient)"), but not KSamplerSelect. */
const isSampler = (classType: string): boolean => CORE_SAMPLERS.test(classType) || (/KSampler/.test(classType) && !/Select/.test(classType));
const OUTPUTS = /^(SaveImage|PreviewImage|SaveAnimatedWEBP|SaveAnimatedPNG|Image Save)$|Save.*Image/;
const MAX_DEPTH = 32;

function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && typeof value[1] === 'number';
}

export function asComfyGraph(value: unknown): ComfyGraph | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return null;
  for (const [, node] of entries) {
    if (node === null || typeof node !== 'object') return null;
    const n = node as Record<string, unknown>;
    if (typeof n['class_type'] !== 'string' || n['inputs'] === null || typeof n['inputs'] !== 'object') return null;
  }
  return value as ComfyGraph;
}

class GraphWalker {
  constructor(private readonly graph: ComfyGraph) {}

  node(id: unknown): ComfyNode | undefined {
    return this.graph[String(id)];
  }

  /** The node an input links to, if it is a link. */
  source(node: ComfyNode | undefined, input: string): ComfyNode | undefined {
    const value = node?.inputs[input];
    return isLink(value) ? this.node(value[0]) : undefined;
  }

  /** A literal input, following links through primitive/utility nodes (seed, int, string nodes). */
  literal(node: ComfyNode | undefined, input: string, depth = 0): unknown {
    const value = node?.inputs[input];
    if (!isLink(value)) return value;
    const from = this.node(value[0]);
    if (!from || depth > MAX_DEPTH) return undefined;
    for (const name of [input, 'value', 'seed', 'noise_seed', 'int', 'float', 'string', 'text', 'text_positive', 'text_g']) {
      if (name in from.inputs) return this.literal(from, name, depth + 1);
    }
    return undefined;
  }

  /** Prompt text behind a conditioning input: CLIPTextEncode and friends, through combiners and ControlNet. */
  text(node: ComfyNode | undefined, depth = 0, seen = new Set<ComfyNode>()): string | null {
    if (!node || depth > MAX_DEPTH || seen.has(node)) return null;
    seen.add(node);
    for (const name of ['text', 'text_g', 'prompt', 'positive_prompt', 'string']) {
      const value = this.literal(node, name);
      if (typeof value === 'string') {
        const local = node.inputs['text_l'];
        return name === 'text_g' && typeof local === 'string' && local && local !== value ? `${value}\n${local}` : value;
      }
    }
    // Follow conditioning through ConditioningCombine/SetArea/ControlNetApply, guiders, etc.
    const parts: string[] = [];
    for (const [name, value] of Object.entries(node.inputs)) {
      if (!isLink(value) || !/conditioning|positive|^cond|guider/i.test(name)) continue;
      const found = this.text(this.node(value[0]), depth + 1, seen);
      if (found !== null && !parts.includes(found)) parts.push(found);
    }
    return parts.length > 0 ? parts.join('\n') : null;
  }

  /** Checkpoint (or UNet) name behind a model input, through LoRA loaders and patches. */
  model(node: ComfyNode | undefined, depth = 0): string | null {
    if (!node || depth > MAX_DEPTH) return null;
    for (const name of ['ckpt_name', 'unet_name', 'model_name']) {
      const value = node.inputs[name];
      if (typeof value === 'string') return value;
    }
    return this.model(this.source(node, 'model') ?? this.source(node, 'guider'), depth + 1);
  }

  /** Width and height behind a latent input: EmptyLatentImage, through upscales. */
  latent(node: ComfyNode | undefined, depth = 0): { width: number | null; height: number | null; inputImage: string | null } {
    const none = { width: null, height: null, inputImage: null };
    if (!node || depth > MAX_DEPTH) return none;
    const width = numberOrNull(this.literal(node, 'width'));
    const height = numberOrNull(this.literal(node, 'height'));
    if (width !== null && height !== null && !('samples' in node.inputs)) return { width, height, inputImage: null };
    const image = this.inputImage(node, depth);
    if (image !== null) return { ...none, inputImage: image };
    for (const name of ['samples', 'latent_image', 'latent', 'pixels']) {
      const from = this.source(node, name);
      if (from) return this.latent(from, depth + 1);
    }
    return none;
  }

  /** A LoadImage node feeding this one (img2img, inpaint). */
  inputImage(node: ComfyNode | undefined, depth = 0): string | null {
    if (!node || depth > MAX_DEPTH) return null;
    if (/^LoadImage/.test(node.class_type) && typeof node.inputs['image'] === 'string') return node.inputs['image'];
    for (const name of ['pixels', 'image', 'images']) {
      const found = this.inputImage(this.source(node, name), depth + 1);
      if (found !== null) return found;
    }
    return null;
  }

  /** The sampler that feeds the saved image: walk back from the output node; else the first sampler. */
  mainSampler(): ComfyNode | undefined {
    const nodes = Object.entries(this.graph).sort(([a], [b]) => Number(a) - Number(b) || a.localeCompare(b));
    const outputs = nodes.filter(([, n]) => OUTPUTS.test(n.class_type)).map(([, n]) => n);
    for (const output of outputs) {
      const queue: ComfyNode[] = [output];
      const seen = new Set<ComfyNode>();
      while (queue.length > 0) {
        const current = queue.shift()!;
        if (seen.has(current)) continue;
        seen.add(current);
        if (current !== output && isSampler(current.class_type)) return current;
        for (const value of Object.values(current.inputs)) if (isLink(value)) {
          const next = this.node(value[0]);
          if (next) queue.push(next);
        }
      }
    }
    return nodes.map(([, n]) => n).find((n) => isSampler(n.class_type));
  }
}

/** Reads the generation settings out of an API-format graph, following links from the sampler. */
export function summariseComfyGraph(graph: ComfyGraph): GenerationFields {
  const g = new GraphWalker(graph);
  const sampler = g.mainSampler();
  // SamplerCustomAdvanced splits settings over noise, guider, sampler and sigmas nodes.
  const guider = g.source(sampler, 'guider');
  const conditioningOwner = guider ?? sampler;
  const positive = g.text(g.source(conditioningOwner, 'positive') ?? g.source(conditioningOwner, 'conditioning'));
  const negative = g.text(g.source(conditioningOwner, 'negative'));
  const noise = g.source(sampler, 'noise');
  const samplerSelect = g.source(sampler, 'sampler');
  const sigmas = g.source(sampler, 'sigmas');
  const seed = seedOrNull(g.literal(sampler, 'seed') ?? g.literal(sampler, 'noise_seed') ?? g.literal(noise, 'noise_seed'));
  const steps = numberOrNull(g.literal(sampler, 'steps') ?? g.literal(sigmas, 'steps'));
  const cfg = numberOrNull(g.literal(sampler, 'cfg') ?? g.literal(guider, 'cfg'));
  const samplerName = stringOrNull(g.literal(sampler, 'sampler_name') ?? g.literal(samplerSelect, 'sampler_name'));
  const scheduler = stringOrNull(g.literal(sampler, 'scheduler') ?? g.literal(sigmas, 'scheduler'));
  const latent = g.latent(g.source(sampler, 'latent_image'));
  const modelName = g.model(g.source(sampler, 'model') ?? g.source(guider, 'model') ?? g.source(sigmas, 'model'));
  const anyLoadImage = Object.values(graph).find((n) => /^LoadImage/.test(n.class_type) && typeof n.inputs['image'] === 'string');
  const firstCheckpoint = Object.values(graph).find((n) => typeof n.inputs['ckpt_name'] === 'string');
  const parameters: Record<string, string> = { nodes: String(Object.keys(graph).length) };
  if (sampler) parameters['sampler_node'] = sampler.class_type;
  const denoise = g.literal(sampler, 'denoise');
  if (typeof denoise === 'number') parameters['denoise'] = String(denoise);
  const loras = Object.values(graph).filter((n) => /Lora/i.test(n.class_type) && typeof n.inputs['lora_name'] === 'string').map((n) => n.inputs['lora_name'] as string);
  if (loras.length > 0) parameters['loras'] = loras.join(', ');
  return {
    ...EMPTY_FIELDS,
    tool: 'comfyui',
    prompt: positive,
    negativePrompt: negative,
    seed,
    steps,
    sampler: samplerName,
    scheduler,
    cfgScale: cfg,
    width: latent.width,
    height: latent.height,
    model: { name: modelName ?? (firstCheckpoint ? (firstCheckpoint.inputs['ckpt_name'] as string) : null), hash: null },
    inputImage: latent.inputImage ?? (anyLoadImage ? (anyLoadImage.inputs['image'] as string) : null),
    parameters,
  };
}

/**
 * The UI-format `workflow` (nodes with widgets_values and a links table): used only when a file
 * has no API `prompt` graph. Widget order follows ComfyUI's node definitions for KSampler
 * (seed, control_after_generate, steps, cfg, sampler_name, scheduler, denoise).
 */
export function summariseComfyWorkflow(workflow: Record<string, unknown>): GenerationFields | null {
  const nodes = Array.isArray(workflow['nodes']) ? (workflow['nodes'] as Record<string, unknown>[]) : null;
  const links = Array.isArray(workflow['links']) ? (workflow['links'] as unknown[][]) : [];
  if (!nodes) return null;
  const byId = new Map(nodes.map((n) => [n['id'], n]));
  const linkSource = new Map(links.filter(Array.isArray).map((l) => [l[0], l[1]]));
  const widgets = (n: Record<string, unknown> | undefined): unknown[] => (Array.isArray(n?.['widgets_values']) ? (n['widgets_values'] as unknown[]) : []);
  const inputNode = (n: Record<string, unknown> | undefined, name: string): Record<string, unknown> | undefined => {
    const inputs = Array.isArray(n?.['inputs']) ? (n['inputs'] as Record<string, unknown>[]) : [];
    const link = inputs.find((i) => i['name'] === name)?.['link'];
    return link === null || link === undefined ? undefined : byId.get(linkSource.get(link));
  };
  const sampler = nodes.find((n) => n['type'] === 'KSampler' || n['type'] === 'KSamplerAdvanced');
  if (!sampler) return { ...EMPTY_FIELDS, tool: 'comfyui', parameters: { nodes: String(nodes.length) } };
  const w = widgets(sampler);
  const advanced = sampler['type'] === 'KSamplerAdvanced';
  const at = (i: number): unknown => w[advanced ? i + 1 : i];
  const textOf = (n: Record<string, unknown> | undefined): string | null => stringOrNull(widgets(n)[0]);
  const latent = widgets(inputNode(sampler, 'latent_image'));
  let modelNode = inputNode(sampler, 'model');
  for (let i = 0; i < MAX_DEPTH && modelNode && !/Checkpoint|UNET/i.test(String(modelNode['type'])); i++) modelNode = inputNode(modelNode, 'model');
  return {
    ...EMPTY_FIELDS,
    tool: 'comfyui',
    prompt: textOf(inputNode(sampler, 'positive')),
    negativePrompt: textOf(inputNode(sampler, 'negative')),
    seed: seedOrNull(at(0)),
    steps: numberOrNull(at(2)),
    cfgScale: numberOrNull(at(3)),
    sampler: stringOrNull(at(4)),
    scheduler: stringOrNull(at(5)),
    width: numberOrNull(latent[0]),
    height: numberOrNull(latent[1]),
    model: { name: stringOrNull(widgets(modelNode)[0]), hash: null },
    parameters: { nodes: String(nodes.length), source: 'workflow' },
  };
}

export function parseComfyUI(promptText: string | undefined, workflowText: string | undefined, warnings: string[]): GenerationFields | null {
  if (promptText !== undefined) {
    const graph = asComfyGraph(parseJsonObject(promptText));
    if (graph) return summariseComfyGraph(graph);
    warnings.push('the ComfyUI `prompt` text is not an API-format graph; kept as raw text');
  }
  if (workflowText !== undefined) {
    const workflow = parseJsonObject(workflowText);
    if (workflow) return summariseComfyWorkflow(workflow);
    warnings.push('the ComfyUI `workflow` text is not JSON; kept as raw text');
  }
  return null;
}
