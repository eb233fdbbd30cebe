import { EwsError } from '../errors/index.js';
import { log } from '../observability/index.js';
import { recordPullFailure, type PullReport } from '../sources/index.js';

export interface PullJob {
  /** A folder or workbook (`data`), or a query config (`sql`, with `only` its sources to run). */
  from: { data?: string; sql?: string; only?: string[] };
  history: string;
}

/** Sources whose new rows can raise a same-day alert: a streak of absences, a severe family event (and the roll they refer to). */
const ACUTE_SOURCES = ['attendance', 'family_events', 'students'];

/** Whether a pull brought what the same-day check looks at: then it runs on the history, as of the pull's day. */
export function needsAcuteCheck(pull: PullReport): boolean {
  return ACUTE_SOURCES.some((s) => (pull.sources[s]?.new ?? 0) + (pull.sources[s]?.changed ?? 0) > 0);
}

/** Records a pull that failed where operators look (`ews pulls`), and logs it; `final` when no try is left. */
export function reportPullFailure(job: PullJob, e: unknown, attempt: number, final: boolean): void {
  const from = job.from.sql ? `sql:${job.from.sql}${job.from.only ? ` (${job.from.only.join(',')})` : ''}` : (job.from.data ?? '');
  const code = e instanceof EwsError ? e.code : null;
  recordPullFailure(job.history, { at: new Date().toISOString(), from, code, message: (e as Error).message, attempt, final });
  (final ? log.error : log.warn).call(
    log,
    { history: job.history, from, code, attempt, final },
    final ? 'pull failed: no try left' : 'pull failed; it will be tried again',
  );
}
