// The generation parameters embedded in an image (what `proofline inspect --json` prints and
// `generation.image` events carry as payload.metadata): the prompts, then the settings. One
// rendering for the live creation screen and the archive viewer.
import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { JsonValue } from '../../../shared/domain';

const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const record = (v: JsonValue | undefined): { readonly [key: string]: JsonValue } => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

export function GenerationParams({ metadata }: { readonly metadata: { readonly [key: string]: JsonValue } | null | undefined }): ReactNode {
  const { t } = useTranslation();
  const m = metadata ?? {};
  const model = record(m['model']);
  const rows: [string, string][] = [
    [t('params.tool'), text(m['tool']) && t(`params.tools.${text(m['tool'])}`, { defaultValue: text(m['tool']) })],
    [t('params.seed'), text(m['seed'])],
    [t('params.steps'), text(m['steps'])],
    [t('params.sampler'), text(m['sampler'])],
    [t('params.cfgScale'), text(m['cfgScale'])],
    [t('params.size'), m['width'] && m['height'] ? `${text(m['width'])} × ${text(m['height'])}` : ''],
    [t('params.model'), text(model['name'])],
    [t('params.modelHash'), text(model['hash'])],
  ];
  const shown = rows.filter(([, value]) => value !== '');
  const prompt = text(m['prompt']);
  const negative = text(m['negativePrompt']);
  // A file with no parameters still parses to tool "unknown": say plainly that there are none.
  if (!prompt && text(m['tool']) === 'unknown' && shown.length <= 1) return <p className="muted small">{t('params.none')}</p>;
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
