/**
 * OULAD (Open University Learning Analytics Dataset, CC BY 4.0) mapped to the ews input contract,
 * so ews can be trained and measured on real withdrawals. A benchmark, not a product input: it
 * lives in bench/ and nothing in src/ knows it.
 *
 * The mapping, one registration = one student:
 * - students: `school_id` = module, `class_id` = presentation, gender and disability as given,
 *   `enrolled_on` = registration day; every student is in grade level 12 (adults; the contract
 *   needs one);
 * - attendance: none — OULAD has no attendance (a school without electronic attendance);
 * - grades: each submitted assessment on the day it was submitted (TMA `other`, CMA `quiz`,
 *   Exam `final`, out of 100), and each assessment not submitted by its cut-off, while the student
 *   was still registered, as a paper not sat, dated at the cut-off;
 * - subsidies: the deprivation band as a difficulty certification (IMD 0–10% level 3, 10–20%
 *   level 2, 20–30% level 1) from the registration day;
 * - outcomes: a withdrawal (unregistration day) is `dropped_out`; a finished presentation
 *   (pass, fail or distinction) is `graduated` on its last day.
 * Days count from a presentation's start: B presentations start on 1 February, J on 1 October.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

const DAY_MS = 86_400_000;

export interface OuladOptions {
  /** Only these modules (AAA…GGG): a slice for tests. Default all. */
  modules?: string[];
  /** Keep every n-th registration of each presentation (1 = all). */
  every?: number;
}

function startOf(presentation: string): number {
  const year = Number(presentation.slice(0, 4));
  return Date.UTC(year, presentation.endsWith('B') ? 1 : 9, 1) / DAY_MS;
}

const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

async function table(dir: string, file: string): Promise<Record<string, string>[]> {
  return parse(await readFile(join(dir, file)), { columns: true, skip_empty_lines: true, trim: true });
}

function csv(header: string[], rows: (string | number)[][]): string {
  return [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

const LEVEL: Record<string, number> = { '0-10%': 3, '10-20': 2, '10-20%': 2, '20-30%': 1 };
const EXAM: Record<string, string> = { TMA: 'other', CMA: 'quiz', Exam: 'final' };

/** Writes the contract's files for OULAD into `out`; returns the counts written. */
export async function writeOuladDistrict(src: string, out: string, options: OuladOptions = {}): Promise<Record<string, number>> {
  const every = Math.max(1, options.every ?? 1);
  const modules = options.modules ? new Set(options.modules) : null;
  const length = new Map((await table(src, 'courses.csv')).map((c) => [`${c.code_module}-${c.code_presentation}`, Number(c.module_presentation_length)]));
  const registration = new Map((await table(src, 'studentRegistration.csv')).map((r) => [`${r.code_module}-${r.code_presentation}-${r.id_student}`, r]));

  const students: (string | number)[][] = [];
  const subsidies: (string | number)[][] = [];
  const outcomes: (string | number)[][] = [];
  /** Registration key → [enrolled day, last day on the roll] (absolute days). */
  const span = new Map<string, [number, number]>();
  const kept = new Map<string, number>();
  for (const s of await table(src, 'studentInfo.csv')) {
    const pres = `${s.code_module}-${s.code_presentation}`;
    if (modules && !modules.has(s.code_module)) continue;
    const n = kept.get(pres) ?? 0;
    kept.set(pres, n + 1);
    if (n % every !== 0) continue;
    const key = `${pres}-${s.id_student}`;
    const reg = registration.get(key);
    const start = startOf(s.code_presentation);
    const enrolled = start + (reg?.date_registration ? Number(reg.date_registration) : 0);
    const end = start + (length.get(pres) ?? 240);
    const id = `OU-${key}`;
    students.push([id, s.code_module, s.code_presentation, 12, s.gender, iso(enrolled), s.disability === 'Y' ? 1 : 0]);
    const level = LEVEL[s.imd_band];
    if (level) subsidies.push([id, 'difficulty_certified', 'granted', level, iso(enrolled)]);
    let last = end;
    if (s.final_result === 'Withdrawn') {
      if (reg?.date_unregistration) {
        last = Math.max(enrolled, start + Number(reg.date_unregistration));
        outcomes.push([id, iso(last), 'dropped_out']);
      }
    } else {
      outcomes.push([id, iso(end), 'graduated']);
    }
    span.set(key, [enrolled, last]);
  }

  const assessments = await table(src, 'assessments.csv');
  const byId = new Map(assessments.map((a) => [a.id_assessment, a]));
  const grades: [number, string][] = [];
  const sat = new Set<string>();
  for (const r of await table(src, 'studentAssessment.csv')) {
    const a = byId.get(r.id_assessment);
    if (!a) continue;
    const key = `${a.code_module}-${a.code_presentation}-${r.id_student}`;
    if (!span.has(key)) continue;
    sat.add(`${r.id_assessment}-${r.id_student}`);
    if (r.score === '' || r.date_submitted === '') continue;
    const day = startOf(a.code_presentation) + Number(r.date_submitted);
    grades.push([
      day,
      [`OU-${key}`, iso(day), a.code_presentation, `${a.code_module}-${a.id_assessment}`, EXAM[a.assessment_type] ?? 'other', r.score, 100].join(','),
    ]);
  }
  // A paper not sat: an assessment whose cut-off passed while the student was registered.
  const registered = [...span].map(([key, s]) => ({ key, pres: key.split('-').slice(0, 2).join('-'), student: key.split('-')[2], s }));
  const byPres = new Map<string, typeof registered>();
  for (const r of registered) byPres.set(r.pres, [...(byPres.get(r.pres) ?? []), r]);
  for (const a of assessments) {
    if (a.date === '' || a.assessment_type === 'Exam') continue;
    const day = startOf(a.code_presentation) + Number(a.date);
    for (const r of byPres.get(`${a.code_module}-${a.code_presentation}`) ?? []) {
      if (sat.has(`${a.id_assessment}-${r.student}`) || day < r.s[0] || day >= r.s[1]) continue;
      grades.push([
        day,
        [`OU-${r.key}`, iso(day), a.code_presentation, `${a.code_module}-${a.id_assessment}`, EXAM[a.assessment_type] ?? 'other', '', 100].join(','),
      ]);
    }
  }
  // As the systems export them: in date order.
  grades.sort((a, b) => a[0] - b[0]);

  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'students.csv'), csv(['student_id', 'school_id', 'class_id', 'grade_level', 'gender', 'enrolled_on', 'disability'], students));
  await writeFile(join(out, 'attendance.csv'), 'student_id,date,status\n');
  await writeFile(join(out, 'grades.csv'), ['student_id,date,term,subject,exam,score,full_score', ...grades.map((g) => g[1])].join('\n') + '\n');
  await writeFile(join(out, 'family_events.csv'), 'student_id,date,event\n');
  await writeFile(join(out, 'subsidies.csv'), csv(['student_id', 'program', 'status', 'level', 'effective_from'], subsidies));
  await writeFile(join(out, 'outcomes.csv'), csv(['student_id', 'date', 'outcome'], outcomes));
  return { students: students.length, grades: grades.length, subsidies: subsidies.length, outcomes: outcomes.length };
}
