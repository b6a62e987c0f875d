// A small public-key infrastructure for tests of the TSA path rules, made with the openssl CLI in
// a temp dir: roots, intermediates and signers with whatever extensions and validity a test
// needs (`openssl ca` takes explicit start and end dates), tokens from `openssl ts -reply` (the
// reference TSA) and, for signers `ts -reply` refuses, tokens forged the way an attacker would:
// `openssl cms -sign` over a TSTInfo with any key and certificate. `openssl ts -verify` is the
// referee our verdicts are compared with.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const run = promisify(execFile);

/** x509v3 extension lines (openssl x509v3_config(5)) for the certificates tests need. */
export const EXT = {
  root: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash'],
  /** RFC 3161 §2.3: what a TSA certificate must look like. */
  tsa: [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, nonRepudiation',
    'extendedKeyUsage = critical, timeStamping',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
  ],
  /** An ordinary TLS server certificate. */
  serverAuth: ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, keyEncipherment', 'extendedKeyUsage = serverAuth', 'subjectAltName = DNS:example.test'],
} as const;

export interface TestCert {
  /** The CN; the subject is "/O=Proofline Test/CN=<name>". */
  readonly name: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly pem: string;
  readonly der: Buffer;
}

export interface CertSpec {
  readonly name: string;
  /** Absent: self-signed. */
  readonly issuer?: TestCert;
  readonly ext: readonly string[];
  /** Default 2000-01-01 to 2099-12-31, valid around any time a test uses. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export interface TokenSpec {
  readonly signer: TestCert;
  /** Certificates the token carries besides the signer's (intermediates, root). */
  readonly certs?: readonly TestCert[];
  readonly digest: Buffer;
  /** genTime; default now. */
  readonly at?: Date;
}

export interface TestPki {
  readonly dir: string;
  issue(spec: CertSpec): Promise<TestCert>;
  /** Write a file into the PKI's folder; returns its path. */
  write(name: string, data: string | Buffer): Promise<string>;
  /** A TimeStampResp from `openssl ts -reply`, run under libfaketime when `at` is given. */
  reply(spec: TokenSpec): Promise<Buffer>;
  /** A TimeStampResp whose token is `openssl cms -sign` over a TSTInfo: any signer, any genTime. */
  forge(spec: TokenSpec): Promise<Buffer>;
  /** `openssl ts -verify -digest` at the token's time; ok is its exit status. */
  opensslVerify(spec: { response: Buffer; digest: Buffer; caFile: string; untrusted?: readonly TestCert[]; at?: Date }): Promise<{ ok: boolean; output: string }>;
  cleanup(): Promise<void>;
}

const POLICY = '1.3.6.1.4.1.55555.1.1';
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';

/** openssl ca's -startdate/-enddate: YYYYMMDDHHMMSSZ. */
const caDate = (d: Date): string => `${d.toISOString().slice(0, 19).replace(/[-:T]/g, '')}Z`;
/** libfaketime's absolute start ('@YYYY-MM-DD HH:MM:SS', UTC with TZ=UTC). */
const fakeTime = (d: Date): string => `@${d.toISOString().slice(0, 19).replace('T', ' ')}`;

function caConfig(dir: string, id: number, ext: readonly string[]): string {
  return `
[ca]
default_ca = ca_test
[ca_test]
database = ${dir}/index-${id}.txt
new_certs_dir = ${dir}
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
rand_serial = yes
copy_extensions = none
[policy_any]
organizationName = optional
commonName = supplied
[ext]
${ext.join('\n')}
`;
}

function tsaConfig(dir: string, signer: TestCert, chainPath: string): string {
  // Keys documented in openssl-ts(1), "CONFIGURATION FILE OPTIONS".
  return `
[tsa]
serial = ${dir}/serial
crypto_device = builtin
signer_cert = ${signer.certPath}
signer_key = ${signer.keyPath}
certs = ${chainPath}
signer_digest = sha256
default_policy = ${POLICY}
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;
}

/** DER TLV length octets (X.690 §8.1.3). */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** TimeStampResp ::= SEQUENCE { status PKIStatusInfo (granted), timeStampToken }, around the token's own bytes. */
function grantedResponse(token: Buffer): Buffer {
  const status = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]);
  const body = Buffer.concat([status, token]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

function tstInfo(digest: Buffer, genTime: Date, serial: number): Buffer {
  const info = new pkijs.TSTInfo({
    version: 1,
    policy: POLICY,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: digest }),
    }),
    serialNumber: new asn1js.Integer({ value: serial }),
    genTime: new Date(Math.floor(genTime.getTime() / 1000) * 1000),
  });
  return Buffer.from(info.toSchema().toBER());
}

export async function createPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'proofline-pki-'));
  await writeFile(join(dir, 'serial'), '01\n');
  let counter = 0;

  const write = async (name: string, data: string | Buffer): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, data);
    return path;
  };
  const chainFile = async (certs: readonly TestCert[]): Promise<string> =>
    write(`chain-${++counter}.pem`, certs.map((c) => c.pem).join(''));

  return {
    dir,
    write,

    async issue(spec) {
      const id = ++counter;
      const stem = `${id}-${spec.name.replace(/[^A-Za-z0-9]+/g, '-')}`;
      const keyPath = join(dir, `${stem}.key`);
      const csrPath = join(dir, `${stem}.csr`);
      const certPath = join(dir, `${stem}.pem`);
      const cnf = await write(`${stem}.cnf`, caConfig(dir, id, spec.ext));
      await writeFile(join(dir, `index-${id}.txt`), '');
      // P-256 keys: quick to make, and what many TSAs now use.
      await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', csrPath, '-subj', `/O=Proofline Test/CN=${spec.name}`]);
      const signWith = spec.issuer ? ['-cert', spec.issuer.certPath, '-keyfile', spec.issuer.keyPath] : ['-selfsign', '-keyfile', keyPath];
      await run('openssl', [
        'ca', '-batch', '-config', cnf, '-in', csrPath, '-out', certPath, '-notext', '-preserveDN', ...signWith,
        '-startdate', caDate(spec.notBefore ?? new Date('2000-01-01T00:00:00Z')),
        '-enddate', caDate(spec.notAfter ?? new Date('2099-12-31T00:00:00Z')),
        '-extfile', cnf, '-extensions', 'ext',
      ]);
      const pem = await readFile(certPath, 'utf8');
      const { stdout } = await run('openssl', ['x509', '-in', certPath, '-outform', 'DER'], { encoding: 'buffer' });
      return { name: spec.name, certPath, keyPath, pem, der: stdout };
    },

    async reply(spec) {
      const id = ++counter;
      const cnf = await write(`tsa-${id}.cnf`, tsaConfig(dir, spec.signer, await chainFile(spec.certs ?? [])));
      const query = join(dir, `q-${id}.tsq`);
      const out = join(dir, `r-${id}.tsr`);
      await run('openssl', ['ts', '-query', '-digest', spec.digest.toString('hex'), '-sha256', '-cert', '-no_nonce', '-out', query]);
      const args = ['ts', '-reply', '-config', cnf, '-section', 'tsa', '-queryfile', query, '-out', out];
      if (spec.at) await run('faketime', ['-f', fakeTime(spec.at), 'openssl', ...args], { env: { ...process.env, TZ: 'UTC' } });
      else await run('openssl', args);
      return readFile(out);
    },

    async forge(spec) {
      const id = ++counter;
      const content = await write(`tst-${id}.der`, tstInfo(spec.digest, spec.at ?? new Date(), id));
      const out = join(dir, `token-${id}.der`);
      const certfile = spec.certs?.length ? ['-certfile', await chainFile(spec.certs)] : [];
      // -cades adds the ESS signingCertificateV2 attribute RFC 3161 §2.4.1 / RFC 5816 require.
      await run('openssl', [
        'cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-nosmimecap', '-cades', '-md', 'sha256',
        '-econtent_type', '1.2.840.113549.1.9.16.1.4', '-signer', spec.signer.certPath, '-inkey', spec.signer.keyPath,
        ...certfile, '-in', content, '-out', out,
      ]);
      return grantedResponse(await readFile(out));
    },

    async opensslVerify(spec) {
      const id = ++counter;
      const responsePath = await write(`verify-${id}.tsr`, spec.response);
      const untrusted = spec.untrusted?.length ? ['-untrusted', await chainFile(spec.untrusted)] : [];
      const at = spec.at ? ['-attime', String(Math.floor(spec.at.getTime() / 1000))] : [];
      try {
        const { stdout, stderr } = await run('openssl', ['ts', '-verify', '-digest', spec.digest.toString('hex'), '-in', responsePath, '-CAfile', spec.caFile, ...untrusted, ...at]);
        return { ok: true, output: stdout + stderr };
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string };
        return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
      }
    },

    async cleanup() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
