import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { prepare, type Prepared } from '../../src/features/index.js';
import { studentRecords } from '../../src/scoring/index.js';
import { loadDistrict } from '../../src/sources/index.js';
import { FAR_TODAY, makeFolder } from '../helpers/folder.js';

describe("a student's year of family events and aid, for the 一人一档 page", () => {
  let t: Awaited<ReturnType<typeof makeFolder>>;
  let p: Prepared;
  beforeAll(async () => {
    t = await makeFolder({
      'family_events.csv':
        'student_id,date,event,severity\nA1,2024-11-01,parent_divorce,2\nA1,2026-02-10,parent_serious_illness,3\nA1,2026-03-20,parent_death,3\nB2,2026-01-05,relocation,\n',
      'subsidies.csv':
        'student_id,program,status,effective_from,effective_to\nA1,national_grant,granted,2025-09-01,2026-01-31\nA1,nutrition_meal,granted,2026-04-01,\nA1,loan,granted,2024-01-01,2024-06-30\n',
      'wellbeing.csv': 'student_id,date,instrument,score,flagged\nA1,2025-10-10,MHT,40,0\nA1,2026-02-20,MHT,71,1\nA1,2026-04-01,MHT,50,0\n',
    });
    const { district } = await loadDistrict(t.dir, { today: FAR_TODAY });
    p = prepare(district);
  });
  afterAll(() => t.cleanup());

  it('should keep what is dated on or before D and within the year, in date order, and nothing for a quiet student', () => {
    const a1 = p.district.roster.index.get('A1')!;
    const r = studentRecords(p, a1, parseDay('2026-03-02'));
    // Not the death (after D), not the divorce (over a year before), not the loan that ended two years ago, not the grant to come.
    expect(r.events).toEqual([{ date: '2026-02-10', event: 'parent_serious_illness', severity: 3 }]);
    expect(r.aid).toEqual([{ program: 'national_grant', status: 'granted', from: '2025-09-01', to: '2026-01-31' }]);
    expect(r.screenings).toEqual([
      { date: '2025-10-10', instrument: 'MHT', flagged: false },
      { date: '2026-02-20', instrument: 'MHT', flagged: true },
    ]);
    const b2 = p.district.roster.index.get('B2')!;
    expect(studentRecords(p, b2, parseDay('2026-03-02'))).toEqual({ events: [{ date: '2026-01-05', event: 'relocation' }] });
    expect(studentRecords(p, b2, parseDay('2025-12-01'))).toEqual({});
  });
});
