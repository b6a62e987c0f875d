import { open, readFile } from 'node:fs/promises';
import type { C2paSummary } from './types.js';

// C2PA Content Credentials already in an input image (OpenAI, Adobe Firefly, Google, cameras):
// read and validated by c2pa-rs (WASM, src/core/provenance/c2pa-runtime.ts). The 8 MB module
// is loaded only for files that carry a manifest store: PNG caBX, WebP C2PA (found while the
// chunks are walked) and JPEG APP11 JUMBF segments (C2PA 2.1 §A.3.1, found here).
const MIME = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;
// No network while reading evidence: a manifest kept on a server is named, not fetched.
const READ_SETTINGS = JSON.stringify({ verify: { remote_manifest_fetch: false, ocsp_fetch: false } });

/** JPEG APP11 (0xFFEB) segments of type JUMBF ("JP" common identifier, ISO 19566-5) holding a 'c2pa' box. */
export async function jpegHasJumbf(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const header = Buffer.alloc(4);
    let position = 2;
    while (position + 4 <= size) {
      await handle.read(header, 0, 4, position);
      if (header[0] !== 0xff) return false;
      const marker = header[1]!;
      if (marker === 0xff) { position += 1; continue; }
      if (marker === 0xda || marker === 0xd9) return false;
      const length = header.readUInt16BE(2);
      if (marker === 0xeb && length > 20) {
        const body = Buffer.alloc(Math.min(length - 2, 64));
        await handle.read(body, 0, body.length, position + 4);
        if (body.toString('latin1', 0, 2) === 'JP' && body.includes('c2pa')) return true;
      }
      position += 2 + length;
    }
    return false;
  } finally {
    await handle.close();
  }
}

export async function readC2pa(path: string, format: keyof typeof MIME): Promise<C2paSummary> {
  const { loadC2pa } = await import('../../../provenance/c2pa-runtime.js');
  const c2pa = await loadC2pa();
  const reader = await c2pa.WasmReader.fromBytes(MIME[format], await readFile(path), READ_SETTINGS);
  try {
    return summarise(JSON.parse(reader.json()) as ManifestStore);
  } finally {
    reader.free();
  }
}

interface Action { action?: string; softwareAgent?: string | { name?: string; version?: string }; digitalSourceType?: string; when?: string; parameters?: Record<string, unknown> }
interface Manifest {
  claim_generator?: string;
  claim_generator_info?: { name?: string; version?: string }[];
  title?: string;
  assertions?: { label: string; data?: { actions?: Action[] } }[];
  signature_info?: { common_name?: string; issuer?: string; time?: string; alg?: string };
}
interface ManifestStore { active_manifest?: string; manifests?: Record<string, Manifest>; validation_state?: string; validation_status?: { code: string }[] }

const agentName = (agent: Action['softwareAgent']): string | null =>
  typeof agent === 'string' ? agent : agent?.name ? [agent.name, agent.version].filter(Boolean).join(' ') : null;

// Adobe Firefly names a third-party model in the action's parameters rather than as its
// softwareAgent: com.adobe.details ("Gemini Flash"), com.adobe.modelId, com.adobe.digitalSourceType.
const param = (a: Action | undefined, key: string): string | null => (typeof a?.parameters?.[key] === 'string' ? (a.parameters[key] as string) : null);

export function summarise(store: ManifestStore): C2paSummary {
  const manifest = (store.active_manifest ? store.manifests?.[store.active_manifest] : undefined) ?? {};
  const actions = (manifest.assertions ?? []).filter((a) => /^c2pa\.actions(\.v\d+)?$/.test(a.label)).flatMap((a) => a.data?.actions ?? []);
  const sourceType = (a: Action): string | null => a.digitalSourceType ?? param(a, 'com.adobe.digitalSourceType');
  const created = actions.find((a) => a.action === 'c2pa.created') ?? actions.find((a) => sourceType(a) !== null);
  const info = manifest.claim_generator_info?.[0];
  return {
    claimGenerator: manifest.claim_generator ?? (info?.name ? [info.name, info.version].filter(Boolean).join(' ') : null),
    generator: agentName(created?.softwareAgent) ?? param(created, 'com.adobe.details') ?? param(created, 'com.adobe.modelId'),
    digitalSourceType: (created ? sourceType(created) : null)?.trim() ?? null,
    actions: actions.map((a) => ({ action: a.action ?? '?', softwareAgent: agentName(a.softwareAgent), when: a.when ?? null })),
    signer: {
      commonName: manifest.signature_info?.common_name ?? null,
      issuer: manifest.signature_info?.issuer ?? null,
      time: manifest.signature_info?.time ?? null,
      alg: manifest.signature_info?.alg ?? null,
    },
    validationState: store.validation_state ?? null,
    validationCodes: (store.validation_status ?? []).map((s) => s.code),
    title: manifest.title ?? null,
    manifestCount: Object.keys(store.manifests ?? {}).length,
  };
}
