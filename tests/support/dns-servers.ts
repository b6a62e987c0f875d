// Small servers on loopback that speak the real protocols the environment check asks:
// DNS over UDP (RFC 1035), DNS over HTTPS (RFC 8484 wire GET and the application/dns-json API),
// and SNTP (RFC 4330). Each answers from a table the test gives, so a test can make them
// disagree with the system resolver or run a clock fast.

import { createSocket, type Socket } from 'node:dgram';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIPv4, isIPv6 } from 'node:net';
import { DNS_TYPE, readName } from '../../src/core/capture/web/clean-env/dns-wire.js';
import { writeNtpTime } from '../../src/core/capture/web/clean-env/sntp.js';

/** name (lower case, no trailing dot) → addresses, v4 and v6 mixed. */
export type DnsTable = Record<string, readonly string[]>;

function addressBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  const url = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, tail] = url.split('::') as [string, string | undefined];
  const groups = (s: string | undefined): string[] => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** Builds the response to `query` from the table: answers, or NXDOMAIN for an unknown name. */
export function answerQuery(query: Buffer, table: DnsTable): Buffer {
  const id = query.readUInt16BE(0);
  const { name, next } = readName(query, 12);
  const type = query.readUInt16BE(next);
  const question = query.subarray(12, next + 4);
  const known = table[name.toLowerCase()];
  const matching = (known ?? []).filter((a) => (type === DNS_TYPE.A ? isIPv4(a) : type === DNS_TYPE.AAAA ? isIPv6(a) : false));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x8180 | (known ? 0 : 3), 2); // QR, RD, RA; RCODE 3 = NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(matching.length, 6);
  const answers = matching.map((address) => {
    const rdata = addressBytes(address);
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    fixed.writeUInt16BE(type, 2);
    fixed.writeUInt16BE(1, 4);
    fixed.writeUInt32BE(60, 6);
    fixed.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([fixed, rdata]);
  });
  return Buffer.concat([header, question, ...answers]);
}

export interface RunningUdpServer {
  /** `127.0.0.1:PORT`, as resolv.conf-style server lists and --ntp take it. */
  readonly address: string;
  readonly port: number;
  readonly requests: number;
  stop(): Promise<void>;
}

function listenUdp(onMessage: (socket: Socket, message: Buffer, from: { address: string; port: number }) => void): Promise<RunningUdpServer> {
  const socket = createSocket('udp4');
  let requests = 0;
  socket.on('message', (message, from) => {
    requests += 1;
    try {
      onMessage(socket, message, from);
    } catch {
      // A malformed packet gets no answer, as from a real server.
    }
  });
  return new Promise((resolve) => {
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      resolve({
        address: `127.0.0.1:${port}`,
        port,
        get requests() {
          return requests;
        },
        stop: () => new Promise((done) => socket.close(() => done())),
      });
    });
  });
}

export function startDnsServer(table: DnsTable): Promise<RunningUdpServer> {
  return listenUdp((socket, message, from) => socket.send(answerQuery(message, table), from.port, from.address));
}

/** An SNTP server whose clock runs `offsetMs` ahead of this machine's (negative: behind). */
export function startSntpServer(offsetMs: number, stratum = 1): Promise<RunningUdpServer> {
  return listenUdp((socket, message, from) => {
    if (message.length < 48 || (message[0]! & 7) !== 3) return;
    const received = Date.now() + offsetMs;
    const reply = Buffer.alloc(48);
    reply[0] = (0 << 6) | (4 << 3) | 4; // LI 0, VN 4, mode 4 (server)
    reply[1] = stratum;
    reply.write('LOCL', 12, 'latin1');
    writeNtpTime(reply, 16, received); // reference time
    message.copy(reply, 24, 40, 48); // originate = the client's transmit time
    writeNtpTime(reply, 32, received);
    writeNtpTime(reply, 40, Date.now() + offsetMs);
    socket.send(reply, from.port, from.address);
  });
}

export interface RunningHttpServer {
  readonly url: string;
  readonly requests: string[];
  stop(): Promise<void>;
}

/**
 * DNS over HTTP on loopback at /dns-query: RFC 8484 GET `?dns=` (application/dns-message) and
 * the JSON API `?name=&type=` (application/dns-json), both answered from the table.
 */
export function startDohServer(table: DnsTable): Promise<RunningHttpServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.search);
    if (url.pathname !== '/dns-query') return void res.writeHead(404).end();
    const wire = url.searchParams.get('dns');
    if (wire) {
      const reply = answerQuery(Buffer.from(wire, 'base64url'), table);
      res.writeHead(200, { 'content-type': 'application/dns-message' }).end(reply);
      return;
    }
    const name = (url.searchParams.get('name') ?? '').toLowerCase().replace(/\.$/, '');
    const type = url.searchParams.get('type') === 'AAAA' ? DNS_TYPE.AAAA : DNS_TYPE.A;
    const known = table[name];
    const answers = (known ?? []).filter((a) => (type === DNS_TYPE.A ? isIPv4(a) : isIPv6(a))).map((data) => ({ name: `${name}.`, type, TTL: 60, data }));
    res.writeHead(200, { 'content-type': 'application/dns-json' }).end(JSON.stringify({ Status: known ? 0 : 3, TC: false, RD: true, RA: true, Question: [{ name: `${name}.`, type }], Answer: answers }));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/dns-query`, requests, stop: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

/** A "what is my IP" service on loopback answering `{"ip": …}` like api.ipify.org?format=json. */
export function startPublicIpServer(ip: string): Promise<RunningHttpServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '/');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ip }));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/?format=json`, requests, stop: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

