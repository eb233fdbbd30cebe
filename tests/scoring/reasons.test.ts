import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, FeatureMatrix } from '../../src/features/index.js';
import type { ScoringModel } from '../../src/model/index.js';
import { circumstancesOf, reasonsFor, renderStored, storedReason, visibleTo } from '../../src/scoring/index.js';

/** A linear model with chosen weights on standardised features (mean 0, sd 1). */
function linear(weights: Record<string, number>): ScoringModel {
  const w = FEATURE_NAMES.length;
  const kernel = new Float32Array(w);
  for (const [name, v] of Object.entries(weights)) kernel[FEATURE_NAMES.indexOf(name)] = v;
  return {
    kind: 'logistic',
    features: [...FEATURE_NAMES],
    standardiser: { mean: new Array(w).fill(0), sd: new Array(w).fill(1) },
    calibration: { a: 1, b: 0 },
    net: [{ inputs: w, units: 1, kernel, bias: new Float32Array(1), relu: false }],
  };
}

function matrix(values: Record<string, number>): FeatureMatrix {
  const m = new FeatureMatrix(0, Int32Array.of(0));
  for (const [name, v] of Object.entries(values)) m.column(name)(0, v);
  return m;
}

describe('reasons', () => {
  it('lists the strongest pushes first, in Chinese and English', () => {
    const model = linear({ att_unexcused_days_4w: 0.5, family_recent_severe: 2, grade_failing_subjects: 0.2 });
    const m = matrix({ att_unexcused_days_4w: 5, family_recent_severe: 1, grade_failing_subjects: 3 });
    m.setDetail('family_recent_severe', 0, { zh: '父母重病（3周前）', en: 'a parent seriously ill (3 weeks ago)' });
    const r = reasonsFor(model, m, 0);
    expect(r.map((x) => x.code)).toEqual(['att_unexcused_days_4w', 'family_recent_severe', 'grade_failing_subjects']);
    expect(r[0].zh).toBe('近4周无故缺勤5天');
    expect(r[1].zh).toBe('近4周发生重大家庭变故：父母重病（3周前）');
    expect(r[2].en).toBe('failed 3 subjects at the latest exam');
  });

  it('keeps codes and values that render back to the very words scoring gave', () => {
    const model = linear({ att_unexcused_rate_2w: 1, family_recent_severe: 2, grade_change_prev: -0.5 });
    // Feature values are float32: 0.145 is kept as 0.14499999582…, which the words round to 14%.
    const m = matrix({ att_unexcused_rate_2w: 0.145, family_recent_severe: 1, grade_change_prev: -0.35 });
    m.setDetail('family_recent_severe', 0, { zh: '父母重病（3周前）', en: 'a parent seriously ill (3 weeks ago)' });
    const r = reasonsFor(model, m, 0);
    expect(r.map((x) => x.code)).toEqual(['family_recent_severe', 'grade_change_prev', 'att_unexcused_rate_2w']);
    expect(r[2].zh).toBe('近2周无故缺勤占14%');
    const kept = JSON.parse(JSON.stringify(r.map(storedReason)));
    expect(JSON.stringify(kept)).not.toContain('近'); // no words kept, only codes, values and the event's detail
    expect(renderStored(kept)).toEqual(r.map((x) => ({ ...x, weight: Math.round(x.weight * 1000) / 1000 })));
    // Rows kept before codes were stored hold the words and read as they are; a code no longer registered is dropped.
    expect(renderStored([r[0], ['no_such_feature', 1, 1]])).toEqual([r[0]]);
  });

  it('never gives a reason the value contradicts, or one that must not be shown', () => {
    // A positive push from a grade *rise* must not read as "grades fell"; disability never shows.
    const model = linear({ grade_change_prev: 1, disability: 3, rural_hukou: 3 });
    const m = matrix({ grade_change_prev: 1.5, disability: 1, rural_hukou: 1 });
    expect(reasonsFor(model, m, 0)).toEqual([]);
  });

  it('never gives a circumstance as a reason, and gives the circumstances that hold as context apart', () => {
    // The model leans on who the student is: left behind and an orphan outweigh three unexcused days.
    const model = linear({ left_behind: 3, orphan: 2, single_parent: 2, att_unexcused_days_4w: 0.2 });
    const m = matrix({ left_behind: 1, orphan: 1, single_parent: 0, att_unexcused_days_4w: 3 });
    expect(reasonsFor(model, m, 0).map((r) => r.code)).toEqual(['att_unexcused_days_4w']);
    expect(circumstancesOf(m, 0).map((r) => [r.code, r.zh])).toEqual([
      ['left_behind', '留守儿童'],
      ['orphan', '孤儿或事实无人抚养'],
    ]);
    // Scores recorded when circumstances were still reasons no longer show them as reasons.
    expect(
      renderStored([
        ['left_behind', 3, 1],
        ['att_unexcused_days_4w', 0.6, 3],
      ]).map((r) => r.code),
    ).toEqual(['att_unexcused_days_4w']);
  });

  it('shows wellbeing reasons to psychologists only', () => {
    const model = linear({ wellbeing_flagged: 2, att_unexcused_streak: 0.5 });
    const m = matrix({ wellbeing_flagged: 1, att_unexcused_streak: 3 });
    const all = reasonsFor(model, m, 0);
    expect(visibleTo(all, 'psychologist').map((r) => r.code)).toEqual(['wellbeing_flagged', 'att_unexcused_streak']);
    expect(visibleTo(all, 'head_teacher').map((r) => r.code)).toEqual(['att_unexcused_streak']);
  });

  it('gives no feature for gender or ethnicity to speak from', () => {
    expect(FEATURE_NAMES.filter((n) => /gender|ethnic|minority/.test(n))).toEqual([]);
  });
});
