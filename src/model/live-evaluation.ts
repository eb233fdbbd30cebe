import { median } from 'simple-statistics';
import { formatDay, type Day } from '../dates/index.js';
import { buildFeatures, featureIndex, type Prepared } from '../features/index.js';
import { OUTCOMES } from '../sources/index.js';
import { attributeValues, AUDITED, judgeGroups, type GroupAudit } from './fairness.js';
import { dropoutLabels } from './labels.js';
import { auc, reliability } from './metrics.js';

/** One week's list as the weekly run kept it: who was scored, their risk, and who was on the high tier. */
export interface StoredList {
  asOf: Day;
  modelId: string;
  /** District indices of the students scored (rows whose student is no longer on file are dropped by the caller). */
  students: Int32Array;
  risk: Float64Array;
  listed: Uint8Array;
}

export interface AtList {
  listed: number;
  found: number;
  precision: number;
  recall: number;
}

export interface LiveWeek {
  as_of: string;
  model_id: string;
  n: number;
  dropouts: number;
  model: AtList;
  /** The simple rules with the same number of students listed in each class that week. */
  rules: { unexcused_streak: AtList; school_rate: AtList };
  auc: number;
  ece: number;
}

export interface LeadTime {
  /** Students who dropped out while the lists were running (after the first list, within a horizon of the last). */
  leavers: number;
  /** Of them, listed at least once in the year before they left. */
  listed_before: number;
  share_listed_before: number;
  /** Median weeks between the first listing and the day they left, over those listed. */
  median_weeks: number;
}

export interface LiveEvaluation {
  horizon_days: number;
  weeks: LiveWeek[];
  /** Weeks whose horizon had not closed by the last day the data knows of: not judged yet. */
  pending: string[];
  overall: { n: number; dropouts: number; model: AtList; rules: LiveWeek['rules']; auc: number; ece: number };
  lead_time: { model: LeadTime; unexcused_streak: LeadTime };
  by_school: { school_id: string; n: number; dropouts: number; model: AtList; unexcused_streak: AtList }[];
  /** The fairness audit on the lists as they went out, pooled over the judged weeks. */
  fairness: { groups: GroupAudit[]; passes: boolean };
}

const DROPPED = OUTCOMES.indexOf('dropped_out');

const atList = (listed: number, found: number, dropouts: number): AtList => ({
  listed,
  found,
  precision: listed > 0 ? found / listed : Number.NaN,
  recall: dropouts > 0 ? found / dropouts : Number.NaN,
});

/**
 * Each past week's list scored against what then happened: precision and recall at the list size
 * actually used, AUC and calibration of the risks sent out, beside two simple rules given the same
 * list sizes; how long before leaving a student was first listed; by school, and by group (the
 * fairness audit of the real lists). Weeks whose horizon has not closed by `knownThrough` are
 * pending, not judged.
 */
export function evaluateLive(p: Prepared, lists: readonly StoredList[], horizonDays: number, knownThrough: Day): LiveEvaluation {
  const d = p.district;
  const judged = lists.filter((l) => l.asOf + horizonDays <= knownThrough).sort((a, b) => a.asOf - b.asOf);
  const pending = lists.filter((l) => l.asOf + horizonDays > knownThrough).map((l) => formatDay(l.asOf));
  const streak = featureIndex('att_unexcused_streak');
  const rate4w = featureIndex('att_unexcused_rate_4w');
  const schoolRate = featureIndex('school_dropout_rate');
  const schoolOf = d.roster.school;
  const values = attributeValues(d);
  const cells = new Map<string, { n: number; pos: number; flagged: number; tp: number; fp: number; who: Set<number> }>();
  const schools = new Map<number, { n: number; pos: number; listed: number; found: number; ruleListed: number; ruleFound: number }>();
  const firstListed = new Map<number, Day>();
  const firstRuleListed = new Map<number, Day>();
  const all = { n: 0, pos: 0, listed: 0, found: 0, streak: [0, 0], rate: [0, 0], risk: [] as number[], y: [] as number[] };
  const weeks: LiveWeek[] = [];

  for (const l of judged) {
    const y = dropoutLabels(d, l.students, l.asOf, horizonDays);
    const m = buildFeatures(p, l.asOf);
    const row = new Map<number, number>();
    for (let r = 0; r < m.rows; r++) row.set(m.students[r], r);
    const feature = (i: number, c: number) => {
      const r = row.get(l.students[i]);
      return r === undefined ? 0 : m.values[r * m.width + c];
    };
    // The rules list as many students in each class as the model's list did.
    const perClass = new Map<number, number[]>();
    for (let i = 0; i < l.students.length; i++) {
      const c = d.roster.classOf[l.students[i]];
      const list = perClass.get(c) ?? [];
      list.push(i);
      perClass.set(c, list);
    }
    const ruleList = (score: (i: number) => number) => {
      const out = new Uint8Array(l.students.length);
      for (const members of perClass.values()) {
        const k = members.reduce((a, i) => a + l.listed[i], 0);
        if (k === 0) continue;
        // Ties by the student's place on the roll, never by the order the store returned (the model's).
        const ranked = [...members].sort((a, b) => score(b) - score(a) || l.students[a] - l.students[b]);
        for (const i of ranked.slice(0, k)) out[i] = 1;
      }
      return out;
    };
    const byStreak = ruleList((i) => feature(i, streak) + feature(i, rate4w) / 10);
    const byRate = ruleList((i) => feature(i, schoolRate));
    let pos = 0;
    const counts = { listed: 0, found: 0, streak: [0, 0], rate: [0, 0] };
    for (let i = 0; i < l.students.length; i++) {
      const s = l.students[i];
      pos += y[i];
      counts.listed += l.listed[i];
      counts.found += l.listed[i] & y[i];
      counts.streak[0] += byStreak[i];
      counts.streak[1] += byStreak[i] & y[i];
      counts.rate[0] += byRate[i];
      counts.rate[1] += byRate[i] & y[i];
      if (l.listed[i] && !firstListed.has(s)) firstListed.set(s, l.asOf);
      if (byStreak[i] && !firstRuleListed.has(s)) firstRuleListed.set(s, l.asOf);
      const sc = schools.get(schoolOf[s]) ?? { n: 0, pos: 0, listed: 0, found: 0, ruleListed: 0, ruleFound: 0 };
      sc.n++;
      sc.pos += y[i];
      sc.listed += l.listed[i];
      sc.found += l.listed[i] & y[i];
      sc.ruleListed += byStreak[i];
      sc.ruleFound += byStreak[i] & y[i];
      schools.set(schoolOf[s], sc);
      for (const attribute of AUDITED) {
        const key = `${attribute}\u0001${values[attribute](s)}`;
        const c = cells.get(key) ?? { n: 0, pos: 0, flagged: 0, tp: 0, fp: 0, who: new Set<number>() };
        c.n++;
        c.pos += y[i];
        if (y[i]) c.who.add(s);
        c.flagged += l.listed[i];
        c.tp += l.listed[i] & y[i];
        c.fp += l.listed[i] & (1 - y[i]);
        cells.set(key, c);
      }
      all.risk.push(l.risk[i]);
      all.y.push(y[i]);
    }
    all.n += l.students.length;
    all.pos += pos;
    all.listed += counts.listed;
    all.found += counts.found;
    for (const k of [0, 1]) {
      all.streak[k] += counts.streak[k];
      all.rate[k] += counts.rate[k];
    }
    weeks.push({
      as_of: formatDay(l.asOf),
      model_id: l.modelId,
      n: l.students.length,
      dropouts: pos,
      model: atList(counts.listed, counts.found, pos),
      rules: { unexcused_streak: atList(counts.streak[0], counts.streak[1], pos), school_rate: atList(counts.rate[0], counts.rate[1], pos) },
      auc: auc(l.risk, y),
      ece: reliability(l.risk, y).ece,
    });
  }

  const groups = AUDITED.flatMap((attribute) =>
    judgeGroups(
      attribute,
      [...cells].filter(([k]) => k.startsWith(`${attribute}\u0001`)).map(([k, { who, ...c }]) => ({ value: k.split('\u0001')[1], ...c, leavers: who.size })),
    ),
  );
  const first = judged[0]?.asOf ?? 0;
  const last = judged.at(-1)?.asOf ?? 0;
  return {
    horizon_days: horizonDays,
    weeks,
    pending,
    overall: {
      n: all.n,
      dropouts: all.pos,
      model: atList(all.listed, all.found, all.pos),
      rules: { unexcused_streak: atList(all.streak[0], all.streak[1], all.pos), school_rate: atList(all.rate[0], all.rate[1], all.pos) },
      auc: auc(all.risk, all.y),
      ece: reliability(all.risk, all.y).ece,
    },
    lead_time: judged.length
      ? { model: leadTime(p, firstListed, first, last + horizonDays), unexcused_streak: leadTime(p, firstRuleListed, first, last + horizonDays) }
      : { model: leadTime(p, new Map(), 1, 0), unexcused_streak: leadTime(p, new Map(), 1, 0) },
    by_school: [...schools]
      .map(([school, c]) => ({
        school_id: d.roster.schools[school],
        n: c.n,
        dropouts: c.pos,
        model: atList(c.listed, c.found, c.pos),
        unexcused_streak: atList(c.ruleListed, c.ruleFound, c.pos),
      }))
      .sort((a, b) => a.school_id.localeCompare(b.school_id)),
    fairness: { groups, passes: !groups.some((g) => g.fails) },
  };
}

/** Students who left in (from, to], and how long before leaving each was first listed (within a year). */
function leadTime(p: Prepared, first: ReadonlyMap<number, Day>, from: Day, to: Day): LeadTime {
  const o = p.district.outcomes;
  const leads: number[] = [];
  let leavers = 0;
  if (o) {
    const s = o.int32('student_id');
    const day = o.int32('date');
    const kind = o.uint8('outcome');
    const seen = new Set<number>();
    for (let i = 0; i < o.length; i++) {
      if (kind[i] !== DROPPED || day[i] <= from || day[i] > to || seen.has(s[i])) continue;
      seen.add(s[i]);
      leavers++;
      const listed = first.get(s[i]);
      if (listed !== undefined && listed < day[i] && day[i] - listed <= 365) leads.push((day[i] - listed) / 7);
    }
  }
  return {
    leavers,
    listed_before: leads.length,
    share_listed_before: leavers > 0 ? leads.length / leavers : Number.NaN,
    median_weeks: leads.length > 0 ? median(leads) : Number.NaN,
  };
}
