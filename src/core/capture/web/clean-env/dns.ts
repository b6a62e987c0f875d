import { promises as dns } from 'node:dns';
import { readFile } from 'node:fs/promises';
import { MACOS_DNS, parseAddressLines, parseResolvConf, parseScutilDns, WINDOWS_DNS_SERVERS } from './dns-parsers.js';
import { queryDoh } from './doh.js';
import { reasonOf, runTool, withTimeout } from './run-tool.js';
import { finding, type Finding, type ProbeContext, type TargetLookup } from './types.js';

/** The target through getaddrinfo, as the browser would resolve it (hosts file, then DNS). */
export async function lookupTarget(host: string, timeoutMs: number): Promise<TargetLookup> {
  try {
    const addresses = await withTimeout(dns.lookup(host, { all: true, verbatim: true }), timeoutMs, `looking up ${host}`);
    return { ok: true, addresses: addresses.map((a) => ({ address: a.address, family: a.family })) };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
}

async function configuredResolvers(ctx: ProbeContext): Promise<{ servers: string[]; source: string; search?: string[] } | { reason: string }> {
  if (ctx.options.dnsServers) return { servers: [...ctx.options.dnsServers], source: 'options' };
  if (ctx.platform === 'win32' || ctx.platform === 'darwin') {
    const tool = ctx.platform === 'win32' ? WINDOWS_DNS_SERVERS : MACOS_DNS;
    const result = await runTool(tool, ctx.timeoutMs, ctx.signal);
    if (!result.ran) return { reason: result.reason };
    if (result.code !== 0) return { reason: `${tool.file} exited ${result.code}` };
    const servers = ctx.platform === 'win32' ? parseAddressLines(result.stdout) : parseScutilDns(result.stdout);
    return { servers, source: `${tool.file} ${tool.args.join(' ')}` };
  }
  const file = ctx.options.resolvConf ?? '/etc/resolv.conf';
  try {
    const conf = parseResolvConf(await readFile(file, 'utf8'));
    return { servers: [...conf.nameservers], source: file, search: [...conf.search] };
  } catch (error) {
    return { reason: `cannot read ${file}: ${(error as Error).message}` };
  }
}

function sameAnswer(a: readonly string[], b: readonly string[]): boolean {
  // CDNs hand out different addresses per query: agreeing means sharing at least one.
  if (a.length === 0 && b.length === 0) return true;
  return a.some((address) => b.includes(address));
}

function compareWith(system: TargetLookup, addresses: readonly string[]): { agrees: boolean; systemAddresses: string[] } {
  const systemAddresses = system.ok ? system.addresses.map((a) => a.address) : [];
  return { agrees: sameAnswer(systemAddresses, addresses), systemAddresses };
}

export async function checkDns(ctx: ProbeContext): Promise<Finding[]> {
  const resolvers = await configuredResolvers(ctx);
  const resolverFinding = 'reason' in resolvers
    ? finding('dns.resolvers', 'dns', 'not-checked', 'Configured DNS resolvers', `Not checked: ${resolvers.reason}.`, {})
    : finding('dns.resolvers', 'dns', resolvers.servers.length > 0 ? 'pass' : 'warn', 'Configured DNS resolvers',
      resolvers.servers.length > 0
        ? `This machine asks ${resolvers.servers.join(', ')} (from ${resolvers.source}).`
        : `No DNS resolver is configured in ${resolvers.source}.`,
      { servers: resolvers.servers, source: resolvers.source, search: resolvers.search ?? [], runtimeServers: dns.getServers() });

  const target = ctx.target;
  if (!target) {
    const why = 'Not checked: no target URL was given.';
    return [resolverFinding,
      finding('dns.system', 'dns', 'not-checked', 'Target through the system resolver', why),
      finding('dns.servers', 'dns', 'not-checked', 'Target through the configured DNS servers', why),
      finding('dns.doh', 'dns', 'not-checked', 'Target through DNS over HTTPS', why)];
  }
  if (target.ipVersion !== 0) {
    const why = `The target ${target.host} is an IP address: nothing to resolve.`;
    return [resolverFinding,
      finding('dns.system', 'dns', 'pass', 'Target through the system resolver', why, { addresses: [target.host] }),
      finding('dns.servers', 'dns', 'pass', 'Target through the configured DNS servers', why, { addresses: [target.host] }),
      finding('dns.doh', 'dns', 'pass', 'Target through DNS over HTTPS', why, { addresses: [target.host] })];
  }

  const system = await ctx.targetAddresses();
  const systemFinding = system.ok
    ? finding('dns.system', 'dns', 'pass', 'Target through the system resolver', `${target.host} resolves to ${system.addresses.map((a) => a.address).join(', ')} (hosts file, then DNS, as the browser resolves it).`, { host: target.host, addresses: system.addresses.map((a) => ({ ...a })) })
    : finding('dns.system', 'dns', 'warn', 'Target through the system resolver', `${target.host} does not resolve through the system resolver (${system.reason}): the browser cannot open it.`, { host: target.host, error: system.reason });

  const [serversFinding, dohFinding] = await Promise.all([
    (async (): Promise<Finding> => {
      const title = 'Target through the configured DNS servers';
      if ('reason' in resolvers || resolvers.servers.length === 0) {
        return finding('dns.servers', 'dns', 'not-checked', title, `Not checked: ${'reason' in resolvers ? resolvers.reason : 'no DNS server is configured'}.`);
      }
      const resolver = new dns.Resolver({ timeout: Math.max(500, Math.floor(ctx.timeoutMs / 2)), tries: 1 });
      try {
        resolver.setServers(resolvers.servers);
      } catch (error) {
        return finding('dns.servers', 'dns', 'not-checked', title, `Not checked: ${reasonOf(error)}.`, { servers: resolvers.servers });
      }
      const abort = (): void => resolver.cancel();
      ctx.signal.addEventListener('abort', abort, { once: true });
      try {
        const [v4, v6] = await withTimeout(Promise.allSettled([resolver.resolve4(target.host), resolver.resolve6(target.host)]), ctx.timeoutMs, `asking ${resolvers.servers.join(', ')}`);
        const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
        const errors = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [reasonOf(r.reason)] : []));
        if (addresses.length === 0 && errors.every((e) => !/ENOTFOUND|ENODATA|NXDOMAIN/.test(e))) {
          return finding('dns.servers', 'dns', 'not-checked', title, `Not checked: the DNS servers did not answer (${errors.join('; ')}).`, { servers: resolvers.servers, errors });
        }
        const { agrees, systemAddresses } = compareWith(system, addresses);
        const data = { servers: resolvers.servers, addresses, systemAddresses, errors };
        return agrees
          ? finding('dns.servers', 'dns', 'pass', title, `${resolvers.servers.join(', ')} answer ${addresses.join(', ') || 'no address'}, in agreement with the system resolver.`, data)
          : finding('dns.servers', 'dns', 'warn', title, `${resolvers.servers.join(', ')} answer ${addresses.join(', ') || 'no address'}, but the system resolver gave ${systemAddresses.join(', ') || 'no address'}: something between them (hosts file, a local DNS proxy) changes the answer.`, data);
      } catch (error) {
        return finding('dns.servers', 'dns', 'not-checked', title, `Not checked: ${reasonOf(error)}.`, { servers: resolvers.servers });
      } finally {
        ctx.signal.removeEventListener('abort', abort);
        resolver.cancel();
      }
    })(),
    (async (): Promise<Finding> => {
      const title = 'Target through DNS over HTTPS';
      const url = ctx.options.dohUrl;
      if (!url) return finding('dns.doh', 'dns', 'not-checked', title, 'Not checked: no DNS-over-HTTPS resolver is configured (give one with --doh URL).');
      try {
        const answer = await queryDoh(url, target.host, ctx.options.dohFormat ?? 'json', ctx.timeoutMs, ctx.signal);
        const { agrees, systemAddresses } = compareWith(system, answer.addresses);
        const data = { ...answer, addresses: [...answer.addresses], cnames: [...answer.cnames], systemAddresses };
        return agrees
          ? finding('dns.doh', 'dns', 'pass', title, `${url} answers ${answer.addresses.join(', ') || 'no address'}, in agreement with the system resolver.`, data)
          : finding('dns.doh', 'dns', 'warn', title, `${url} answers ${answer.addresses.join(', ') || 'no address'}, but the system resolver gave ${systemAddresses.join(', ') || 'no address'}: the local answer may be redirected (hosts file, DNS hijack).`, data);
      } catch (error) {
        return finding('dns.doh', 'dns', 'not-checked', title, `Not checked: ${url} could not be asked (${reasonOf(error)}).`, { url });
      }
    })(),
  ]);
  return [resolverFinding, systemFinding, serversFinding, dohFinding];
}
