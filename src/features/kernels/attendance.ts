import type { Day } from '../../dates/index.js';
import type { FeatureMatrix } from '../matrix.js';
import { STATUS, type AttendanceDays } from '../prepare.js';

const CAP_DAYS = 90;
/** The long window: hardship moves slowly, and a rare event (an unexcused day) needs many days to read. */
const LONG_DAYS = 120;
const RECENCY_HALF_LIFE_DAYS = 7;

/** Attendance over the 2, 4 and 8 weeks ending on D: shares of the days on record, streaks, gaps. */
export function attendanceFeatures(a: AttendanceDays, asOf: Day, m: FeatureMatrix, classOf: Int32Array): void {
  const set = {
    r2: m.column('att_unexcused_rate_2w'),
    r4: m.column('att_unexcused_rate_4w'),
    r8: m.column('att_unexcused_rate_8w'),
    d4: m.column('att_unexcused_days_4w'),
    trend: m.column('att_unexcused_trend'),
    streak: m.column('att_unexcused_streak'),
    since: m.column('att_days_since_present'),
    sick: m.column('att_sick_rate_4w'),
    late: m.column('att_late_rate_4w'),
    cover: m.column('att_coverage_4w'),
    missing: m.column('att_missing'),
    recent: m.column('att_unexcused_recent'),
    longest: m.column('att_unexcused_longest_8w'),
    longUnexcused: m.column('att_unexcused_rate_long'),
    longLate: m.column('att_late_rate_long'),
  };
  const recorded4 = new Float64Array(m.rows);
  const mostInClass = new Map<number, number>();
  for (let r = 0; r < m.rows; r++) {
    const s = m.students[r];
    const lo = a.offsets[s];
    let end = a.offsets[s + 1];
    while (end > lo && a.day[end - 1] > asOf) end--; // only days on or before D
    let n2 = 0,
      u2 = 0,
      n4 = 0,
      u4 = 0,
      n8 = 0,
      u8 = 0,
      sick4 = 0,
      late4 = 0;
    let streak = 0;
    let streakOpen = true;
    let since = CAP_DAYS;
    let run = 0,
      longest = 0,
      wSum = 0,
      wUnexcused = 0,
      nLong = 0,
      uLong = 0,
      lateLong = 0;
    for (let p = end - 1; p >= lo; p--) {
      const age = asOf - a.day[p];
      if (age >= LONG_DAYS) break;
      const st = a.status[p];
      const unexcused = st === STATUS.unexcused ? 1 : 0;
      nLong++;
      uLong += unexcused;
      if (st === STATUS.late || st === STATUS.leftEarly) lateLong++;
      if (age >= CAP_DAYS) continue;
      if (streakOpen) {
        if (unexcused) streak++;
        else streakOpen = false;
      }
      const w = 0.5 ** (age / RECENCY_HALF_LIFE_DAYS);
      wSum += w;
      wUnexcused += w * unexcused;
      if (since === CAP_DAYS && (st === STATUS.present || st === STATUS.late || st === STATUS.leftEarly)) since = age;
      if (age < 56) {
        run = unexcused ? run + 1 : 0;
        if (run > longest) longest = run;
        n8++;
        u8 += unexcused;
        if (age < 28) {
          n4++;
          u4 += unexcused;
          if (st === STATUS.sick) sick4++;
          if (st === STATUS.late || st === STATUS.leftEarly) late4++;
          if (age < 14) {
            n2++;
            u2 += unexcused;
          }
        }
      }
    }
    const rate4 = n4 > 0 ? u4 / n4 : 0;
    const prevN = n8 - n4;
    set.r2(r, n2 > 0 ? u2 / n2 : 0);
    set.r4(r, rate4);
    set.r8(r, n8 > 0 ? u8 / n8 : 0);
    set.d4(r, u4);
    set.trend(r, n4 > 0 && prevN > 0 ? rate4 - (u8 - u4) / prevN : 0);
    set.streak(r, streak);
    set.since(r, since);
    set.sick(r, n4 > 0 ? sick4 / n4 : 0);
    set.late(r, n4 > 0 ? late4 / n4 : 0);
    set.missing(r, n4 === 0 ? 1 : 0);
    set.recent(r, wSum > 0 ? wUnexcused / wSum : 0);
    set.longest(r, longest);
    set.longUnexcused(r, nLong > 0 ? uLong / nLong : 0);
    set.longLate(r, nLong > 0 ? lateLong / nLong : 0);
    recorded4[r] = n4;
    const c = classOf[s];
    if (n4 > (mostInClass.get(c) ?? 0)) mostInClass.set(c, n4);
  }
  for (let r = 0; r < m.rows; r++) {
    const most = mostInClass.get(classOf[m.students[r]]) ?? 0;
    set.cover(r, most > 0 ? recorded4[r] / most : 0);
  }
}
