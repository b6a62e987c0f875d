// RFC 4998 Evidence Record Syntax, DER in and out (the module is DEFINITIONS IMPLICIT TAGS):
//
//   EvidenceRecord ::= SEQUENCE {
//     version                  INTEGER { v1(1) },
//     digestAlgorithms         SEQUENCE OF AlgorithmIdentifier,
//     cryptoInfos              [0] CryptoInfos OPTIONAL,
//     encryptionInfo           [1] EncryptionInfo OPTIONAL,
//     archiveTimeStampSequence ArchiveTimeStampSequence }
//   ArchiveTimeStampSequence ::= SEQUENCE OF ArchiveTimeStampChain
//   ArchiveTimeStampChain    ::= SEQUENCE OF ArchiveTimeStamp
//   ArchiveTimeStamp ::= SEQUENCE {
//     digestAlgorithm [0] AlgorithmIdentifier OPTIONAL,
//     attributes      [1] Attributes OPTIONAL,
//     reducedHashtree [2] SEQUENCE OF PartialHashtree OPTIONAL,
//     timeStamp       ContentInfo }
//   PartialHashtree ::= SEQUENCE OF OCTET STRING
//
// The timeStamp is an RFC 3161 TimeStampToken kept byte for byte as the TSA signed it: the next
// renewal hashes exactly these bytes (§5.2), so they are spliced in, never re-encoded. The leaf
// values (INTEGER, OID, OCTET STRING) are encoded by asn1js/pkijs; the containers around them by
// the small TLV helper below, which is what lets the token's bytes pass through untouched.

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';

export interface ArchiveTimeStamp {
  /** The hash algorithm of the tree (§4.1); absent: the token's imprint algorithm. */
  readonly digestAlgorithm?: string;
  /** The reduced hash tree (§4.3), first list first; empty when the field is absent. */
  readonly reducedHashtree: readonly (readonly Buffer[])[];
  /** The TimeStampToken (a CMS ContentInfo), DER exactly as stored. */
  readonly timeStamp: Buffer;
  /** As read: the [0] digestAlgorithm and [1] attributes TLVs, written back as they were. */
  readonly raw?: { readonly digestAlgorithm?: Buffer; readonly attributes?: Buffer };
}

export interface EvidenceRecord {
  readonly digestAlgorithms: readonly string[];
  /** ArchiveTimeStampSequence: a new chain starts only on hash-tree renewal (§5.2). */
  readonly chains: readonly (readonly ArchiveTimeStamp[])[];
  /** As read: the digestAlgorithms and [0] cryptoInfos TLVs, written back as they were. */
  readonly raw?: { readonly digestAlgorithms?: Buffer; readonly cryptoInfos?: Buffer };
}

/** Bytes that are not an evidence record this verifier can read; `reason` says where. */
export class EvidenceRecordSyntaxError extends Error {
  override readonly name = 'EvidenceRecordSyntaxError';
}

// --- Encoding ---------------------------------------------------------------------------------

/** X.690 §8.1.3: definite length octets. */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A constructed TLV around already-encoded contents. 0x30: SEQUENCE; 0xa0 + n: [n] IMPLICIT. */
function tlv(tag: number, contents: readonly Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const ber = (value: { toBER(): ArrayBuffer }): Buffer => Buffer.from(value.toBER());

/** AlgorithmIdentifier with absent parameters, as RFC 5754 §2 prefers for SHA-2. */
const algorithmContents = (oid: string): Buffer => ber(new asn1js.ObjectIdentifier({ value: oid }));

function encodeArchiveTimeStamp(ats: ArchiveTimeStamp): Buffer {
  const parts: Buffer[] = [];
  if (ats.raw?.digestAlgorithm) parts.push(ats.raw.digestAlgorithm);
  else if (ats.digestAlgorithm) parts.push(tlv(0xa0, [algorithmContents(ats.digestAlgorithm)]));
  if (ats.raw?.attributes) parts.push(ats.raw.attributes);
  if (ats.reducedHashtree.length > 0) {
    const lists = ats.reducedHashtree.map((list) => tlv(0x30, list.map((h) => ber(new asn1js.OctetString({ valueHex: h })))));
    parts.push(tlv(0xa2, lists));
  }
  parts.push(ats.timeStamp);
  return tlv(0x30, parts);
}

export function encodeEvidenceRecord(record: EvidenceRecord): Buffer {
  const algorithms = record.raw?.digestAlgorithms ?? tlv(0x30, record.digestAlgorithms.map((oid) => tlv(0x30, [algorithmContents(oid)])));
  return tlv(0x30, [
    ber(new asn1js.Integer({ value: 1 })),
    algorithms,
    ...(record.raw?.cryptoInfos ? [record.raw.cryptoInfos] : []),
    tlv(0x30, record.chains.map((chain) => tlv(0x30, chain.map(encodeArchiveTimeStamp)))),
  ]);
}

// --- Decoding ---------------------------------------------------------------------------------

type Block = asn1js.AsnType;

const isContext = (b: Block, n: number): boolean => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === n;
const isUniversal = (b: Block, n: number): boolean => b.idBlock.tagClass === 1 && b.idBlock.tagNumber === n;

function children(b: Block, what: string): Block[] {
  const value = (b as asn1js.Constructed).valueBlock?.value;
  if (!b.idBlock.isConstructed || !Array.isArray(value)) throw new EvidenceRecordSyntaxError(`${what} is not a constructed value`);
  return value as Block[];
}

function sequence(b: Block | undefined, what: string): Block[] {
  if (!b || !isUniversal(b, 16)) throw new EvidenceRecordSyntaxError(`${what} is not a SEQUENCE`);
  return children(b, what);
}

function algorithmOf(contents: Block[], what: string): string {
  const oid = contents[0];
  if (!oid || !isUniversal(oid, 6)) throw new EvidenceRecordSyntaxError(`${what} has no algorithm OID`);
  return (oid as asn1js.ObjectIdentifier).valueBlock.toString();
}

function decodeArchiveTimeStamp(b: Block, where: string): ArchiveTimeStamp {
  const fields = sequence(b, where);
  let digestAlgorithm: string | undefined;
  let reducedHashtree: Buffer[][] = [];
  const raw: { digestAlgorithm?: Buffer; attributes?: Buffer } = {};
  let at = 0;
  if (fields[at] && isContext(fields[at]!, 0)) {
    raw.digestAlgorithm = bytesOf(fields[at]!);
    digestAlgorithm = algorithmOf(children(fields[at++]!, `${where} digestAlgorithm`), `${where} digestAlgorithm`);
  }
  if (fields[at] && isContext(fields[at]!, 1)) {
    // Carried, not interpreted (§4.1), but they must be Attributes: SET OF SEQUENCE { OID, SET }.
    for (const attribute of children(fields[at]!, `${where} attributes`)) {
      const [type, values] = sequence(attribute, `${where} attribute`);
      if (!type || !isUniversal(type, 6) || !values || !isUniversal(values, 17)) throw new EvidenceRecordSyntaxError(`${where} attributes are not Attributes`);
    }
    raw.attributes = bytesOf(fields[at++]!);
  }
  if (fields[at] && isContext(fields[at]!, 2)) {
    reducedHashtree = children(fields[at++]!, `${where} reducedHashtree`).map((list, i) =>
      sequence(list, `${where} partialHashtree ${i + 1}`).map((h) => {
        if (!isUniversal(h, 4) || h.idBlock.isConstructed) throw new EvidenceRecordSyntaxError(`${where} partialHashtree ${i + 1} holds something other than an OCTET STRING`);
        return Buffer.from((h as asn1js.OctetString).valueBlock.valueHexView);
      }),
    );
  }
  const token = fields[at++];
  if (!token || !isUniversal(token, 16)) throw new EvidenceRecordSyntaxError(`${where} has no timeStamp ContentInfo`);
  if (at !== fields.length) throw new EvidenceRecordSyntaxError(`${where} has ${fields.length - at} unexpected field(s) after its timeStamp`);
  // The ContentInfo must at least parse as one; the verifier judges the token itself.
  try {
    new pkijs.ContentInfo({ schema: token });
  } catch (error) {
    throw new EvidenceRecordSyntaxError(`${where} timeStamp is not a ContentInfo (${(error as Error).message})`);
  }
  return { ...(digestAlgorithm && { digestAlgorithm }), reducedHashtree, timeStamp: bytesOf(token), raw };
}

/**
 * Parses a DER EvidenceRecord; throws EvidenceRecordSyntaxError naming what is wrong. The bytes
 * must be exactly what encoding the parsed record gives back: asn1js reads leniently (a length
 * one short, a child overrunning its parent), and a record altered that way must not pass.
 */
export function decodeEvidenceRecord(der: Uint8Array): EvidenceRecord {
  let record: EvidenceRecord;
  try {
    record = parseEvidenceRecord(der);
  } catch (error) {
    if (error instanceof EvidenceRecordSyntaxError) throw error;
    // asn1js throws on some malformed values (a GeneralizedTime that is no time) instead of returning an error.
    throw new EvidenceRecordSyntaxError(`not DER (${(error as Error).message})`);
  }
  if (!encodeEvidenceRecord(record).equals(Buffer.from(der))) throw new EvidenceRecordSyntaxError('its bytes are not the DER encoding of what they say (a length or a tag was altered)');
  return record;
}

const bytesOf = (b: Block): Buffer => Buffer.from(b.valueBeforeDecodeView);

/**
 * Every length says exactly what follows it: a constructed value's length is the sum of its
 * children's, a primitive's is its content's (X.690 §8.1.3). asn1js accepts a length one short
 * or long when the children still parse; here that is an altered byte. Indefinite lengths (BER,
 * allowed inside a CMS token) are taken as they are.
 */
function lengthProblem(block: Block, depth = 0): string | undefined {
  if (depth > 64) return 'it nests deeper than any evidence record does';
  const { lenBlock, valueBlock } = block as Block & { lenBlock: { length: number; isIndefiniteForm: boolean } };
  if (lenBlock.isIndefiniteForm) return undefined;
  const total = block.valueBeforeDecodeView.byteLength;
  const header = block.idBlock.blockLength + (block as Block & { lenBlock: { blockLength: number } }).lenBlock.blockLength;
  if (total - header !== lenBlock.length) return `a length at some ${block.idBlock.tagNumber} tag says ${lenBlock.length} bytes where ${total - header} follow`;
  const value = (valueBlock as { value?: unknown }).value;
  if (!block.idBlock.isConstructed || !Array.isArray(value)) return undefined;
  let sum = 0;
  for (const child of value as Block[]) {
    sum += child.valueBeforeDecodeView.byteLength;
    const inner = lengthProblem(child, depth + 1);
    if (inner) return inner;
  }
  return sum === lenBlock.length ? undefined : `a constructed value says ${lenBlock.length} bytes but its parts take ${sum}`;
}

function parseEvidenceRecord(der: Uint8Array): EvidenceRecord {
  const parsed = asn1js.fromBER(Uint8Array.from(der));
  if (parsed.offset === -1) throw new EvidenceRecordSyntaxError(`not DER (${parsed.result.error || 'unreadable'})`);
  if (parsed.offset !== der.byteLength) throw new EvidenceRecordSyntaxError(`${der.byteLength - parsed.offset} stray bytes after the EvidenceRecord`);
  const lengths = lengthProblem(parsed.result);
  if (lengths) throw new EvidenceRecordSyntaxError(`its lengths do not add up: ${lengths}`);
  const fields = sequence(parsed.result, 'the EvidenceRecord');
  const version = fields[0];
  if (!version || !isUniversal(version, 2) || (version as asn1js.Integer).valueBlock.valueDec !== 1) throw new EvidenceRecordSyntaxError('the EvidenceRecord version is not v1(1)');
  const digestAlgorithms = sequence(fields[1], 'digestAlgorithms').map((alg, i) => algorithmOf(sequence(alg, `digestAlgorithms ${i + 1}`), `digestAlgorithms ${i + 1}`));
  const raw: { digestAlgorithms?: Buffer; cryptoInfos?: Buffer } = { digestAlgorithms: bytesOf(fields[1]!) };
  let at = 2;
  if (fields[at] && isContext(fields[at]!, 0)) raw.cryptoInfos = bytesOf(fields[at++]!); // verification data, optional (§3)
  if (fields[at] && isContext(fields[at]!, 1)) throw new EvidenceRecordSyntaxError('the record carries encryptionInfo: encrypted data objects are not supported');
  const chains = sequence(fields[at++], 'archiveTimeStampSequence').map((chain, c) =>
    sequence(chain, `archiveTimeStampChain ${c + 1}`).map((ats, i) => decodeArchiveTimeStamp(ats, `archive timestamp ${c + 1}.${i + 1}`)),
  );
  if (at !== fields.length) throw new EvidenceRecordSyntaxError('the EvidenceRecord has unexpected fields after its archiveTimeStampSequence');
  if (chains.length === 0 || chains.some((chain) => chain.length === 0)) throw new EvidenceRecordSyntaxError('the record has an empty archive timestamp chain');
  return { digestAlgorithms, chains, raw };
}
