import { afterEach, describe, expect, it } from 'vitest';
import { detectAcute } from '../../src/alerts/index.js';
import { parseDay } from '../../src/dates/index.js';
import { onRoll, prepare } from '../../src/features/index.js';
import { loadDistrict } from '../../src/sources/index.js';
import { FAR_TODAY, makeFolder } from '../helpers/folder.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('acute alerts', () => {
  it('should raise one for three unexcused days running, and one for a new severe family event', async () => {
    const t = await makeFolder({
      'students.csv': 'student_id,school_id,class_id,grade_level\nA1,S1,7-1,7\nB2,S1,7-1,7\nC3,S1,7-1,7\n',
      'attendance.csv':
        'student_id,date,status\n' +
        ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'].map((d, i) => `A1,${d},${i === 0 ? 'present' : 'absent_unexcused'}`).join('\n') +
        '\n' +
        ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'].map((d, i) => `B2,${d},${i === 2 ? 'present' : 'absent_unexcused'}`).join('\n') +
        '\n',
      'family_events.csv':
        'student_id,date,event,severity,note\nB2,2026-03-05,parent_serious_illness,3,不应出现\nC3,2026-02-20,parent_death,3,\nC3,2026-03-05,relocation,1,\n',
    });
    cleanups.push(t.cleanup);
    const { district } = await loadDistrict(t.dir, { today: FAR_TODAY });
    const alerts = detectAcute(prepare(district), parseDay('2026-03-05'), null);
    expect(alerts.map((a) => [a.student_id, a.cause])).toEqual([
      ['A1', 'absence_streak'],
      ['B2', 'severe_event'],
    ]);
    expect(alerts[0].detail).toMatchObject({ streak_days: 3 });
    expect(alerts[1].detail).toMatchObject({ event: 'parent_serious_illness', date: '2026-03-05' });
    expect(JSON.stringify(alerts)).not.toContain('不应出现');
  });

  it('should watch a student who dropped out and came back (劝返复学) like any other on the roll', async () => {
    const t = await makeFolder({
      'students.csv': 'student_id,school_id,class_id,grade_level\nA1,S1,7-1,7\nB2,S1,7-1,7\n',
      'attendance.csv': `student_id,date,status\n${['2026-03-03', '2026-03-04', '2026-03-05'].map((d) => `A1,${d},absent_unexcused`).join('\n')}\n`,
      'outcomes.csv': 'student_id,date,outcome\nA1,2026-02-02,dropped_out\nA1,2026-03-02,returned\nB2,2026-02-02,dropped_out\n',
    });
    cleanups.push(t.cleanup);
    const { district } = await loadDistrict(t.dir, { today: FAR_TODAY });
    const p = prepare(district);
    expect(detectAcute(p, parseDay('2026-03-05'), null).map((a) => [a.student_id, a.cause])).toEqual([['A1', 'absence_streak']]);
    const roll = (day: string) => [...onRoll(district, parseDay(day), p.exits)].map((s) => district.roster.ids[s]);
    expect(roll('2026-01-15')).toEqual(['A1', 'B2']);
    expect(roll('2026-02-15')).toEqual([]); // both away
    expect(roll('2026-03-02')).toEqual(['A1']); // back the day of the return; B2 still gone
  });

  it('should call a grave event severe from severity 2, and never a parent gone to work away or a move', async () => {
    const t = await makeFolder({
      'students.csv': 'student_id,school_id,class_id,grade_level\nA1,S1,7-1,7\nB2,S1,7-1,7\nC3,S1,7-1,7\nD4,S1,7-1,7\nE5,S1,7-1,7\n',
      'attendance.csv': 'student_id,date,status\nA1,2026-03-02,present\n',
      'family_events.csv': [
        'student_id,date,event,severity',
        'A1,2026-03-04,parent_serious_illness,2',
        'B2,2026-03-04,parent_migrated,3',
        'C3,2026-03-04,relocation,3',
        'D4,2026-03-04,parent_job_loss,2',
        'E5,2026-03-04,parent_death,1',
      ].join('\n'),
    });
    cleanups.push(t.cleanup);
    const { district } = await loadDistrict(t.dir, { today: FAR_TODAY });
    const alerts = detectAcute(prepare(district), parseDay('2026-03-05'), null);
    expect(alerts.map((a) => a.student_id)).toEqual(['A1', 'E5']);
  });
});
