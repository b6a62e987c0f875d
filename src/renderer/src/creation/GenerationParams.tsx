// The generation parameters embedded in an image (what `proofline inspect --json` prints and
// `generation.image` events carry as payload.metadata): the prompts, then the settings. One
// rendering for the live creation screen and the archive viewer.
import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { JsonValue } from '../../../shared/domain';

// Seeds arrive as decimal strings (exact to 2^64); archives recorded earlier hold numbers: both show as digits.
const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const record = (v: JsonValue | undefined): { readonly [key: string]: JsonValue } => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

// Product names, the same in every language; 'c2pa' (named only by Content Credentials) is translated.
const TOOL_NAMES: Readonly<Record<string, string>> = {
  forge: 'Stable Diffusion WebUI Forge',
  reforge: 'Stable Diffusion WebUI reForge',
  swarmui: 'SwarmUI',
  drawthings: 'Draw Things',
};

export function GenerationParams({ metadata }: { readonly metadata: { readonly [key: string]: JsonValue } | null | undefined }): ReactNode {
  const { t } = useTranslation();
  const m = metadata ?? {};
  const model = record(m['model']);
  const tool = text(m['tool']);
  const c2pa = record(m['c2pa']);
  const signer = record(c2pa['signer']);
  const actions = Array.isArray(c2pa['actions']) ? c2pa['actions'].map((a) => text(record(a)['action']).replace(/^c2pa\./, '')).filter(Boolean) : [];
  const rows: [string, string][] = [
    [t('params.tool'), tool && (tool === 'c2pa' ? t('creation:credentials.tool') : t(`params.tools.${tool}`, { defaultValue: TOOL_NAMES[tool] ?? tool }))],
    [t('params.seed'), text(m['seed'])],
    [t('params.steps'), text(m['steps'])],
    [t('params.sampler'), text(m['sampler'])],
    [t('params.cfgScale'), text(m['cfgScale'])],
    [t('params.size'), m['width'] && m['height'] ? `${text(m['width'])} × ${text(m['height'])}` : ''],
    [t('params.model'), text(model['name'])],
    [t('params.modelHash'), text(model['hash'])],
    [t('creation:credentials.title'), text(c2pa['validationState']) && t(`creation:credentials.state.${text(c2pa['validationState'])}`, { defaultValue: text(c2pa['validationState']) })],
    [t('creation:credentials.generator'), text(c2pa['generator'])],
    [t('creation:credentials.claimGenerator'), text(c2pa['claimGenerator'])],
    [t('creation:credentials.actions'), actions.join(', ')],
    [t('creation:credentials.signer'), [text(signer['commonName']), text(signer['issuer'])].filter(Boolean).join(' / ')],
  ];
  const shown = rows.filter(([, value]) => value !== '');
  const prompt = text(m['prompt']);
  const negative = text(m['negativePrompt']);
  // A file with no parameters still parses to tool "unknown": say plainly that there are none.
  if (!prompt && tool === 'unknown' && shown.length <= 1) return <p className="muted small">{t('params.none')}</p>;
  return (
    <>
      {prompt && (
        <>
          <h4>{t('params.prompt')}</h4>
          <p className="prompt">{prompt}</p>
        </>
      )}
      {negative && (
        <>
          <h4>{t('params.negativePrompt')}</h4>
          <p className="prompt">{negative}</p>
        </>
      )}
      <dl className="params">
        {shown.map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
    </>
  );
}
