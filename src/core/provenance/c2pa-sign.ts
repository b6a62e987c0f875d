// Signs an image with a C2PA manifest through c2pa-rs (WASM, loaded by c2pa-runtime.ts). The
// package's signer hands us the claim bytes and takes back the whole COSE_Sign1 ("direct COSE
// handling" in c2pa-js's wasm_signer.rs), so the claim signature is made here: ES256 with the
// device's C2PA key, the C2PA certificate and the device certificate as x5chain.
import { sign } from 'node:crypto';
import type { WasmBuilder } from '@contentauth/c2pa-wasm';
import { BytesBlob, ensureFileReaderSync } from './bytes-blob.js';
import { loadC2pa } from './c2pa-runtime.js';
import type { C2paSigningKey } from './c2pa-signing-key.js';
import { C2PA_TSA_WAIT_MS, timeStampC2paSignature, type C2paTimeStamp } from './c2pa-time-stamp.js';
import { COSE_ALG, assembleCoseSign1, signCose, timeStampedBytes } from './cose-sign1.js';
import { ProoflineError } from '../errors.js';

/** Room for the COSE_Sign1: two certificates (~1 KB), a 64-byte signature, headers and pad. */
const RESERVE_SIZE = 4096;
/** With a TSA: room as well for its token and the TSA certificate chain it carries (public TSAs send 2–8 KB; a larger token is left out, saying so). */
const RESERVE_SIZE_WITH_TSA = 16_384;

export interface C2paIngredient {
  /** The ingredient as c2pa-rs's Ingredient JSON (title, format, relationship, label, metadata…). */
  readonly json: { readonly [key: string]: unknown };
  /** The ingredient's bytes, when it should be read (its own manifest, if it has one). */
  readonly bytes?: Uint8Array;
}

export interface C2paSignRequest {
  readonly asset: Uint8Array;
  readonly format: 'image/png' | 'image/jpeg';
  /** A c2pa-rs ManifestDefinition (claim_generator_info, title, assertions). */
  readonly definition: { readonly [key: string]: unknown };
  readonly ingredients: readonly C2paIngredient[];
  readonly key: C2paSigningKey;
  /** TSAs to time-stamp the claim signature (sigTst2); none: no token. */
  readonly tsaUrls?: readonly string[];
  /** How long to wait for a TSA (default C2PA_TSA_WAIT_MS). */
  readonly tsaWaitMs?: number;
}

export interface C2paSigned {
  readonly bytes: Buffer;
  /** The token in the signature, or why there is none. */
  readonly timeStamp: C2paTimeStamp;
}

/** c2pa-rs settings for this build: no thumbnail (the WASM build has no image codecs to make one). */
const CONTEXT = JSON.stringify({ builder: { thumbnail: { enabled: false } } });

export async function signWithC2pa(request: C2paSignRequest): Promise<C2paSigned> {
  const c2pa = await loadC2pa();
  ensureFileReaderSync();
  const certificates = [request.key.certificateDer, request.key.deviceCertificateDer];
  const tsaUrls = request.tsaUrls ?? [];
  const size = tsaUrls.length > 0 ? RESERVE_SIZE_WITH_TSA : RESERVE_SIZE;
  let timeStamp: C2paTimeStamp = { ok: false, reason: 'no TSA is configured' };
  const signer = {
    alg: 'es256',
    reserveSize: size,
    sign: async (claim: Uint8Array): Promise<Uint8Array<ArrayBuffer>> => {
      const signed = signCose({
        claim,
        alg: COSE_ALG.ES256,
        certificates,
        // C2PA 2.1 §13.2: ECDSA signatures in COSE are r‖s, not DER (RFC 9053 §2.1).
        sign: (tbs) => sign('sha256', tbs, { key: request.key.privateKey, dsaEncoding: 'ieee-p1363' }),
      });
      // v2 time-stamp (C2PA 2.1 §14.5.2): sign first, then time-stamp the signature.
      if (tsaUrls.length > 0) timeStamp = await timeStampC2paSignature(tsaUrls, timeStampedBytes(signed), request.tsaWaitMs ?? C2PA_TSA_WAIT_MS);
      if (timeStamp.ok) {
        try {
          return new Uint8Array(assembleCoseSign1(signed, size, timeStamp.token));
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          timeStamp = { ok: false, reason: `the token from ${timeStamp.tsa} (${timeStamp.token.length} bytes) does not fit the ${size} bytes reserved for the signature` };
        }
      }
      return new Uint8Array(assembleCoseSign1(signed, size));
    },
  };
  let builder: WasmBuilder | undefined;
  try {
    builder = c2pa.WasmBuilder.fromJson(JSON.stringify(request.definition), CONTEXT);
    for (const ingredient of request.ingredients) {
      if (ingredient.bytes) await builder.addIngredientFromBlob(JSON.stringify(ingredient.json), String(ingredient.json['format']), new BytesBlob(ingredient.bytes));
      else builder.addIngredient(JSON.stringify(ingredient.json));
    }
    const signed = await builder.sign(signer, [], request.format, new BytesBlob(request.asset));
    return { bytes: Buffer.from(signed), timeStamp };
  } catch (error) {
    if (error instanceof ProoflineError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProoflineError('publish.failed', `c2pa-rs could not sign the image: ${reason}`, { reason });
  } finally {
    builder?.free();
  }
}
