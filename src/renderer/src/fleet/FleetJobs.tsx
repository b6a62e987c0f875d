// One batch followed URL by URL, as `proofline batch status` shows it: counts per state, then each
// address's state, attempts, why it failed (the worker's words, folded in Chinese), the session
// that captured it, the device, where it is in the vault, and earlier sessions interrupted.
import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { FleetJobState, FleetStatus } from '../../../shared/views';
import { Badge } from '../components/ui';
import { TechnicalDetail } from '../components/TechnicalDetail';
import { formatTime } from '../i18n';

type Submission = FleetStatus['submissions'][number];
export const STATES: readonly FleetJobState[] = ['waiting', 'active', 'delayed', 'completed', 'failed', 'unknown'];
const TONE: Record<FleetJobState, string> = { waiting: 'skip', active: 'open', delayed: 'warn', completed: 'pass', failed: 'fail', unknown: 'skip' };

/** Whether some of its jobs are still to run: the screen keeps asking while so. */
export const unfinished = (s: Submission): boolean => s.counts.waiting + s.counts.active + s.counts.delayed > 0;

export function FleetCounts({ submission }: { readonly submission: Submission }): ReactNode {
  const { t } = useTranslation('vault');
  return (
    <span className="fleet-counts">
      {STATES.filter((s) => submission.counts[s] > 0 || s === 'completed').map((s) => (
        <span key={s} data-state={s}>
          <Badge tone={TONE[s]}>
            {t(`fleet.state.${s}`)} {submission.counts[s]}
          </Badge>
        </span>
      ))}
    </span>
  );
}

export function FleetJobs({ submission }: { readonly submission: Submission }): ReactNode {
  const { t } = useTranslation('vault');
  const none = <span className="muted">{t('fleet.none')}</span>;
  return (
    <section className="panel" aria-labelledby="fleet-jobs" data-submission={submission.submission}>
      <div className="panel-head">
        <h2 id="fleet-jobs">
          <span className="mono">{submission.submission}</span> · {submission.matter}
        </h2>
        <span className="muted small">{t('fleet.submittedAt', { time: formatTime(submission.submittedAt) })}</span>
      </div>
      <FleetCounts submission={submission} />
      <div className="vault-table-scroll">
        <table className="vault-table fleet-jobs">
          <thead>
            <tr>
              {(['url', 'state', 'attempts', 'session', 'device', 'key', 'interrupted'] as const).map((c) => (
                <th key={c} scope="col">
                  {t(`fleet.columns.${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {submission.jobs.map((job) => (
              <Fragment key={job.url}>
                <tr data-url={job.url} data-state={job.state} className={job.failedReason ? 'has-reason' : undefined}>
                  <td className="mono small fleet-url">{job.url}</td>
                  <td>
                    <Badge tone={TONE[job.state]}>{t(`fleet.state.${job.state}`)}</Badge>
                  </td>
                  <td className="num">{job.attempts}</td>
                  <td className="mono small">{job.sessionId ?? none}</td>
                  <td className="mono small" title={job.device ?? undefined}>
                    {job.device ? `${job.device.slice(0, 12)}…` : none}
                  </td>
                  <td className="mono small vault-key">{job.archiveKey ?? none}</td>
                  <td className="mono small">{job.interrupted.length > 0 ? job.interrupted.join(', ') : none}</td>
                </tr>
                {job.failedReason && (
                  // Why the last attempt failed, in the worker's words, under its address (the worker's English: folded in Chinese).
                  <tr className="fleet-reason-row" data-reason-for={job.url}>
                    <td colSpan={7}>
                      <span className="fleet-reason-label">{t('fleet.reasonLabel')}</span> <TechnicalDetail detail={job.failedReason} className="fleet-reason" />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
