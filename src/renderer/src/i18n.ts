// English and Chinese strings. Deliberately tiny: one table per language, picked once from
// navigator.language (zh for any zh-*). Replace with i18next when the UI grows.
import type { SessionKind, SessionState } from '../../shared/bridge';

export type Locale = 'en' | 'zh';

interface Strings {
  readonly appName: string;
  readonly tagline: string;
  readonly sessionsHeading: string;
  readonly loading: string;
  readonly kind: Record<SessionKind, string>;
  readonly state: Record<SessionState, string>;
  readonly events: (count: number) => string;
  readonly emptyTitle: string;
  readonly emptyBody: string;
  readonly emptyCommand: string;
  readonly loadFailed: string;
  readonly retry: string;
  readonly noBridgeTitle: string;
  readonly noBridgeBody: string;
  readonly deviceKey: (keyId: string) => string;
  readonly deviceKeyStorage: string;
}

const en: Strings = {
  appName: 'Proofline',
  tagline: 'Evidence, recorded while the work happens',
  sessionsHeading: 'Sessions',
  loading: 'Loading sessions…',
  kind: { creation: 'AI creation', web: 'Web capture' },
  state: { open: 'Open', sealed: 'Sealed', recovered: 'Recovered' },
  events: (count) => `${count.toLocaleString('en')} ${count === 1 ? 'event' : 'events'}`,
  emptyTitle: 'No sessions yet',
  emptyBody: 'A session records your work as evidence. Start one from a terminal:',
  emptyCommand: 'proofline session new --title "My first session"',
  loadFailed: 'Could not load the sessions.',
  retry: 'Try again',
  noBridgeTitle: 'Open this page in the Proofline app',
  noBridgeBody:
    'This is the Proofline window, but it was opened in a plain browser, where it cannot reach your evidence store. Start the app with `npm start`; a browser version (`proofline serve`) is coming.',
  deviceKey: (keyId) => `This device signs with key ${keyId.slice(0, 16)}…`,
  deviceKeyStorage:
    'The private key is a file readable only by your user account. It is not protected by the OS keychain or hardware: anyone who can read your files can sign as this device. Timestamps from a TSA still fix when each record existed.',
};

const zh: Strings = {
  appName: 'Proofline',
  tagline: '在工作发生时记录证据',
  sessionsHeading: '会话',
  loading: '正在加载会话…',
  kind: { creation: 'AI 创作', web: '网页取证' },
  state: { open: '进行中', sealed: '已封存', recovered: '已恢复' },
  events: (count) => `${count.toLocaleString('zh-CN')} 个事件`,
  emptyTitle: '还没有会话',
  emptyBody: '会话会把你的工作过程记录为证据。在终端中新建一个：',
  emptyCommand: 'proofline session new --title "我的第一个会话"',
  loadFailed: '无法加载会话。',
  retry: '重试',
  noBridgeTitle: '请在 Proofline 应用中打开此页面',
  noBridgeBody:
    '这是 Proofline 的窗口，但它是在普通浏览器中打开的，无法访问你的证据库。请用 `npm start` 启动应用；浏览器版本（`proofline serve`）即将推出。',
  deviceKey: (keyId) => `本设备的签名密钥：${keyId.slice(0, 16)}…`,
  deviceKeyStorage:
    '私钥是一个仅你的用户账户可读的文件，没有受到系统钥匙串或硬件保护：能读取你文件的人就能以本设备的名义签名。时间戳机构（TSA）的时间戳仍能证明每条记录存在的时间。',
};

export function pickLocale(language: string): Locale {
  return language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export const locale: Locale = pickLocale(navigator.language);
export const t: Strings = locale === 'zh' ? zh : en;

const dateFormat = new Intl.DateTimeFormat(locale === 'zh' ? 'zh-CN' : 'en', {
  dateStyle: 'medium',
  timeStyle: 'short',
});

/** A created-at time for people; the raw ISO value stays in the element's dateTime. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}
