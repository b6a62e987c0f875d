import { isIP } from 'node:net';
import { checkBrowser } from './browser.js';
import { checkClockNtp, checkClockTsa, checkTimeZone } from './clock.js';
import { checkDns, lookupTarget } from './dns.js';
import { checkHosts } from './hosts.js';
import { checkInterfaces, checkPing, checkPublicIp, checkRoute } from './network.js';
import { checkProcesses } from './processes.js';
import { checkProxyEnv, checkProxySystem } from './proxy.js';
import { reasonOf, withTimeout } from './run-tool.js';
import { FINDING_IDS, FINDINGS, type FindingId } from './titles.js';
import {
  DEFAULT_TIMEOUT_MS,
  finding,
  THRESHOLDS,
  type CheckOptions,
  type EnvironmentCheckReport,
  type Finding,
  type FindingCounts,
  type ProbeContext,
  type TargetInfo,
  type TargetLookup,
  type Verdict,
} from './types.js';
import { ProoflineError } from '../../../errors.js';

interface Probe {
  /** The findings this probe gives; on a crash or time-out each becomes not-checked. */
  readonly ids: readonly FindingId[];
  /** Its time limit, as a multiple of the per-probe limit (probes that ask several things get more). */
  readonly budget: number;
  readonly run: (ctx: ProbeContext) => Promise<Finding | Finding[]>;
}

const PROBES: readonly Probe[] = [
  { ids: ['clock.tsa'], budget: 1.5, run: checkClockTsa },
  { ids: ['clock.ntp'], budget: 1.5, run: checkClockNtp },
  { ids: ['clock.timezone'], budget: 1, run: checkTimeZone },
  { ids: ['proxy.env'], budget: 1, run: checkProxyEnv },
  { ids: ['proxy.system', 'proxy.pac'], budget: 1.5, run: checkProxySystem },
  { ids: ['hosts.file', 'hosts.target'], budget: 1, run: checkHosts },
  { ids: ['dns.resolvers', 'dns.system', 'dns.servers', 'dns.doh'], budget: 3, run: checkDns },
  { ids: ['network.interfaces'], budget: 1, run: checkInterfaces },
  { ids: ['network.route'], budget: 2.5, run: checkRoute },
  { ids: ['network.ping'], budget: 2.5, run: checkPing },
  { ids: ['network.public-ip'], budget: 1.5, run: checkPublicIp },
  { ids: ['processes.tools'], budget: 1.5, run: checkProcesses },
  { ids: ['browser.fresh'], budget: 4, run: checkBrowser },
];

/** Parses and checks the target URL: only http and https pages are captured. */
export function parseTarget(targetUrl: string): TargetInfo {
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    throw new ProoflineError('url.invalid', `'${targetUrl}' is not a URL: give the page to capture, e.g. https://example.com/page`, { url: targetUrl });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProoflineError('url.scheme', `'${targetUrl}' is a ${url.protocol} URL: only http and https pages can be checked`, { url: targetUrl });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const version = isIP(host);
  return { url: url.href, host, ipVersion: version === 4 ? 4 : version === 6 ? 6 : 0 };
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const counts = { pass: 0, warn: 0, fail: 0, 'not-checked': 0 };
  for (const f of findings) counts[f.status] += 1;
  return counts;
}

/** fail if any finding fails, warn if any warns, else pass; not-checked is disclosed, not judged. */
export function verdictOf(findings: readonly Finding[]): Verdict {
  if (findings.some((f) => f.status === 'fail')) return 'fail';
  if (findings.some((f) => f.status === 'warn')) return 'warn';
  return 'pass';
}

export class CheckCancelledError extends ProoflineError {
  constructor() {
    super('check.cancelled', 'The environment check was cancelled.');
    this.name = 'AbortError';
  }
}

/**
 * Runs every probe at once, each under its own time limit, and never lets one probe's failure
 * stop the others: a probe that throws or runs out of time gives not-checked findings that say
 * why. Rejects only on a bad target URL or when `signal` aborts.
 */
export async function runEnvironmentCheck(options: CheckOptions = {}): Promise<EnvironmentCheckReport> {
  const started = Date.now();
  const target = options.targetUrl ? parseTarget(options.targetUrl) : null;
  if (options.signal?.aborted) throw new CheckCancelledError();
  const controller = new AbortController();
  const forward = (): void => controller.abort();
  options.signal?.addEventListener('abort', forward, { once: true });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let lookup: Promise<TargetLookup> | undefined;
  const ctx: ProbeContext = {
    target,
    options,
    timeoutMs,
    signal: controller.signal,
    platform: process.platform,
    env: options.env ?? process.env,
    targetAddresses: () => (lookup ??= target ? lookupTarget(target.host, timeoutMs) : Promise.resolve({ ok: false, reason: 'no target URL was given' })),
  };
  const results = new Map<string, Finding>();
  const running = PROBES.map(async (probe) => {
    const limit = Math.round(timeoutMs * probe.budget);
    let found: Finding[];
    try {
      const out = await withTimeout(probe.run(ctx), limit, 'this check');
      found = Array.isArray(out) ? out : [out];
    } catch (error) {
      found = probe.ids.map((id) => finding(id, FINDINGS[id].category, 'not-checked', FINDINGS[id].title, `Not checked: ${reasonOf(error)}.`));
    }
    for (const f of found) {
      results.set(f.id, f);
      options.onProgress?.({ id: f.id, status: f.status });
    }
  });
  const cancelled = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(new CheckCancelledError());
    controller.signal.addEventListener('abort', () => reject(new CheckCancelledError()), { once: true });
  });
  cancelled.catch(() => undefined);
  try {
    await Promise.race([Promise.all(running), cancelled]);
  } finally {
    options.signal?.removeEventListener('abort', forward);
    // Cancelled: probes see the abort and end their tools; nothing else waits for them.
    if (!controller.signal.aborted) controller.abort();
  }
  const findings = FINDING_IDS.map((id) => results.get(id)).filter((f): f is Finding => f !== undefined);
  return {
    v: 1,
    checkedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    target: target?.url ?? null,
    verdict: verdictOf(findings),
    counts: countFindings(findings),
    thresholds: THRESHOLDS,
    findings,
  };
}
