// The court report's words, in English and Chinese. Recorded data (prompts, URLs, hashes, file
// names, the verifier's details) is shown as recorded, in whatever language it was written.
import { CHECK_TITLES, type CheckId, type CheckStatus, type Verdict } from '../archive/verify-report.js';

export type ReportLanguage = 'en' | 'zh';

export interface ReportText {
  readonly docTitle: string;
  readonly subtitle: string;
  readonly verdictHeading: string;
  readonly verdictWord: Readonly<Record<Verdict, string>>;
  readonly kind: Readonly<Record<string, string>>;
  readonly field: {
    readonly title: string;
    readonly kind: string;
    readonly creator: string;
    readonly device: string;
    readonly sessionId: string;
    readonly created: string;
    readonly sealed: string;
    readonly events: string;
    readonly archive: string;
    readonly size: string;
    readonly sha256: string;
    readonly sm3: string;
    readonly madeAt: string;
    readonly qr: string;
  };
  readonly anchoringHeading: string;
  readonly anchoringIntro: (anchorSeconds: number) => string;
  readonly anchoringCols: readonly [string, string, string, string, string];
  readonly notProven: string;
  readonly late: string;
  readonly tokensHeading: string;
  readonly tokenCols: readonly [string, string, string, string, string];
  readonly trusted: (yes: boolean) => string;
  /** A token's signature algorithm as the verifier names it ("SM2 with SM3"), in the reader's words. */
  readonly algorithm: (name: string) => string;
  readonly noAnchoring: string;
  readonly processHeading: string;
  readonly processIntro: string;
  readonly webHeading: string;
  readonly item: {
    readonly note: string;
    readonly generation: string;
    readonly decision: string;
    readonly attachment: string;
    readonly comparison: string;
    readonly lineage: string;
    readonly event: string;
  };
  readonly source: Readonly<Record<string, string>>;
  readonly mark: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
  readonly noReason: string;
  readonly ofImage: string;
  readonly comparisonLine: (hamming: number, ratio: string) => string;
  readonly pictureMissing: string;
  readonly recordingHeading: string;
  readonly recordingIntro: string;
  readonly segmentCols: readonly [string, string, string, string, string];
  readonly noRecording: string;
  readonly web: {
    readonly url: string;
    readonly finalUrl: string;
    readonly status: string;
    readonly pageTitle: string;
    readonly redirects: string;
    readonly none: string;
    readonly serverIp: string;
    readonly tls: string;
    readonly tlsNone: string;
    readonly tlsVerified: (ok: boolean) => string;
    readonly browser: string;
    readonly capturedAt: string;
    readonly screenshot: string;
    readonly envCheck: string;
    readonly envCheckNone: string;
    readonly envVerdict: string;
    readonly findingCols: readonly [string, string, string];
    readonly captureLog: string;
    readonly logCols: readonly [string, string, string, string];
    readonly noPages: string;
  };
  readonly eventType: (type: string) => string;
  readonly appendixFiles: string;
  readonly appendixFilesIntro: string;
  readonly fileCols: readonly [string, string, string, string];
  readonly appendixChecks: string;
  readonly checkCols: readonly [string, string, string];
  readonly checkTitle: Readonly<Record<CheckId, string>>;
  readonly status: Readonly<Record<CheckStatus, string>>;
  readonly detailNote: string;
  readonly appendixVerify: string;
  readonly appendixVerifyIntro: string;
  readonly noGuide: string;
  readonly signatureHeading: string;
  readonly signature: (facts: { reportKeyId: string; deviceKeyId: string; sameDevice: boolean; subject: string }) => string;
  readonly footer: (sha256: string) => string;
  readonly pageOf: readonly [string, string, string];
}

const EVENT_TYPES_ZH: Readonly<Record<string, string>> = {
  'session.created': '会话创建',
  'session.sealed': '会话封存',
  'session.interrupted': '会话中断后恢复',
  note: '备注',
  'recording.started': '开始录屏',
  'recording.segment': '录屏片段',
  'recording.stopped': '停止录屏',
  'capture.watch.started': '开始监视输出文件夹',
  'capture.watch.stopped': '停止监视输出文件夹',
  'environment.snapshot': '运行环境快照',
  'generation.image': '生成图像',
  'generation.draft': '草稿',
  'generation.marked': '人工决定',
  'artifact.attached': '附件',
  'comparison.made': '图像比对',
  'lineage.linked': '来源关系',
  'anchoring.changed': '时间锚定设置变更',
  'web.capture.batch.started': '批量抓取开始',
  'web.capture.batch.ended': '批量抓取结束',
  'web.navigation': '页面导航',
  'web.capture.file': '抓取文件',
  'web.capture': '网页抓取完成',
  'web.capture.failed': '网页抓取失败',
  'web.capture.cancelled': '网页抓取取消',
  'web.capture.interrupted': '网页抓取中断',
  'web.capture.navigated': '抓取中页面跳转',
  'web.capture.network': '网络记录',
  'web.environment-check': '清洁环境检查',
  'web.interactive.started': '交互式浏览开始',
  'web.interactive.stopped': '交互式浏览结束',
};

const en: ReportText = {
  docTitle: 'Evidence report',
  subtitle: 'Made by Proofline from the evidence archive alone, after verifying it.',
  verdictHeading: 'Verdict',
  verdictWord: { verified: 'VERIFIED', unattested: 'INTACT, TIME NOT FULLY ATTESTED', tampered: 'NOT VERIFIED', unusable: 'UNUSABLE' },
  kind: { creation: 'AI creation session', web: 'Web capture' },
  field: {
    title: 'Title',
    kind: 'Kind',
    creator: 'Creator / operator',
    device: 'Device key id (SHA-256 of its public key)',
    sessionId: 'Session id',
    created: 'Session created (device clock)',
    sealed: 'Session sealed (device clock)',
    events: 'Events recorded',
    archive: 'Archive file',
    size: 'Size',
    sha256: 'SHA-256 of the archive file',
    sm3: 'SM3 of the archive file',
    madeAt: 'Report made',
    qr: 'QR code: the archive file\u2019s SHA-256',
  },
  anchoringHeading: 'When the events were proven to exist',
  anchoringIntro: (s) => `Each range of events was proven to exist by an RFC 3161 timestamp from a time-stamping authority (TSA). The session asked for proof within ${s} s of each event.`,
  anchoringCols: ['Events', 'Recorded (device clock)', 'Proven by', 'TSA', 'Token'],
  notProven: 'not proven by a trusted token',
  late: 'late',
  tokensHeading: 'Timestamp tokens',
  tokenCols: ['Token', 'TSA (signature)', 'Serial', 'Time (genTime)', 'Counted'],
  trusted: (yes) => (yes ? 'yes' : 'no'),
  algorithm: (name) => name,
  noAnchoring: 'The verifier could not read the event chain, so no time is proven.',
  processHeading: 'The creative process, in time order',
  processIntro: 'Every note, generation, human decision, attachment and comparison, as the events record them. Frames of the screen recording are not reproduced here; its segments are listed below.',
  webHeading: 'The captured pages',
  item: { note: 'Note', generation: 'Generation', decision: 'Human decision', attachment: 'Attachment', comparison: 'Comparison', lineage: 'Lineage', event: 'Event' },
  source: { watch: 'found in a watched output folder', draft: 'saved draft', comfyui: 'from ComfyUI', attach: 'attached by hand' },
  mark: { selected: 'Selected', rejected: 'Rejected', final: 'Final' },
  params: { prompt: 'Prompt', negativePrompt: 'Negative prompt', seed: 'Seed', steps: 'Steps', sampler: 'Sampler', cfgScale: 'CFG scale', size: 'Size', model: 'Model', tool: 'Tool', inputImage: 'Input image', sha256: 'SHA-256', file: 'File' },
  noReason: 'no reason given',
  ofImage: 'of image',
  comparisonLine: (h, r) => `perceptual hash distance ${h} of 64; ${r} of the pixels differ`,
  pictureMissing: 'picture not in the archive',
  recordingHeading: 'Screen recording',
  recordingIntro: 'The screen recording is kept in the archive as MPEG-TS segments; each segment is listed with its times. Frames are not reproduced in this report.',
  segmentCols: ['#', 'Started', 'Ended', 'Seconds', 'File (SHA-256)'],
  noRecording: 'This session has no screen recording.',
  web: {
    url: 'URL asked for',
    finalUrl: 'Final URL',
    status: 'HTTP status',
    pageTitle: 'Page title',
    redirects: 'Redirects',
    none: 'none',
    serverIp: 'Server IP address',
    tls: 'TLS certificate chain',
    tlsNone: 'none (plain HTTP)',
    tlsVerified: (ok) => (ok ? 'verified against the system\u2019s roots' : 'NOT verified against the system\u2019s roots'),
    browser: 'Browser',
    capturedAt: 'Captured (device clock)',
    screenshot: 'Full-page screenshot',
    envCheck: 'Clean-environment check',
    envCheckNone: 'No clean-environment check was recorded in this session.',
    envVerdict: 'Result',
    findingCols: ['Check', 'Result', 'Finding'],
    captureLog: 'Capture log',
    logCols: ['#', 'Time (device clock)', 'Event', 'Detail'],
    noPages: 'No page was captured in this session.',
  },
  eventType: (type) => type,
  appendixFiles: 'Appendix A. Every file, with its SHA-256 and SM3',
  appendixFilesIntro: 'The payload files as the archive\u2019s manifests list them (manifest-sha256.txt, manifest-sm3.txt).',
  fileCols: ['File', 'Bytes', 'SHA-256', 'SM3'],
  appendixChecks: 'Appendix B. Every check of the verifier',
  checkCols: ['Check', 'Result', 'Detail'],
  // The verifier's own titles: the report and `verify` name each check alike.
  checkTitle: CHECK_TITLES,
  status: { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' },
  detailNote: '',
  appendixVerify: 'Appendix C. How to verify without Proofline',
  appendixVerifyIntro: 'The archive carries these instructions as proofline/VERIFY.md: standard tools (sha256sum, openssl, python3) check every file, the seal, the event chain and the timestamps.',
  noGuide: 'The archive has no proofline/VERIFY.md.',
  signatureHeading: 'This report\u2019s signature',
  signature: ({ reportKeyId, deviceKeyId, sameDevice, subject }) =>
    `This PDF is signed (PAdES, with an RFC 3161 signature timestamp when a TSA answered) with the report-signing key of the device that made it: ECDSA P-256, key id ${reportKeyId}, certificate \u201c${subject}\u201d issued by the device key ${deviceKeyId}. ${sameDevice ? 'That device key is the archive\u2019s own: its certificate is the archive\u2019s device certificate (proofline/device-cert.pem).' : 'That device key is NOT the archive\u2019s: this report was made on another device than the one that recorded the session.'} The certificate is self-issued, so a PDF reader shows it as not trusted; the signature proves the report is unchanged since it was made.`,
  footer: (sha) => `Archive SHA-256 ${sha}`,
  pageOf: ['Page ', ' of ', ''],
};

const zh: ReportText = {
  docTitle: '电子证据报告',
  subtitle: '由 Proofline 仅依据证据包生成，生成前已对证据包进行验证。',
  verdictHeading: '验证结论',
  verdictWord: { verified: '已验证（VERIFIED）', unattested: '完整，时间未完全证明（INTACT, TIME NOT FULLY ATTESTED）', tampered: '未通过验证（NOT VERIFIED）', unusable: '无法使用（UNUSABLE）' },
  kind: { creation: 'AI 创作过程记录', web: '网页取证' },
  field: {
    title: '标题',
    kind: '类型',
    creator: '创作者 / 操作人',
    device: '设备密钥标识（公钥的 SHA-256）',
    sessionId: '会话编号',
    created: '会话创建时间（设备时钟）',
    sealed: '会话封存时间（设备时钟）',
    events: '记录的事件数',
    archive: '证据包文件',
    size: '大小',
    sha256: '证据包文件的 SHA-256',
    sm3: '证据包文件的 SM3',
    madeAt: '报告生成时间',
    qr: '二维码内容：证据包文件的 SHA-256',
  },
  anchoringHeading: '事件的存在时间证明',
  anchoringIntro: (s) => `每一段事件均由时间戳机构（TSA）签发的 RFC 3161 时间戳证明其在某一时间之前已经存在。本会话要求每个事件在 ${s} 秒内获得证明。`,
  anchoringCols: ['事件', '记录时间（设备时钟）', '证明时间（不晚于）', '时间戳机构', '时间戳文件'],
  notProven: '未获受信任的时间戳证明',
  late: '证明过晚',
  tokensHeading: '时间戳凭证',
  tokenCols: ['时间戳文件', '时间戳机构（签名算法）', '序列号', '时间（genTime）', '是否计入'],
  trusted: (yes) => (yes ? '是' : '否'),
  algorithm: (name) => name.replace(/^(\S+) with (\S+)$/, '$1（$2 摘要）'),
  noAnchoring: '验证程序无法读取事件链，因此没有任何时间得到证明。',
  processHeading: '创作过程（按时间顺序）',
  processIntro: '以下按事件记录列出每条备注、每次生成、每个人工决定、附件和比对。本报告不收录录屏画面，录屏片段列于其后。',
  webHeading: '抓取的网页',
  item: { note: '备注', generation: '生成结果', decision: '人工决定', attachment: '附件', comparison: '图像比对', lineage: '来源关系', event: '事件' },
  source: { watch: '在受监视的输出文件夹中发现', draft: '保存的草稿', comfyui: '来自 ComfyUI', attach: '手动附加' },
  mark: { selected: '选用', rejected: '弃用', final: '最终稿' },
  params: { prompt: '提示词', negativePrompt: '反向提示词', seed: '随机种子', steps: '步数', sampler: '采样器', cfgScale: 'CFG 系数', size: '尺寸', model: '模型', tool: '生成工具', inputImage: '输入图像', sha256: 'SHA-256', file: '文件' },
  noReason: '未说明理由',
  ofImage: '对象图像',
  comparisonLine: (h, r) => `感知哈希距离 ${h}（满分 64）；${r} 的像素不同`,
  pictureMissing: '证据包中没有该图像',
  recordingHeading: '屏幕录像',
  recordingIntro: '屏幕录像以 MPEG-TS 片段保存在证据包中，下表列出每个片段及其起止时间。本报告不收录录像画面。',
  segmentCols: ['序号', '开始', '结束', '时长（秒）', '文件（SHA-256）'],
  noRecording: '本会话没有屏幕录像。',
  web: {
    url: '请求的网址',
    finalUrl: '最终网址',
    status: 'HTTP 状态码',
    pageTitle: '页面标题',
    redirects: '重定向',
    none: '无',
    serverIp: '服务器 IP 地址',
    tls: 'TLS 证书链',
    tlsNone: '无（未加密的 HTTP）',
    tlsVerified: (ok) => (ok ? '已通过系统根证书验证' : '未通过系统根证书验证'),
    browser: '浏览器',
    capturedAt: '抓取时间（设备时钟）',
    screenshot: '整页截图',
    envCheck: '清洁环境检查',
    envCheckNone: '本会话未记录清洁环境检查。',
    envVerdict: '结果',
    findingCols: ['检查项', '结果', '发现'],
    captureLog: '抓取日志',
    logCols: ['序号', '时间（设备时钟）', '事件', '详情'],
    noPages: '本会话没有抓取任何网页。',
  },
  eventType: (type) => EVENT_TYPES_ZH[type] ?? `事件 ${type}`,
  appendixFiles: '附录 A　全部文件及其 SHA-256 与 SM3',
  appendixFilesIntro: '以下为证据包清单（manifest-sha256.txt、manifest-sm3.txt）所列的全部数据文件。',
  fileCols: ['文件', '字节数', 'SHA-256', 'SM3'],
  appendixChecks: '附录 B　验证程序的全部检查项',
  checkCols: ['检查项', '结果', '详情'],
  checkTitle: {
    'archive.readable': '证据包是安全、可读的 ZIP 文件',
    'bag.structure': 'BagIt 1.0 结构',
    'bag.payload-oxum': 'Payload-Oxum（字节数与文件数）',
    'bag.payload-manifest': '数据文件 SHA-256 清单',
    'bag.sm3-manifest': '数据文件 SM3 清单',
    'bag.tag-manifest': '标签文件清单',
    'bag.completeness': '无缺失或多余的文件',
    'events.chain': '事件哈希链',
    'events.artifacts': '事件所引用的文件均存在',
    'session.metadata': '会话描述与事件一致',
    'device.identity': '设备证书与会话一致',
    'checkpoints.signatures': '检查点签名',
    'checkpoints.coverage': '检查点覆盖整条事件链',
    'timestamps.checkpoints': '检查点时间戳（RFC 3161）',
    'seal.signature': '封存签名',
    'seal.timestamp': '封存时间戳（RFC 3161）',
    'recording.continuity': '屏幕录像连续（中断均已披露）',
    'web.batches': '每次批量抓取的每个网址均有交代',
    'web.wacz-signature': '网页存档（WACZ）由本设备签名且完好',
    'time.anchoring': '每个事件在记录后不久即被证明存在',
    'time.renewal': '时间戳在证书到期前已续期（RFC 4998 证据记录）',
  },
  status: { pass: '通过', fail: '未通过', warn: '警告', skip: '不适用' },
  detailNote: '“详情”为验证程序的原始记录（英文）。',
  appendixVerify: '附录 C　不借助 Proofline 的验证方法',
  appendixVerifyIntro: '证据包内附有验证说明 proofline/VERIFY.md（英文原文如下）：使用通用工具（sha256sum、openssl、python3）即可核验每个文件、封存签名、事件链和时间戳。',
  noGuide: '证据包中没有 proofline/VERIFY.md。',
  signatureHeading: '本报告的电子签名',
  signature: ({ reportKeyId, deviceKeyId, sameDevice, subject }) =>
    `本 PDF 已由生成它的设备的报告签名密钥签名（PAdES 格式；时间戳机构可用时附 RFC 3161 签名时间戳）：ECDSA P-256，密钥标识 ${reportKeyId}，证书“${subject}”由设备密钥 ${deviceKeyId} 签发。${sameDevice ? '该设备密钥即证据包自身的设备密钥：其证书就是证据包中的设备证书（proofline/device-cert.pem）。' : '该设备密钥不是证据包的设备密钥：本报告是在另一台设备上生成的。'}该证书为自签发，PDF 阅读器会显示“不受信任”；签名用于证明本报告生成后未被改动。`,
  footer: (sha) => `证据包 SHA-256 ${sha}`,
  pageOf: ['第 ', ' 页，共 ', ' 页'],
};

export const REPORT_TEXT: Readonly<Record<ReportLanguage, ReportText>> = { en, zh };
