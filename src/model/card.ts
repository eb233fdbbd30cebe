import { FEATURES } from '../features/index.js';
import type { ModelMeta } from './registry.js';

function kindText(meta: ModelMeta): string {
  if (meta.kind === 'blend') {
    const t = meta.hyper.trees as Record<string, unknown>;
    return `blend: the logits of a logistic regression (fitted by Newton's method) and of gradient-boosted trees (${t.trees_kept} of depth ${t.maxDepth}) averaged`;
  }
  if (meta.kind === 'gbt')
    return `gradient-boosted trees (${meta.hyper.trees_kept} trees of depth ${meta.hyper.maxDepth}, as many as validation log-loss kept improving)`;
  const net =
    meta.kind === 'mlp'
      ? `multi-layer perceptron (${meta.hyper.hidden?.join('-')} ReLU units)`
      : meta.hyper.method === 'newton'
        ? `logistic regression fitted to its optimum by Newton's method (ridge ${meta.hyper.ridge})`
        : 'L2-regularised logistic regression';
  return `${net}, TensorFlow.js (${meta.backend} backend)`;
}

function leftOutText(meta: ModelMeta): string {
  const out = meta.left_out ?? [];
  if (out.length === 0) return '\nEvery registered feature varied on the training examples; none was left out.';
  return `\nLeft out (the district's data gave them nothing to learn from):\n${out.map((l) => `- \`${l.feature}\` — ${l.reason}`).join('\n')}`;
}

function bySchoolText(meta: ModelMeta): string {
  const rows = Object.entries(meta.metrics.by_school ?? {});
  if (rows.length === 0) return '';
  const worst = [...rows].sort((a, b) => b[1].ece - a[1].ece).slice(0, 10);
  return `
### Calibration by school (test block; the ${worst.length} with the largest error)
Each school's dropout rate over the year before the as-of date is an input (\`school_dropout_rate\`), so a
school whose rate differs from the district's gets its own intercept from what was known then.

| school | examples | dropouts | mean risk | observed | ECE |
|---|---|---|---|---|---|
${worst.map(([s, c]) => `| ${s} | ${c.n} | ${c.positives} | ${f3(c.mean_predicted)} | ${f3(c.observed)} | ${f3(c.ece)} |`).join('\n')}
`;
}

function knowledgeText(meta: ModelMeta): string {
  return meta.knowledge === 'as known on each example date'
    ? "each example's features from what the kept history held on its date (rows entered late and corrections made later left out), as the weekly run then saw them; labels from what is known now."
    : "each example's features from every row dated on or before its date, as known when the model was trained: corrections and rows entered late are seen as if they had been there on time (hindsight), so the figures may be kinder than a live run's.";
}

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : v === Number.POSITIVE_INFINITY ? '∞' : 'n/a');

function policyText(meta: ModelMeta): string {
  const p = meta.policy;
  if (!p) return 'Not recorded (trained before feature policies): circumstances may be among its inputs.';
  const cost =
    p.auc_with_circumstances === null || p.auc_cost === null
      ? ''
      : ` With them in, the same candidates reached test AUC ${f3(p.auc_with_circumstances)} (this model ${f3(p.auc)}): the policy ${
          p.auc_cost >= 0 ? `cost ${f3(p.auc_cost)}` : `gained ${f3(-p.auc_cost)}`
        } of AUC; their worst group was ×${f3(p.worst_disparity_with_circumstances ?? Number.NaN)} from parity.`;
  return p.name === 'behaviour'
    ? `**behaviour**: circumstances — who a student is — are not inputs (${p.left_out.map((f) => `\`${f}\``).join(', ') || 'none varied'}); the score rests on attendance, grades, family events, aid, screenings, spending and the school's context.${cost}`
    : "**all**: circumstances (hukou, left-behind, orphan, single parent, disability, boarder) are inputs beside behaviours and events, by the analyst's choice (`ews train --policy all`).";
}

function mitigationText(meta: ModelMeta): string {
  const m = meta.mitigation;
  if (!m) return '';
  const offsets = meta.offsets?.length
    ? `\nIts per-group offsets (added to the logit before calibration; a group never becomes a reason): ${meta.offsets
        .map((o) => `\`${o.feature}=${o.value}\` ${o.logit > 0 ? '+' : ''}${o.logit}`)
        .join(', ')}.`
    : '';
  return `
### Mitigation (chosen by validation)
Chosen: **${m.chosen}** (${m.kind}). Rule: ${m.rule}. Each option on the validation block (where it was chosen) and the test block (where it is judged); worst = the group furthest from parity, either way.

| candidate | mitigation | val AUC | val groups failing (outside band) | val worst | test AUC | test PR-AUC | test worst | test audit |
|---|---|---|---|---|---|---|---|---|
${m.tried
  .map(
    (t) =>
      `| ${t.chosen ? `**${t.kind}**` : t.kind} | ${t.mitigation}${t.chosen ? ' ✓' : ''} | ${f3(t.val_auc)} | ${t.val_failing ?? '?'} (${t.val_outside_band}) | ×${f3(t.val_worst_disparity)} | ${f3(t.test_auc)} | ${f3(t.test_pr_auc)} | ×${f3(t.test_worst_disparity)} | ${t.test_passes ? 'passes' : 'fails'} |`,
  )
  .join('\n')}
${offsets}`;
}

/** The model card: what the model is for, what it must not be used for, how well it did, where it is blind. */
export function modelCard(meta: ModelMeta): string {
  const t = meta.metrics.test;
  const rows = Object.entries(meta.metrics.baselines)
    .map(([name, m]) => `| ${name} | ${f3(m.auc)} | ${f3(m.pr_auc)} | ${f3(m.precision_at_10pct)} | ${f3(m.recall_at_10pct)} |`)
    .join('\n');
  const used = new Set(meta.features);
  return `# Model card: ${meta.id}

- **Kind**: ${kindText(meta)}, Platt-calibrated.
- **Predicts**: the probability that a student on the roll drops out within ${meta.horizon_days} days of the as-of date.
- **Trained** ${meta.created_at.slice(0, 10)} from data dated on or before ${meta.as_of}; seed ${meta.seed}; data fingerprint \`${meta.fingerprint.slice(0, 16)}…\`.
- **Knowledge**: ${knowledgeText(meta)}
- **Examples**: weekly as-of dates — training ${meta.window.train[0]} … ${meta.window.train.at(-1)}, validation ${meta.window.validation[0]} … ${meta.window.validation.at(-1)}, test ${meta.window.test[0]} … ${meta.window.test.at(-1)}${meta.window.gap_relaxed ? ' (too little history to keep a full horizon between training and validation)' : ''}.

## What it is for
Ranking the students of a class or school by risk each week, so head teachers and psychologists
know whom to talk to first, with the reasons the model saw. A list is a prompt for a conversation.

## What it must not be used for
- Any decision about a student without a person's follow-up: admission, discipline, aid withdrawal.
- Lists shown to students or posted publicly; labels a student could see.
- Judging teachers or schools by their students' scores.
- Students outside the population it was trained on (other regions, other school stages) without re-evaluation.

## How well it did (temporal hold-out, ${t.n} examples, ${t.positives} dropouts)
| | AUC | PR-AUC | precision@10% | recall@10% |
|---|---|---|---|---|
| **this model** | ${f3(t.auc)} | ${f3(t.pr_auc)} | ${f3(t.precision_at_10pct)} | ${f3(t.recall_at_10pct)} |
${rows}

Brier score ${f3(t.brier)}; expected calibration error ${f3(meta.metrics.reliability.ece)} over deciles.
${bySchoolText(meta)}

## Fairness (hold-out, top ${meta.fairness?.k ?? 3} of a class)
${
  meta.fairness
    ? `${meta.fairness.passes ? 'Passes' : '**Fails**'}: recall of each group over the largest group's, band 0.8–1.25. A group fails (⚠) outside the band when its 95% bootstrap interval excludes parity; outside the band within its interval it is marked (~) and watched; groups where fewer than 5 students left are not judged, and intervals count students who left, not their weeks; intersections are reported, not judged.

| attribute | group | n | dropouts (students) | flagged | recall | disparity | 95% interval |
|---|---|---|---|---|---|---|---|
${meta.fairness.groups
  .map(
    (g) =>
      `| ${g.attribute} | ${g.value} | ${g.n} | ${g.positives} (${g.leavers ?? '?'}) | ${g.flagged} | ${f3(g.recall)} | ${f3(g.recall_disparity)}${g.fails ? ' ⚠' : g.outside_band ? ' ~' : ''} | ${
        g.recall_disparity_ci ? `${f3(g.recall_disparity_ci[0])}–${f3(g.recall_disparity_ci[1])}` : g.too_few_positives ? 'too few to judge' : ''
      } |`,
  )
  .join('\n')}`
    : 'Not audited.'
}
${mitigationText(meta)}
## Feature policy
${policyText(meta)}

## Inputs
${FEATURES.filter((f) => used.has(f.name))
  .map((f) => `- \`${f.name}\` — ${f.description} (${f.unit})`)
  .join('\n')}

Missing data is modelled, not read as zero: \`att_missing\`, \`grade_missing\`, \`wellbeing_missing\` and
\`meal_missing\` say where a source has nothing for a student, and the features they cover read 0 there.
${leftOutText(meta)}

Gender and ethnic minority status are never inputs; they are kept only for the fairness audit.

## Known blind spots
- It sees only what schools record: a student whose family trouble is unrecorded looks fine until attendance moves.
- Students with no canteen card or no screening are scored from fewer signals (the *_missing features say so).
- Dropout labels come from recorded outcomes; an unrecorded departure teaches the model that the student stayed.
- Students who were helped after an alert and stayed are labelled as staying: retraining on treated students
  can teach the model that their signals are harmless. With \`ews train --followup\`, examples of a student from
  the day help began are left out (${meta.treated_examples_excluded ?? 0} here).
`;
}
