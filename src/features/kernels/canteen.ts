import type { Day } from '../../dates/index.js';
import type { Table } from '../../sources/index.js';
import type { FeatureMatrix } from '../matrix.js';
import type { DayRows } from '../prepare.js';

/**
 * Canteen spending over the 4 weeks to D against boarders of the same school, and its change.
 * Spending far below peers with no aid in force is the hidden-difficulty sign (隐形困难);
 * run after the aid features, which it reads.
 */
export function canteenFeatures(t: Table | null, rows: DayRows | null, asOf: Day, m: FeatureMatrix, school: Int32Array): void {
  const missing = m.column('meal_missing');
  if (!t || !rows) {
    for (let r = 0; r < m.rows; r++) missing(r, 1);
    return;
  }
  const amount = t.float64('amount');
  const mean4 = new Float64Array(m.rows).fill(Number.NaN);
  const change = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    const s = m.students[r];
    let n4 = 0,
      a4 = 0,
      n8 = 0,
      a8 = 0;
    for (let p = rows.by.offsets[s + 1] - 1; p >= rows.by.offsets[s]; p--) {
      const i = rows.by.order[p];
      const age = asOf - rows.day[i];
      if (age < 0) continue;
      if (age >= 56) break;
      if (age < 28) {
        n4++;
        a4 += amount[i];
      } else {
        n8++;
        a8 += amount[i];
      }
    }
    if (n4 === 0) continue;
    mean4[r] = a4 / n4;
    if (n8 > 0 && a8 > 0) change[r] = mean4[r] / (a8 / n8) - 1;
  }
  const stats = new Map<number, { n: number; sum: number; sq: number }>();
  for (let r = 0; r < m.rows; r++) {
    if (Number.isNaN(mean4[r])) continue;
    const k = school[m.students[r]];
    const st = stats.get(k) ?? { n: 0, sum: 0, sq: 0 };
    st.n++;
    st.sum += mean4[r];
    st.sq += mean4[r] ** 2;
    stats.set(k, st);
  }
  const setZ = m.column('meal_spend_z');
  const setChange = m.column('meal_spend_change');
  const setHidden = m.column('hidden_difficulty');
  for (let r = 0; r < m.rows; r++) {
    if (Number.isNaN(mean4[r])) {
      missing(r, 1);
      continue;
    }
    const st = stats.get(school[m.students[r]])!;
    const mean = st.sum / st.n;
    const sd = Math.sqrt(Math.max(0, st.sq / st.n - mean * mean));
    const z = st.n >= 5 && sd > 1e-9 ? (mean4[r] - mean) / sd : 0;
    setZ(r, z);
    setChange(r, Math.max(-1, Math.min(1, change[r])));
    if (z < -1 && m.get(r, 'aid_active_programs') === 0) setHidden(r, 1);
  }
}
