import { dayFromCivil, civilFromDay, type Day } from '../dates/index.js';
import { Random } from '../util/random.js';

export interface School {
  id: string;
  index: number;
  rural: boolean;
  senior: boolean; // grades 10-12 (senior or vocational) rather than 7-9
  mealCards: boolean;
  screening: boolean;
  minorityShare: number;
  effect: number; // school-level hardship
}

export interface Klass {
  school: School;
  id: string;
  grade: number;
  headTeacher: string;
}

export interface Student {
  index: number;
  id: string;
  klass: Klass;
  gender: 'F' | 'M';
  birth: Day;
  enrolled: Day;
  boarding: boolean;
  leftBehind: boolean;
  singleParent: boolean;
  orphan: boolean;
  disability: boolean;
  minority: boolean;
  rural: boolean;
  /** Latent hardship the student starts the year with (never written out). */
  hardship0: number;
  /** Latent academic ability (never written out). */
  ability: number;
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡'];

/**
 * A school id not given before: four hex digits collide among a few hundred schools (two schools'
 * classes and head teachers then shared one id), so a repeat draws again, and after a few tries
 * takes the school's number as a suffix. Districts without a repeat keep the ids they always had.
 */
function schoolId(rng: Random, used: Set<string>, index: number): string {
  let id = `sch-${rng.hex(4)}`;
  for (let tries = 0; used.has(id) && tries < 8; tries++) id = `sch-${rng.hex(4)}`;
  if (used.has(id)) id = `sch-${rng.hex(4)}-${index}`;
  used.add(id);
  return id;
}

/** Schools, classes of about 45, and students, until `count` students are placed. */
export function buildPopulation(count: number, seed: number, start: Day): { schools: School[]; classes: Klass[]; students: Student[] } {
  const rng = new Random(seed, 1);
  const schools: School[] = [];
  const classes: Klass[] = [];
  const students: Student[] = [];
  const usedIds = new Set<string>();
  const schoolIds = new Set<string>();
  while (students.length < count) {
    const s = schools.length;
    const school: School = {
      id: schoolId(rng, schoolIds, s),
      index: s,
      rural: rng.chance(0.6),
      senior: rng.chance(0.25),
      mealCards: rng.chance(0.7),
      screening: rng.chance(0.7),
      minorityShare: rng.chance(0.2) ? 0.3 : 0.04,
      effect: rng.normal(0, 0.25),
    };
    schools.push(school);
    const perGrade = rng.int(2, 5);
    const grades = school.senior ? [10, 11, 12] : [7, 8, 9];
    for (const grade of grades) {
      for (let c = 1; c <= perGrade && students.length < count; c++) {
        const klass: Klass = {
          school,
          id: `${grade}-${c}`,
          grade,
          headTeacher: `t-${school.id.slice(4)}-${grade}${c}`,
        };
        classes.push(klass);
        const size = rng.int(40, 50);
        for (let k = 0; k < size && students.length < count; k++) {
          const i = students.length;
          students.push(makeStudent(i, klass, seed, start, usedIds));
        }
      }
    }
  }
  return { schools, classes, students };
}

function makeStudent(index: number, klass: Klass, seed: number, start: Day, usedIds: Set<string>): Student {
  const r = new Random(seed, 2, index);
  let id = `s${r.hex(8)}`;
  while (usedIds.has(id)) id = `s${r.hex(8)}`;
  usedIds.add(id);
  const school = klass.school;
  const rural = r.chance(school.rural ? 0.9 : 0.3);
  const leftBehind = r.chance(rural ? 0.35 : 0.05);
  const singleParent = r.chance(0.1);
  const orphan = r.chance(0.015);
  const disability = r.chance(0.02);
  const boarding = r.chance(school.senior ? 0.8 : school.rural ? 0.6 : 0.1);
  const startYear = civilFromDay(start).year;
  // Born in the twelve months ending on 31 August, (grade + 6) years before the school year.
  const birthYearEnd = dayFromCivil(startYear - klass.grade - 6, 8, 31);
  const birth = birthYearEnd - r.int(0, 364);
  const stageStart = dayFromCivil(startYear - ((klass.grade - 1) % 3), 9, 1);
  const lateJoiner = r.chance(0.01);
  const hardship0 = r.normal(0, 0.55) + 0.45 * +rural + 0.35 * +leftBehind + 0.3 * +singleParent + 0.8 * +orphan + 0.25 * +disability + school.effect - 0.55;
  return {
    index,
    id,
    klass,
    gender: r.chance(0.48) ? 'F' : 'M',
    birth,
    enrolled: lateJoiner ? start + r.int(20, 120) : stageStart,
    boarding,
    leftBehind,
    singleParent,
    orphan,
    disability,
    minority: r.chance(school.minorityShare),
    rural,
    hardship0,
    ability: r.normal(-0.15 * hardship0, 1),
  };
}

export function teacherName(r: Random): string {
  return `${r.pick(SURNAMES)}老师`;
}
