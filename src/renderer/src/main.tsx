import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { locale, t } from './i18n';
import './styles.css';

document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
document.title = t.appName;

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element to render Proofline into.');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
