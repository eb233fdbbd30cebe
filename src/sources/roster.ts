import { firstIndexOf } from './read/string-index.js';
import type { Table } from './read/table.js';

/**
 * The students on file, indexed: every other table refers to a student by this index.
 * A class is identified by (school, class_id), since class ids repeat across schools.
 */
export interface Roster {
  readonly size: number;
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Per student: index into `schools`. */
  readonly school: Int32Array;
  readonly schools: readonly string[];
  /** Per student: index into `classes`. */
  readonly classOf: Int32Array;
  readonly classes: readonly { school: number; classId: string }[];
}

// Each source read in a run is handed the same checked students: index them once.
const built = new WeakMap<Table, Roster>();

export function buildRoster(students: Table): Roster {
  let roster = built.get(students);
  if (!roster) built.set(students, (roster = indexRoster(students)));
  return roster;
}

function indexRoster(students: Table): Roster {
  const ids = students.strings('student_id');
  // Ids are unique here (repeats were refused), so first position = position.
  const index = firstIndexOf(ids);
  const school = students.codes('school_id');
  const klass = students.codes('class_id');
  const classKeys = new Map<string, number>();
  const classes: { school: number; classId: string }[] = [];
  const classOf = new Int32Array(students.length);
  for (let i = 0; i < students.length; i++) {
    const key = `${school.data[i]}\u0001${klass.data[i]}`;
    let c = classKeys.get(key);
    if (c === undefined) {
      c = classes.push({ school: school.data[i], classId: klass.dict[klass.data[i]] }) - 1;
      classKeys.set(key, c);
    }
    classOf[i] = c;
  }
  return {
    size: students.length,
    ids,
    index,
    school: school.data,
    schools: school.dict,
    classOf,
    classes,
  };
}
