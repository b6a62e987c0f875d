import { Option, type Command } from 'commander';
import type { EnvironmentCheckReport } from '../../core/capture/web/clean-env/index.js';
import type { EnvironmentCheck } from '../../shared/views.js';
import { collect, UsageError, type CliContext } from '../cli-context.js';

// The check launches a browser: Playwright loads only when it runs.
const cleanEnv = () => import('../../core/capture/web/clean-env/index.js');

interface CheckEnvOptions {
  json?: boolean;
  session?: string;
  doh?: string;
  dohFormat: 'json' | 'wire';
  ntp: string[];
  publicIpUrl?: string;
  publicIp: boolean;
  browser?: string;
  hostsFile?: string;
  timeout?: string;
  lang: 'en' | 'zh';
}

/**
 * The report as the core wrote it (environment-check.json), from the operation's result: without
 * the Chinese titles the UI reads, and with where it was recorded when it was.
 */
export function checkReport(check: EnvironmentCheck): EnvironmentCheckReport {
  const { recordedSeq: _seq, recorded: _recorded, ...report } = check;
  return { ...report, findings: report.findings.map(({ titleZh: _zh, ...finding }) => finding) } as EnvironmentCheckReport;
}

/**
 * `proofline check-env [URL]`: the clean-environment check a web capture starts with, through
 * the operation web.checkEnvironment.
 * Exit 0 when nothing failed (warnings and not-checked included), 1 when any finding failed,
 * 2 on a usage error.
 */
export function registerCheckEnvCommands(program: Command, context: CliContext): void {
  program
    .command('check-env')
    .description('check this machine before a web capture (clock, proxy, hosts file, DNS, route, public IP, running tools, fresh browser); exit 0 no failure, 1 a check failed')
    .argument('[url]', 'the page to be captured (http or https)')
    .option('--json', 'print the full report as JSON')
    .option('--session <id>', 'record the report into this open session (environment-check.json and a web.environment-check event)')
    .option('--doh <url>', 'also resolve the target through this DNS-over-HTTPS resolver and compare')
    .addOption(new Option('--doh-format <format>', 'json (application/dns-json) or wire (RFC 8484 ?dns=)').choices(['json', 'wire']).default('json'))
    .option('--ntp <host>', 'SNTP server, host or host:port, to compare the clock with; repeat for several', collect, [])
    .option('--public-ip-url <url>', 'service that returns the public IP (default https://api.ipify.org?format=json)')
    .option('--no-public-ip', 'do not ask any service for the public IP')
    .option('--browser <path>', 'the capture browser (default: $PROOFLINE_BROWSER, Playwright\'s Chromium, or a system Chrome/Edge/Chromium)')
    .option('--hosts-file <file>', 'the hosts file to read (default: the system\'s)')
    .option('--timeout <ms>', 'time limit for each probe in milliseconds (default 5000)')
    .addOption(new Option('--lang <lang>', 'language of the printed titles').choices(['en', 'zh']).default('en'))
    .action(async (url: string | undefined, opts: CheckEnvOptions) => {
      if (url !== undefined) {
        try {
          (await cleanEnv()).parseTarget(url);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      }
      for (const [name, value] of [['--doh', opts.doh], ['--public-ip-url', opts.publicIpUrl]] as const) {
        if (value !== undefined && !/^https?:\/\//.test(value)) throw new UsageError(`${name} '${value}' must start with http:// or https://`);
      }
      const timeoutMs = opts.timeout === undefined ? undefined : Number(opts.timeout);
      if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new UsageError(`--timeout must be a positive number of milliseconds, not '${opts.timeout}'`);
      const progress = process.stderr.isTTY && !opts.json;
      // A wrong session id fails before the check runs (the operation looks it up first).
      const check = await context.withHost((host) =>
        host.call(
          'web.checkEnvironment',
          {
            id: opts.session,
            url,
            ntpServers: opts.ntp,
            dohUrl: opts.doh,
            dohFormat: opts.dohFormat,
            publicIpUrl: opts.publicIp ? opts.publicIpUrl : null,
            hostsFile: opts.hostsFile,
            browserPath: opts.browser,
            timeoutMs,
          },
          { progress: progress ? (p) => process.stderr.write(`\rchecking… ${p.done}`) : undefined },
        ),
      );
      if (progress) process.stderr.write('\r\x1b[K');
      const report = checkReport(check);
      const { recorded } = check;
      if (opts.json) context.out(`${JSON.stringify(recorded ? { ...report, recorded } : report, null, 2)}\n`);
      else {
        context.out((await cleanEnv()).formatEnvironmentCheck(report, opts.lang));
        if (recorded) context.out(`recorded in session ${recorded.session} as event ${recorded.seq} ${recorded.hash}\n`);
      }
      process.exitCode = report.verdict === 'fail' ? 1 : 0;
    });
}
