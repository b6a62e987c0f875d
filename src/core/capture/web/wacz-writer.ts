import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import archiver from 'archiver';
import type { HttpExchange } from './har.js';
import { buildWarc, cdxjText } from './warc-records.js';
import { ProoflineError } from '../../errors.js';
import type { WaczSigningKey } from '../../attest/wacz-signing-key.js';
import { signatureImprint, signDatapackageHash, WACZ_AUTH_VERSION } from '../../attest/wacz-signature.js';
import { timestampWaczSignature, type WaczTimestampOutcome } from './wacz-timestamp.js';

export const WACZ_VERSION = '1.1.1';

export interface WaczPage {
  readonly url: string;
  readonly title: string;
  readonly ts: Date;
}

export interface WaczResource {
  readonly name: string;
  readonly path: string;
  readonly hash: string;
  readonly bytes: number;
}

export interface WaczResult {
  readonly path: string;
  readonly bytes: number;
  readonly records: number;
  readonly resources: readonly WaczResource[];
  readonly datapackageHash: string;
  /** How the WACZ was signed and timestamped (null: written unsigned). */
  readonly signing: WaczSigningFacts | null;
}

/** Who signs a WACZ and which TSAs timestamp its signature. */
export interface WaczSigner {
  readonly key: Pick<WaczSigningKey, 'privateKey' | 'publicKey' | 'keyId'>;
  readonly tsaUrls: readonly string[];
  /** Bound on the wait for a TSA (default WACZ_TSA_WAIT_MS). */
  readonly tsaWaitMs?: number;
}

/**
 * What the capture's event records of the signature: the signer's public key (so a verifier can
 * tell this WACZ was signed by the key of the device that made the session), and whether a TSA
 * timestamped it, or why none did.
 */
export interface WaczSigningFacts {
  readonly spec: string;
  readonly signer: { readonly publicKey: string; readonly keyId: string; readonly algorithm: string };
  readonly signedAt: string;
  readonly timestamp: { readonly tsa: string; readonly genTime: string | null } | { readonly none: string };
}

export interface WriteWaczInput {
  readonly exchanges: readonly HttpExchange[];
  readonly pages: readonly WaczPage[];
  readonly title: string;
  readonly software: string;
  readonly created: Date;
  readonly warcName?: string;
  /** Signs datapackage-digest.json per wacz-auth 0.1.0; absent: unsigned, as before. */
  readonly signer?: WaczSigner;
}

const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * Writes a WACZ 1.1.1 (https://specs.webrecorder.net/wacz/1.1.1/): archive/ with the WARC,
 * indexes/index.cdx (CDXJ), pages/pages.jsonl, datapackage.json listing each of them with its
 * SHA-256 and size, and datapackage-digest.json holding the hash of datapackage.json. Every
 * entry is stored, not deflated, so a replay tool can read WARC records by offset through the zip.
 * With a signer, datapackage-digest.json also carries `signedData` (wacz-auth 0.1.0, anonymous
 * form) and, when a TSA answered in time, `signatureTimestamp` beside it (wacz-timestamp.ts).
 */
export async function writeWacz(outPath: string, input: WriteWaczInput): Promise<WaczResult> {
  const warcName = input.warcName ?? 'data.warc.gz';
  const warc = await buildWarc(input.exchanges, {
    filename: warcName,
    software: input.software,
    description: input.title,
    date: input.created,
  });
  const cdxj = Buffer.from(cdxjText(warc.index));
  const pageLines = [
    JSON.stringify({ format: 'json-pages-1.0', id: 'pages', title: 'All Pages' }),
    ...input.pages.map((page) => JSON.stringify({ id: randomUUID().replace(/-/g, ''), url: page.url, title: page.title, ts: page.ts.toISOString() })),
  ];
  const pagesJsonl = Buffer.from(`${pageLines.join('\n')}\n`);
  const files: { path: string; data: Buffer }[] = [
    { path: `archive/${warcName}`, data: warc.bytes },
    { path: 'indexes/index.cdx', data: cdxj },
    { path: 'pages/pages.jsonl', data: pagesJsonl },
  ];
  const resources: WaczResource[] = files.map((file) => ({
    name: file.path.slice(file.path.lastIndexOf('/') + 1).toLowerCase(),
    path: file.path,
    hash: sha256(file.data),
    bytes: file.data.length,
  }));
  const main = input.pages[0];
  const datapackage = {
    profile: 'data-package',
    resources,
    wacz_version: WACZ_VERSION,
    title: input.title,
    software: input.software,
    created: input.created.toISOString(),
    ...(main ? { mainPageUrl: main.url, mainPageDate: main.ts.toISOString() } : {}),
  };
  const datapackageBytes = Buffer.from(JSON.stringify(datapackage, null, 2));
  const datapackageHash = sha256(datapackageBytes);
  const signer = input.signer;
  const signedAt = new Date();
  const signedData = signer ? signDatapackageHash(datapackageHash, signer.key, signedAt, input.software) : undefined;
  // The TSA is asked before the WARC is zipped, so its answer overlaps the writing (wacz-timestamp.ts).
  const stamped: Promise<WaczTimestampOutcome> | undefined = signedData && signer
    ? timestampWaczSignature(signer.tsaUrls, signatureImprint(signedData.signature), signer.tsaWaitMs)
    : undefined;
  // Written last, once the TSA has answered or the wait ran out.
  const digest = async (): Promise<{ path: string; data: Buffer }> => {
    const outcome = await stamped;
    const body = {
      path: 'datapackage.json',
      hash: datapackageHash,
      ...(signedData && { signedData }),
      ...(outcome?.ok && { signatureTimestamp: outcome.timestamp }),
    };
    return { path: 'datapackage-digest.json', data: Buffer.from(JSON.stringify(body, null, 2)) };
  };

  const bytes = await zipStored(outPath, [...files, { path: 'datapackage.json', data: datapackageBytes }], digest, input.created);
  const outcome = await stamped;
  const signing: WaczSigningFacts | null = signer && outcome
    ? {
        spec: `wacz-auth ${WACZ_AUTH_VERSION} anonymous`,
        signer: { publicKey: signer.key.publicKey, keyId: signer.key.keyId, algorithm: 'ECDSA P-384 SHA-256' },
        signedAt: signedAt.toISOString(),
        timestamp: outcome.ok ? { tsa: outcome.timestamp.tsa, genTime: outcome.genTime } : { none: outcome.reason },
      }
    : null;
  return { path: outPath, bytes, records: warc.records, resources, datapackageHash, signing };
}

function zipStored(outPath: string, entries: readonly { path: string; data: Buffer }[], last: () => Promise<{ path: string; data: Buffer }>, date: Date): Promise<number> {
  return new Promise((resolve, reject) => {
    const output = createWriteStream(outPath, { flags: 'wx' });
    const zip = archiver('zip', { store: true });
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      zip.abort();
      output.destroy();
      reject(new ProoflineError('wacz.write-failed', `Could not write the web archive ${outPath}: ${error.message}`, { path: outPath }, { cause: error }));
    };
    output.on('error', fail);
    zip.on('error', fail);
    output.on('close', () => {
      if (!failed) resolve(zip.pointer());
    });
    zip.pipe(output);
    for (const entry of entries) zip.append(entry.data, { name: entry.path, date, store: true });
    void last().then(
      (entry) => {
        if (failed) return;
        zip.append(entry.data, { name: entry.path, date, store: true });
        void zip.finalize();
      },
      (error: unknown) => fail(error as Error),
    );
  });
}
