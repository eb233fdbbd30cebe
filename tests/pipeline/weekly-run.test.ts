import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/folder.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SAMPLE = join(ROOT, 'data', 'sample');

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

describe('ews run on the sample district', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let out: string;
  let stderr: string;
  let scores: Record<string, string>[];

  beforeAll(async () => {
    t = await tempDir();
    out = join(t.dir, 'out');
    const r = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'ews.js'), 'run', '--data', SAMPLE, '--as-of', '2026-06-01', '--out', out], {
      env: { ...process.env, EWS_LOG_LEVEL: 'debug', EWS_LOG_FORMAT: 'json', EWS_LOG_FILE: '' },
      maxBuffer: 64 << 20,
    });
    stderr = r.stderr;
    scores = parseCsv(await readFile(join(out, 'scores.csv'), 'utf8'));
  });
  afterAll(() => t.cleanup());

  it('scores every student on the roll with a calibrated risk, ranks and a tier', () => {
    expect(scores.length).toBeGreaterThan(1800);
    for (const s of scores) {
      expect(Number(s.risk)).toBeGreaterThanOrEqual(0);
      expect(Number(s.risk)).toBeLessThanOrEqual(1);
      expect(['high', 'medium', 'low']).toContain(s.tier);
      expect(s.as_of).toBe('2026-06-01');
    }
  });

  it('puts at most three of a class on the high tier, the riskiest first', () => {
    const byClass = new Map<string, Record<string, string>[]>();
    for (const s of scores)
      (byClass.get(`${s.school_id}/${s.class_id}`) ?? byClass.set(`${s.school_id}/${s.class_id}`, []).get(`${s.school_id}/${s.class_id}`)!).push(s);
    for (const rows of byClass.values()) {
      expect(rows.filter((r) => r.tier === 'high').length).toBeLessThanOrEqual(3);
      const top = rows.find((r) => r.rank_in_class === '1')!;
      expect(Math.max(...rows.map((r) => Number(r.risk)))).toBe(Number(top.risk));
    }
  });

  it("writes each head teacher's list with only their classes, and no screening results", async () => {
    const staff = parseCsv(await readFile(join(SAMPLE, 'staff.csv'), 'utf8'));
    const teacher = staff.find((s) => s.role === 'head_teacher')!;
    const csv = parseCsv(await readFile(join(out, 'lists', teacher.school_id, `teacher-${teacher.staff_id}.csv`), 'utf8'));
    const mine = new Set(scores.filter((s) => s.school_id === teacher.school_id && s.class_id === teacher.class_ids).map((s) => s.student_id));
    for (const row of csv) expect(mine.has(row.学生编号)).toBe(true);
    for (const school of await readdir(join(out, 'lists'))) {
      for (const f of (await readdir(join(out, 'lists', school))).filter((f) => f.startsWith('teacher-'))) {
        const text = await readFile(join(out, 'lists', school, f), 'utf8');
        expect(text, f).not.toMatch(/心理|screening|wellbeing|MHT/);
      }
    }
  });

  it('opens CSV lists in Excel as UTF-8 (with a BOM) and machine outputs without one', async () => {
    const school = (await readdir(join(out, 'lists')))[0];
    const triage = await readFile(join(out, 'lists', school, 'triage.csv'));
    expect([...triage.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const raw = await readFile(join(out, 'scores.csv'));
    expect(raw.subarray(0, 10).toString()).toBe('student_id');
  });

  it('makes self-contained pages: nothing loaded from anywhere else', async () => {
    for (const school of await readdir(join(out, 'lists'))) {
      for (const f of (await readdir(join(out, 'lists', school))).filter((f) => f.endsWith('.html'))) {
        const html = await readFile(join(out, 'lists', school, f), 'utf8');
        expect(html, f).not.toMatch(/\b(src|href)\s*=|url\(|@import|https?:\/\//i);
        expect(html).toMatch(/<html lang="zh-CN">/);
      }
    }
  });

  it("keeps students' names and guardians' contacts out of every output file and the log", async () => {
    const students = parseCsv(await readFile(join(SAMPLE, 'students.csv'), 'utf8'));
    const phones = students.map((s) => s.guardian_phone).filter(Boolean);
    expect(phones.length).toBe(students.length); // the sample carries them, so their absence below means something
    const files = (await readdir(out, { recursive: true })).filter((f) => /\.(csv|html|json)$/.test(f));
    expect(files).toContain('scores.csv');
    const everything = [stderr, ...(await Promise.all(files.map((f) => readFile(join(out, f), 'utf8'))))].join('\n');
    for (const p of phones) expect(everything).not.toContain(p);
    expect(everything).not.toMatch(/[（(](父亲|母亲|祖父|祖母|外祖父|外祖母)[)）]/);
    expect(everything).not.toContain(students[0].name);
  });

  it('logs no note, no staff name or address, no screening score', async () => {
    expect(stderr.length).toBeGreaterThan(0);
    const staff = parseCsv(await readFile(join(SAMPLE, 'staff.csv'), 'utf8'));
    expect(stderr).not.toMatch(/示例备注|note/);
    for (const s of staff) {
      expect(stderr).not.toContain(s.email);
    }
    expect(stderr).not.toMatch(/老师/);
  });

  it('summarises the run for operators', async () => {
    const s = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(s).toMatchObject({ as_of: '2026-06-01', mode: 'in-process', students_read: 2000, rows_rejected: 0 });
    expect(s.files['attendance.csv']).toMatchObject({ rows_read: 356608, rows_rejected: 0 });
    expect(s.model_id).toMatch(/^ews-/);
    expect(s.timings_ms.total).toBeGreaterThan(0);
    // Drift against the model's reference, and the high tier's turnover since last week.
    expect(Object.keys(s.drift.psi)).toContain('att_unexcused_rate_4w');
    expect(s.drift.score_psi).toBeGreaterThanOrEqual(0);
    expect(s.drift.high_tier_overlap).toBeGreaterThan(0);
    expect(s.drift.high_tier_overlap).toBeLessThanOrEqual(1);
  });
});
