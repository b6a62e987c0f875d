// Route, ping and interface facts: command builders per OS and pure parsers of their output.

import type { ToolCommand } from './run-tool.js';

export interface RouteInfo {
  readonly destination: string;
  readonly gateway: string | null;
  readonly device: string | null;
  readonly source: string | null;
  /** 'local' for an address of this machine, 'unicast' otherwise. */
  readonly kind: 'local' | 'unicast' | 'other';
}

export function routeCommand(platform: NodeJS.Platform, address: string): ToolCommand {
  if (platform === 'win32') {
    return { file: 'powershell', args: ['-NoProfile', '-NonInteractive', '-Command', `Find-NetRoute -RemoteIPAddress '${address.replace(/'/g, '')}' | Format-List InterfaceAlias,NextHop,IPAddress`] };
  }
  if (platform === 'darwin') return { file: 'route', args: ['-n', 'get', address] };
  return { file: 'ip', args: ['route', 'get', address] };
}

/** `ip route get ADDR`: `8.8.8.8 via 192.0.2.1 dev eth0 src 192.0.2.2 uid 0` or `local 127.0.0.1 dev lo …`. */
export function parseIpRouteGet(text: string): RouteInfo | undefined {
  const line = text.split(/\r?\n/).map((l) => l.trim()).find(Boolean);
  if (!line) return undefined;
  const words = line.split(/\s+/);
  let kind: RouteInfo['kind'] = 'unicast';
  if (['local', 'broadcast', 'multicast', 'unreachable', 'prohibit', 'blackhole'].includes(words[0]!)) {
    kind = words[0] === 'local' ? 'local' : 'other';
    words.shift();
  }
  const after = (key: string): string | null => {
    const i = words.indexOf(key);
    return i >= 0 ? words[i + 1] ?? null : null;
  };
  return { destination: words[0]!, gateway: after('via'), device: after('dev'), source: after('src'), kind };
}

/** macOS `route -n get ADDR`: `key: value` lines (gateway, interface). */
export function parseRouteGetMac(text: string, address: string): RouteInfo | undefined {
  const values = new Map<string, string>();
  for (const match of text.matchAll(/^\s*([\w ]+):\s*(\S+)\s*$/gm)) values.set(match[1]!.trim(), match[2]!);
  if (!values.has('interface')) return undefined;
  const flags = text.match(/flags:\s*<([^>]*)>/)?.[1] ?? '';
  return { destination: values.get('destination') ?? address, gateway: values.get('gateway') ?? null, device: values.get('interface') ?? null, source: null, kind: flags.includes('LOCAL') ? 'local' : 'unicast' };
}

/** Windows `Find-NetRoute … | Format-List`: `InterfaceAlias : Ethernet`, `NextHop : 192.168.1.1`. */
export function parseFindNetRoute(text: string, address: string): RouteInfo | undefined {
  const values = new Map<string, string>();
  for (const match of text.matchAll(/^\s*(\w+)\s*:\s*(.*?)\s*$/gm)) if (!values.has(match[1]!)) values.set(match[1]!, match[2]!);
  if (!values.has('InterfaceAlias')) return undefined;
  const hop = values.get('NextHop') ?? '';
  return { destination: address, gateway: hop && hop !== '0.0.0.0' && hop !== '::' ? hop : null, device: values.get('InterfaceAlias') ?? null, source: values.get('IPAddress') ?? null, kind: 'unicast' };
}

export function pingCommand(platform: NodeJS.Platform, address: string): ToolCommand {
  if (platform === 'win32') return { file: 'ping', args: ['-n', '1', '-w', '2000', address] };
  if (platform === 'darwin') return { file: 'ping', args: ['-c', '1', '-t', '2', address] };
  return { file: 'ping', args: ['-c', '1', '-W', '2', address] };
}

/** Round-trip time in ms from ping's reply line (`time=0.045 ms`, Windows `time<1ms` / `时间=12ms`). */
export function parsePingTime(text: string): number | undefined {
  const match = /(?:time|时间)\s*([=<])\s*([\d.]+)\s*ms/i.exec(text);
  if (!match) return undefined;
  return match[1] === '<' ? 0 : Number(match[2]);
}

// Adapter names of tunnels and VPN clients: kernel tunnels (tun/tap/wg/ppp/ipsec), macOS utun,
// Tailscale, ZeroTier, and the Windows drivers of OpenVPN (TAP-Windows, Wintun), WireGuard and others.
const VPN_NAME = /^(tun|tap|wg|utun|ppp|ipsec|gpd|tailscale|zt|nordlynx|proton|mullvad|vpn)\d*|tap-windows|wintun|wireguard|openvpn|vpn|tunnel|clash|v2ray|sing-?box/i;

export function isVpnInterface(name: string): boolean {
  return VPN_NAME.test(name);
}
