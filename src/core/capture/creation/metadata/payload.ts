import type { JsonValue } from '../../../../shared/domain.js';
import type { ImageMetadata } from './types.js';

/** Per raw text kept in an event payload; the whole text stays in the stored image itself. */
export const RAW_PAYLOAD_LIMIT = 64 * 1024;

/**
 * The metadata as plain JSON, with the same field names `proofline inspect --json` prints, so the
 * gallery, lineage and compare views read one shape from events and from files. Raw texts longer
 * than `rawLimit` characters are cut and named in `rawTruncated`.
 */
export function metadataJson(metadata: ImageMetadata, rawLimit = Number.POSITIVE_INFINITY): { [key: string]: JsonValue } {
  const raw: Record<string, string> = {};
  const truncated: string[] = [];
  for (const [key, value] of Object.entries(metadata.raw)) {
    if (value.length > rawLimit) {
      raw[key] = value.slice(0, rawLimit);
      truncated.push(key);
    } else raw[key] = value;
  }
  const json: { [key: string]: JsonValue } = {
    tool: metadata.tool,
    format: metadata.format,
    prompt: metadata.prompt,
    negativePrompt: metadata.negativePrompt,
    seed: metadata.seed,
    steps: metadata.steps,
    sampler: metadata.sampler,
    scheduler: metadata.scheduler,
    cfgScale: metadata.cfgScale,
    width: metadata.width,
    height: metadata.height,
    model: { name: metadata.model.name, hash: metadata.model.hash },
    inputImage: metadata.inputImage,
    software: metadata.software,
    image: { width: metadata.image.width, height: metadata.image.height },
    parameters: { ...metadata.parameters },
    raw,
    warnings: [...metadata.warnings],
  };
  if (truncated.length > 0) json['rawTruncated'] = truncated;
  if (metadata.aigcLabel) json['aigcLabel'] = { ...metadata.aigcLabel };
  if (metadata.c2pa) json['c2pa'] = JSON.parse(JSON.stringify(metadata.c2pa)) as JsonValue;
  return json;
}
