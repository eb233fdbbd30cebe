import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDay, isoWeekday, parseDay } from '../../src/dates/index.js';
import { Random } from '../../src/generate/index.js';

export const PLANTED_START = parseDay('2025-09-01');

/**
 * A district where one cause alone drives dropout: a parent's serious illness. Half the
 * students it strikes leave 2–6 weeks later; nobody else does, but for a trickle of noise.
 * Attendance is unrelated to leaving until the day a student is gone. A model trained here
 * must rank by the family event and say so in its reasons.
 */
export async function writePlantedDistrict(
  dir: string,
  options: {
    students?: number;
    weeks?: number;
    seed?: number;
    /** Rural students leave for reasons no file records (as often, but unannounced): a planted disparity. */
    ruralUnseen?: boolean;
    /** Nobody's leaving has a recorded cause: a district where a model can learn nothing. */
    noSignal?: boolean;
  } = {},
) {
  const n = options.students ?? 1600;
  const weeks = options.weeks ?? 30;
  const r = new Random(options.seed ?? 1, 77);
  const students = ['student_id,school_id,class_id,grade_level,boarding,rural_hukou,gender'];
  const attendance = ['student_id,date,status'];
  const events = ['student_id,date,event,severity'];
  const outcomes = ['student_id,date,outcome'];
  const last = PLANTED_START + weeks * 7 - 1;
  for (let i = 0; i < n; i++) {
    const id = `p${i.toString(36)}x`;
    const rural = r.chance(0.5);
    students.push(`${id},S${i % 2},${Math.floor(i / 40)},8,${r.chance(0.5) ? 1 : 0},${rural ? 1 : 0},${r.chance(0.5) ? 'F' : 'M'}`);
    let gone = Number.POSITIVE_INFINITY;
    const unseen = options.noSignal || (options.ruralUnseen && rural);
    if (r.chance(0.15)) {
      const day = PLANTED_START + r.int(2, weeks - 2) * 7 + r.int(0, 4);
      if (!unseen) events.push(`${id},${formatDay(day)},parent_serious_illness,3`);
      if (r.chance(0.5)) gone = day + r.int(14, 42);
    } else if (r.chance(0.003)) {
      gone = PLANTED_START + r.int(21, weeks * 7 - 1);
    }
    if (gone <= last) outcomes.push(`${id},${formatDay(gone)},dropped_out`);
    for (let d = PLANTED_START; d <= Math.min(last, gone - 1); d++) {
      if (isoWeekday(d) > 5) continue;
      attendance.push(`${id},${formatDay(d)},${r.chance(0.03) ? 'absent_sick' : r.chance(0.02) ? 'absent_unexcused' : 'present'}`);
    }
  }
  const files: Record<string, string[]> = {
    'students.csv': students,
    'attendance.csv': attendance,
    'family_events.csv': events,
    'outcomes.csv': outcomes,
    'grades.csv': ['student_id,date,term,subject,exam,score,full_score'],
    'subsidies.csv': ['student_id,program,status,effective_from'],
  };
  for (const [name, lines] of Object.entries(files)) await writeFile(join(dir, name), lines.join('\n') + '\n');
  return { asOf: last };
}
