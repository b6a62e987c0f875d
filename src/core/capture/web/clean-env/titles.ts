import type { FindingCategory } from './types.js';

/** Every finding a check can give, in report order, with its category and English title. */
export const FINDINGS = {
  'clock.tsa': { category: 'clock', title: 'System clock against the time-stamping authority' },
  'clock.ntp': { category: 'clock', title: 'System clock against NTP' },
  'clock.timezone': { category: 'clock', title: 'Time zone' },
  'proxy.env': { category: 'proxy', title: 'Proxy environment variables' },
  'proxy.system': { category: 'proxy', title: 'System proxy settings' },
  'proxy.pac': { category: 'proxy', title: 'Proxy auto-config (PAC)' },
  'hosts.file': { category: 'hosts', title: 'Hosts file' },
  'hosts.target': { category: 'hosts', title: 'Hosts file entries for the target' },
  'dns.resolvers': { category: 'dns', title: 'Configured DNS resolvers' },
  'dns.system': { category: 'dns', title: 'Target through the system resolver' },
  'dns.servers': { category: 'dns', title: 'Target through the configured DNS servers' },
  'dns.doh': { category: 'dns', title: 'Target through DNS over HTTPS' },
  'network.interfaces': { category: 'network', title: 'Network interfaces and VPN adapters' },
  'network.route': { category: 'network', title: 'Route to the target' },
  'network.ping': { category: 'network', title: 'Ping to the target' },
  'network.public-ip': { category: 'network', title: 'Public IP address' },
  'processes.tools': { category: 'processes', title: 'Remote-control, proxy and VPN software running' },
  'browser.fresh': { category: 'browser', title: 'Fresh capture browser' },
} as const satisfies Record<string, { category: FindingCategory; title: string }>;

export type FindingId = keyof typeof FINDINGS;
export const FINDING_IDS = Object.keys(FINDINGS) as FindingId[];

/** Chinese titles for the CLI (`--lang zh`); the desktop UI keeps its own by the same ids. */
export const TITLES_ZH: Record<FindingId, string> = {
  'clock.tsa': '系统时间与时间戳服务机构的时间比对',
  'clock.ntp': '系统时间与 NTP 时间比对',
  'clock.timezone': '时区',
  'proxy.env': '代理环境变量',
  'proxy.system': '系统代理设置',
  'proxy.pac': '代理自动配置（PAC）',
  'hosts.file': 'hosts 文件',
  'hosts.target': 'hosts 文件中与目标有关的条目',
  'dns.resolvers': '已配置的 DNS 服务器',
  'dns.system': '系统解析器对目标的解析',
  'dns.servers': '所配置 DNS 服务器对目标的解析',
  'dns.doh': 'DNS over HTTPS 对目标的解析',
  'network.interfaces': '网络接口与 VPN 适配器',
  'network.route': '到目标的路由',
  'network.ping': '到目标的 ping',
  'network.public-ip': '公网 IP 地址',
  'processes.tools': '正在运行的远程控制、代理与 VPN 软件',
  'browser.fresh': '全新的取证浏览器',
};
