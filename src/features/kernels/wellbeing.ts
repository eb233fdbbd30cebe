import type { Day } from '../../dates/index.js';
import type { Table } from '../../sources/index.js';
import type { FeatureMatrix } from '../matrix.js';
import type { DayRows } from '../prepare.js';

/** The latest screening on or before D, scored against every screening on or before D with the same instrument. */
export function wellbeingFeatures(t: Table | null, rows: DayRows | null, asOf: Day, m: FeatureMatrix): void {
  const missing = m.column('wellbeing_missing');
  if (!t || !rows) {
    for (let r = 0; r < m.rows; r++) missing(r, 1);
    return;
  }
  const instrument = t.codes('instrument').data;
  const score = t.float64('score');
  const flagged = t.int8('flagged');
  const k = t.codes('instrument').dict.length;
  const n = new Float64Array(k),
    sum = new Float64Array(k),
    sq = new Float64Array(k);
  for (let i = 0; i < t.length; i++) {
    if (rows.day[i] > asOf || Number.isNaN(score[i])) continue;
    n[instrument[i]]++;
    sum[instrument[i]] += score[i];
    sq[instrument[i]] += score[i] * score[i];
  }
  const setFlag = m.column('wellbeing_flagged');
  const setZ = m.column('wellbeing_z');
  for (let r = 0; r < m.rows; r++) {
    const s = m.students[r];
    let latest = -1;
    for (let p = rows.by.offsets[s]; p < rows.by.offsets[s + 1]; p++) {
      const i = rows.by.order[p];
      if (rows.day[i] > asOf) break;
      latest = i;
    }
    if (latest < 0) {
      missing(r, 1);
      continue;
    }
    setFlag(r, flagged[latest] === 1 ? 1 : 0);
    const c = instrument[latest];
    const mean = sum[c] / n[c];
    const sd = Math.sqrt(Math.max(0, sq[c] / n[c] - mean * mean));
    setZ(r, n[c] >= 3 && sd > 1e-9 && !Number.isNaN(score[latest]) ? (score[latest] - mean) / sd : 0);
  }
}
