// The one place that loads c2pa-rs (as WebAssembly, from @contentauth/c2pa-wasm) for reading and
// writing C2PA Content Credentials.
//
// The module is 8 MB of WASM: it is loaded on first use only, never at start-up, so commands
// and screens that never meet a manifest pay nothing. The package has no install script and
// downloads nothing; the bytes are read from node_modules (the app bundle keeps dependencies
// external, so the same resolution works in Electron's main process).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ProoflineError } from '../errors.js';

export type C2paModule = typeof import('@contentauth/c2pa-wasm');

let loading: Promise<C2paModule> | undefined;

export function loadC2pa(): Promise<C2paModule> {
  loading ??= (async () => {
    try {
      const c2pa = await import('@contentauth/c2pa-wasm');
      const wasmPath = createRequire(import.meta.url).resolve('@contentauth/c2pa-wasm/c2pa.wasm');
      c2pa.initSync({ module: readFileSync(wasmPath) });
      return c2pa;
    } catch (error) {
      loading = undefined;
      throw new ProoflineError('c2pa.unavailable', `The C2PA library (@contentauth/c2pa-wasm) could not be loaded: ${(error as Error).message}. Reinstall Proofline's dependencies (npm ci).`, {});
    }
  })();
  return loading;
}
