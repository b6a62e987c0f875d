// A real RFC 3161 Time-Stamp Authority on loopback, for tests.
//
// Keys and certificates are made with the openssl CLI, replies are produced by `openssl ts -reply`
// (the reference implementation the archive's VERIFY.md tells lawyers to check with), and a
// small Node HTTP server speaks the RFC 3161 §3.4 HTTP transport in front of it. Nothing is
// stubbed: a token from here is exactly what a production TSA built on OpenSSL would return.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type KeyType = 'rsa' | 'ec';

export interface StartTsaOptions {
  /** Parent folder for the TSA's files; a fresh temp folder is made inside it. */
  readonly dir?: string;
  /** Key type of the root CA and the TSA signing key (default 'rsa', what most public TSAs use). */
  readonly keyType?: KeyType;
  /** Distinguishes the CA and TSA names when several servers run at once. */
  readonly name?: string;
  /** Days the TSA certificate is valid from now (default 365). Raise it to take tokens dated far ahead. */
  readonly certDays?: number;
  /**
   * Answer as if the TSA's clock read this time: every `openssl ts -reply` runs under Debian's
   * libfaketime (`faketime -f '@…'`), so its genTime is this instant (plus the moments it runs).
   * Default: the real clock. Change it later with setFakeTime().
   */
  readonly fakeTime?: Date;
}

export interface RunningTsa {
  readonly url: string;
  readonly dir: string;
  readonly caPem: string;
  readonly caPath: string;
  readonly tsaCertPem: string;
  readonly tsaCertPath: string;
  /** The TSA certificate followed by the root CA, PEM: what `openssl ts -verify -untrusted` wants. */
  readonly chainPath: string;
  /** Time-stamp requests answered with a token so far. */
  readonly requests: number;
  /** While down, answer 503 ('503', default) or drop the connection without a reply ('close'). */
  setDown(down: boolean, how?: '503' | 'close'): void;
  /** While on, answer 200 application/timestamp-reply with bytes that are not a TimeStampResp. */
  setGarbage(on: boolean): void;
  /** From now on, answer as if the TSA's clock read `at` (null: the real clock again). */
  setFakeTime(at: Date | null): void;
  stop(): Promise<void>;
}

const CA_EXT = `
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;

// RFC 3161 §2.3: the TSA certificate MUST carry exactly one extendedKeyUsage, timeStamping,
// marked critical; openssl ts -verify refuses a signer without it.
const TSA_EXT = `
[tsa_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

function tsaSection(dir: string): string {
  // Keys documented in openssl-ts(1), "CONFIGURATION FILE OPTIONS".
  return `
[tsa]
dir = ${dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
certs = $dir/ca.pem
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
other_policies = 1.3.6.1.4.1.55555.1.2
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:0, microsecs:0
clock_precision_digits = 0
ordering = no
tsa_name = yes
ess_cert_id_chain = yes
ess_cert_id_alg = sha256
`;
}

function newKeyArgs(keyType: KeyType): string[] {
  return keyType === 'ec'
    ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
    : ['-newkey', 'rsa:2048'];
}

/** libfaketime's absolute start time ('@YYYY-MM-DD HH:MM:SS', read as UTC with TZ=UTC): the clock runs on from there. */
export function fakeTimeSpec(at: Date): string {
  return `@${at.toISOString().slice(0, 19).replace('T', ' ')}`;
}

async function makeCertificates(dir: string, keyType: KeyType, name: string, certDays = 365): Promise<void> {
  await writeFile(join(dir, 'ext.cnf'), CA_EXT + TSA_EXT);
  await run('openssl', [
    'req', '-x509', ...newKeyArgs(keyType), '-nodes', '-sha256', '-days', '3650',
    '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem'),
    '-subj', `/O=Proofline Test/CN=${name} Root CA`,
    '-config', join(dir, 'ext.cnf'), '-extensions', 'ca_ext',
  ]);
  await run('openssl', [
    'req', '-new', ...newKeyArgs(keyType), '-nodes', '-sha256',
    '-keyout', join(dir, 'tsa.key'), '-out', join(dir, 'tsa.csr'),
    '-subj', `/O=Proofline Test/CN=${name} TSA`,
  ]);
  await run('openssl', [
    'x509', '-req', '-in', join(dir, 'tsa.csr'), '-sha256', '-days', String(certDays),
    '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial',
    '-extfile', join(dir, 'ext.cnf'), '-extensions', 'tsa_ext',
    '-out', join(dir, 'tsa.pem'),
  ]);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

let instances = 0;

export async function startTsa(options: StartTsaOptions = {}): Promise<RunningTsa> {
  const keyType = options.keyType ?? 'rsa';
  const name = options.name ?? `Test ${++instances}`;
  const dir = await mkdtemp(join(options.dir ?? tmpdir(), 'proofline-tsa-'));
  await makeCertificates(dir, keyType, name, options.certDays);
  await writeFile(join(dir, 'serial'), '01\n');
  await writeFile(join(dir, 'tsa.cnf'), tsaSection(dir));
  const caPem = await readFile(join(dir, 'ca.pem'), 'utf8');
  const tsaCertPem = await readFile(join(dir, 'tsa.pem'), 'utf8');
  await writeFile(join(dir, 'chain.pem'), tsaCertPem + caPem);

  let down: false | '503' | 'close' = false;
  let garbage = false;
  let fakeTime: Date | null = options.fakeTime ?? null;
  let requests = 0;
  let counter = 0;
  // openssl ts -reply reads and rewrites the serial file: one reply at a time per TSA.
  let queue: Promise<unknown> = Promise.resolve();

  async function reply(query: Buffer): Promise<Buffer> {
    const id = ++counter;
    const queryFile = join(dir, `q${id}.tsq`);
    const replyFile = join(dir, `r${id}.tsr`);
    await writeFile(queryFile, query);
    try {
      const args = [
        'ts', '-reply', '-config', join(dir, 'tsa.cnf'), '-section', 'tsa',
        '-queryfile', queryFile, '-out', replyFile,
      ];
      if (fakeTime) await run('faketime', ['-f', fakeTimeSpec(fakeTime), 'openssl', ...args], { env: { ...process.env, TZ: 'UTC' } });
      else await run('openssl', args);
      return await readFile(replyFile);
    } finally {
      await rm(queryFile, { force: true });
      await rm(replyFile, { force: true });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (down === 'close') {
      req.socket.destroy();
      return;
    }
    if (down === '503') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('TSA down for maintenance');
      return;
    }
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
      res.writeHead(415, { 'content-type': 'text/plain' }).end('POST application/timestamp-query');
      return;
    }
    const query = await readBody(req);
    if (garbage) {
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(Buffer.from('<html>not a token</html>'));
      return;
    }
    const job = queue.then(() => reply(query));
    queue = job.catch(() => undefined);
    try {
      const body = await job;
      requests++;
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`openssl ts -reply failed: ${String(error)}`);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/tsa`,
    dir,
    caPem,
    caPath: join(dir, 'ca.pem'),
    tsaCertPem,
    tsaCertPath: join(dir, 'tsa.pem'),
    chainPath: join(dir, 'chain.pem'),
    get requests() {
      return requests;
    },
    setDown(value: boolean, how: '503' | 'close' = '503') {
      down = value ? how : false;
    },
    setGarbage(on: boolean) {
      garbage = on;
    },
    setFakeTime(at: Date | null) {
      fakeTime = at;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
