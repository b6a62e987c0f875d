import { networkInterfaces } from 'node:os';
import type { JsonValue } from '../../../../shared/domain.js';
import { isVpnInterface, parseFindNetRoute, parseIpRouteGet, parsePingTime, parseRouteGetMac, pingCommand, routeCommand, type RouteInfo } from './network-parsers.js';
import { reasonOf, runTool } from './run-tool.js';
import { DEFAULT_PUBLIC_IP_URL, finding, type Finding, type ProbeContext } from './types.js';

export async function checkInterfaces(): Promise<Finding> {
  const list = networkInterfaces();
  const interfaces: { [name: string]: JsonValue } = {};
  const vpn: string[] = [];
  for (const [name, addresses] of Object.entries(list)) {
    interfaces[name] = (addresses ?? []).map((a) => ({ address: a.address, family: a.family, netmask: a.netmask, mac: a.mac, internal: a.internal }));
    if (isVpnInterface(name)) vpn.push(name);
  }
  const names = Object.keys(interfaces);
  return vpn.length > 0
    ? finding('network.interfaces', 'network', 'warn', 'Network interfaces and VPN adapters',
      `VPN or tunnel adapter(s) present: ${vpn.join(', ')}. Traffic may leave through them, from another address and country than this machine's; turn the VPN off or disclose it.`, { interfaces, vpn })
    : finding('network.interfaces', 'network', 'pass', 'Network interfaces and VPN adapters', `${names.length} interface(s) (${names.join(', ')}); no VPN or tunnel adapter.`, { interfaces, vpn });
}

async function targetAddress(ctx: ProbeContext): Promise<{ address: string } | { reason: string }> {
  if (!ctx.target) return { reason: 'no target URL was given' };
  if (ctx.target.ipVersion !== 0) return { address: ctx.target.host };
  const lookup = await ctx.targetAddresses();
  if (!lookup.ok) return { reason: `${ctx.target.host} does not resolve (${lookup.reason})` };
  const first = lookup.addresses[0];
  return first ? { address: first.address } : { reason: `${ctx.target.host} has no address` };
}

export async function checkRoute(ctx: ProbeContext): Promise<Finding> {
  const title = 'Route to the target';
  const to = await targetAddress(ctx);
  if ('reason' in to) return finding('network.route', 'network', 'not-checked', title, `Not checked: ${to.reason}.`);
  const command = routeCommand(ctx.platform, to.address);
  const result = await runTool(command, ctx.timeoutMs, ctx.signal);
  if (!result.ran) return finding('network.route', 'network', 'not-checked', title, `Not checked: ${result.reason}.`, { address: to.address });
  if (result.code !== 0) return finding('network.route', 'network', 'warn', title, `No route to ${to.address}: ${result.stderr.trim() || `${command.file} exited ${result.code}`}.`, { address: to.address });
  const route: RouteInfo | undefined = ctx.platform === 'win32' ? parseFindNetRoute(result.stdout, to.address) : ctx.platform === 'darwin' ? parseRouteGetMac(result.stdout, to.address) : parseIpRouteGet(result.stdout);
  if (!route) return finding('network.route', 'network', 'not-checked', title, `Not checked: could not read the output of ${command.file}.`, { address: to.address, output: result.stdout.slice(0, 2000) });
  const data = { ...route, output: result.stdout.trim() };
  const via = `${route.gateway ? `via ${route.gateway} ` : ''}on ${route.device ?? 'an unknown interface'}`;
  if (route.device && isVpnInterface(route.device)) {
    return finding('network.route', 'network', 'warn', title, `${to.address} is reached ${via}, a VPN or tunnel adapter: the site sees the tunnel's address, not this machine's.`, data);
  }
  return finding('network.route', 'network', 'pass', title, `${to.address} is reached ${via}${route.kind === 'local' ? ' (an address of this machine)' : ''}.`, data);
}

export async function checkPing(ctx: ProbeContext): Promise<Finding> {
  const title = 'Ping to the target';
  const to = await targetAddress(ctx);
  if ('reason' in to) return finding('network.ping', 'network', 'not-checked', title, `Not checked: ${to.reason}.`);
  const result = await runTool(pingCommand(ctx.platform, to.address), ctx.timeoutMs, ctx.signal);
  if (!result.ran) return finding('network.ping', 'network', 'not-checked', title, `Not checked: ${result.reason}.`, { address: to.address });
  const ms = parsePingTime(result.stdout);
  if (result.code !== 0 || ms === undefined) {
    // Many sites drop ICMP: no reply says nothing about the page, so it is not a warning.
    return finding('network.ping', 'network', 'not-checked', title, `${to.address} did not answer one ping within 2 s (many sites drop ping).`, { address: to.address, output: result.stdout.trim().slice(0, 2000) });
  }
  return finding('network.ping', 'network', 'pass', title, `${to.address} answered in ${ms} ms.`, { address: to.address, roundTripMs: ms });
}

/** The address the site will see, from a "what is my IP" service (JSON {ip} or plain text). */
export async function checkPublicIp(ctx: ProbeContext): Promise<Finding> {
  const title = 'Public IP address';
  const url = ctx.options.publicIpUrl === undefined ? DEFAULT_PUBLIC_IP_URL : ctx.options.publicIpUrl;
  if (url === null) return finding('network.public-ip', 'network', 'not-checked', title, 'Not checked: the public IP probe is turned off.');
  try {
    const response = await fetch(url, { signal: AbortSignal.any([AbortSignal.timeout(ctx.timeoutMs), ctx.signal]), headers: { accept: 'application/json, text/plain' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const text = (await response.text()).trim();
    let ip = text;
    if (text.startsWith('{')) ip = String((JSON.parse(text) as { ip?: unknown }).ip ?? '');
    if (!/^[0-9a-fA-F:.]{2,45}$/.test(ip)) throw new Error(`the answer is not an IP address: ${text.slice(0, 80)}`);
    const local = Object.values(networkInterfaces()).flat().some((a) => a?.address === ip);
    return finding('network.public-ip', 'network', 'pass', title, `Sites see this machine as ${ip} (from ${url})${local ? ', an address of this machine' : ', behind NAT or a gateway'}.`, { ip, url, onInterface: local });
  } catch (error) {
    return finding('network.public-ip', 'network', 'not-checked', title, `Not checked: ${url} could not be reached (${reasonOf(error)}).`, { url });
  }
}
