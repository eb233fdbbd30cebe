/**
 * Writes the examples `ews train` builds (same split, same features, blocks named) as one CSV, so an
 * outside learner can be tried on exactly what ews learns from: `npx tsx bench/outside/examples-csv.ts
 * DATA AS_OF HORIZON OUT.csv [LAGS]`, then `python3 bench/outside/hgb.py OUT.csv` (scikit-learn).
 *
 * LAGS (e.g. `1,2,4`) adds, for each behaviour feature (attendance, grades, canteen, screenings), its value
 * at the student's example that many weekly dates earlier (`<feature>_lag<k>`, empty where none): what a
 * sequence model over weekly feature vectors would see, for a learner that can use it.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseDay } from '../../src/dates/index.js';
import { FEATURE_NAMES, FEATURES, prepare } from '../../src/features/index.js';
import { buildExamples, sessionFilter, temporalSplit } from '../../src/model/dataset.js';
import { firstDataDay } from '../../src/model/train.js';
import { loadDistrict } from '../../src/sources/index.js';

const [data, asOfS, horizonS, out, lagsS] = process.argv.slice(2);
const lags = lagsS ? lagsS.split(',').map(Number) : [];
const dynamic = FEATURES.filter((f) => ['attendance', 'grades', 'canteen', 'wellbeing'].includes(f.group)).map((f) => FEATURE_NAMES.indexOf(f.name));
const asOf = parseDay(asOfS);
const { district } = await loadDistrict(data, { today: asOf });
const p = prepare(district);
const split = temporalSplit(firstDataDay(p), asOf, Number(horizonS), undefined, sessionFilter(p.attendance.day));
const lagNames = lags.flatMap((k) => dynamic.map((c) => `${FEATURE_NAMES[c]}_lag${k}`));
// Written as it goes: with lags the file can pass the longest string one join can make.
const fd = openSync(out, 'w');
let written = 0;
let lines = [['block', 'as_of', 'student', 'school', 'y', ...FEATURE_NAMES, ...lagNames].join(',')];
const flush = () => {
  writeSync(fd, lines.join('\n') + '\n');
  written += lines.length;
  lines = [];
};
const num = (v: number) => (Number.isFinite(v) ? v.toPrecision(6) : '');
// Every example date in order, so a lag reaches back across block boundaries as a sequence model would.
const allDates = [...split.train, ...split.validation, ...split.test];
const byDate = new Map<number, Map<number, Float32Array>>(); // date index → student → features
for (const [block, dates] of [
  ['train', split.train],
  ['val', split.validation],
  ['test', split.test],
] as const) {
  const e = buildExamples(p, dates, Number(horizonS));
  for (let i = 0; i < e.length; i++) {
    const x = e.x.subarray(i * e.width, (i + 1) * e.width);
    const at = allDates.indexOf(e.asOf[i]);
    if (lags.length > 0) {
      let m = byDate.get(at);
      if (!m) byDate.set(at, (m = new Map()));
      m.set(e.student[i], x);
    }
    const lagged = lags.flatMap((k) => {
      const earlier = byDate.get(at - k)?.get(e.student[i]);
      return dynamic.map((c) => (earlier ? num(earlier[c]) : ''));
    });
    lines.push(
      [
        block,
        e.asOf[i],
        district.roster.ids[e.student[i]],
        district.roster.schools[district.roster.school[e.student[i]]],
        e.y[i],
        ...Array.from(x, num),
        ...lagged,
      ].join(','),
    );
    if (lines.length >= 10_000) flush();
  }
}
flush();
closeSync(fd);
console.log(out, written - 1);
