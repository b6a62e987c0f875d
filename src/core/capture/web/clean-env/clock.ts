import { measureClockOffset } from '../../environment/clock-offset.js';
import { querySntp, type SntpResult } from './sntp.js';
import { finding, THRESHOLDS, type Finding, type FindingStatus, type ProbeContext } from './types.js';
import { reasonOf } from './run-tool.js';

/** pass ≤ 2 s < warn ≤ 60 s < fail, on the absolute offset (THRESHOLDS). */
export function clockStatus(offsetMs: number): FindingStatus {
  const size = Math.abs(offsetMs);
  if (size > THRESHOLDS.clockFailMs) return 'fail';
  if (size > THRESHOLDS.clockWarnMs) return 'warn';
  return 'pass';
}

function describeOffset(offsetMs: number): string {
  const seconds = (Math.abs(offsetMs) / 1000).toFixed(3);
  return offsetMs >= 0 ? `${seconds} s ahead` : `${seconds} s behind`;
}

const WHY = `pass within ${THRESHOLDS.clockWarnMs / 1000} s, warn up to ${THRESHOLDS.clockFailMs / 1000} s, fail beyond: a clock that far off puts the capture's times in doubt`;

export async function checkClockTsa(ctx: ProbeContext): Promise<Finding> {
  const title = 'System clock against the time-stamping authority';
  const urls = ctx.options.tsaUrls ?? [];
  const measured = await measureClockOffset(urls, { timeoutMs: ctx.timeoutMs });
  if (!measured.checked) {
    return finding('clock.tsa', 'clock', 'not-checked', title, `Not checked: ${measured.reason}.`, { tsaUrls: [...urls] });
  }
  const status = clockStatus(measured.offsetMs);
  return finding('clock.tsa', 'clock', status, title,
    `This machine's clock is ${describeOffset(measured.offsetMs)} of ${measured.url} (±${measured.resolutionMs} ms; ${WHY}).`,
    { ...measured, warnMs: THRESHOLDS.clockWarnMs, failMs: THRESHOLDS.clockFailMs });
}

export async function checkClockNtp(ctx: ProbeContext): Promise<Finding> {
  const title = 'System clock against NTP';
  const servers = ctx.options.ntpServers ?? [];
  if (servers.length === 0) {
    return finding('clock.ntp', 'clock', 'not-checked', title, 'Not checked: no NTP server is configured (give one with --ntp HOST, e.g. the National Time Service Center ntp.ntsc.ac.cn).', { servers: [] });
  }
  // Ask every server at once; the first good answer counts, the others' failures are kept.
  const results = await Promise.allSettled(servers.map((server) => querySntp(server, ctx.timeoutMs)));
  const answers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [reasonOf(r.reason)] : []));
  const best: SntpResult | undefined = answers.sort((a, b) => a.delayMs - b.delayMs)[0];
  if (!best) return finding('clock.ntp', 'clock', 'not-checked', title, `Not checked: no NTP server answered (${errors.join('; ')}).`, { servers: [...servers], errors });
  const status = clockStatus(best.offsetMs);
  return finding('clock.ntp', 'clock', status, title,
    `This machine's clock is ${describeOffset(best.offsetMs)} of NTP server ${best.server} (stratum ${best.stratum}, delay ${best.delayMs} ms; ${WHY}).`,
    { ...best, answers: answers.map((a) => ({ ...a })), errors, warnMs: THRESHOLDS.clockWarnMs, failMs: THRESHOLDS.clockFailMs });
}

export async function checkTimeZone(): Promise<Finding> {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offsetMinutes = -new Date().getTimezoneOffset();
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const utcOffset = `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return finding('clock.timezone', 'clock', 'pass', 'Time zone',
    `The time zone is ${zone} (${utcOffset}); the report's times are UTC.`, { timeZone: zone, utcOffset, utcOffsetMinutes: offsetMinutes });
}
