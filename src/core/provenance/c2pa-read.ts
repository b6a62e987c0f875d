// A C2PA manifest read back and validated by c2pa-rs (WasmReader.fromBytes, which needs no
// browser API): the active manifest's label, its ingredients, and the validation codes by kind.
import { loadC2pa } from './c2pa-runtime.js';

export interface C2paReading {
  readonly activeManifest: string | null;
  readonly manifest: { readonly [key: string]: unknown } | null;
  /** validation_results.activeManifest.failure codes (C2PA 2.1 §15.x status codes). */
  readonly failures: readonly string[];
  readonly successes: readonly string[];
  /** The ingredients as c2pa-rs reports them. */
  readonly ingredients: readonly { readonly title?: string; readonly relationship?: string; readonly instance_id?: string; readonly metadata?: { readonly [key: string]: unknown } }[];
  readonly json: string;
}

interface ManifestStoreJson {
  active_manifest?: string;
  manifests?: Record<string, { ingredients?: C2paReading['ingredients'] }>;
  validation_results?: { activeManifest?: { failure?: { code: string }[]; success?: { code: string }[] } };
}

export async function readC2pa(bytes: Uint8Array, format: string): Promise<C2paReading> {
  const c2pa = await loadC2pa();
  const reader = await c2pa.WasmReader.fromBytes(format, bytes);
  try {
    const json = reader.json();
    const store = JSON.parse(json) as ManifestStoreJson;
    const active = store.active_manifest ?? null;
    const manifest = active ? (store.manifests?.[active] ?? null) : null;
    return {
      activeManifest: active,
      manifest,
      failures: (store.validation_results?.activeManifest?.failure ?? []).map((f) => f.code),
      successes: (store.validation_results?.activeManifest?.success ?? []).map((f) => f.code),
      ingredients: manifest?.ingredients ?? [],
      json,
    };
  } finally {
    reader.free();
  }
}
