// What a person reads on a page, and the English words left in it once recorded data, addresses,
// paths, identifiers and allowed names are taken out: the rule tests/ui/zh-everywhere.test.ts
// applies to every screen (issue 12), for the screens added since (the team vault, the fleet).
import type { Page } from 'playwright';

/** Names that stay as they are in a Chinese UI: zh-everywhere's list (product and standard names), no more. */
export const ALLOWED_NAMES = new Set([
  ...['Proofline', 'SHA', 'RFC', 'BagIt', 'WACZ', 'HAR', 'MHTML', 'DOM', 'TSA', 'PNG', 'ZIP', 'zip', 'URL', 'DNS', 'NTP', 'PAC', 'VPN', 'hosts'],
  ...['ComfyUI', 'ffmpeg', 'Chromium', 'English', 'GPU', 'CPU', 'HTTP', 'HTTPS', 'TLS', 'JSON', 'MPEG', 'CFG', 'LoRA', 'AIGC', 'WebUI', 'PEM', 'DER'],
  ...['PSD', 'Krita', 'Figma', 'Chrome', 'Ctrl', 'Enter', 'PDF', 'Node', 'RSA', 'ECDSA', 'JPEG', 'XMP'],
]);

/** The rendered text and the words of tooltips, labels and placeholders that are visible (within `scope`, else the page). */
export async function visibleText(page: Page, scope = 'body'): Promise<string> {
  return page.evaluate((selector) => {
    const roots = [...document.querySelectorAll<HTMLElement>(selector)];
    const parts = roots.map((root) => root.innerText);
    for (const el of roots.flatMap((root) => [root, ...root.querySelectorAll<HTMLElement>('[title], [aria-label], [placeholder]')])) {
      if (!el.matches('[title], [aria-label], [placeholder]')) continue;
      if (el.closest('details:not([open])') || el.getClientRects().length === 0) continue;
      for (const name of ['title', 'aria-label', 'placeholder']) {
        const value = el.getAttribute(name);
        if (value) parts.push(value);
      }
    }
    return parts.join('\n');
  }, scope);
}

/** ASCII words of three letters or more left in `text` once `recorded` phrases and `allowed` names are out. */
export function englishLeft(text: string, recorded: readonly string[], allowed: ReadonlySet<string> = ALLOWED_NAMES): string[] {
  const strip = (from: string, values: readonly string[]): string =>
    values.reduce((acc, value) => acc.replace(new RegExp(`(?<![A-Za-z])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z])`, 'g'), ' '), from);
  const phrases = [...recorded].filter((v) => v.length > 2).sort((a, b) => b.length - a.length);
  // Phrases of several words or with a slash whole, then addresses and paths whole, and only then
  // one-word phrases (which could otherwise cut a path in two), as zh-everywhere does.
  let rest = strip(text, phrases.filter((v) => /[\s/]/.test(v)))
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s）)，,]+/gi, ' ') // URLs (s3://, redis://, http://)
    .replace(/\b[\w.-]+(?:\/[\w.…-]+)+\/?/g, ' ') // object keys, paths inside an archive
    .replace(/(?:[A-Za-z]:)?(?:[\\/][\w.@+…-]+)+[\\/]?/g, ' ') // absolute paths
    .replace(/[\w.-]+\.(?:zip|json|pem|wacz|png)\b/gi, ' ');
  rest = strip(rest, phrases)
    .replace(/\b(?:CN|OU|O|C|L|ST)=[^,\n]+/g, ' ') // a certificate's subject
    .replace(/\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|cn|io|localhost|example)\b/gi, ' ') // host names
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, ' ')
    .replace(/\b[0-9a-f]{8,}\b/gi, ' ');
  const tokens = (rest.match(/[A-Za-z0-9_'’-]+/g) ?? []).filter((token) => !/[0-9_]/.test(token));
  const words = tokens.map((token) => token.replace(/^['’-]+|['’-]+$/g, '')).filter((word) => /[A-Za-z]{3}/.test(word.replace(/['’-]/g, '')));
  return [...new Set(words.filter((word) => !allowed.has(word)))];
}

/** The English on the page, with a few words around each for whoever fixes it. */
export async function englishOnPage(page: Page, recorded: readonly string[], extra: readonly string[] = [], scope?: string): Promise<string[]> {
  const text = await visibleText(page, scope);
  const allowed = new Set([...ALLOWED_NAMES, ...extra]);
  return englishLeft(text, recorded, allowed).map((word) => {
    const at = text.indexOf(word);
    return `${word} «${text.slice(Math.max(0, at - 30), at + word.length + 30).replace(/\s+/g, ' ')}»`;
  });
}
