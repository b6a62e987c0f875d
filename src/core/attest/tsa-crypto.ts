// The single place where pkijs is told which WebCrypto to use.
//
// pkijs keeps its engine in a process-global slot; every pkijs call in the time-stamp code goes
// through `tsaCrypto()` so the engine is set before first use, whatever module loads first.
// Node's own `globalThis.crypto` (WebCrypto over OpenSSL) is enough: RSA PKCS#1 v1.5, RSA-PSS,
// ECDSA P-256/384/521 and SHA-1/2 are what international TSAs use. WebCrypto has no SM2 or SM3:
// the tokens of Chinese TSAs (GM/T 0033, SM2 over SM3) are verified by sm2-cms.ts and
// sm2-certificate.ts instead.

import * as pkijs from 'pkijs';

const ENGINE_NAME = 'node-webcrypto';

let engine: pkijs.CryptoEngine | undefined;

export function tsaCrypto(): pkijs.CryptoEngine {
  if (!engine) {
    type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
    engine = new pkijs.CryptoEngine({ name: ENGINE_NAME, crypto: globalThis.crypto as unknown as EngineCrypto });
    pkijs.setEngine(ENGINE_NAME, engine);
  }
  return engine;
}
