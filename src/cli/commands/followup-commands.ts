import { deliver, listDeliveries } from '../../alerts/index.js';
import type { Day } from '../../dates/index.js';
import { acuteCheck } from '../../pipeline/index.js';
import { EwsError } from '../../errors/index.js';
import { log } from '../../observability/index.js';
import { openDb } from '../../store/index.js';

/** The same-day check (see acuteCheck), once, against the configured store. */
export async function acuteCommand(o: { data: string; asOf: Day; streakDays: number; database?: string }) {
  const db = await openDb({ url: o.database });
  try {
    return await acuteCheck(db, o);
  } finally {
    await db.close();
  }
}

/** Lists deliveries (dead ones are the operators' to-do list); `send` tries pending and dead ones now. */
export async function deliveriesCommand(o: { status?: 'pending' | 'delivered' | 'dead'; send?: boolean; database?: string }) {
  const db = await openDb({ url: o.database });
  try {
    if (o.send) {
      for (const d of [...(await listDeliveries(db, 'pending')), ...(await listDeliveries(db, 'dead'))]) {
        try {
          await deliver(db, d.idempotency_key);
        } catch (e) {
          log.warn({ delivery: d.idempotency_key, err: (e as Error).message }, 'still not delivered');
        }
      }
    }
    return (await listDeliveries(db, o.status)).map((d) => ({
      key: d.idempotency_key,
      channel: d.channel,
      recipient: d.recipient,
      status: d.status,
      attempts: d.attempts,
      last_error: d.last_error,
    }));
  } finally {
    await db.close();
  }
}

/**
 * Effects of the follow-up steps (estimateEffects): steps from the store's cases (each step's kind,
 * or the step where it has none, first time per student), or from a CSV (student_id,date,kind),
 * whose bad rows are reported by line and column and left out.
 */
export async function effectsCommand(o: { data: string; asOf: Day; steps?: string; record?: boolean; database?: string }) {
  const { loadDistrict } = await import('../../sources/index.js');
  const { prepare } = await import('../../features/index.js');
  const { estimateEffects } = await import('../../followup/index.js');
  const { parseDay, todayInChina } = await import('../../dates/index.js');
  const { district } = await loadDistrict(o.data, { today: Math.max(o.asOf, todayInChina()) });
  const p = prepare(district);
  const rejected: { file: string; line: number; column: string; reason: string }[] = [];
  const steps: { student: number; day: Day; kind: string }[] = [];
  const add = (file: string, line: number, id: string, date: string, kind: string) => {
    const student = district.roster.index.get(id);
    const day = parseDay(date);
    if (student === undefined) rejected.push({ file, line, column: 'student_id', reason: `${id} is not in students.csv` });
    else if (Number.isNaN(day)) rejected.push({ file, line, column: 'date', reason: `${date} is not a date (YYYY-MM-DD)` });
    else if (!kind) rejected.push({ file, line, column: 'kind', reason: 'empty' });
    else steps.push({ student, day, kind });
  };
  if (o.steps) {
    const { readFile } = await import('node:fs/promises');
    const { parse } = await import('csv-parse/sync');
    const rows: string[][] = parse(await readFile(o.steps, 'utf8'), { bom: true, relax_column_count: true, skip_empty_lines: true });
    const header = rows[0]?.map((h) => h.trim()) ?? [];
    const at = (name: string) => {
      const k = header.indexOf(name);
      if (k < 0) throw new EwsError('EWS_MISSING_COLUMN', `${o.steps} lacks column ${name} (student_id,date,kind)`);
      return k;
    };
    const [si, di, ki] = [at('student_id'), at('date'), at('kind')];
    rows.slice(1).forEach((r, i) => add(o.steps!, i + 2, r[si] ?? '', r[di] ?? '', (r[ki] ?? '').trim()));
  } else {
    const db = await openDb({ url: o.database });
    try {
      const rows = await db.query<{ student_id: string; kind: string; date: string }>(
        `select a.student_id, coalesce(s.kind, s.step) as kind, to_char(min(s.at), 'YYYY-MM-DD') as date
         from case_steps s join alerts a on a.id = s.alert_id
         where s.step not in ('acknowledge', 'resolve', 'reopen') group by a.student_id, coalesce(s.kind, s.step)`,
      );
      rows.rows.forEach((r, i) => add('case_steps', i + 1, r.student_id, r.date, r.kind));
    } finally {
      await db.close();
    }
  }
  if (rejected.length > 0) log.warn({ rejected: rejected.length }, 'follow-up steps left out of the effect estimates');
  const report = { ...estimateEffects(p, steps, { asOf: o.asOf }), steps: steps.length, rejected };
  if (o.record) {
    const db = await openDb({ url: o.database });
    try {
      // Kept without the rejected rows' ids: the analyst page shows no student.
      await db.query('insert into effect_estimates (as_of, result) values ($1, $2)', [
        report.as_of,
        JSON.stringify({ ...report, rejected: report.rejected.length }),
      ]);
    } finally {
      await db.close();
    }
  }
  return report;
}
