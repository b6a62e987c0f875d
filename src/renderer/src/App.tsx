import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from './client';
import { ConnectionBanner, useLoad } from './components/ui';
import { setLanguage } from './i18n';
import { href, useRoute } from './router';
import { Home } from './sessions/Home';

// One chunk per screen, fetched when it is first opened: the first screen (the session list)
// does not wait for the archive viewer, a session's screens or Settings (issue 13). A screen's
// own heavy parts load later still: hls.js when the recording's film is shown.
const SessionScreen = lazy(() => import('./sessions/SessionScreen').then((m) => ({ default: m.SessionScreen })));
const ArchiveViewer = lazy(() => import('./viewer/ArchiveViewer').then((m) => ({ default: m.ArchiveViewer })));
const SettingsScreen = lazy(() => import('./settings/Settings').then((m) => ({ default: m.SettingsScreen })));
const VaultScreen = lazy(() => import('./vault/VaultScreen').then((m) => ({ default: m.VaultScreen })));
const FleetScreen = lazy(() => import('./fleet/FleetScreen').then((m) => ({ default: m.FleetScreen })));

export function App(): ReactNode {
  const { t, i18n } = useTranslation();
  const route = useRoute();
  const info = useLoad(() => api['app.info']({}), []);
  const settings = useLoad(() => api['settings.get']({}), []);
  useEffect(() => {
    if (settings.value) setLanguage(settings.value.language);
  }, [settings.value]);
  useEffect(() => {
    document.title = t('appName');
  }, [t, i18n.language]);

  const nav = [
    { route: { screen: 'home' } as const, label: t('nav.home'), active: route.screen === 'home' || route.screen === 'session' },
    { route: { screen: 'archive' } as const, label: t('nav.archive'), active: route.screen === 'archive' },
    { route: { screen: 'vault' } as const, label: t('vault:nav.vault'), active: route.screen === 'vault' },
    { route: { screen: 'fleet' } as const, label: t('vault:nav.fleet'), active: route.screen === 'fleet' },
    { route: { screen: 'settings' } as const, label: t('nav.settings'), active: route.screen === 'settings' },
  ];
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <div>
            <div className="wordmark">{t('appName')}</div>
            <div className="tagline">{t('tagline')}</div>
          </div>
        </div>
        <nav aria-label="Proofline">
          {nav.map((item) => (
            <a key={item.route.screen} className={`nav-link${item.active ? ' active' : ''}`} href={href(item.route)} aria-current={item.active ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <div className="sidebar-foot">
          <LanguageSwitch />
          {info.value && (
            <p className="device" title={i18n.language === 'zh' ? info.value.device.keyPath : `${info.value.device.keyPath}\n${info.value.device.keyStorage}`}>
              {t('device', { keyId: `${info.value.device.keyId.slice(0, 16)}…` })}
              <br />
              <span className="muted">{t('deviceStorage')}</span>
              <br />
              <span className="muted">
                {t(`host.${info.value.host}`)} · v{info.value.version}
              </span>
            </p>
          )}
        </div>
      </aside>
      <main className="main">
        <ConnectionBanner />
        {/* No fallback text: a chunk from disk or loopback arrives within a frame or two. */}
        <Suspense fallback={null}>
          {route.screen === 'home' && <Home />}
          {route.screen === 'session' && <SessionScreen key={route.id} id={route.id} info={info.value} />}
          {route.screen === 'archive' && <ArchiveViewer />}
          {route.screen === 'settings' && <SettingsScreen info={info.value} onSaved={settings.reload} />}
          {route.screen === 'vault' && <VaultScreen />}
          {route.screen === 'fleet' && <FleetScreen />}
        </Suspense>
      </main>
    </div>
  );
}

function LanguageSwitch(): ReactNode {
  const { t, i18n } = useTranslation();
  return (
    <label className="language">
      <span>{t('language')}</span>
      <select
        value={i18n.language === 'zh' ? 'zh' : 'en'}
        onChange={(e) => {
          const language = e.target.value as 'en' | 'zh';
          setLanguage(language);
          void api['settings.update']({ language }).catch(() => undefined);
        }}
      >
        <option value="en">English</option>
        <option value="zh">中文</option>
      </select>
    </label>
  );
}
