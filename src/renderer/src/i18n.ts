// English and Chinese through i18next. Each screen keeps its strings in locales/<screen>.ts as
// one namespace with both languages side by side, so a missing translation is visible in review.
// The language follows the system (navigator.language: zh for any zh-*) until Settings picks one.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import archive from './locales/archive';
import common from './locales/common';
import creation from './locales/creation';
import errors from './locales/errors';
import home from './locales/home';
import readiness from './locales/readiness';
import report from './locales/report';
import settings from './locales/settings';
import vault from './locales/vault';
import web from './locales/web';

export type Locale = 'en' | 'zh';

const namespaces = { common, home, creation, web, archive, settings, errors, readiness, report, vault } as const;

export const systemLocale: Locale = navigator.languages.some((l) => l.toLowerCase().startsWith('zh')) || navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';

void i18next.use(initReactI18next).init({
  lng: systemLocale,
  fallbackLng: 'en',
  ns: Object.keys(namespaces),
  defaultNS: 'common',
  resources: {
    en: Object.fromEntries(Object.entries(namespaces).map(([ns, table]) => [ns, table.en])),
    zh: Object.fromEntries(Object.entries(namespaces).map(([ns, table]) => [ns, table.zh])),
  },
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

export function setLanguage(choice: 'system' | Locale): void {
  const locale = choice === 'system' ? systemLocale : choice;
  void i18next.changeLanguage(locale);
  document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
}
document.documentElement.lang = systemLocale === 'zh' ? 'zh-CN' : 'en';

export const currentLocale = (): Locale => (i18next.language === 'zh' ? 'zh' : 'en');

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(currentLocale() === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

export function formatClock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(currentLocale() === 'zh' ? 'zh-CN' : 'en-GB', { timeStyle: 'medium' }).format(date);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s).padStart(2, '0')}`;
}
