const en = {
  check: {
    title: 'Clean-environment check',
    intro: 'Before fixing a page, Proofline checks and records this computer’s clock, proxy, hosts file, DNS, network, running remote-control and proxy tools, and that the capture browser is fresh.',
    target: 'Page to be captured',
    run: 'Run the check',
    rerun: 'Run again',
    running: 'Checking… {{done}} of {{total}}',
    cancelled: 'Check cancelled: nothing was recorded.',
    verdict: { pass: 'The environment is clean', warn: 'Clean, with warnings to review', fail: 'Not clean: fix the failures before capturing' },
    status: { pass: 'Pass', warn: 'Warning', fail: 'Fail', 'not-checked': 'Not checked' },
    recorded: 'Recorded in the session as event #{{seq}}.',
    never: 'Not run yet in this session.',
  },
  capture: {
    title: 'Capture pages',
    urls: 'Addresses, one per line',
    placeholder: 'https://example.com/infringing-page',
    concurrency: 'At once',
    start: 'Capture',
    running: 'Capturing {{done}} of {{total}}',
    state: { queued: 'Queued', loading: 'Loading', scrolling: 'Scrolling', saving: 'Saving', done: 'Captured', failed: 'Failed', retrying: 'Retrying', cancelled: 'Not captured' },
    summary: '{{ok}} captured, {{failed}} failed',
    cancelled: 'Capture cancelled: {{captured}} of {{total}} captured; the session records the {{notCaptured}} not captured.',
    invalid: 'Give at least one address starting with http:// or https://.',
  },
  finding: {
    clock: {
      tsa: 'System clock against the time-stamping authority',
      ntp: 'System clock against NTP',
      timezone: 'Time zone'
    },
    proxy: {
      env: 'Proxy environment variables',
      system: 'System proxy settings',
      pac: 'Proxy auto-config (PAC)'
    },
    hosts: {
      file: 'Hosts file',
      target: 'Hosts file entries for the target'
    },
    dns: {
      resolvers: 'Configured DNS resolvers',
      system: 'Target through the system resolver',
      servers: 'Target through the configured DNS servers',
      doh: 'Target through DNS over HTTPS'
    },
    network: {
      interfaces: 'Network interfaces and VPN adapters',
      route: 'Route to the target',
      ping: 'Ping to the target',
      'public-ip': 'Public IP address'
    },
    processes: {
      tools: 'Remote-control, proxy and VPN software running'
    },
    browser: {
      fresh: 'Fresh capture browser'
    }
  },
  browse: {
    title: 'Interactive capture',
    intro: 'Opens a fresh browser window you drive yourself: log in, search, go to the infringing page. The screen is recorded throughout, every page you land on is logged and captured, and you can capture the current page at any moment.',
    address: 'Address to open',
    open: 'Open browser',
    captureNow: 'Capture this page',
    stop: 'Close browser',
    state: { idle: 'No browser open', browsing: 'Browsing, screen recorded', stopping: 'Closing and storing…' },
    current: 'Now at {{url}}',
    captured_one: '{{count}} page captured',
    captured_other: '{{count}} pages captured',
    done: 'Captured as event #{{seq}}.',
    noRecording: 'The screen is not being recorded (no display or ffmpeg): navigation and pages are still captured.',
  },
  pages: {
    title: 'Captured pages',
    empty: 'No pages captured yet',
    emptyBody: 'Run the clean-environment check, then enter the addresses of the pages to fix. Each page is saved as a full-page screenshot, MHTML, DOM, HAR and WACZ, hashed and signed, and timestamped when a time-stamping authority is set in Settings.',
  },
};

const zh: typeof en = {
  check: {
    title: '清洁环境检查',
    intro: '固定网页之前，Proofline 会检查并记录本机的系统时间、代理、hosts 文件、DNS、网络、正在运行的远程控制和代理软件，并确认取证浏览器为全新环境。',
    target: '待取证网页',
    run: '开始检查',
    rerun: '重新检查',
    running: '正在检查… {{done}} / {{total}}',
    cancelled: '检查已取消：未记录任何内容。',
    verdict: { pass: '环境清洁', warn: '环境基本清洁，请查看警告', fail: '环境不清洁：请先处理失败项再取证' },
    status: { pass: '通过', warn: '警告', fail: '失败', 'not-checked': '未检查' },
    recorded: '已作为第 {{seq}} 号事件记入会话。',
    never: '本会话尚未进行检查。',
  },
  capture: {
    title: '网页取证',
    urls: '网址（每行一个）',
    placeholder: 'https://example.com/侵权页面',
    concurrency: '并发数',
    start: '开始取证',
    running: '正在取证 {{done}} / {{total}}',
    state: { queued: '排队中', loading: '加载中', scrolling: '滚动中', saving: '保存中', done: '已固定', failed: '失败', retrying: '重试中', cancelled: '未固定' },
    summary: '已固定 {{ok}} 个，失败 {{failed}} 个',
    cancelled: '取证已取消：已固定 {{captured}} / {{total}} 个；会话中记录了未固定的 {{notCaptured}} 个。',
    invalid: '请至少输入一个以 http:// 或 https:// 开头的网址。',
  },
  finding: {
    clock: {
      tsa: '系统时间与时间戳服务机构的时间比对',
      ntp: '系统时间与 NTP 时间比对',
      timezone: '时区'
    },
    proxy: {
      env: '代理环境变量',
      system: '系统代理设置',
      pac: '代理自动配置（PAC）'
    },
    hosts: {
      file: 'hosts 文件',
      target: 'hosts 文件中与目标有关的条目'
    },
    dns: {
      resolvers: '已配置的 DNS 服务器',
      system: '系统解析器对目标的解析',
      servers: '所配置 DNS 服务器对目标的解析',
      doh: '经 HTTPS 加密 DNS 对目标的解析'
    },
    network: {
      interfaces: '网络接口与 VPN 适配器',
      route: '到目标的路由',
      ping: '到目标的连通测试（回显请求）',
      'public-ip': '公网 IP 地址'
    },
    processes: {
      tools: '正在运行的远程控制、代理与 VPN 软件'
    },
    browser: {
      fresh: '全新的取证浏览器'
    }
  },
  browse: {
    title: '交互式取证',
    intro: '打开一个全新的浏览器窗口由您亲自操作：登录、搜索、进入侵权页面。全程录屏，每个到达的页面都会被记录并固定，您也可以随时固定当前页面。',
    address: '要打开的网址',
    open: '打开浏览器',
    captureNow: '固定当前页面',
    stop: '关闭浏览器',
    state: { idle: '未打开浏览器', browsing: '浏览中，正在录屏', stopping: '正在关闭并保存…' },
    current: '当前页面：{{url}}',
    captured_one: '已固定 {{count}} 个页面',
    captured_other: '已固定 {{count}} 个页面',
    done: '已作为第 {{seq}} 号事件固定。',
    noRecording: '当前未录屏（没有显示器或 ffmpeg），但页面跳转和网页仍会被固定。',
  },
  pages: {
    title: '已固定的网页',
    empty: '尚未固定任何网页',
    emptyBody: '先进行清洁环境检查，再输入需要固定的网页地址。每个网页都会保存整页截图、MHTML、DOM、HAR 和 WACZ，并计算哈希、签名；在设置中配置时间戳机构后还会加盖时间戳。',
  },
};

export default { en, zh };
