/**
 * Writes the examples `ews train` builds (same split, same features, blocks named) as one CSV, so an
 * outside learner can be tried on exactly what ews learns from: `npx tsx bench/outside/examples-csv.ts
 * DATA AS_OF HORIZON OUT.csv`, then `python3 bench/outside/hgb.py OUT.csv` (scikit-learn).
 */
import { writeFileSync } from 'node:fs';
import { parseDay } from '../../src/dates/index.js';
import { FEATURE_NAMES, prepare } from '../../src/features/index.js';
import { buildExamples, sessionFilter, temporalSplit } from '../../src/model/dataset.js';
import { firstDataDay } from '../../src/model/train.js';
import { loadDistrict } from '../../src/sources/index.js';

const [data, asOfS, horizonS, out] = process.argv.slice(2);
const asOf = parseDay(asOfS);
const { district } = await loadDistrict(data, { today: asOf });
const p = prepare(district);
const split = temporalSplit(firstDataDay(p), asOf, Number(horizonS), undefined, sessionFilter(p.attendance.day));
const lines = [['block', 'as_of', 'student', 'school', 'y', ...FEATURE_NAMES].join(',')];
for (const [block, dates] of [
  ['train', split.train],
  ['val', split.validation],
  ['test', split.test],
] as const) {
  const e = buildExamples(p, dates, Number(horizonS));
  for (let i = 0; i < e.length; i++) {
    const row = Array.from(e.x.subarray(i * e.width, (i + 1) * e.width), (v) => (Number.isFinite(v) ? v.toPrecision(6) : ''));
    lines.push([block, e.asOf[i], district.roster.ids[e.student[i]], district.roster.schools[district.roster.school[e.student[i]]], e.y[i], ...row].join(','));
  }
}
writeFileSync(out, lines.join('\n') + '\n');
console.log(out, lines.length - 1);
