import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEnvironmentCheck, type CheckOptions, type EnvironmentCheckReport, type Finding } from '../../src/core/capture/web/clean-env/index.js';
import { querySntp } from '../../src/core/capture/web/clean-env/sntp.js';
import { CHROMIUM_ARGS, findBrowser } from '../../src/core/capture/web/browser-locate.js';
import { proofline, run } from '../support/cli.js';
import { startDnsServer, startDohServer, startPublicIpServer, startSntpServer, type RunningHttpServer, type RunningUdpServer } from '../support/dns-servers.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let root: string;
let dns: RunningUdpServer;
let dohLying: RunningHttpServer;
let dohHonest: RunningHttpServer;
let ntpFast: RunningUdpServer;
let ntpTrue: RunningUdpServer;
let publicIp: RunningHttpServer;
let tsa: RunningTsa;
let hostsClean: string;
let hostsPinned: string;
let etcEnvironment: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-clean-env-'));
  [dns, dohLying, dohHonest, ntpFast, ntpTrue, publicIp, tsa] = await Promise.all([
    startDnsServer({ localhost: ['127.0.0.1'] }),
    // A resolver that sends the target elsewhere: what a DNS hijack looks like from here.
    startDohServer({ localhost: ['203.0.113.7'] }),
    startDohServer({ localhost: ['127.0.0.1'] }),
    startSntpServer(90_000),
    startSntpServer(0, 2),
    startPublicIpServer('198.51.100.23'),
    startTsa({ dir: root }),
  ]);
  hostsClean = join(root, 'hosts-clean');
  writeFileSync(hostsClean, '127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
  hostsPinned = join(root, 'hosts-pinned');
  writeFileSync(hostsPinned, '127.0.0.1 localhost\n# fixed by someone\n203.0.113.9  shop.example  www.shop.example\n');
  etcEnvironment = join(root, 'environment');
  writeFileSync(etcEnvironment, 'PATH="/usr/local/bin:/usr/bin"\n');
});

afterAll(async () => {
  await Promise.all([dns, dohLying, dohHonest, ntpFast, ntpTrue, publicIp, tsa].map((s) => s?.stop()));
  rmSync(root, { recursive: true, force: true });
});

/** Options that keep every probe on this machine: loopback servers, fixture files. */
function local(extra: Partial<CheckOptions> = {}): CheckOptions {
  return {
    hostsFile: hostsClean,
    etcEnvironment,
    dnsServers: [dns.address],
    publicIpUrl: null,
    skipBrowser: true,
    env: {},
    timeoutMs: 3_000,
    ...extra,
  };
}

function byId(report: EnvironmentCheckReport, id: string): Finding {
  const found = report.findings.find((f) => f.id === id);
  if (!found) throw new Error(`no finding ${id} in ${report.findings.map((f) => f.id).join(', ')}`);
  return found;
}

describe('the clean-environment check', () => {
  it('fails on a hosts file entry for the target and names its line', async () => {
    const report = await runEnvironmentCheck(local({ targetUrl: 'https://www.shop.example/item/42', hostsFile: hostsPinned }));
    const hosts = byId(report, 'hosts.target');
    expect(hosts.status).toBe('fail');
    expect(hosts.detail).toContain('line 3');
    expect(hosts.detail).toContain('203.0.113.9  shop.example  www.shop.example');
    expect(hosts.data['matches']).toEqual([{ line: 3, address: '203.0.113.9', text: '203.0.113.9  shop.example  www.shop.example' }]);
    expect(byId(report, 'hosts.file').data['sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(report.verdict).toBe('fail');

    const clean = await runEnvironmentCheck(local({ targetUrl: 'http://localhost:1/', hostsFile: hostsPinned }));
    expect(byId(clean, 'hosts.target').status).toBe('pass');
  });

  it('fails when a proxy variable would carry the target, and warns when NO_PROXY exempts it', async () => {
    const carried = await runEnvironmentCheck(local({ targetUrl: 'http://localhost:8080/', env: { http_proxy: 'http://127.0.0.1:7890' } }));
    expect(byId(carried, 'proxy.env')).toMatchObject({ status: 'fail', data: { variables: { http_proxy: 'http://127.0.0.1:7890' } } });
    expect(byId(carried, 'proxy.env').detail).toContain('127.0.0.1:7890');
    expect(carried.verdict).toBe('fail');

    const exempt = await runEnvironmentCheck(local({ targetUrl: 'http://localhost:8080/', env: { HTTP_PROXY: 'http://127.0.0.1:7890', NO_PROXY: 'localhost,127.0.0.1' } }));
    expect(byId(exempt, 'proxy.env').status).toBe('warn');

    const proxyInEtc = join(root, 'environment-proxy');
    writeFileSync(proxyInEtc, 'https_proxy="http://10.9.9.9:3128"\n');
    const system = await runEnvironmentCheck(local({ targetUrl: 'https://localhost/', etcEnvironment: proxyInEtc }));
    expect(byId(system, 'proxy.system').status).toBe('fail');
    expect(byId(system, 'proxy.system').detail).toContain('10.9.9.9:3128');
  });

  it('flags a DNS-over-HTTPS answer that disagrees with the system resolver, in JSON and wire format', async () => {
    const lying = await runEnvironmentCheck(local({ targetUrl: 'http://localhost:8080/', dohUrl: dohLying.url }));
    expect(byId(lying, 'dns.system').status).toBe('pass');
    expect(byId(lying, 'dns.servers')).toMatchObject({ status: 'pass', data: { addresses: ['127.0.0.1'] } });
    const doh = byId(lying, 'dns.doh');
    expect(doh.status).toBe('warn');
    expect(doh.data['addresses']).toEqual(['203.0.113.7']);
    expect(doh.detail).toContain('203.0.113.7');
    expect(dohLying.requests.some((q) => q.includes('name=localhost') && q.includes('type=A'))).toBe(true);
    expect(dns.requests).toBeGreaterThan(0);

    const wire = await runEnvironmentCheck(local({ targetUrl: 'http://localhost:8080/', dohUrl: dohHonest.url, dohFormat: 'wire' }));
    expect(byId(wire, 'dns.doh')).toMatchObject({ status: 'pass', data: { format: 'wire', addresses: ['127.0.0.1'] } });
    expect(dohHonest.requests.some((q) => q.startsWith('?dns='))).toBe(true);

    const down = await runEnvironmentCheck(local({ targetUrl: 'http://localhost:8080/', dohUrl: 'http://127.0.0.1:9/dns-query' }));
    expect(byId(down, 'dns.doh').status).toBe('not-checked');
    expect(byId(down, 'dns.doh').detail).toMatch(/could not be asked/);
  });

  it('measures the clock against SNTP servers on loopback: a fast server fails, a true one passes', async () => {
    const fast = await runEnvironmentCheck(local({ ntpServers: [ntpFast.address] }));
    const ntp = byId(fast, 'clock.ntp');
    expect(ntp.status).toBe('fail');
    expect(ntp.data['offsetMs'] as number).toBeGreaterThan(-91_000);
    expect(ntp.data['offsetMs'] as number).toBeLessThan(-89_000);
    // The detail states the same offset the data carries (within the ±1 s above: the loopback round trip moves it under load).
    expect(ntp.detail).toMatch(/(89|90)\.\d{3} s behind/);

    const sync = await querySntp(ntpTrue.address, 2_000);
    expect(Math.abs(sync.offsetMs)).toBeLessThan(200);
    expect(sync.stratum).toBe(2);

    const none = await runEnvironmentCheck(local({ ntpServers: ['127.0.0.1:9'], timeoutMs: 500 }));
    expect(byId(none, 'clock.ntp').status).toBe('not-checked');
    expect(byId(none, 'clock.ntp').detail).toMatch(/no NTP server answered/);
  });

  it('runs everything at once in a few seconds: real TSA, public IP service, fresh Chromium', async () => {
    const steps: string[] = [];
    const report = await runEnvironmentCheck(local({
      targetUrl: 'http://127.0.0.1:8080/page',
      tsaUrls: [tsa.url],
      ntpServers: [ntpTrue.address],
      publicIpUrl: publicIp.url,
      skipBrowser: false,
      timeoutMs: 5_000,
      onProgress: (step) => steps.push(step.id),
    }));
    expect(report.durationMs).toBeLessThan(15_000);
    expect(steps.sort()).toEqual(report.findings.map((f) => f.id).sort());
    expect(report.findings).toHaveLength(18);

    const clock = byId(report, 'clock.tsa');
    expect(clock.status).toBe('pass');
    expect(clock.data['url']).toBe(tsa.url);
    expect(Math.abs(clock.data['offsetMs'] as number)).toBeLessThan(2_000);
    expect(byId(report, 'clock.ntp').status).toBe('pass');
    expect(byId(report, 'network.public-ip')).toMatchObject({ status: 'pass', data: { ip: '198.51.100.23' } });
    expect(byId(report, 'network.route')).toMatchObject({ status: 'pass', data: { device: 'lo', kind: 'local' } });

    const browser = byId(report, 'browser.fresh');
    expect(browser.status, browser.detail).toBe('pass');
    expect(browser.data['version']).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(browser.data['userAgent']).toContain('Chrome/');
    expect(browser.data['profileEntriesAtStart']).toEqual([]);
    expect(browser.data['extensionTargets']).toEqual([]);
    expect(browser.data['extensionsDir']).toEqual([]);
    expect(browser.data['profilePathShown']).toContain(browser.data['profile'] as string);
    expect(browser.data['commandLine']).toContain('--disable-background-networking');
    expect(existsSync(browser.data['profile'] as string)).toBe(false);
    expect(report.counts.pass + report.counts.warn + report.counts.fail + report.counts['not-checked']).toBe(18);
  });

  it('names a running remote-control or proxy tool by its process', async () => {
    const bin = join(root, 'bin');
    rmSync(bin, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bin);
    const children: ChildProcess[] = [];
    try {
      for (const name of ['clash', 'x11vnc']) {
        copyFileSync('/bin/sleep', join(bin, name));
        children.push(spawn(join(bin, name), ['30'], { stdio: 'ignore' }));
      }
      await new Promise((r) => setTimeout(r, 200));
      const report = await runEnvironmentCheck(local());
      const tools = byId(report, 'processes.tools');
      expect(tools.status).toBe('fail'); // a VNC server: someone else could drive the screen
      const flagged = tools.data['flagged'] as { pid: number; tool: string; kind: string }[];
      expect(flagged).toEqual(expect.arrayContaining([
        expect.objectContaining({ pid: children[0]!.pid, tool: 'Clash', kind: 'proxy' }),
        expect.objectContaining({ pid: children[1]!.pid, tool: 'VNC server', kind: 'remote-control' }),
      ]));
      children[1]!.kill('SIGKILL');
      await new Promise((r) => children[1]!.once('exit', r));
      const after = await runEnvironmentCheck(local());
      expect(byId(after, 'processes.tools').status).toBe('warn'); // a proxy alone: disclose it
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  });

  it('degrades to not-checked offline and is cancellable', async () => {
    const report = await runEnvironmentCheck({ ...local(), publicIpUrl: 'http://127.0.0.1:9/', hostsFile: join(root, 'no-such-hosts') });
    expect(byId(report, 'network.public-ip').status).toBe('not-checked');
    expect(byId(report, 'hosts.file')).toMatchObject({ status: 'not-checked' });
    expect(byId(report, 'hosts.file').detail).toContain('no-such-hosts');
    expect(byId(report, 'clock.tsa').detail).toMatch(/no time-stamping authority/);
    expect(byId(report, 'dns.system').detail).toMatch(/no target URL/);

    const controller = new AbortController();
    const started = Date.now();
    const running = runEnvironmentCheck(local({ targetUrl: 'http://127.0.0.1:1/', skipBrowser: false, signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    await expect(running).rejects.toThrow(/cancelled/);
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect(runEnvironmentCheck({ targetUrl: 'file:///etc/passwd' })).rejects.toThrow(/only http and https/);
  });

  it('locates the browser: configured, then the environment, else a clear error', async () => {
    const found = await findBrowser('/usr/bin/chromium');
    expect(found).toMatchObject({ path: '/usr/bin/chromium', source: 'configured' });
    expect(found.version).toMatch(/Chromium \d+\./);
    await expect(findBrowser(join(root, 'no-browser'))).rejects.toThrow(/does not exist or is not executable/);
    expect(CHROMIUM_ARGS).toContain('--disable-background-networking');
    expect(CHROMIUM_ARGS.includes('--no-sandbox')).toBe(process.getuid?.() === 0);
  });
});

describe('proofline check-env', () => {
  it('prints the report as JSON, exits 0 without failures and 1 with one', async () => {
    const clean = await proofline(['check-env', 'http://127.0.0.1:8080/', '--json', '--no-public-ip', '--hosts-file', hostsClean, '--ntp', ntpTrue.address], { HTTP_PROXY: '', http_proxy: '', HTTPS_PROXY: '', https_proxy: '', ALL_PROXY: '', all_proxy: '' });
    expect(clean.code, clean.stderr).toBe(0);
    const report = JSON.parse(clean.stdout) as EnvironmentCheckReport;
    expect(report).toMatchObject({ v: 1, target: 'http://127.0.0.1:8080/', thresholds: { clockWarnMs: 2000, clockFailMs: 60000 } });
    expect(['pass', 'warn']).toContain(report.verdict);
    expect(report.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['clock.tsa', 'clock.ntp', 'proxy.env', 'hosts.target', 'dns.doh', 'network.route', 'processes.tools', 'browser.fresh']));
    for (const f of report.findings) expect(Object.keys(f).sort()).toEqual(['category', 'data', 'detail', 'id', 'status', 'title']);
    expect(report.findings.find((f) => f.id === 'browser.fresh')?.status).toBe('pass');

    const proxied = await proofline(['check-env', 'http://127.0.0.1:8080/', '--no-public-ip', '--hosts-file', hostsClean, '--browser', '/usr/bin/chromium'], { HTTP_PROXY: 'http://127.0.0.1:7890' });
    expect(proxied.code).toBe(1);
    expect(proxied.stdout).toMatch(/FAIL {2}Proxy environment variables: .*127\.0\.0\.1:7890/);
    expect(proxied.stdout).toMatch(/^FAIL: \d+ passed, \d+ warned, [1-9]\d* failed, \d+ not checked$/m);

    const bad = await proofline(['check-env', 'ftp://files.example/']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/only http and https/);
  }, 120_000); // three CLI runs, each starting Chromium, on two shared cores

  it('records the check into a session, which seals, exports and verifies with the report inside', async () => {
    const data = join(root, 'data');
    const tsaArgs = ['--data', data, '--tsa', tsa.url];
    const created = await proofline([...tsaArgs, 'session', 'new', '--title', 'Infringing listing', '--kind', 'web', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    const checked = await proofline([...tsaArgs, 'check-env', 'http://localhost:8080/listing', '--session', id, '--json', '--no-public-ip', '--hosts-file', hostsPinned, '--doh', dohLying.url], { HTTP_PROXY: '', http_proxy: '' });
    expect(checked.code, checked.stderr).toBe(0);
    const report = JSON.parse(checked.stdout) as EnvironmentCheckReport & { recorded: { session: string; seq: number } };
    expect(report.recorded.session).toBe(id);
    expect(report.findings.find((f) => f.id === 'dns.doh')?.status).toBe('warn');
    expect(report.findings.find((f) => f.id === 'clock.tsa')?.status).toBe('pass');

    expect((await proofline([...tsaArgs, 'seal', id])).code).toBe(0);
    const zip = join(root, 'web.zip');
    const exported = await proofline([...tsaArgs, 'export', id, '--out', zip]);
    expect(exported.code, exported.stderr).toBe(0);
    const verified = await proofline(['verify', zip, '--trust', tsa.caPath]);
    expect(verified.code, verified.stdout).toBe(0);

    const events = (await run('unzip', ['-p', zip, 'data/events.jsonl'])).stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; payload: Record<string, unknown>; artifacts: { sha256: string; name: string }[] });
    const event = events.find((e) => e.type === 'web.environment-check');
    expect(event?.payload).toMatchObject({ target: 'http://localhost:8080/listing', verdict: report.verdict, counts: report.counts });
    expect(event?.payload['findings']).toContainEqual({ id: 'dns.doh', status: 'warn', title: 'Target through DNS over HTTPS' });
    const artifact = event!.artifacts[0]!;
    expect(artifact.name).toBe('environment-check.json');
    const stored = JSON.parse((await run('unzip', ['-p', zip, `data/artifacts/${artifact.sha256}.json`])).stdout) as EnvironmentCheckReport;
    expect(stored.findings).toEqual(report.findings);
  }, 120_000); // five CLI runs on two shared cores
});
