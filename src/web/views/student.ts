import { NOTE_MAX, type Contact, type Procedure, type ProcedureRow, type Step } from '../../followup/index.js';
import { EVENT_TEXT, PROGRAM_TEXT } from '../../features/index.js';
import { screeningText, TIER_DEFAULTS } from '../../scoring/index.js';
import type { Account } from '../accounts.js';
import type { ScoreRow } from '../queries.js';
import { CASE_STATUS_TEXT, CAUSE_TEXT, KIND_TEXT, STEP_TEXT } from './case-text.js';
import { absenceChart, riskChart, standingChart } from './charts.js';
import { riskExplained, TIER_TEXT } from './lists.js';
import { beijingTime, esc, pct, ROLE_TEXT, shell } from './shell.js';

export interface CaseView {
  id: number;
  cause: string;
  status: string;
  opened_at: Date;
  closed_at: Date | null;
  assigned_to: string | null;
  steps: { step: string; kind: string | null; by_staff: string; at: Date; to_status: string; note?: string | null }[];
}

export interface StudentFile {
  score: ScoreRow;
  contact: Contact | null;
  history: { as_of: string; risk: number; tier: string }[];
  cases: CaseView[];
  colleagues: Account[];
  horizonDays: number | null;
  /** Staff as pages name them (display names). */
  staff: ReadonlyMap<string, { name: string }>;
  /** The steps each status takes (case_procedure). */
  procedure: Procedure;
}

const isPsych = (a: Account) => a.role === 'psychologist' || a.role === 'counsellor';

/** Kinds of a step this account may record: counselling is the psychologists' own. */
export function kindsFor(a: Account, kinds: readonly string[]): readonly string[] {
  return kinds.filter((k) => k !== 'counselling' || isPsych(a));
}

/** May this account record this kind? Counselling is recorded by psychologists only. */
export const mayRecordKind = (a: Account, kind: string | undefined) => kind !== 'counselling' || isPsych(a);

function stepForm(a: Account, c: CaseView, row: ProcedureRow, csrf: string, today: string): string {
  const step = row.step;
  const kinds = kindsFor(a, row.kinds);
  const kindSelect =
    kinds.length > 0
      ? `<label>方式<select name="kind" required>${kinds.map((k) => `<option value="${k}">${esc(KIND_TEXT[k] ?? k)}</option>`).join('')}</select></label>`
      : '';
  const text = row.step_zh || STEP_TEXT[step as Step] || step;
  return `<details><summary class="button plain">${esc(text)}</summary><form class="row" method="post" action="/alerts/${c.id}/steps">
<input type="hidden" name="_csrf" value="${esc(csrf)}"><input type="hidden" name="step" value="${step}">${kindSelect}
<label>日期<input type="date" name="done_on" value="${today}" max="${today}"></label>
<label>${row.note_required ? '说明（必填：做了什么，或调查记录）' : '备注（仅有权查看本生的老师可见）'}<textarea name="note" maxlength="${NOTE_MAX}" rows="2"${row.note_required ? ' required' : ''}></textarea></label><button>记录“${esc(text)}”</button></form></details>`;
}

function caseSection(a: Account, f: StudentFile, c: CaseView, csrf: string): string {
  const psych = isPsych(a);
  const today = beijingTime(new Date()).slice(0, 10);
  const steps = c.steps
    .map((st) => {
      const when = `<time>${beijingTime(new Date(st.at))}</time> ${esc(f.staff.get(st.by_staff)?.name ?? st.by_staff)}：`;
      // A counselling session is confidential to psychologists: others see that it happened, not what was said.
      if (st.kind === 'counselling' && !psych) return `<li>${when}心理辅导（内容仅心理老师可见）</li>`;
      return `<li>${when}${esc(f.procedure.stepText(st.step) ?? STEP_TEXT[st.step as Step] ?? st.step)}${st.kind ? `（${esc(KIND_TEXT[st.kind] ?? st.kind)}）` : ''}${
        st.note ? `<p class="note">${esc(st.note)}</p>` : ''
      }</li>`;
    })
    .join('');
  const next = f.procedure.allowed(c.status, c.cause).filter((r) => kindsFor(a, r.kinds).length > 0 || r.kinds.length === 0);
  const handOff =
    c.closed_at === null && f.colleagues.length > 0
      ? `<details><summary class="button plain">转交同事</summary><form class="row" method="post" action="/alerts/${c.id}/assign"><input type="hidden" name="_csrf" value="${esc(
          csrf,
        )}"><label>转交给<select name="to">${f.colleagues
          .filter((s) => s.staff_id !== a.staff_id)
          .map((s) => `<option value="${esc(s.staff_id)}">${esc(s.display_name || s.staff_id)}（${ROLE_TEXT[s.role]}）</option>`)
          .join('')}</select></label><button>转交</button></form></details>`
      : '';
  return `<section class="card"><h3>个案 #${c.id}（${esc(CAUSE_TEXT[c.cause] ?? c.cause)}）：${esc(CASE_STATUS_TEXT[c.status] ?? c.status)}</h3>
<p class="muted">建立于 ${beijingTime(new Date(c.opened_at))}${c.assigned_to ? ` · 负责人 ${esc(f.staff.get(c.assigned_to)?.name ?? c.assigned_to)}` : ''}</p><ol class="timeline">${steps || '<li class="muted">尚无记录</li>'}</ol>
<div class="steps no-print">${next.map((r) => stepForm(a, c, r, csrf, today)).join('')}${handOff}</div></section>`;
}

const AID_STATUS: Record<string, string> = { applied: '申请', granted: '获得', stopped: '停发', rejected: '未获批' };
const SEVERITY = ['', '（轻）', '（中）', '（重）'];

/**
 * One timeline, newest first: family events, aid granted and stopped, the weeks the student came onto
 * (or rose on) the list, and every case opened and step taken: the 一人一档's 大事记.
 */
export function timeline(a: Account, f: StudentFile): { date: string; text: string; kind: string }[] {
  const items: { date: string; text: string; kind: string }[] = [];
  const r = f.score.details.records;
  for (const e of r?.events ?? [])
    items.push({ date: e.date, kind: '家庭', text: `${EVENT_TEXT[e.event as keyof typeof EVENT_TEXT]?.zh ?? e.event}${SEVERITY[e.severity ?? 0] ?? ''}` });
  for (const x of r?.aid ?? []) {
    const program = PROGRAM_TEXT[x.program as keyof typeof PROGRAM_TEXT]?.zh ?? x.program;
    items.push({ date: x.from, kind: '资助', text: `${AID_STATUS[x.status] ?? x.status}${program}` });
    if (x.to && x.status === 'granted') items.push({ date: x.to, kind: '资助', text: `${program}到期或停止` });
  }
  if (isPsych(a))
    for (const x of r?.screenings ?? []) items.push({ date: x.date, kind: '心理筛查', text: `${x.instrument}：${x.flagged ? '预警' : '未预警'}` });
  let before = 'low';
  const level: Record<string, number> = { low: 0, medium: 1, high: 2 };
  for (const h of f.history) {
    if ((level[h.tier] ?? 0) > (level[before] ?? 0))
      items.push({ date: h.as_of, kind: '名单', text: `列入“${TIER_TEXT[h.tier as keyof typeof TIER_TEXT]}”，风险 ${pct(h.risk)}` });
    before = h.tier;
  }
  for (const c of f.cases) {
    items.push({ date: beijingTime(new Date(c.opened_at)).slice(0, 10), kind: '个案', text: `建立个案 #${c.id}（${CAUSE_TEXT[c.cause] ?? c.cause}）` });
    for (const st of c.steps) {
      const hidden = st.kind === 'counselling' && !isPsych(a);
      items.push({
        date: beijingTime(new Date(st.at)).slice(0, 10),
        kind: '跟进',
        text: hidden
          ? '心理辅导'
          : `${f.procedure.stepText(st.step) ?? STEP_TEXT[st.step as Step] ?? st.step}${st.kind ? `（${KIND_TEXT[st.kind] ?? st.kind}）` : ''}`,
      });
    }
  }
  return items.sort((x, y) => y.date.localeCompare(x.date));
}

/** The 一人一档 file: who, whom to call, why, how it has moved week by week, and every step taken. */
export function studentPage(a: Account, f: StudentFile, csrf: string): string {
  const s = f.score;
  const psych = isPsych(a);
  const reasons = s.reasons
    .filter((r) => r.audience === 'all' || psych)
    .map((r) => `<li>${esc(r.zh)}</li>`)
    .join('');
  const contact = f.contact
    ? `<p class="contact">${f.contact.guardian_name ? `监护人：${esc(f.contact.guardian_name)} ` : ''}${
        f.contact.guardian_phone ? `<a href="tel:${esc(f.contact.guardian_phone.replace(/[^\d+]/g, ''))}">${esc(f.contact.guardian_phone)}</a>` : ''
      }</p>`
    : '<p class="muted">学籍名单中没有监护人联系方式。</p>';
  const wellbeing = psych
    ? `<h2>心理筛查</h2><p>${s.details.acute.wellbeing_flagged ? `<b>${esc(screeningText(s.details.acute))}</b>` : esc(screeningText(s.details.acute))}</p>`
    : '';
  const title = f.contact?.name ? `${f.contact.name}（${s.student_id}）` : `学生 ${s.student_id}`;
  // One case at a time is what a teacher works: a student with an open case takes the next step in it.
  const anyOpen = f.cases.some((c) => c.closed_at === null);
  const events = timeline(a, f);
  const z = s.details.canteen_z;
  const canteen =
    z !== undefined && z <= -1.5
      ? `<p class="note">食堂消费明显低于同校寄宿生（低 ${Math.abs(z).toFixed(1)} 个标准差）：可能有未申请的生活困难，可与资助老师核实。</p>`
      : '';
  return shell(
    a,
    title,
    `<section class="card"><p>${esc(s.class_id)} · <span class="tier-${s.tier}">${TIER_TEXT[s.tier]}</span> · 风险 ${pct(s.risk)}（截至 ${esc(s.as_of)}）</p>${contact}
${s.details.acute.family_severe ? `<p class="urgent">近期重大家庭变故：${esc(s.details.acute.family_severe.zh)}</p>` : ''}</section>${riskExplained(f.horizonDays)}
<h2>原因（可以着手的）</h2><ul>${reasons || '<li>没有单项突出的原因</li>'}</ul>${
      s.context.length ? `<p class="muted">背景情况（仅供参考，不是列入原因）：${esc(s.context.map((x) => x.zh).join('；'))}</p>` : ''
    }${wellbeing}
<h2>大事记</h2>${
      events.length
        ? `<ol class="timeline">${events.map((e) => `<li><time>${esc(e.date)}</time> <b>${esc(e.kind)}</b> ${esc(e.text)}</li>`).join('')}</ol>`
        : '<p class="muted">近一年没有家庭变故、资助变化或跟进记录。</p>'
    }${canteen}
<h2>每周风险</h2>${riskChart(f.history, { high: TIER_DEFAULTS.highFloor, medium: TIER_DEFAULTS.mediumFloor })}
<h2>考勤</h2>${absenceChart(s.as_of, s.details.weekly_unexcused)}
<h2>成绩</h2>${standingChart(s.details.exam_standing)}
<h2>跟进记录</h2>${f.cases.map((c) => caseSection(a, f, c, csrf)).join('') || '<p>暂无个案。</p>'}
${
  anyOpen
    ? ''
    : `<form class="row no-print" method="post" action="/students/${encodeURIComponent(s.student_id)}/cases"><input type="hidden" name="_csrf" value="${esc(csrf)}"><button>为该生新建个案</button></form>`
}<p class="muted no-print">打印本页即为该生的一人一档（导航和表单不会打印）。</p>`,
  );
}
