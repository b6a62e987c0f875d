// The "Court report (PDF)" button of the archive viewer and of the export panel (issue 12).
const en = {
  button: 'Court report (PDF)',
  language: 'Report language',
  languages: { zh: 'Chinese', en: 'English' },
  making: 'Verifying the archive and printing the report…',
  written: 'Report written: {{path}} ({{pages}} pages).',
  download: 'Download the report',
  signed: 'Signed with this device’s report key {{key}}.',
  timestamped: 'Its signature carries a timestamp from {{tsa}}.',
  notTimestamped: 'No time-stamping authority answered: the signature carries no timestamp.',
  cancelled: 'The report was cancelled: no PDF was written.',
};

const zh: typeof en = {
  button: '法庭报告（PDF）',
  language: '报告语言',
  languages: { zh: '中文', en: '英文' },
  making: '正在验证证据包并生成报告……',
  written: '报告已生成：{{path}}（共 {{pages}} 页）。',
  download: '下载报告',
  signed: '已由本设备的报告签名密钥 {{key}} 签名。',
  timestamped: '签名附有来自 {{tsa}} 的时间戳。',
  notTimestamped: '没有时间戳机构响应：签名未附时间戳。',
  cancelled: '已取消生成报告，未写出 PDF。',
};

export default { en, zh };
