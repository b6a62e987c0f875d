import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

/** Seconds between the NTP era (1900-01-01) and the Unix epoch (RFC 5905 §6). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

export interface SntpResult {
  readonly server: string;
  /** Local clock minus the server's; positive: this machine is ahead (as ClockOffset.offsetMs). */
  readonly offsetMs: number;
  /** Round-trip delay less the server's processing time. */
  readonly delayMs: number;
  readonly stratum: number;
  readonly serverTime: string;
}

/** `host`, `host:port`, `[v6]` or `[v6]:port` → host and port (default 123). */
export function parseNtpServer(spec: string): { host: string; port: number } {
  const trimmed = spec.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : 123 };
  if (isIPv6(trimmed)) return { host: trimmed, port: 123 };
  const hostPort = /^([^:]+):(\d+)$/.exec(trimmed);
  if (hostPort) return { host: hostPort[1]!, port: Number(hostPort[2]) };
  if (!trimmed || trimmed.includes(':')) throw new Error(`'${spec}' is not an NTP server: give host or host:port`);
  return { host: trimmed, port: 123 };
}

export function writeNtpTime(buffer: Buffer, offset: number, ms: number): void {
  const seconds = Math.floor(ms / 1000) + NTP_UNIX_OFFSET_S;
  const fraction = Math.round(((ms % 1000) / 1000) * 2 ** 32);
  buffer.writeUInt32BE(seconds >>> 0, offset);
  buffer.writeUInt32BE(Math.min(fraction, 2 ** 32 - 1) >>> 0, offset + 4);
}

export function readNtpTime(buffer: Buffer, offset: number): number {
  const seconds = buffer.readUInt32BE(offset);
  const fraction = buffer.readUInt32BE(offset + 4);
  return (seconds - NTP_UNIX_OFFSET_S) * 1000 + (fraction / 2 ** 32) * 1000;
}

/**
 * One SNTP exchange (RFC 4330 §5): a version-4 client request, the server's receive and transmit
 * times, offset ((T2−T1)+(T3−T4))/2 and delay (T4−T1)−(T3−T2). Rejects on a time limit, a
 * kiss-o'-death (stratum 0) or a reply that does not answer our request.
 */
export function querySntp(spec: string, timeoutMs: number, now: () => number = Date.now): Promise<SntpResult> {
  const { host, port } = parseNtpServer(spec);
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const request = Buffer.alloc(48);
    request[0] = (0 << 6) | (4 << 3) | 3; // LI 0, VN 4, mode 3 (client)
    const t1 = now();
    writeNtpTime(request, 40, t1);
    const sentTransmit = request.subarray(40, 48);
    let settled = false;
    const done = (error: Error | null, result?: SntpResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(result!);
    };
    const timer = setTimeout(() => done(new Error(`no reply from NTP server ${spec} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (error) => done(new Error(`NTP server ${spec}: ${error.message}`)));
    socket.on('message', (reply) => {
      const t4 = now();
      if (reply.length < 48) return done(new Error(`NTP server ${spec} sent ${reply.length} bytes, not an NTP packet`));
      const mode = reply[0]! & 7;
      const stratum = reply[1]!;
      if (mode !== 4 && mode !== 5) return done(new Error(`NTP server ${spec} replied in mode ${mode}, not as a server`));
      if (stratum === 0) return done(new Error(`NTP server ${spec} refused (kiss code ${reply.subarray(12, 16).toString('latin1')})`));
      // RFC 4330 §5: the originate timestamp must echo our transmit timestamp, or it is not our reply.
      if (!reply.subarray(24, 32).equals(sentTransmit)) return done(new Error(`NTP server ${spec} sent a reply to another request`));
      const t2 = readNtpTime(reply, 32);
      const t3 = readNtpTime(reply, 40);
      const serverOffset = ((t2 - t1) + (t3 - t4)) / 2;
      done(null, {
        server: spec,
        offsetMs: Math.round(-serverOffset),
        delayMs: Math.max(0, Math.round(t4 - t1 - (t3 - t2))),
        stratum,
        serverTime: new Date(t3).toISOString(),
      });
    });
    socket.send(request, port, host, (error) => {
      if (error) done(new Error(`cannot send to NTP server ${spec}: ${error.message}`));
    });
  });
}
