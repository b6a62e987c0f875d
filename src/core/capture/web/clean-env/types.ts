import type { JsonValue } from '../../../../shared/domain.js';

/** What one check found. `not-checked` always says why in `detail`; it never changes the verdict. */
export type FindingStatus = 'pass' | 'warn' | 'fail' | 'not-checked';
export type Verdict = 'pass' | 'warn' | 'fail';

export type FindingCategory = 'clock' | 'proxy' | 'hosts' | 'dns' | 'network' | 'processes' | 'browser';

export interface Finding {
  /** Stable id the UI translates by (`clock.tsa`, `proxy.env`, `hosts.target`…). */
  readonly id: string;
  readonly category: FindingCategory;
  readonly status: FindingStatus;
  /** English; the UI shows its own translation of `id` instead. */
  readonly title: string;
  /** English, one or two sentences: what was seen and, for warn/fail, why it matters. */
  readonly detail: string;
  /** The raw facts behind the finding, kept in the artifact for a later reader. */
  readonly data: { readonly [key: string]: JsonValue };
}

export interface EnvironmentCheckReport {
  /** Format of this report (environment-check.json); bump on an incompatible change. */
  readonly v: 1;
  readonly checkedAt: string;
  /** Milliseconds the whole check took. */
  readonly durationMs: number;
  /** The URL the check was run for, or null for a check of the machine alone. */
  readonly target: string | null;
  readonly verdict: Verdict;
  readonly counts: FindingCounts;
  readonly thresholds: typeof THRESHOLDS;
  readonly findings: readonly Finding[];
}

export interface FindingCounts {
  readonly pass: number;
  readonly warn: number;
  readonly fail: number;
  readonly 'not-checked': number;
}

export interface CheckProgress {
  readonly id: string;
  readonly status: FindingStatus;
}

export interface CheckOptions {
  /** The page to be captured (http or https); target checks are not-checked without it. */
  readonly targetUrl?: string;
  /** RFC 3161 TSAs whose genTime the clock is compared with. */
  readonly tsaUrls?: readonly string[];
  /** SNTP servers, `host` or `host:port` (`[v6]:port`); none by default. */
  readonly ntpServers?: readonly string[];
  /** DNS-over-HTTPS endpoint (RFC 8484); not queried unless given. */
  readonly dohUrl?: string;
  /** `json` (application/dns-json, default) or `wire` (RFC 8484 GET ?dns=). */
  readonly dohFormat?: 'json' | 'wire';
  /** Service that returns this machine's public address; null skips the probe. */
  readonly publicIpUrl?: string | null;
  /** The hosts file to read (default: the OS's). */
  readonly hostsFile?: string;
  /** The resolver configuration to read on Linux (default /etc/resolv.conf). */
  readonly resolvConf?: string;
  /** DNS servers to ask directly (`ip` or `ip:port`); default: those the OS is configured with. */
  readonly dnsServers?: readonly string[];
  /** /etc/environment on Linux, read for proxy variables (default /etc/environment). */
  readonly etcEnvironment?: string;
  /** Environment variables to read proxy settings from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The capture browser; see findBrowser. */
  readonly browserPath?: string;
  /** Skip launching the browser (not-checked): for hosts that check it elsewhere. */
  readonly skipBrowser?: boolean;
  /** Per-probe time limit in ms (default 5000; the browser gets three times this). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (step: CheckProgress) => void;
}

/** Clock thresholds, stated in every report so that a reader knows what pass meant. */
export const THRESHOLDS = {
  /** |offset| above this warns: beyond a TSA's one-second genTime resolution plus network delay. */
  clockWarnMs: 2_000,
  /** |offset| above this fails: the page's own times and the recording's would disagree by minutes. */
  clockFailMs: 60_000,
} as const;

export const DEFAULT_PUBLIC_IP_URL = 'https://api.ipify.org?format=json';
export const DEFAULT_TIMEOUT_MS = 5_000;

/** What every probe is given. */
export interface ProbeContext {
  readonly target: TargetInfo | null;
  readonly options: CheckOptions;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
  /** The target's addresses through the system resolver, looked up once and shared by probes. */
  readonly targetAddresses: () => Promise<TargetLookup>;
}

export type TargetLookup =
  | { readonly ok: true; readonly addresses: readonly { readonly address: string; readonly family: number }[] }
  | { readonly ok: false; readonly reason: string };

export interface TargetInfo {
  readonly url: string;
  /** Host name without brackets, lower case. */
  readonly host: string;
  /** 4 or 6 when the host is an IP literal, else 0. */
  readonly ipVersion: 0 | 4 | 6;
}

export function finding(
  id: string,
  category: FindingCategory,
  status: FindingStatus,
  title: string,
  detail: string,
  data: { readonly [key: string]: JsonValue } = {},
): Finding {
  return { id, category, status, title, detail, data };
}
