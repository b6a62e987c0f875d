import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finding, type Finding, type ProbeContext } from './types.js';

export interface HostsEntry {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly address: string;
  readonly names: readonly string[];
  readonly text: string;
}

export function defaultHostsFile(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(process.env['SystemRoot'] ?? 'C:\\Windows', 'System32', 'drivers', 'etc', 'hosts');
  return '/etc/hosts';
}

/** hosts(5): `address name [aliases…]`, `#` starts a comment. */
export function parseHostsFile(text: string): HostsEntry[] {
  const entries: HostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const content = raw.replace(/#.*$/, '').trim();
    if (!content) return;
    const [address, ...names] = content.split(/\s+/);
    if (address && names.length > 0) entries.push({ line: index + 1, address, names: names.map((n) => n.toLowerCase()), text: raw.trim() });
  });
  return entries;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|0:0:0:0:0:0:0:1)$/;

/** Entries that map the target's name: localhost to a loopback address is the standard one, not a redirect. */
export function entriesForHost(entries: readonly HostsEntry[], host: string): HostsEntry[] {
  const name = host.toLowerCase().replace(/\.$/, '');
  const isLocalhost = name === 'localhost' || name.endsWith('.localhost');
  return entries.filter((e) => e.names.includes(name) && !(isLocalhost && LOOPBACK.test(e.address)));
}

export async function checkHosts(ctx: ProbeContext): Promise<Finding[]> {
  const file = ctx.options.hostsFile ?? defaultHostsFile(ctx.platform);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const why = `Not checked: cannot read the hosts file ${file} (${(error as Error).message}).`;
    return [
      finding('hosts.file', 'hosts', 'not-checked', 'Hosts file', why, { path: file }),
      finding('hosts.target', 'hosts', 'not-checked', 'Hosts file entries for the target', why, { path: file }),
    ];
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const entries = parseHostsFile(bytes.toString('utf8'));
  const fileFinding = finding('hosts.file', 'hosts', 'pass', 'Hosts file',
    `${file}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, SHA-256 ${sha256}.`,
    { path: file, sha256, size: bytes.length, entries: entries.map((e) => ({ line: e.line, address: e.address, names: [...e.names] })) });
  if (!ctx.target) {
    return [fileFinding, finding('hosts.target', 'hosts', 'not-checked', 'Hosts file entries for the target', 'Not checked: no target URL was given.', { path: file })];
  }
  if (ctx.target.ipVersion !== 0) {
    return [fileFinding, finding('hosts.target', 'hosts', 'pass', 'Hosts file entries for the target', `The target ${ctx.target.host} is an IP address: the hosts file cannot redirect it.`, { path: file, matches: [] })];
  }
  const matches = entriesForHost(entries, ctx.target.host);
  const data = { path: file, host: ctx.target.host, matches: matches.map((m) => ({ line: m.line, address: m.address, text: m.text })) };
  if (matches.length === 0) {
    return [fileFinding, finding('hosts.target', 'hosts', 'pass', 'Hosts file entries for the target', `No entry in ${file} names ${ctx.target.host}.`, data)];
  }
  const lines = matches.map((m) => `line ${m.line}: "${m.text}"`).join('; ');
  return [fileFinding, finding('hosts.target', 'hosts', 'fail', 'Hosts file entries for the target',
    `${file} sends ${ctx.target.host} to a fixed address (${lines}): the browser would open that address, not the site's. Remove the entry before capturing.`, data)];
}
