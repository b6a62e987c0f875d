// The little of RFC 1035's message format that a DoH GET needs (RFC 8484 §4.1: the query is a
// DNS message, base64url without padding, id 0), and a reader for A, AAAA and CNAME answers.

export const DNS_TYPE = { A: 1, CNAME: 5, AAAA: 28 } as const;

export interface DnsAnswer {
  readonly name: string;
  readonly type: number;
  readonly ttl: number;
  /** Address text for A/AAAA, the target name for CNAME, hex for anything else. */
  readonly data: string;
}

export interface DnsMessage {
  readonly id: number;
  readonly rcode: number;
  readonly answers: readonly DnsAnswer[];
}

export function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw new Error(`DNS label '${label}' is longer than 63 bytes`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** A standard query with recursion desired, one question of class IN. */
export function encodeQuery(name: string, type: number, id = 0): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4); // QDCOUNT
  const question = Buffer.alloc(4);
  question.writeUInt16BE(type, 0);
  question.writeUInt16BE(1, 2); // IN
  return Buffer.concat([header, encodeName(name), question]);
}

/** Reads a possibly compressed name (RFC 1035 §4.1.4); returns it and the offset after it. */
export function readName(message: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let offset = start;
  let next = -1;
  for (let jumps = 0; jumps < 64; jumps++) {
    if (offset >= message.length) throw new Error('DNS name runs past the end of the message');
    const length = message[offset]!;
    if (length === 0) {
      return { name: labels.join('.'), next: next === -1 ? offset + 1 : next };
    }
    if ((length & 0xc0) === 0xc0) {
      if (next === -1) next = offset + 2;
      offset = message.readUInt16BE(offset) & 0x3fff;
      continue;
    }
    labels.push(message.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += 1 + length;
  }
  throw new Error('DNS name has too many compression pointers');
}

function addressText(type: number, rdata: Buffer): string {
  if (type === DNS_TYPE.A && rdata.length === 4) return [...rdata].join('.');
  if (type === DNS_TYPE.AAAA && rdata.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(rdata.readUInt16BE(i).toString(16));
    // The WHATWG URL parser writes the canonical compressed form (RFC 5952).
    return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
  }
  return rdata.toString('hex');
}

export function decodeMessage(message: Buffer): DnsMessage {
  if (message.length < 12) throw new Error(`a DNS message has at least 12 bytes, this one ${message.length}`);
  const id = message.readUInt16BE(0);
  const flags = message.readUInt16BE(2);
  const qdcount = message.readUInt16BE(4);
  const ancount = message.readUInt16BE(6);
  let offset = 12;
  for (let i = 0; i < qdcount; i++) offset = readName(message, offset).next + 4;
  const answers: DnsAnswer[] = [];
  for (let i = 0; i < ancount; i++) {
    const { name, next } = readName(message, offset);
    if (next + 10 > message.length) throw new Error('DNS answer runs past the end of the message');
    const type = message.readUInt16BE(next);
    const ttl = message.readUInt32BE(next + 4);
    const length = message.readUInt16BE(next + 8);
    const rdataStart = next + 10;
    if (rdataStart + length > message.length) throw new Error('DNS answer data runs past the end of the message');
    const rdata = message.subarray(rdataStart, rdataStart + length);
    const data = type === DNS_TYPE.CNAME ? readName(message, rdataStart).name : addressText(type, rdata);
    answers.push({ name, type, ttl, data });
    offset = rdataStart + length;
  }
  return { id, rcode: flags & 0xf, answers };
}
