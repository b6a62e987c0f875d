// A C2PA manifest read back and validated by c2pa-rs (WasmReader.fromBytes, which needs no
// browser API): the active manifest's label, its ingredients, and the validation codes by kind.
import { loadC2pa } from './c2pa-runtime.js';

export interface C2paReading {
  readonly activeManifest: string | null;
  readonly manifest: { readonly [key: string]: unknown } | null;
  /** validation_results.activeManifest.failure codes (C2PA 2.1 §15.x status codes). */
  readonly failures: readonly string[];
  readonly successes: readonly string[];
  /** validation_results.activeManifest.informational codes (e.g. timeStamp.untrusted). */
  readonly informational: readonly string[];
  /** The ingredients as c2pa-rs reports them. */
  readonly ingredients: readonly { readonly title?: string; readonly relationship?: string; readonly instance_id?: string; readonly metadata?: { readonly [key: string]: unknown } }[];
  readonly json: string;
}

interface ManifestStoreJson {
  active_manifest?: string;
  manifests?: Record<string, { ingredients?: C2paReading['ingredients'] }>;
  validation_results?: { activeManifest?: { failure?: { code: string }[]; success?: { code: string }[]; informational?: { code: string }[] } };
}

export interface ReadC2paOptions {
  /** PEM root certificates c2pa-rs should trust (signers and TSAs); without them it trusts none. */
  readonly trustAnchorsPem?: string;
}

export async function readC2pa(bytes: Uint8Array, format: string, options: ReadC2paOptions = {}): Promise<C2paReading> {
  const c2pa = await loadC2pa();
  const context = options.trustAnchorsPem ? JSON.stringify({ trust: { trust_anchors: options.trustAnchorsPem } }) : undefined;
  const reader = await c2pa.WasmReader.fromBytes(format, bytes, context);
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
      informational: (store.validation_results?.activeManifest?.informational ?? []).map((f) => f.code),
      ingredients: manifest?.ingredients ?? [],
      json,
    };
  } finally {
    reader.free();
  }
}
