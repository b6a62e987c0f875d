// Where each OS keeps its DNS resolvers, and pure parsers of what its tools print.

import { isIP } from 'node:net';
import type { ToolCommand } from './run-tool.js';

export interface ResolvConf {
  readonly nameservers: readonly string[];
  readonly search: readonly string[];
  readonly options: readonly string[];
}

/** resolv.conf(5): `nameserver`, `search`/`domain`, `options`; `#` and `;` start comments. */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  const options: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [keyword, ...rest] = line.split(/\s+/);
    if (keyword === 'nameserver' && rest[0]) nameservers.push(rest[0]);
    else if ((keyword === 'search' || keyword === 'domain') && rest.length > 0) search = rest;
    else if (keyword === 'options') options.push(...rest);
  }
  return { nameservers, search, options };
}

/** Windows: the DNS servers of every interface, one address a line. */
export const WINDOWS_DNS_SERVERS: ToolCommand = {
  file: 'powershell',
  args: ['-NoProfile', '-NonInteractive', '-Command', '(Get-DnsClientServerAddress).ServerAddresses'],
};

/** macOS: the resolver configuration as the system uses it. */
export const MACOS_DNS: ToolCommand = { file: 'scutil', args: ['--dns'] };

/** Lines that are IP addresses, deduplicated in order (the PowerShell output above). */
export function parseAddressLines(text: string): string[] {
  const seen = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const value = line.trim();
    if (isIP(value)) seen.add(value);
  }
  return [...seen];
}

/** `scutil --dns`: `nameserver[0] : 192.168.1.1` lines under each resolver, deduplicated. */
export function parseScutilDns(text: string): string[] {
  const seen = new Set<string>();
  for (const match of text.matchAll(/^\s*nameserver\[\d+\]\s*:\s*(\S+)\s*$/gm)) seen.add(match[1]!);
  return [...seen];
}
