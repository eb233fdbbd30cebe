import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDay, parseDay, type Day } from '../dates/index.js';
import { OptionError } from '../errors/index.js';
import { CsvWriter } from '../util/csv-write.js';
import { syntheticContact } from './names.js';
import { buildPopulation, teacherName } from './population.js';
import { Random } from '../util/random.js';
import { relayFile, splitBySchool, splitByWeek } from './layout.js';
import { simulateStudent, type RowSink } from './simulate.js';

export interface GenerateOptions {
  /** Folder to write; created if absent. */
  out: string;
  /** Students in the district. */
  students: number;
  /** Weeks of the school year to simulate. Default 44 (September to early July). */
  weeks?: number;
  /** Same seed, same district. Default 1. */
  seed?: number;
  /** Add fortnightly quizzes in three subjects (for benchmarks: grades within a few weeks). */
  quizzes?: boolean;
  /** `sparse`: no canteen cards or screenings, more unrecorded days (see SimulationOptions). Default `full`. */
  profile?: 'full' | 'sparse';
  /** Also write truth.csv: each student-week's hidden dropout hazard (not a contract file). */
  truth?: boolean;
  /** Plant follow-up steps with known effects and write followup_steps.csv (not a contract file; `ews effects --steps`). */
  interventions?: boolean;
  /** Give students.csv synthetic names and guardians' contacts (their own random stream: the same district otherwise). */
  names?: boolean;
  /**
   * The layouts schools' systems send: `byDate` writes the daily files (attendance, grades,
   * screenings, canteen, family events) in date order, as attendance and canteen systems export
   * them; `longIds` gives students ids of 17 characters (a 学籍号's length); `crlf` ends lines with
   * CRLF; `perSchool` writes each source as a folder of one file per school (`attendance/<school>.csv`).
   * The same district either way. Default: the generator's own student-by-student order, one file per source.
   * `weekly` also writes the district as weekly exports to pull one after another (`weeks/<Sunday>/`, see splitByWeek).
   */
  layout?: { byDate?: boolean; longIds?: boolean; crlf?: boolean; perSchool?: boolean; weekly?: boolean };
  /** First Monday of the school year. Default 2025-09-01. */
  start?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateResult {
  schools: number;
  classes: number;
  students: number;
  rows: Record<string, number>;
  /** The last day simulated: as-of dates up to it are meaningful. */
  lastDay: string;
}

const HEADERS = {
  attendance: ['student_id', 'date', 'status'],
  grades: ['student_id', 'date', 'term', 'subject', 'exam', 'score', 'full_score'],
  family_events: ['student_id', 'date', 'event', 'severity', 'source', 'note'],
  subsidies: ['student_id', 'program', 'status', 'level', 'amount', 'effective_from', 'effective_to'],
  wellbeing: ['student_id', 'date', 'instrument', 'score', 'flagged'],
  meal_card: ['student_id', 'date', 'amount', 'meals'],
  outcomes: ['student_id', 'date', 'outcome'],
} as const;

/** Writes a complete, contract-conformant data folder for a synthetic district. */
export async function generateDistrict(options: GenerateOptions): Promise<GenerateResult> {
  const weeks = options.weeks ?? 44;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(options.students) || options.students < 1) throw new OptionError('--students', 'must be a whole number above 0');
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > 52) throw new OptionError('--weeks', 'must be a whole number from 1 to 52');
  if (options.profile && !['full', 'sparse'].includes(options.profile)) throw new OptionError('--profile', `must be full or sparse, got ${options.profile}`);
  const start: Day = parseDay(options.start ?? '2025-09-01');
  if (Number.isNaN(start)) throw new OptionError('--start', 'is not a date');
  await mkdir(options.out, { recursive: true });

  const pop = buildPopulation(options.students, seed, start);
  // Ids are drawn before anything is simulated, and streams are keyed by index: longer ids change no other value.
  if (options.layout?.longIds) for (const s of pop.students) s.id = `G44130${s.id.slice(1).padStart(11, '0')}`;
  const writers = Object.fromEntries(
    Object.entries(HEADERS).map(([name, header]) => [name, new CsvWriter(join(options.out, `${name}.csv`), header)]),
  ) as Record<keyof typeof HEADERS, CsvWriter>;
  const rows: Record<string, number> = Object.fromEntries(Object.keys(HEADERS).map((k) => [`${k}.csv`, 0]));
  const counted = (name: keyof typeof HEADERS) => (line: string) => {
    writers[name].raw(line);
    rows[`${name}.csv`]++;
  };
  const sink: RowSink = {
    attendance: counted('attendance'),
    grades: counted('grades'),
    familyEvents: counted('family_events'),
    subsidies: counted('subsidies'),
    wellbeing: counted('wellbeing'),
    mealCard: counted('meal_card'),
    outcomes: counted('outcomes'),
  };
  const truth = options.truth ? new CsvWriter(join(options.out, 'truth.csv'), ['student_id', 'week_start', 'hazard', 'leaving']) : null;
  if (truth) sink.truth = (line) => truth.raw(line);
  const steps = options.interventions ? new CsvWriter(join(options.out, 'followup_steps.csv'), ['student_id', 'date', 'kind']) : null;
  if (steps) sink.steps = (line) => steps.raw(line);

  const students = new CsvWriter(join(options.out, 'students.csv'), [
    'student_id',
    'school_id',
    'class_id',
    'grade_level',
    'gender',
    'birth_date',
    'enrolled_on',
    'boarding',
    'left_behind',
    'single_parent',
    'orphan',
    'disability',
    'ethnic_minority',
    'rural_hukou',
    'head_teacher_id',
    ...(options.names ? ['name', 'guardian_name', 'guardian_phone'] : []),
  ]);
  const b = (x: boolean) => (x ? '1' : '0');
  for (const s of pop.students) {
    students.raw(
      `${s.id},${s.klass.school.id},${s.klass.id},${s.klass.grade},${s.gender},${formatDay(s.birth)},${formatDay(s.enrolled)},` +
        `${b(s.boarding)},${b(s.leftBehind)},${b(s.singleParent)},${b(s.orphan)},${b(s.disability)},${b(s.minority)},${b(s.rural)},${s.klass.headTeacher}` +
        `${options.names ? `,${syntheticContact(seed, s.index).join(',')}` : ''}\n`,
    );
    simulateStudent(s, { seed, start, weeks, quizzes: options.quizzes, profile: options.profile, interventions: options.interventions }, sink);
    if ((s.index & 1023) === 0) options.onProgress?.(s.index, pop.students.length);
  }
  rows['students.csv'] = pop.students.length;

  const staff = new CsvWriter(join(options.out, 'staff.csv'), ['staff_id', 'school_id', 'role', 'class_ids', 'display_name', 'webhook_url', 'email']);
  const r = new Random(seed, 4);
  for (const c of pop.classes) {
    staff.row([c.headTeacher, c.school.id, 'head_teacher', c.id, teacherName(r), '', `${c.headTeacher}@school.example`]);
  }
  for (const s of pop.schools) staff.row([`p-${s.id.slice(4)}`, s.id, 'psychologist', '', teacherName(r), '', `p-${s.id.slice(4)}@school.example`]);
  staff.row(['a-district', pop.schools[0].id, 'analyst', '', teacherName(r), '', 'analyst@district.example']);
  staff.row(['adm-district', pop.schools[0].id, 'admin', '', teacherName(r), '', 'admin@district.example']);
  rows['staff.csv'] = pop.classes.length + pop.schools.length + 2;

  await Promise.all([students.close(), staff.close(), truth?.close(), steps?.close(), ...Object.values(writers).map((w) => w.close())]);
  const layout = options.layout ?? {};
  for (const name of [...Object.keys(HEADERS), 'students', 'staff', ...(truth ? ['truth'] : [])]) {
    const daily = ['attendance', 'grades', 'family_events', 'wellbeing', 'meal_card'].includes(name);
    await relayFile(join(options.out, `${name}.csv`), { byDate: layout.byDate && daily, crlf: layout.crlf });
  }
  // students.csv last: it says which school every other file's rows belong to.
  if (layout.weekly) await splitByWeek(options.out, join(options.out, 'weeks'), formatDay(start + 6), layout.crlf);
  if (layout.perSchool) await splitBySchool(options.out, [...Object.keys(HEADERS), 'staff', 'students'], layout.crlf);
  options.onProgress?.(pop.students.length, pop.students.length);
  return {
    schools: pop.schools.length,
    classes: pop.classes.length,
    students: pop.students.length,
    rows,
    lastDay: formatDay(start + 7 * weeks - 1),
  };
}
