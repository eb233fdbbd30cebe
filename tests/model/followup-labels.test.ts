import { afterEach, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { dropoutLabels, withFollowupOutcomes, withoutTreated, type Examples } from '../../src/model/index.js';
import { loadDistrict } from '../../src/sources/index.js';
import { FAR_TODAY, makeFolder } from '../helpers/folder.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('labels from follow-up', () => {
  it('should turn an outcome the follow-up recorded into a label, without doubling one on file', async () => {
    const t = await makeFolder({ 'outcomes.csv': 'student_id,date,outcome\nA1,2025-10-10,dropped_out\n' });
    cleanups.push(t.cleanup);
    const { district } = await loadDistrict(t.dir, { today: FAR_TODAY });
    const merged = withFollowupOutcomes(district, [
      { student_id: 'A1', date: '2025-10-10', outcome: 'dropped_out' },
      { student_id: 'B2', date: '2025-10-20', outcome: 'dropped_out' },
      { student_id: 'ZZ', date: '2025-10-20', outcome: 'dropped_out' },
    ]);
    expect(merged.outcomes!.length).toBe(2);
    const asOf = parseDay('2025-10-01');
    expect(Array.from(dropoutLabels(district, Int32Array.of(0, 1), asOf, 30))).toEqual([1, 0]);
    expect(Array.from(dropoutLabels(merged, Int32Array.of(0, 1), asOf, 30))).toEqual([1, 1]);
  });

  it('should leave out examples of a student from the day help began', () => {
    const e: Examples = {
      width: 1,
      x: new Float32Array(4),
      y: Uint8Array.of(0, 0, 1, 0),
      asOf: Int32Array.of(10, 17, 24, 17),
      student: Int32Array.of(5, 5, 5, 6),
      length: 4,
    };
    const { examples, excluded } = withoutTreated(e, new Map([[5, 17]]));
    expect(excluded).toBe(2);
    expect(Array.from(examples.student)).toEqual([5, 6]);
    expect(Array.from(examples.asOf)).toEqual([10, 17]);
  });
});
