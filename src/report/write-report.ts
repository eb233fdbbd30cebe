import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Db } from '../store/index.js';
import { spreadsheetLine } from '../util/csv-write.js';
import type { CaseCounts, ReportRow } from './monthly-report.js';

const LEVEL = { school: '学校', township: '乡镇小计', total: '合计' } as const;

/** The report's columns: its Chinese header, and the value of a row. */
export const REPORT_COLUMNS: [string, (r: ReportRow) => string | number | null][] = [
  ['层级', (r) => LEVEL[r.level]],
  ['乡镇', (r) => r.township],
  ['学校代码', (r) => r.school_id],
  ['学校名称', (r) => r.school_name],
  ['在籍学生', (r) => r.enrolled],
  ['月初在籍', (r) => r.enrolled_month_start],
  ['学年初在籍', (r) => r.enrolled_year_start],
  ['本月辍学', (r) => r.dropped_month],
  ['本学年辍学（未复学）', (r) => r.dropped_year],
  ['本月转出', (r) => r.transferred_month],
  ['本月劝返复学', (r) => r.returned_month],
  ['疑似辍学（连续3天无故缺勤）', (r) => r.suspected],
  ['转出待接收确认', (r) => r.transfers_unconfirmed],
  ['转出超30天未确认', (r) => r.transfers_overdue],
  ['未结个案', (r) => r.open_cases],
  ['超期未跟进个案（按期限表）', (r) => r.overdue_cases],
  ['巩固率（学年内）', (r) => (r.retention === null ? null : Math.round(r.retention * 10_000) / 10_000)],
];

/** Writes report.xlsx (a workbook, Chinese headers, 巩固率 as a percentage) and report.csv (UTF-8 with BOM, for Excel). */
export async function writeReport(out: string, rows: readonly ReportRow[], asOf: string): Promise<{ xlsx: string; csv: string }> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('控辍保学月报');
  ws.addRow([`控辍保学月报（截至 ${asOf}）`]);
  ws.getRow(1).font = { bold: true, size: 14 };
  ws.addRow(REPORT_COLUMNS.map(([h]) => h));
  ws.getRow(2).font = { bold: true };
  for (const r of rows) {
    const line = ws.addRow(REPORT_COLUMNS.map(([, v]) => v(r) ?? ''));
    if (r.level !== 'school') line.font = { bold: true };
  }
  ws.getColumn(REPORT_COLUMNS.length).numFmt = '0.00%';
  ws.columns.forEach((c, i) => (c.width = i < 4 ? 14 : 12));
  ws.views = [{ state: 'frozen', ySplit: 2 }];
  const xlsx = join(out, 'report.xlsx');
  await wb.xlsx.writeFile(xlsx);
  const csv = join(out, 'report.csv');
  await writeFile(
    csv,
    `\uFEFF${spreadsheetLine(REPORT_COLUMNS.map(([h]) => h))}${rows.map((r) => spreadsheetLine(REPORT_COLUMNS.map(([, v]) => v(r) ?? ''))).join('')}`,
  );
  return { xlsx, csv };
}

/**
 * Open and overdue cases per school as of the end of D (Beijing time): open then, and overdue when their last
 * step by then (else their opening) is older than the deadline `escalation_rules` gives the status they were
 * in then (7 days where the table has none). A step taken after D does not make D's report look better.
 */
export async function caseCounts(db: Db, asOf: string): Promise<Map<string, CaseCounts>> {
  const { rows } = await db.query<{ school_id: string; open: string; overdue: string }>(
    `with d as (select ($1 || 'T00:00:00+08:00')::timestamptz + interval '1 day' as end_of_day),
     c as (
       select a.school_id, a.opened_at, last.at as last_at, coalesce(last.to_status, 'new') as status_then
         from alerts a cross join d
         left join lateral (select s.at, s.to_status from case_steps s where s.alert_id = a.id and s.at < d.end_of_day order by s.at desc, s.id desc limit 1) last on true
        where a.opened_at < d.end_of_day and (a.closed_at is null or a.closed_at >= d.end_of_day))
     select c.school_id, count(*) as open,
            count(*) filter (where coalesce(c.last_at, c.opened_at) < d.end_of_day - make_interval(days => coalesce(r.deadline_days, 7))) as overdue
       from c cross join d left join escalation_rules r on r.status = c.status_then
      group by c.school_id`,
    [asOf],
  );
  return new Map(rows.map((r) => [r.school_id, { open: Number(r.open), overdue: Number(r.overdue) }]));
}

/** Keeps a report's rows as made, so the principal's, township's and bureau's pages show the same figures. */
export async function recordReport(db: Db, asOf: string, rows: readonly ReportRow[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('delete from monthly_reports where as_of = $1', [asOf]);
    await tx.query(
      `insert into monthly_reports (as_of, position, level, school_id, township, figures)
       select $1::date, k, level, school_id, township, figures
         from unnest($2::text[], $3::text[], $4::text[], $5::jsonb[]) with ordinality as t(level, school_id, township, figures, k)`,
      [asOf, rows.map((r) => r.level), rows.map((r) => r.school_id), rows.map((r) => r.township), rows.map((r) => JSON.stringify(r))],
    );
  });
}
