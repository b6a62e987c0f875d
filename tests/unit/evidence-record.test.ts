// RFC 4998 evidence records: the hash-tree rules (§4.2, §4.3) against public vectors, and the DER
// syntax (§3, §4.1) round-tripping and refusing what is not one.
//
// Vectors: Bouncy Castle's ERSTest (bcgit/bc-java, pkix/src/test/java/org/bouncycastle/tsp/test/
// ERSTest.java, commit 03180cc025ece91168fa0560e96110a7737e6b80, MIT licence): the message
// imprints BC's ERSArchiveTimeStampGenerator asks a TSA for over the documents "This is H1",
// "This is H2", the group {"This is H3A", "This is H3B", "This is H3C"} and so on. An independent
// implementation of the same rules (sorting, concatenation, one-value lists, groups) reaching
// the same roots is the check that ours hashes what RFC 4998 says.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { groupHashtree, nodeHash, reduceHashtree } from '../../src/core/archive/evidence-hash-tree.js';
import { decodeEvidenceRecord, encodeEvidenceRecord, EvidenceRecordSyntaxError, OID_SHA256 } from '../../src/core/archive/evidence-record.js';

const H = (text: string): Buffer => createHash('sha256').update(text).digest();
const h1 = H('This is H1');
const h2 = H('This is H2');
const h4 = H('This is H4');
const group3 = [H('This is H3A'), H('This is H3B'), H('This is H3C')];
const group5 = [H('This is H5A'), H('This is H5B'), H('This is H5C')];

/** A ContentInfo (id-data) standing in for a token: the syntax carries any ContentInfo. */
function contentInfo(text: string): Buffer {
  const info = new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.1', content: new asn1js.OctetString({ valueHex: Buffer.from(text) }) });
  return Buffer.from(info.toSchema().toBER());
}

describe('RFC 4998 hash trees (§4.2 building, §4.3 reducing)', () => {
  it('hashes a group as its members sorted in binary ascending order and concatenated; a single value is its own node', () => {
    const sorted = [...group3].sort(Buffer.compare);
    expect(nodeHash(group3)).toEqual(createHash('sha256').update(Buffer.concat(sorted)).digest());
    expect(nodeHash([...group3].reverse())).toEqual(nodeHash(group3));
    expect(nodeHash([h1])).toEqual(h1);
    // Unsigned order: 0x80 sorts after 0x7f (a signed comparison would put it first).
    const low = Buffer.from('7f'.padEnd(64, '0'), 'hex');
    const high = Buffer.from('80'.padEnd(64, '0'), 'hex');
    expect(nodeHash([high, low])).toEqual(createHash('sha256').update(Buffer.concat([low, high])).digest());
  });

  it('reduces each document\'s reduced hash tree to Bouncy Castle\'s published roots (ERSTest)', () => {
    const g3 = nodeHash(group3);
    const g5 = nodeHash(group5);
    /** The reduced tree of `leaf` in BC's tree over three sorted leaves: [a b] paired, c alone. */
    const pathIn3 = (leaf: Buffer, [a, b, c]: Buffer[], first: Buffer[]): Buffer[][] =>
      leaf.equals(c!) ? [first, [nodeHash([a!, b!])]] : [first, [leaf.equals(a!) ? b! : a!], [c!]];
    // testBasicBuild: h1, h2 and the H3 group; root 98fb….
    const three = [h1, h2, g3].sort(Buffer.compare);
    const root3 = '98fbf91c1aebdfec514d4a76532ec95f27ebcf4c8b6f7e2947afcbbfe7084cd4';
    expect(reduceHashtree(pathIn3(h1, three, [h1])).toString('hex')).toBe(root3);
    expect(reduceHashtree(pathIn3(h2, three, [h2])).toString('hex')).toBe(root3);
    // The group's record: its documents' hashes are the first list (§4.3, for data groups).
    expect(reduceHashtree(pathIn3(g3, three, group3)).toString('hex')).toBe(root3);
    // testBuildMultiGroups: four sorted leaves paired from the left; root 0683….
    const four = [h1, h2, g3, g5].sort(Buffer.compare);
    const root4 = '06836dfdec4b556e05535d5696b0e4add5cee7d765bcba1f4c1613ddb9176813';
    const at = four.findIndex((l) => l.equals(g5));
    const sibling = four[at ^ 1]!;
    const otherPair = at < 2 ? nodeHash([four[2]!, four[3]!]) : nodeHash([four[0]!, four[1]!]);
    expect(reduceHashtree([group5, [sibling], [otherPair]]).toString('hex')).toBe(root4);
    // testBuildMulti: five sorted leaves, ((0 1)(2 3)) 4; root b7ef….
    const five = [h1, h2, g3, h4, g5].sort(Buffer.compare);
    const root5 = 'b7efd5e742df672584e69b36ba5592748f841cc400ef989180aa2a69e43499e8';
    expect(reduceHashtree([[five[0]!, five[1]!], [nodeHash([five[2]!, five[3]!])], [five[4]!]]).toString('hex')).toBe(root5);
    expect(reduceHashtree([[five[4]!], [nodeHash([nodeHash([five[0]!, five[1]!]), nodeHash([five[2]!, five[3]!])])]]).toString('hex')).toBe(root5);
  });

  it('takes a list that already stores the computed value as it is, and one that omits it with the value added', () => {
    const [a, b, c] = [h1, h2, nodeHash(group3)].sort(Buffer.compare) as [Buffer, Buffer, Buffer];
    const implied = reduceHashtree([[a, b], [c]]);
    expect(reduceHashtree([[a, b], [c, nodeHash([a, b])]])).toEqual(implied);
  });

  it('makes one data object group of the archive: one list, its hash the root', () => {
    const tree = groupHashtree([h2, h1, h4]);
    expect(tree).toHaveLength(1);
    expect(reduceHashtree(tree)).toEqual(nodeHash([h1, h2, h4]));
  });
});

describe('EvidenceRecord DER (§3, §4.1, IMPLICIT tags)', () => {
  const tree = groupHashtree([h1, h2]);
  const record = {
    digestAlgorithms: [OID_SHA256],
    chains: [[{ digestAlgorithm: OID_SHA256, reducedHashtree: tree, timeStamp: contentInfo('first') }, { digestAlgorithm: OID_SHA256, reducedHashtree: [], timeStamp: contentInfo('renewal') }]],
  };

  it('round-trips, keeping each timeStamp byte for byte', () => {
    const der = encodeEvidenceRecord(record);
    const back = decodeEvidenceRecord(der);
    expect(back.digestAlgorithms).toEqual([OID_SHA256]);
    expect(back.chains[0]!.map((a) => a.timeStamp)).toEqual([contentInfo('first'), contentInfo('renewal')]);
    expect(back.chains[0]![0]!.reducedHashtree).toEqual(tree);
    expect(back.chains[0]![1]!.reducedHashtree).toEqual([]);
    expect(encodeEvidenceRecord(back)).toEqual(der);
  });

  it('is read by openssl asn1parse as the structure RFC 4998 defines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ers-'));
    try {
      const file = join(dir, 'r.ers');
      writeFileSync(file, encodeEvidenceRecord(record));
      const text = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', file], { encoding: 'utf8' });
      expect(text).toMatch(/INTEGER\s+:01/);
      expect(text).toContain('sha256');
      expect(text).toMatch(/cont \[ 0 \]/); // ArchiveTimeStamp.digestAlgorithm [0]
      expect(text).toMatch(/cont \[ 2 \]/); // reducedHashtree [2]
      expect(text).toContain(h1.toString('hex').toUpperCase());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bytes that are not an evidence record, saying where', () => {
    const der = encodeEvidenceRecord(record);
    const refuse = (bytes: Buffer): string => {
      try {
        decodeEvidenceRecord(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(EvidenceRecordSyntaxError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refuse(Buffer.concat([der, Buffer.from([0])]))).toMatch(/stray bytes/);
    expect(refuse(der.subarray(0, der.length - 3))).toMatch(/not DER/);
    const v2 = Buffer.from(der);
    v2[v2.indexOf(Buffer.from([0x02, 0x01, 0x01]), 0) + 2] = 2;
    expect(refuse(v2)).toMatch(/version/);
    expect(refuse(encodeEvidenceRecord({ digestAlgorithms: [OID_SHA256], chains: [[]] }))).toMatch(/empty/);
    expect(refuse(Buffer.from(new asn1js.Sequence({ value: [new asn1js.Integer({ value: 1 })] }).toBER()))).toMatch(/digestAlgorithms/);
  });
});
