// Who may sign a time-stamp, and which roots we trust: RFC 3161 §2.3 (the signer carries the
// critical timeStamping EKU alone) and RFC 5280 §6.1 (a path of CAs, valid at genTime, up to a
// root the user gave). Certificates come from the openssl CLI; tokens from `openssl ts -reply`,
// or, for signers it refuses, forged with `openssl cms -sign` as an attacker would. Every verdict
// on a token is compared with `openssl ts -verify` at the token's time.

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrustedRoots, TrustedRootError } from '../../src/core/attest/trusted-roots.js';
import { verifyTimestampResponse, type TimestampVerdict } from '../../src/core/attest/tsa-verify.js';
import { proofline } from '../support/cli.js';
import { createPki, EXT, type TestCert, type TestPki } from '../support/pki.js';

const digest = createHash('sha256').update('the tag manifest').digest();
const chainDetail = (v: TimestampVerdict): string => v.checks.find((c) => c.name === 'chain')?.detail ?? '';
const failedChecks = (v: TimestampVerdict): string[] => v.checks.filter((c) => !c.ok).map((c) => c.name);

let pki: TestPki;
let root: TestCert;
let otherRoot: TestCert;
let issuingCa: TestCert;
let tsa: TestCert;
let deepTsa: TestCert;
let rootPath: string;

beforeAll(async () => {
  pki = await createPki();
  root = await pki.issue({ name: 'Trust Root', ext: EXT.root });
  otherRoot = await pki.issue({ name: 'Other Root', ext: EXT.root });
  issuingCa = await pki.issue({ name: 'Issuing CA', issuer: root, ext: EXT.root });
  tsa = await pki.issue({ name: 'Good TSA', issuer: root, ext: EXT.tsa });
  deepTsa = await pki.issue({ name: 'Deep TSA', issuer: issuingCa, ext: EXT.tsa });
  rootPath = root.certPath;
});

afterAll(async () => {
  await pki?.cleanup();
});

/** Our verdict and openssl's, both judged at the token's genTime against `caFile`. */
async function judge(response: Buffer, trust: readonly (string | Buffer)[], caFile: string): Promise<{ ours: TimestampVerdict; openssl: { ok: boolean; output: string } }> {
  const ours = await verifyTimestampResponse(response, { digest, trustedRoots: trust });
  const openssl = await pki.opensslVerify({ response, digest, caFile, ...(ours.genTime && { at: ours.genTime }) });
  return { ours, openssl };
}

describe('a token from a proper TSA', () => {
  it('verifies, names its signer and policy, and openssl agrees', async () => {
    const response = await pki.reply({ signer: tsa, certs: [root], digest });
    const { ours, openssl } = await judge(response, [root.pem], rootPath);

    expect(ours.status).toBe('verified');
    expect(ours.signer).toBe('CN=Good TSA, O=Proofline Test');
    expect(ours.policy).toBe('1.3.6.1.4.1.55555.1.1');
    expect(ours.algorithm).toBe('ECDSA with SHA-256'); // the test PKI's keys are P-256
    expect(chainDetail(ours)).toContain('CN=Good TSA, O=Proofline Test → CN=Trust Root, O=Proofline Test');
    expect(chainDetail(ours)).toContain('critical extendedKeyUsage timeStamping');
    expect(openssl.output).toContain('Verification: OK');
  });

  it('is untrusted with no trusted root, and says only that none was given', async () => {
    const response = await pki.reply({ signer: tsa, certs: [root], digest });
    const verdict = await verifyTimestampResponse(response, { digest, trustedRoots: [] });
    expect(verdict.status).toBe('untrusted');
    expect(failedChecks(verdict)).toEqual(['chain']);
    expect(chainDetail(verdict)).toMatch(/^no trusted TSA root was given/);
  });

  it('says so when the trusted roots given hold no certificate, rather than that none was given', async () => {
    const response = await pki.reply({ signer: tsa, certs: [root], digest });
    const verdict = await verifyTimestampResponse(response, { digest, trustedRoots: ['the TSA root is on the USB stick'] });
    expect(verdict.status).toBe('untrusted');
    expect(chainDetail(verdict)).toBe('the trusted roots given hold no certificate (PEM or DER)');
  });

  it('is untrusted under a wrong root, though the token carries its own root', async () => {
    const response = await pki.reply({ signer: tsa, certs: [root], digest });
    const { ours, openssl } = await judge(response, [otherRoot.pem], otherRoot.certPath);
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toContain('the chain ends at CN=Trust Root, O=Proofline Test, which is self-signed and is not one of the trusted roots');
    expect(openssl.ok).toBe(false);
  });

  it('is untrusted when the token carries an impostor root with the trusted root\'s name', async () => {
    const impostor = await pki.issue({ name: 'Trust Root', ext: EXT.root });
    const fakeTsa = await pki.issue({ name: 'Good TSA', issuer: impostor, ext: EXT.tsa });
    const response = await pki.reply({ signer: fakeTsa, certs: [impostor], digest });
    const { ours, openssl } = await judge(response, [root.pem], rootPath);
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toContain('does not chain to a trusted root');
    expect(openssl.ok).toBe(false);
  });
});

describe('the signer must be a time-stamping certificate (RFC 3161 §2.3)', () => {
  it('openssl ts -reply itself refuses to sign with a TLS server certificate', async () => {
    const web = await pki.issue({ name: 'Example Web Server', issuer: root, ext: EXT.serverAuth });
    await expect(pki.reply({ signer: web, certs: [root], digest })).rejects.toThrow(/purpose/);
  });

  it('refuses a token signed by a serverAuth certificate under a trusted root, as openssl does', async () => {
    const web = await pki.issue({ name: 'Example Web Server', issuer: root, ext: EXT.serverAuth });
    const forged = await pki.forge({ signer: web, certs: [root], digest });
    const { ours, openssl } = await judge(forged, [root.pem], rootPath);

    expect(failedChecks(ours)).toEqual(['chain']); // the signature itself is sound
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toBe(
      'the signer CN=Example Web Server, O=Proofline Test is not a time-stamping certificate: its extendedKeyUsage is serverAuth, RFC 3161 §2.3 requires critical timeStamping only',
    );
    expect(openssl.ok).toBe(false);
    expect(openssl.output).toContain('unsuitable certificate purpose');
  });

  it('refuses timeStamping that is not marked critical', async () => {
    const soft = await pki.issue({ name: 'Soft TSA', issuer: root, ext: ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = timeStamping'] });
    const { ours, openssl } = await judge(await pki.forge({ signer: soft, digest }), [root.pem], rootPath);
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toContain('CN=Soft TSA, O=Proofline Test is not a time-stamping certificate: its extendedKeyUsage timeStamping is not marked critical');
    expect(openssl.ok).toBe(false);
  });

  it('refuses timeStamping together with serverAuth', async () => {
    const mixed = await pki.issue({ name: 'Mixed TSA', issuer: root, ext: ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = critical, timeStamping, serverAuth'] });
    const { ours, openssl } = await judge(await pki.forge({ signer: mixed, digest }), [root.pem], rootPath);
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toContain('its extendedKeyUsage is timeStamping, serverAuth');
    expect(openssl.ok).toBe(false);
  });

  it('refuses a signer with no extendedKeyUsage', async () => {
    const plain = await pki.issue({ name: 'Plain Signer', issuer: root, ext: ['basicConstraints = CA:FALSE'] });
    const { ours, openssl } = await judge(await pki.forge({ signer: plain, digest }), [root.pem], rootPath);
    expect(chainDetail(ours)).toContain('CN=Plain Signer, O=Proofline Test is not a time-stamping certificate: it has no extendedKeyUsage');
    expect(ours.status).toBe('untrusted');
    expect(openssl.ok).toBe(false);
  });

  it('refuses a time-stamping key that may also encipher', async () => {
    const both = await pki.issue({ name: 'Dual Use TSA', issuer: root, ext: ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, keyEncipherment', 'extendedKeyUsage = critical, timeStamping'] });
    const { ours, openssl } = await judge(await pki.forge({ signer: both, digest }), [root.pem], rootPath);
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toContain('CN=Dual Use TSA, O=Proofline Test may not sign time-stamps: its keyUsage is digitalSignature, keyEncipherment');
    expect(openssl.ok).toBe(false);
  });
});

describe('the path up to the trusted root (RFC 5280 §6.1)', () => {
  it('verifies a TSA under an intermediate CA, and openssl agrees', async () => {
    const response = await pki.reply({ signer: deepTsa, certs: [issuingCa, root], digest });
    const { ours, openssl } = await judge(response, [root.pem], rootPath);
    expect(ours.status).toBe('verified');
    expect(chainDetail(ours)).toContain('CN=Deep TSA, O=Proofline Test → CN=Issuing CA, O=Proofline Test → CN=Trust Root, O=Proofline Test');
    expect(openssl.ok).toBe(true);
  });

  it('refuses an intermediate that is not a CA (cA=FALSE) issuing the TSA certificate', async () => {
    const notCa = await pki.issue({ name: 'Not A CA', issuer: root, ext: ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature, keyCertSign'] });
    const signer = await pki.issue({ name: 'TSA Under Not A CA', issuer: notCa, ext: EXT.tsa });
    const { ours, openssl } = await judge(await pki.reply({ signer, certs: [notCa], digest }), [root.pem], rootPath);
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toBe(
      'the intermediate CA CN=Not A CA, O=Proofline Test issued CN=TSA Under Not A CA, O=Proofline Test but is not a CA: its basicConstraints is cA=FALSE (RFC 5280 §6.1.4(k) requires cA=TRUE)',
    );
    expect(openssl.ok).toBe(false);
  });

  it('refuses a CA whose keyUsage lacks keyCertSign', async () => {
    const noSign = await pki.issue({ name: 'No CertSign CA', issuer: root, ext: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, digitalSignature, cRLSign'] });
    const signer = await pki.issue({ name: 'TSA Under No CertSign', issuer: noSign, ext: EXT.tsa });
    const { ours, openssl } = await judge(await pki.reply({ signer, certs: [noSign], digest }), [root.pem], rootPath);
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toContain('CN=No CertSign CA, O=Proofline Test issued CN=TSA Under No CertSign, O=Proofline Test but its keyUsage (digitalSignature, cRLSign) lacks keyCertSign');
    expect(openssl.ok).toBe(false);
  });

  it('honours the root\'s pathLenConstraint', async () => {
    const strict = await pki.issue({ name: 'Strict Root', ext: ['basicConstraints = critical, CA:TRUE, pathlen:0', 'keyUsage = critical, keyCertSign'] });
    const middle = await pki.issue({ name: 'Strict Issuing CA', issuer: strict, ext: EXT.root });
    const signer = await pki.issue({ name: 'Strict TSA', issuer: middle, ext: EXT.tsa });
    const { ours, openssl } = await judge(await pki.reply({ signer, certs: [middle], digest }), [strict.pem], strict.certPath);
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toContain('the trusted root CN=Strict Root, O=Proofline Test allows 0 intermediate CA(s) below it');
    expect(openssl.ok).toBe(false);
  });

  it('refuses a CA with a critical extension it does not process', async () => {
    const odd = await pki.issue({ name: 'Odd CA', issuer: root, ext: [...EXT.root, '1.3.6.1.4.1.55555.9 = critical, ASN1:NULL'] });
    const signer = await pki.issue({ name: 'TSA Under Odd CA', issuer: odd, ext: EXT.tsa });
    const { ours, openssl } = await judge(await pki.reply({ signer, certs: [odd], digest }), [root.pem], rootPath);
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toContain('the intermediate CA CN=Odd CA, O=Proofline Test cannot be used: it has a critical extension 1.3.6.1.4.1.55555.9');
    expect(openssl.ok).toBe(false);
  });
});

describe('validity at the token\'s genTime', () => {
  let dated: TestCert;
  beforeAll(async () => {
    dated = await pki.issue({ name: 'Dated TSA', issuer: root, ext: EXT.tsa, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
  });

  it('verifies a token made while the signer was valid, though the signer has expired since', async () => {
    const response = await pki.reply({ signer: dated, certs: [root], digest, at: new Date('2020-06-01T12:00:00Z') });
    const { ours, openssl } = await judge(response, [root.pem], rootPath);
    expect(ours.genTime?.toISOString().slice(0, 10)).toBe('2020-06-01');
    expect(ours.status).toBe('verified');
    expect(openssl.ok).toBe(true);
  });

  it('refuses a token dated after the signer expired', async () => {
    const response = await pki.reply({ signer: dated, certs: [root], digest, at: new Date('2022-06-01T12:00:00Z') });
    const { ours, openssl } = await judge(response, [root.pem], rootPath);
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toMatch(/^the signer CN=Dated TSA, O=Proofline Test had expired at the token's time 2022-06-01T12:00:\d\d\.\d+Z: its validity ended 2021-01-01T00:00:00\.000Z/);
    expect(openssl.ok).toBe(false);
  });

  it('refuses a token dated before the signer was valid', async () => {
    const response = await pki.reply({ signer: dated, certs: [root], digest, at: new Date('2019-06-01T12:00:00Z') });
    const { ours, openssl } = await judge(response, [root.pem], rootPath);
    expect(ours.status).toBe('untrusted');
    expect(chainDetail(ours)).toContain('the signer CN=Dated TSA, O=Proofline Test was not yet valid at the token\'s time 2019-06-01');
    expect(openssl.ok).toBe(false);
  });
});

describe('trusted roots, read as openssl reads a CAfile', () => {
  it('passes with the trust bundle in either order', async () => {
    // The token carries only its signer: the intermediate must come from the trust bundle.
    const response = await pki.reply({ signer: deepTsa, digest });
    const caFirst = await pki.write('bundle-ca-first.pem', root.pem + issuingCa.pem);
    const caLast = await pki.write('bundle-ca-last.pem', issuingCa.pem + root.pem);
    for (const bundle of [caFirst, caLast]) {
      const { ours, openssl } = await judge(response, readTrustedRoots([bundle]), bundle);
      expect(ours.status).toBe('verified');
      expect(openssl.ok).toBe(true);
    }
  });

  it('passes whatever order the token carries its certificates in', async () => {
    for (const certs of [[root, issuingCa], [issuingCa, root]]) {
      const verdict = await verifyTimestampResponse(await pki.reply({ signer: deepTsa, certs, digest }), { digest, trustedRoots: [root.pem] });
      expect(verdict.status).toBe('verified');
    }
  });

  it('takes a trusted intermediate as the anchor', async () => {
    const response = await pki.reply({ signer: deepTsa, certs: [issuingCa, root], digest });
    const verdict = await verifyTimestampResponse(response, { digest, trustedRoots: [issuingCa.pem] });
    expect(verdict.status).toBe('verified');
    expect(chainDetail(verdict)).toContain('CN=Deep TSA, O=Proofline Test → CN=Issuing CA, O=Proofline Test reaches a trusted root');
  });

  it('refuses a trusted intermediate that is not a CA', async () => {
    const notCa = await pki.issue({ name: 'Trusted Non-CA', issuer: root, ext: ['basicConstraints = critical, CA:FALSE'] });
    const signer = await pki.issue({ name: 'TSA Under Trusted Non-CA', issuer: notCa, ext: EXT.tsa });
    const verdict = await verifyTimestampResponse(await pki.reply({ signer, certs: [notCa], digest }), { digest, trustedRoots: [notCa.der] });
    expect(verdict.status).toBe('untrusted');
    expect(chainDetail(verdict)).toContain('the trusted intermediate CN=Trusted Non-CA, O=Proofline Test issued CN=TSA Under Trusted Non-CA, O=Proofline Test but is not a CA');
  });

  it('takes the TSA certificate itself as the anchor when that is what the user trusts', async () => {
    const verdict = await verifyTimestampResponse(await pki.reply({ signer: tsa, digest }), { digest, trustedRoots: [tsa.pem] });
    expect(verdict.status).toBe('verified');
    expect(chainDetail(verdict)).toMatch(/^chain CN=Good TSA, O=Proofline Test reaches a trusted root/);
  });

  it('reads a DER file', async () => {
    const derPath = await pki.write('root.der', root.der);
    const roots = readTrustedRoots([derPath]);
    expect(roots).toEqual([root.der]);
    const verdict = await verifyTimestampResponse(await pki.reply({ signer: tsa, certs: [root], digest }), { digest, trustedRoots: roots });
    expect(verdict.status).toBe('verified');
  });

  it('reads several files, PEM and DER', async () => {
    const derPath = await pki.write('root-again.der', root.der);
    const roots = readTrustedRoots([otherRoot.certPath, derPath]);
    expect(roots).toEqual([otherRoot.der, root.der]);
    const verdict = await verifyTimestampResponse(await pki.reply({ signer: tsa, certs: [root], digest }), { digest, trustedRoots: roots });
    expect(verdict.status).toBe('verified');
  });

  it('names a file that holds no certificate', async () => {
    const notes = await pki.write('notes.txt', 'the TSA root is on the USB stick\n');
    const empty = await pki.write('empty.pem', '');
    for (const file of [notes, empty]) {
      const error = (() => {
        try {
          readTrustedRoots([root.certPath, file]);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(TrustedRootError);
      expect(error).toMatchObject({ reason: 'no-certificate', code: 'trusted-root.no-certificate', kind: 'invalid-input', file, message: `${file} holds no certificate (PEM or DER): give the TSA's root certificate` });
    }
  });

  it('names a file that cannot be read, and one with a damaged certificate', async () => {
    const missing = `${pki.dir}/no-such-root.pem`;
    expect(() => readTrustedRoots([missing])).toThrow(`${missing} cannot be read (no such file)`);
    const damaged = await pki.write('damaged.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(() => readTrustedRoots([damaged])).toThrow(`${damaged}: certificate 1 of 1 is not a readable X.509 certificate`);
  });

  it('proofline verify --trust with no certificate in the file is a usage error naming it', async () => {
    const notes = await pki.write('notes-cli.txt', 'not a certificate\n');
    const result = await proofline(['verify', `${pki.dir}/absent.zip`, '--trust', notes]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${notes} holds no certificate (PEM or DER)`);
  });
});
