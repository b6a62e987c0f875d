// The attacker's workbench: what someone who holds a Proofline data folder (and so the device's
// Ed25519 key) can do to an evidence archive after the fact, with the public format and standard
// tools. Tests use it to prove that `proofline verify` does not call such an archive VERIFIED.
//
// Everything here is what an attacker would really do: unzip with Info-ZIP, rewrite the events
// and re-chain them with the project's own canonical JSON and Merkle code (the format is public),
// re-sign checkpoints and the seal with the stolen device key, rebuild every manifest, ask a real
// RFC 3161 TSA (`openssl ts -reply` on loopback, its clock moved with libfaketime) for a fresh seal
// token, or mint tokens with an ordinary TLS server certificate (pkijs, the way a forger would,
// since `openssl ts -reply` refuses a signer without the timeStamping EKU), and zip it back up.

import * as asn1js from 'asn1js';
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as pkijs from 'pkijs';
import type { CheckpointStatement } from '../../src/core/attest/checkpoints.js';
import * as layout from '../../src/core/archive/bag-layout.js';
import { canonicalJson } from '../../src/core/store/canonical-json.js';
import { GENESIS_PREV, hashEvent, leafHash, merkleRoot } from '../../src/core/store/event-chain.js';
import { digestBytes } from '../../src/core/store/hashing.js';
import type { EventBody } from '../../src/shared/domain.js';
import { unzipTo, zipFolder } from './bag-files.js';
import { CLI, type CliResult } from './cli.js';
import { fakeTimeSpec } from './tsa-server.js';

export { fakeTimeSpec };

export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** Runs a command with an environment of its own (cli.ts's run() has none). */
export function exec(command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The real, built CLI with the machine's clock read as `at` (libfaketime), for fabricating sessions "back then". */
export function prooflineAt(at: Date, args: readonly string[]): Promise<CliResult> {
  return exec('faketime', ['-f', fakeTimeSpec(at), process.execPath, CLI, ...args], { env: { TZ: 'UTC', PROOFLINE_TSA_URLS: '' } });
}

// --- The archive, unzipped ---------------------------------------------------------------------

export async function unpack(zip: string, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await unzipTo(zip, dir);
  return dir;
}

export async function repack(dir: string, zip: string): Promise<string> {
  rmSync(zip, { force: true });
  await zipFolder(dir, zip);
  return zip;
}

/** The device's private key, from the data folder the attacker holds. */
export function deviceKey(dataDir: string): KeyObject {
  const key = createPrivateKey(readFileSync(join(dataDir, 'device', 'device-key.pem')));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the device key is not Ed25519');
  return key;
}

export function readEvents(dir: string): EventBody[] {
  return readFileSync(join(dir, layout.EVENTS_JSONL), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EventBody);
}

/** Writes the events as the archive holds them: one RFC 8785 line each. */
export function writeEvents(dir: string, events: readonly EventBody[]): void {
  writeFileSync(join(dir, layout.EVENTS_JSONL), events.map((e) => `${canonicalJson(e)}\n`).join(''));
}

/**
 * Rewrites events from seq `from` on with `edit` (which must keep `time`: the point is a history
 * that looks recorded at the original moments), then re-chains every event from there. Returns
 * the seqs whose hash changed.
 */
export function rewriteEventsFrom(dir: string, from: number, edit: (event: EventBody) => EventBody): number[] {
  const events = readEvents(dir);
  const before = events.map((e) => hashEvent(e).hash);
  let prev = GENESIS_PREV;
  const out: EventBody[] = [];
  for (const event of events) {
    let body = event;
    if (event.seq >= from) {
      const edited = edit(event);
      if (edited.time !== event.time) throw new Error(`the forgery keeps every recorded time (event ${event.seq})`);
      body = { ...edited, prev };
    }
    out.push(body);
    prev = hashEvent(body).hash;
  }
  writeEvents(dir, out);
  return out.map((e, i) => (hashEvent(e).hash !== before[i] ? e.seq : -1)).filter((seq) => seq >= 0);
}

export interface CheckpointFile {
  readonly index: number;
  readonly path: string;
  readonly statement: CheckpointStatement;
  readonly bytes: Buffer;
}

export function readCheckpoints(dir: string): CheckpointFile[] {
  const folder = join(dir, layout.CHECKPOINTS_DIR);
  return readdirSync(folder)
    .filter((name) => /^\d{6}\.json$/.test(name))
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(folder, name));
      const statement = JSON.parse(bytes.toString('utf8')) as CheckpointStatement;
      return { index: statement.index, path: `${layout.CHECKPOINTS_DIR}${name}`, statement, bytes };
    });
}

/** Checkpoint tokens in the archive: proofline/timestamps/NNNNNN-tsaK.tsr. */
export function checkpointTokens(dir: string): { path: string; index: number; tsa: number }[] {
  const folder = join(dir, layout.TIMESTAMPS_DIR);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .map((name) => /^(\d{6})-tsa(\d+)\.tsr$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ path: `${layout.TIMESTAMPS_DIR}${m[0]}`, index: Number(m[1]), tsa: Number(m[2]) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

interface IndexEntry {
  subject: string;
  token: string;
  tsa: string;
  genTime?: string;
  [key: string]: unknown;
}

function readIndex(dir: string): IndexEntry[] {
  const path = join(dir, layout.TIMESTAMPS_INDEX);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as IndexEntry[]) : [];
}

function writeIndex(dir: string, index: readonly IndexEntry[]): void {
  writeFileSync(join(dir, layout.TIMESTAMPS_INDEX), `${JSON.stringify(index, null, 2)}\n`);
}

/** VERIFY.md is covered by the tag manifest: a careful forger drops the lines naming files that are gone. */
function forgetInGuide(dir: string, paths: readonly string[]): void {
  const guide = join(dir, layout.VERIFY_MD);
  if (!existsSync(guide) || paths.length === 0) return;
  const lines = readFileSync(guide, 'utf8').split('\n');
  writeFileSync(guide, lines.filter((line) => !paths.some((p) => line.includes(p))).join('\n'));
}

/** Deletes tokens and every mention of them (timestamps.json, VERIFY.md). */
export function dropTokens(dir: string, paths: readonly string[]): void {
  for (const path of paths) rmSync(join(dir, path), { force: true });
  writeIndex(dir, readIndex(dir).filter((entry) => !paths.includes(entry.token)));
  forgetInGuide(dir, paths);
}

/** Removes every RFC 3161 token (checkpoint and seal) and the TSA certificates that came with them. */
export function stripAllTokens(dir: string): string[] {
  const removed = checkpointTokens(dir).map((t) => t.path);
  dropTokens(dir, removed);
  const certs = join(dir, layout.TSA_CERTS_DIR);
  if (existsSync(certs)) {
    const chains = readdirSync(certs).map((name) => `${layout.TSA_CERTS_DIR}${name}`);
    rmSync(certs, { recursive: true, force: true });
    forgetInGuide(dir, chains);
    removed.push(...chains);
  }
  removed.push(...dropSealTokens(dir));
  return removed;
}

/** Deletes proofline/seal.tsr (and seal-N.tsr): they lie outside the tag manifest. */
export function dropSealTokens(dir: string): string[] {
  const folder = join(dir, 'proofline');
  const gone = readdirSync(folder)
    .map((name) => `proofline/${name}`)
    .filter((path) => layout.isSealFile(path) && path.endsWith('.tsr'));
  for (const path of gone) unlinkSync(join(dir, path));
  return gone;
}

/**
 * Re-signs, with the device key, every checkpoint that covers an event from `fromSeq` on (its head
 * and Merkle root recomputed over the rewritten chain, its recorded time kept), and drops the
 * tokens over those checkpoints: they timestamp the old statements, so they no longer verify.
 */
export function resignCheckpoints(dir: string, key: KeyObject, fromSeq: number): { resigned: number[]; dropped: string[] } {
  const events = readEvents(dir);
  const stored = events.map((e) => hashEvent(e));
  const leaves = stored.map((e) => leafHash(e.canonical));
  const resigned: number[] = [];
  for (const checkpoint of readCheckpoints(dir)) {
    const size = checkpoint.statement.treeSize;
    if (size <= fromSeq) continue;
    const statement: CheckpointStatement = { ...checkpoint.statement, head: stored[size - 1]!.hash, merkleRoot: merkleRoot(leaves.slice(0, size)) };
    const bytes = Buffer.from(canonicalJson(statement), 'utf8');
    const paths = layout.checkpointPaths(checkpoint.index);
    writeFileSync(join(dir, paths.statement), bytes);
    writeFileSync(join(dir, paths.signature), sign(null, bytes, key));
    resigned.push(checkpoint.index);
  }
  const dropped = checkpointTokens(dir)
    .filter((t) => resigned.includes(t.index))
    .map((t) => t.path);
  dropTokens(dir, dropped);
  return { resigned, dropped };
}

function filesUnder(dir: string, sub: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path).split('\\').join('/'));
    }
  };
  if (existsSync(join(dir, sub))) walk(join(dir, sub));
  return out.sort();
}

/**
 * Rebuilds what the seal covers after an edit: both payload manifests, Payload-Oxum, the tag
 * manifest over every tag file present, and seal.sig with the device key. The old seal tokens
 * are removed (they timestamp the old tag manifest); get a new one with stampSeal().
 */
export function reseal(dir: string, key: KeyObject): { tagManifestSha256: string } {
  const payload = filesUnder(dir, 'data').map((path) => ({ path, ...digestBytes(readFileSync(join(dir, path))) }));
  writeFileSync(join(dir, layout.MANIFEST_SHA256), payload.map((f) => layout.manifestLine(f.sha256, f.path)).join(''));
  writeFileSync(join(dir, layout.MANIFEST_SM3), payload.map((f) => layout.manifestLine(f.sm3, f.path)).join(''));
  const octets = payload.reduce((sum, f) => sum + f.size, 0);
  const infoPath = join(dir, layout.BAG_INFO);
  writeFileSync(infoPath, readFileSync(infoPath, 'utf8').replace(/^Payload-Oxum: .*$/m, `Payload-Oxum: ${octets}.${payload.length}`));
  const tags = filesUnder(dir, '.').filter((p) => !p.startsWith('data/') && p !== layout.TAGMANIFEST_SHA256 && !layout.isSealFile(p));
  const tagManifest = Buffer.from(tags.map((p) => layout.manifestLine(sha256Hex(readFileSync(join(dir, p))), p)).join(''), 'utf8');
  writeFileSync(join(dir, layout.TAGMANIFEST_SHA256), tagManifest);
  dropSealTokens(dir);
  writeFileSync(join(dir, layout.SEAL_SIGNATURE), sign(null, tagManifest, key));
  return { tagManifestSha256: sha256Hex(tagManifest) };
}

export function tagManifestDigest(dir: string): string {
  return sha256Hex(readFileSync(join(dir, layout.TAGMANIFEST_SHA256)));
}

export function sessionDoc(dir: string): { id: string; createdAt: string; sealedAt: string; eventCount: number } {
  return JSON.parse(readFileSync(join(dir, layout.SESSION_JSON), 'utf8'));
}

// --- Tokens --------------------------------------------------------------------------------------

/** An RFC 3161 request (made by `openssl ts -query`) POSTed to a TSA over HTTP, as any client does. */
export async function requestToken(url: string, digestHex: string, workDir: string): Promise<Buffer> {
  const query = join(workDir, `q-${digestHex.slice(0, 12)}-${Date.now()}.tsq`);
  const made = await exec('openssl', ['ts', '-query', '-digest', digestHex, '-sha256', '-cert', '-out', query]);
  if (made.code !== 0) throw new Error(`openssl ts -query failed: ${made.stderr}`);
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: readFileSync(query) });
  rmSync(query, { force: true });
  if (!response.ok) throw new Error(`TSA ${url} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Puts a fresh token over the current tag manifest at proofline/seal.tsr. */
export async function stampSeal(dir: string, token: Buffer): Promise<void> {
  writeFileSync(join(dir, layout.sealTokenPath(0)), token);
}

/** What `openssl ts -reply -in X -text` says: the full text and its "Time stamp:" line. */
export async function tokenTime(path: string): Promise<{ text: string; time: Date }> {
  const result = await exec('openssl', ['ts', '-reply', '-in', path, '-text']);
  if (result.code !== 0) throw new Error(`openssl ts -reply -text failed on ${path}: ${result.stderr}`);
  const line = /^Time stamp: (.*)$/m.exec(result.stdout)?.[1];
  if (!line) throw new Error(`no "Time stamp:" line for ${path}:\n${result.stdout}`);
  return { text: result.stdout, time: new Date(line.replace(/\s+/g, ' ')) };
}

// --- An ordinary TLS server certificate, used as if it were a TSA ---------------------------------

export interface RogueSigner {
  readonly dir: string;
  /** The root: what a user might well pass with --trust (it issues web server certificates). */
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Server certificate then root, PEM. */
  readonly chainPath: string;
  readonly certDer: Buffer;
}

const WEB_EXT = `
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:shop.example.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

/**
 * A root CA and a TLS server certificate under it (extendedKeyUsage serverAuth, no timeStamping),
 * both issued "on" `issuedAt` with libfaketime so that they were already valid at a back-dated
 * genTime. Root valid 10 years, server certificate 3.
 */
export async function makeServerAuthSigner(dir: string, issuedAt: Date): Promise<RogueSigner> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ext.cnf'), WEB_EXT);
  const at = (args: string[]): Promise<CliResult> => exec('faketime', ['-f', fakeTimeSpec(issuedAt), 'openssl', ...args], { env: { TZ: 'UTC' } });
  const steps: string[][] = [
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-keyout', join(dir, 'web-root.key'), '-out', join(dir, 'web-root.pem'),
      '-subj', '/O=Proofline Test Web PKI/CN=Web Server Root CA', '-config', join(dir, 'ext.cnf'), '-extensions', 'ca_ext'],
    ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.csr'), '-subj', '/O=Example Shop/CN=shop.example.test'],
    ['x509', '-req', '-in', join(dir, 'server.csr'), '-sha256', '-days', '1095', '-CA', join(dir, 'web-root.pem'), '-CAkey', join(dir, 'web-root.key'), '-CAcreateserial',
      '-extfile', join(dir, 'ext.cnf'), '-extensions', 'server_ext', '-out', join(dir, 'server.pem')],
  ];
  for (const step of steps) {
    const result = await at(step);
    if (result.code !== 0) throw new Error(`openssl ${step[0]} failed: ${result.stderr}`);
  }
  const certPem = readFileSync(join(dir, 'server.pem'), 'utf8');
  writeFileSync(join(dir, 'chain.pem'), certPem + readFileSync(join(dir, 'web-root.pem'), 'utf8'));
  return {
    dir,
    caPath: join(dir, 'web-root.pem'),
    certPath: join(dir, 'server.pem'),
    keyPath: join(dir, 'server.key'),
    chainPath: join(dir, 'chain.pem'),
    certDer: pemToDer(certPem),
  };
}

function pemToDer(pem: string): Buffer {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1];
  if (!body) throw new Error('no certificate in PEM');
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

let engine: pkijs.CryptoEngine | undefined;
function crypto(): pkijs.CryptoEngine {
  if (!engine) {
    type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
    engine = new pkijs.CryptoEngine({ name: 'forge-webcrypto', crypto: globalThis.crypto as unknown as EngineCrypto });
  }
  return engine;
}

const OID = {
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  signedData: '1.2.840.113549.1.7.2',
  sha256: '2.16.840.1.101.3.4.2.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
};

let serials = 0x5000;

/**
 * Mints an RFC 3161 TimeStampResp (status granted) over `digestHex`, dated `genTime`, signed by
 * `signer`'s key: a TSTInfo in CMS SignedData with the content-type, message-digest and ESS
 * signing-certificate-v2 attributes, exactly the shape `openssl ts -reply` produces, so that the
 * only thing wrong with it is who signed it. Works with any certificate and key (a real TSA's too).
 */
export async function mintToken(signer: { certPath: string; keyPath: string }, digestHex: string, genTime: Date): Promise<Buffer> {
  const engine = crypto();
  const certDer = pemToDer(readFileSync(signer.certPath, 'utf8'));
  const cert = pkijs.Certificate.fromBER(certDer);
  const keyDer = createPrivateKey(readFileSync(signer.keyPath)).export({ type: 'pkcs8', format: 'der' });
  const privateKey = await globalThis.crypto.subtle.importKey('pkcs8', keyDer, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);

  const tstInfo = new pkijs.TSTInfo({
    version: 1,
    policy: '1.3.6.1.4.1.55555.9.1',
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: Buffer.from(digestHex, 'hex') }),
    }),
    serialNumber: new asn1js.Integer({ value: ++serials }),
    // Whole seconds: DER GeneralizedTime carries no trailing fraction zeros (RFC 3161 §2.4.2).
    genTime: new Date(Math.floor(genTime.getTime() / 1000) * 1000),
    accuracy: new pkijs.Accuracy({ seconds: 1 }),
    tsa: new pkijs.GeneralName({ type: 4, value: cert.subject }),
  });
  const tstDer = Buffer.from(tstInfo.toSchema().toBER(false));

  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: createHash('sha256').update(certDer).digest() })] });
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: createHash('sha256').update(tstDer).digest() })] }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })] }),
  ];
  // DER SET OF is sorted by encoding; OpenSSL re-encodes the attributes that way before checking.
  const encoded = (a: pkijs.Attribute): Buffer => Buffer.from(a.toSchema().toBER(false));
  attributes.sort((a, b) => Buffer.compare(encoded(a), encoded(b)));

  const signedData = new pkijs.SignedData({
    version: 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.tstInfo, eContent: new asn1js.OctetString({ valueHex: tstDer }) }),
    certificates: [cert],
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
      }),
    ],
  });
  await signedData.sign(privateKey, 0, 'SHA-256', undefined, engine);
  const token = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  const response = new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }), timeStampToken: token });
  return Buffer.from(response.toSchema().toBER(false));
}

/**
 * Replaces every token of an unzipped archive with one minted by `signer` (same covered data,
 * the genTime `timeOf` chooses), puts `signer`'s chain where the TSA certificates go, keeps
 * timestamps.json consistent, and re-seals (tag manifest, seal.sig) with the device key, then
 * mints the seal token too. Returns the token paths written.
 */
export async function replaceAllTokens(
  dir: string,
  key: KeyObject,
  signer: RogueSigner,
  timeOf: { checkpoint: (statement: CheckpointStatement) => Date; seal: () => Date },
  options: { everyCheckpoint?: boolean } = {},
): Promise<string[]> {
  const existing = checkpointTokens(dir);
  const targets = options.everyCheckpoint
    ? readCheckpoints(dir).map((c) => ({ index: c.index, tsa: 1 }))
    : existing.map((t) => ({ index: t.index, tsa: t.tsa }));
  for (const t of existing) rmSync(join(dir, t.path));
  const certs = join(dir, layout.TSA_CERTS_DIR);
  rmSync(certs, { recursive: true, force: true });
  mkdirSync(certs, { recursive: true });
  mkdirSync(join(dir, layout.TIMESTAMPS_DIR), { recursive: true });
  const chain = readFileSync(signer.chainPath, 'utf8');
  const written: string[] = [];
  const index = readIndex(dir);
  const checkpoints = new Map(readCheckpoints(dir).map((c) => [c.index, c]));
  for (const { index: cpIndex, tsa } of targets) {
    const checkpoint = checkpoints.get(cpIndex);
    if (!checkpoint) continue;
    const genTime = timeOf.checkpoint(checkpoint.statement);
    const path = layout.checkpointTokenPath(cpIndex, tsa);
    writeFileSync(join(dir, path), await mintToken(signer, sha256Hex(checkpoint.bytes), genTime));
    writeFileSync(join(dir, layout.tsaChainPath(tsa)), chain);
    written.push(path);
    const second = new Date(Math.floor(genTime.getTime() / 1000) * 1000).toISOString();
    const entry = index.find((e) => e.token === path);
    if (entry) entry.genTime = second;
    else {
      index.push({
        subject: checkpoint.path,
        token: path,
        tsa: 'https://shop.example.test/tsa',
        requestedAt: checkpoint.statement.time,
        obtainedAt: genTime.toISOString(),
        genTime: second,
        attempts: 1,
      });
    }
  }
  writeIndex(dir, index.filter((e) => written.includes(e.token)));
  reseal(dir, key);
  await stampSeal(dir, await mintToken(signer, tagManifestDigest(dir), timeOf.seal()));
  written.push(layout.sealTokenPath(0));
  return written;
}

/**
 * The session every forgery starts from, made as a creator would with the real CLI: notes, an
 * attached image, a seal and an export. Returns its id and the honest archive.
 */
export async function makeHonestSession(
  cli: (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>,
  root: string,
  title: string,
): Promise<{ sessionId: string; archive: string }> {
  const check = (result: { code: number; stderr: string }, what: string): void => {
    if (result.code !== 0) throw new Error(`${what} failed (${result.code}): ${result.stderr}`);
  };
  const created = await cli('session', 'new', '--title', title, '--creator', 'Li Wei', '--json');
  check(created, 'session new');
  const sessionId = (JSON.parse(created.stdout) as { id: string }).id;
  writeFileSync(join(root, 'final.png'), Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(4_000, 7)]));
  for (const step of [
    ['note', sessionId, 'chose seed 1234: the pose matches the brief'],
    ['attach', sessionId, join(root, 'final.png')],
    ['note', sessionId, 'rejected the blue variant, the client wants warm light'],
    ['note', sessionId, 'final: 00017.png'],
  ]) check(await cli(...step), step[0]!);
  check(await cli('seal', sessionId, '--json'), 'seal');
  const archive = join(root, 'honest.zip');
  check(await cli('export', sessionId, '--out', archive), 'export');
  return { sessionId, archive };
}
