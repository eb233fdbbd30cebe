import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recipientsFrom, triageOrder, writeSchoolLists } from '../../src/alerts/index.js';
import { FeatureMatrix } from '../../src/features/index.js';
import { ACUTE_STREAK_DAYS, circumstancesOf, isAcute, screeningText } from '../../src/scoring/index.js';
import { csvCell, spreadsheetCell } from '../../src/util/csv-write.js';
import { tempDir } from '../helpers/folder.js';
import { scoredStudent } from '../helpers/scored.js';

/**
 * The weekly lists are opened in Excel or WPS by head teachers: a cell a school's system filled with
 * something that starts a formula must show as text, never run (CSV injection).
 */
describe('lists opened in a spreadsheet', () => {
  it('should turn text that would start a formula into text, and leave numbers and plain text alone', () => {
    for (const v of ['=1+1', '+86 138', '-2', '@SUM(A1)', '\t=x', '\r=x', '=HYPERLINK("http://x","y")']) {
      const cell = spreadsheetCell(v);
      expect(cell.replace(/^"/, '').startsWith("'"), v).toBe(true);
      expect(cell).toBe(csvCell(`'${v}`));
    }
    expect(spreadsheetCell(-2)).toBe('-2');
    expect(spreadsheetCell('7-1')).toBe('7-1');
    expect(spreadsheetCell('留守儿童；家庭变故')).toBe('留守儿童；家庭变故');
    expect(csvCell('=1+1')).toBe('=1+1'); // machine outputs keep what was sent
  });

  it("should write a class or id that starts a formula as text in the head teacher's and the triage list", async () => {
    const t = await tempDir();
    try {
      const rows = [
        scoredStudent({ student_id: '=cmd|"/c calc"!A1', tier: 'high', risk: 0.3, class_id: '+7-1' }),
        scoredStudent({ student_id: 'S2', tier: 'medium', risk: 0.05, class_id: '+7-1', rank_in_class: 2 }),
      ];
      const written = await writeSchoolLists('S', rows, recipientsFrom([]), { out: t.dir, modelId: 'm', generatedAt: '2026-03-02' });
      const teacher = await readFile(written.find((w) => w.kind === 'head_teacher')!.csv, 'utf8');
      const triage = await readFile(join(t.dir, 'lists', 'S', 'triage.csv'), 'utf8');
      for (const text of [teacher, triage]) {
        const lines = text
          .replace(/^\uFEFF/, '')
          .trim()
          .split('\n')
          .slice(1);
        expect(lines).toHaveLength(2);
        expect(lines[0]).toContain(`"'=cmd|""/c calc""!A1"`);
        expect(lines.every((l) => l.includes(",'+7-1,"))).toBe(true);
        expect(text).not.toMatch(/(^|,)[=+@]/m);
      }
    } finally {
      await t.cleanup();
    }
  });

  it('should label every cell for a phone, and link each student to their page only where the pages are served', async () => {
    const t = await tempDir();
    try {
      const rows = [scoredStudent({ student_id: 'S 1', tier: 'high', risk: 0.3 })];
      const [plain] = await writeSchoolLists('S', rows, recipientsFrom([]), { out: join(t.dir, 'a'), modelId: 'm', generatedAt: '2026-03-02' });
      const html = await readFile(plain.html, 'utf8');
      expect(html).not.toMatch(/href=/); // a file sent on its own links nowhere
      const cells = html.match(/<td[^>]*>/g)!;
      expect(cells.length).toBeGreaterThan(5);
      expect(cells.every((c) => c.includes('data-label="'))).toBe(true);
      expect(html).toContain('@media (max-width:640px)');
      const [linked] = await writeSchoolLists('S', rows, recipientsFrom([]), {
        out: join(t.dir, 'b'),
        modelId: 'm',
        generatedAt: '2026-03-02',
        pagesUrl: 'https://ews.example.edu.cn/',
      });
      expect(await readFile(linked.html, 'utf8')).toContain('<a href="https://ews.example.edu.cn/students/S%201">S 1</a>');
    } finally {
      await t.cleanup();
    }
  });

  it('should show circumstances in a column of their own, and say so where no behaviour stands out', async () => {
    const t = await tempDir();
    try {
      const [leftBehind, orphan] = circumstancesOf(circumstanceMatrix(), 0);
      const rows = [scoredStudent({ student_id: 'S1', tier: 'high', risk: 0.3, reasons: [], circumstances: [leftBehind, orphan] })];
      const [zh] = await writeSchoolLists('S', rows, recipientsFrom([]), { out: join(t.dir, 'zh'), modelId: 'm', generatedAt: '2026-03-02' });
      const [en] = await writeSchoolLists('S', rows, recipientsFrom([]), { out: join(t.dir, 'en'), modelId: 'm', generatedAt: '2026-03-02', lang: 'en' });
      const [header, line] = (await readFile(zh.csv, 'utf8'))
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\n');
      expect(header.split(',').slice(-2)).toEqual(['主要原因', '背景情况（仅供参考，不是列入原因）']);
      expect(line.split(',').slice(-2)).toEqual(['近期没有突出的行为变化，风险主要反映背景情况', '留守儿童；孤儿或事实无人抚养']);
      expect(await readFile(en.html, 'utf8')).toContain(
        '<td data-label="Circumstances (context, not a reason)">left-behind child; orphan or without carers</td>',
      );
    } finally {
      await t.cleanup();
    }
  });

  it('should put urgent students first on the triage list (three unexcused days running among them), then by tier and risk', () => {
    const quiet = { wellbeing_flagged: false, wellbeing_z: 0, family_severe: null };
    const rows = [
      scoredStudent({
        student_id: 'event-low-risk',
        tier: 'low',
        risk: 0.0005,
        acute: { ...quiet, family_severe: { zh: '父母离异', en: 'parents divorced' } },
      }),
      scoredStudent({ student_id: 'high-no-urgency', tier: 'high', risk: 0.95, acute: { ...quiet, absence_streak: 2 } }),
      scoredStudent({ student_id: 'streak-high-risk', tier: 'high', risk: 0.89, acute: { ...quiet, absence_streak: 3 } }),
      scoredStudent({ student_id: 'flagged-medium', tier: 'medium', risk: 0.2, acute: { ...quiet, wellbeing_flagged: true } }),
      scoredStudent({ student_id: 'recorded-before-streaks', tier: 'medium', risk: 0.3, acute: quiet }),
    ];
    expect(triageOrder(rows).map((s) => s.student_id)).toEqual([
      'streak-high-risk',
      'flagged-medium',
      'event-low-risk',
      'high-no-urgency',
      'recorded-before-streaks',
    ]);
    expect(isAcute({ ...quiet, absence_streak: ACUTE_STREAK_DAYS })).toBe(true);
    expect(isAcute(quiet)).toBe(false);
  });

  it('should say a student has no screening on record, never "not flagged, z=0.0"', async () => {
    const quiet = { wellbeing_flagged: false, wellbeing_z: 0, family_severe: null };
    expect(screeningText({ ...quiet, wellbeing_screened: false })).toBe('无筛查记录');
    expect(screeningText({ ...quiet, wellbeing_screened: false }, 'en')).toBe('no screening on record');
    expect(screeningText({ ...quiet, wellbeing_flagged: true, wellbeing_z: 2.46, wellbeing_screened: true })).toBe('预警，z=2.5');
    expect(screeningText(quiet)).toBe('未预警，z=0.0'); // rows recorded before screenings were told apart read as they were
    const t = await tempDir();
    try {
      const rows = [scoredStudent({ student_id: 'S1', tier: 'high', risk: 0.3, acute: { ...quiet, wellbeing_screened: false } })];
      await writeSchoolLists('S', rows, recipientsFrom([]), { out: t.dir, modelId: 'm', generatedAt: '2026-03-02' });
      const html = await readFile(join(t.dir, 'lists', 'S', 'triage.html'), 'utf8');
      expect(html).toContain('<td data-label="心理筛查">无筛查记录</td>');
      expect(html).not.toContain('z=0.0');
    } finally {
      await t.cleanup();
    }
  });
});

function circumstanceMatrix(): FeatureMatrix {
  const m = new FeatureMatrix(0, Int32Array.of(0));
  m.column('left_behind')(0, 1);
  m.column('orphan')(0, 1);
  return m;
}
