// Known tools that make a capture untrustworthy, matched on the executable's name only (never
// on arguments, so a file called "clash.txt" open in an editor is not a finding).

export type ToolKind = 'remote-control' | 'intercepting-proxy' | 'proxy' | 'vpn';

export interface ToolSignature {
  readonly name: string;
  readonly kind: ToolKind;
  /** Matched against the lower-cased executable name without directory and `.exe`. */
  readonly pattern: RegExp;
}

/**
 * Why each kind gets its status:
 * - remote-control → fail: someone else can drive this screen and browser while the capture runs,
 *   so what was captured may not be what the site showed;
 * - intercepting-proxy → fail: these tools exist to read and rewrite traffic (their root
 *   certificate makes HTTPS pages changeable too);
 * - proxy and vpn → warn: they change the route and the address the site sees, not the page;
 *   a capture may be made through them if that is disclosed.
 */
export const KIND_STATUS = { 'remote-control': 'fail', 'intercepting-proxy': 'fail', proxy: 'warn', vpn: 'warn' } as const;

export const TOOL_SIGNATURES: readonly ToolSignature[] = [
  { name: 'TeamViewer', kind: 'remote-control', pattern: /^teamviewer/ },
  { name: 'AnyDesk', kind: 'remote-control', pattern: /^anydesk/ },
  { name: 'ToDesk', kind: 'remote-control', pattern: /^todesk/ },
  { name: 'Sunlogin (向日葵)', kind: 'remote-control', pattern: /^(sunlogin|awesun|oray)|向日葵/ },
  { name: 'RustDesk', kind: 'remote-control', pattern: /^rustdesk/ },
  { name: 'VNC server', kind: 'remote-control', pattern: /^(x11vnc|xvnc|vncserver|vncserver-x11.*|x0vncserver|winvnc\d*|tvnserver|uvnc_service|vino-server|wayvnc|krfb|screensharingd|ardagent)$/ },
  { name: 'Chrome Remote Desktop', kind: 'remote-control', pattern: /^(remoting_host|remoting_desktop|chrome-remote-desktop.*|crd_host)/ },
  { name: 'RDP server', kind: 'remote-control', pattern: /^(xrdp|xrdp-sesman|gnome-remote-desktop.*|freerdp-shadow.*|rdpclip)$/ },
  { name: 'Splashtop', kind: 'remote-control', pattern: /^(splashtop|srserver|srservice)/ },
  { name: 'Parsec', kind: 'remote-control', pattern: /^parsecd?$/ },
  { name: 'RealVNC / VNC Connect', kind: 'remote-control', pattern: /^vncagent|^vncserverui/ },
  { name: 'Fiddler', kind: 'intercepting-proxy', pattern: /^fiddler/ },
  { name: 'Charles', kind: 'intercepting-proxy', pattern: /^charles/ },
  { name: 'mitmproxy', kind: 'intercepting-proxy', pattern: /^(mitmproxy|mitmdump|mitmweb)$/ },
  { name: 'Burp Suite', kind: 'intercepting-proxy', pattern: /^burp/ },
  { name: 'Whistle', kind: 'intercepting-proxy', pattern: /^whistle$/ },
  { name: 'Proxyman', kind: 'intercepting-proxy', pattern: /^proxyman/ },
  { name: 'Clash', kind: 'proxy', pattern: /^(clash|mihomo|verge-mihomo)/ },
  { name: 'V2Ray / Xray', kind: 'proxy', pattern: /^(v2ray|xray|v2rayn|v2rayu|v2rayng|qv2ray)/ },
  { name: 'Shadowsocks / ShadowsocksR', kind: 'proxy', pattern: /^(shadowsocks|ss-local|ss-redir|ss-server|sslocal|ssserver|ssr-local|shadowsocksr)/ },
  { name: 'Trojan', kind: 'proxy', pattern: /^trojan(-go)?$/ },
  { name: 'sing-box', kind: 'proxy', pattern: /^sing-?box/ },
  { name: 'Hysteria', kind: 'proxy', pattern: /^hysteria/ },
  { name: 'NaiveProxy', kind: 'proxy', pattern: /^naive(proxy)?$/ },
  { name: 'Surge', kind: 'proxy', pattern: /^surge/ },
  { name: 'Quantumult / Shadowrocket / Stash', kind: 'proxy', pattern: /^(quantumult|shadowrocket|stash)$/ },
  { name: 'Proxifier', kind: 'proxy', pattern: /^proxifier/ },
  { name: 'Privoxy / Squid / tinyproxy', kind: 'proxy', pattern: /^(privoxy|squid|tinyproxy|polipo|3proxy)$/ },
  { name: 'Tor', kind: 'proxy', pattern: /^tor$/ },
  { name: 'proxychains', kind: 'proxy', pattern: /^proxychains/ },
  { name: 'OpenVPN', kind: 'vpn', pattern: /^openvpn/ },
  { name: 'WireGuard', kind: 'vpn', pattern: /^(wireguard|wg-quick|boringtun|wireguard-go)/ },
  { name: 'Tailscale', kind: 'vpn', pattern: /^tailscaled?$/ },
  { name: 'ZeroTier', kind: 'vpn', pattern: /^zerotier/ },
  { name: 'strongSwan / IPsec', kind: 'vpn', pattern: /^(charon|strongswan|ipsec|racoon|pluto)$/ },
  { name: 'Cisco AnyConnect / OpenConnect', kind: 'vpn', pattern: /^(vpnagentd|vpnui|openconnect|anyconnect)/ },
  { name: 'FortiClient', kind: 'vpn', pattern: /^forti/ },
  { name: 'GlobalProtect', kind: 'vpn', pattern: /^(pangp|globalprotect)/ },
  { name: 'NordVPN / ExpressVPN / ProtonVPN / Mullvad', kind: 'vpn', pattern: /^(nordvpn|expressvpn|protonvpn|mullvad)/ },
];

/** The executable's name as signatures see it: no directory, no `.exe`/`.app`, lower case. */
export function executableName(raw: string): string {
  const base = raw.trim().split(/[\\/]/).pop() ?? '';
  return base.replace(/\.(exe|app)$/i, '').toLowerCase();
}

export function matchTool(executable: string): ToolSignature | undefined {
  const name = executableName(executable);
  if (!name) return undefined;
  return TOOL_SIGNATURES.find((s) => s.pattern.test(name));
}
