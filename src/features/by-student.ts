/**
 * Rows of a table grouped by student and ordered by day: `order[offsets[s] .. offsets[s+1])`
 * are student s's rows, earliest first. Built once per district, then any as-of date finds a
 * student's window by binary search instead of rescanning the table.
 */
export interface ByStudent {
  readonly offsets: Int32Array;
  readonly order: Int32Array;
}

export function groupByStudent(student: Int32Array, day: Int32Array, nStudents: number): ByStudent {
  const n = student.length;
  const offsets = new Int32Array(nStudents + 1);
  for (let i = 0; i < n; i++) offsets[student[i] + 1]++;
  for (let s = 0; s < nStudents; s++) offsets[s + 1] += offsets[s];
  const fill = offsets.slice(0, nStudents);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[student[i]]++] = i;
  // Files usually come ordered by day within a student; sort only the slices that are not.
  for (let s = 0; s < nStudents; s++) {
    const a = offsets[s];
    const b = offsets[s + 1];
    let sorted = true;
    for (let k = a + 1; k < b; k++)
      if (day[order[k]] < day[order[k - 1]]) {
        sorted = false;
        break;
      }
    if (!sorted) order.subarray(a, b).set(Array.from(order.subarray(a, b)).sort((x, y) => day[x] - day[y] || x - y));
  }
  return { offsets, order };
}

/** First position in student s's slice whose day is after `day` (so rows before it are ≤ day). */
export function endAtOrBefore(g: ByStudent, dayCol: Int32Array, s: number, day: number): number {
  let lo = g.offsets[s];
  let hi = g.offsets[s + 1];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dayCol[g.order[mid]] <= day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
