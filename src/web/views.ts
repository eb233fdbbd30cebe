import { esc, page, sparkline } from '../alerts/html.js';
import { TEXT } from '../alerts/i18n.js';
import { allowedSteps, NOTE_MAX, STEPS, type CaseCause, type CaseStatus, type Step } from '../followup/index.js';
import { isAcute, screeningText } from '../scoring/index.js';
import type { Account } from './accounts.js';
import type { ScoreRow } from './queries.js';

const TIER = { high: '重点关注', medium: '留意', low: '一般' } as const;
const STEP_TEXT: Record<Step, string> = {
  acknowledge: '确认收到',
  contact: '联系',
  intervene: '帮扶措施',
  resolve: '结案',
  persuade_visit: '劝返家访',
  return_notice: '发复学通知',
  escalate_township: '报乡镇',
  returned: '已返校',
  left: '已离校',
  reopen: '重新打开',
};
const CAUSE_TEXT: Record<string, string> = { weekly_list: '周名单', absence_streak: '连续无故缺勤', severe_event: '重大家庭变故', by_hand: '手动新建' };
const STATUS_TEXT: Record<CaseStatus, string> = {
  new: '新个案',
  acknowledged: '已确认',
  contacted: '已联系',
  intervention: '帮扶中',
  home_visit: '劝返家访中',
  return_notice: '已发复学通知',
  escalated: '已报乡镇',
  resolved: '已结案',
  returned: '已返校',
  left: '已离校',
};
const KIND_TEXT: Record<string, string> = {
  talk: '谈话',
  home_visit: '家访',
  parents_called: '电话联系家长',
  tutoring: '学业辅导',
  subsidy_applied: '申请资助',
  psychologist_referral: '转介心理老师',
  counselling: '心理辅导',
  other: '其他',
  dropped_out: '辍学',
  transferred: '转学',
};
const pct = (v: number) => (v < 0.001 ? '<0.1%' : `${(v * 100).toFixed(1)}%`);

function shell(a: Account | null, title: string, body: string): string {
  const nav = a
    ? `<nav>${esc(a.staff_id)}（${esc(a.role)}） · <form method="post" action="/logout" style="display:inline"><button>退出</button></form></nav>`
    : '';
  return page('zh-CN', title, `${nav}<h1>${esc(title)}</h1>${body}`);
}

export function loginPage(error?: string, next?: string): string {
  return shell(
    null,
    '登录',
    `${error ? `<p class="note">${esc(error)}</p>` : ''}<form method="post" action="/login">${next ? `<input type="hidden" name="next" value="${esc(next)}">` : ''}
<label>工号 <input name="staff_id" autocomplete="username" required></label>
<label>密码 <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">登录</button></form>`,
  );
}

export function classListPage(a: Account, rows: ScoreRow[]): string {
  const listed = rows.filter((r) => r.tier !== 'low');
  const body = listed.length
    ? `<table><tr><th>班级</th><th>排名</th><th>学生编号</th><th>关注等级</th><th>风险</th><th>主要原因</th></tr>${listed
        .map(
          (r) =>
            `<tr><td>${esc(r.class_id)}</td><td>${r.rank_in_class}</td><td><a href="/students/${encodeURIComponent(r.student_id)}">${esc(r.student_id)}</a></td><td><span class="tier-${r.tier}">${TIER[r.tier]}</span></td><td>${pct(r.risk)}</td><td>${esc(
              r.reasons
                .filter((x) => x.audience === 'all')
                .map((x) => x.zh)
                .join('；'),
            )}</td></tr>`,
        )
        .join('')}</table>`
    : '<p>本周班级内没有需要重点关注的学生。</p>';
  return shell(a, `本班学生关注名单（${rows[0]?.as_of ?? '暂无'}）`, `<p class="note">本名单仅供跟进使用：请勿公开、张贴或告知学生本人。</p>${body}`);
}

export function triagePage(a: Account, rows: ScoreRow[]): string {
  const acute = (r: ScoreRow) => isAcute(r.details.acute);
  const level = { high: 2, medium: 1, low: 0 };
  // The same urgency rule as the triage file: urgent first, then tier, then risk.
  const listed = rows
    .filter((r) => r.tier !== 'low' || acute(r))
    .sort((x, y) => Number(acute(y)) - Number(acute(x)) || level[y.tier] - level[x.tier] || y.risk - x.risk);
  return shell(
    a,
    `心理辅导优先名单（${rows[0]?.as_of ?? '暂无'}）`,
    `<p>${esc(TEXT['zh-CN'].acuteFirst)}</p><table><tr><th>学生编号</th><th>班级</th><th>关注等级</th><th>风险</th><th>心理筛查</th><th>家庭变故</th><th>原因</th></tr>${listed
      .map(
        (r) =>
          `<tr><td><a href="/students/${encodeURIComponent(r.student_id)}">${esc(r.student_id)}</a></td><td>${esc(r.class_id)}</td><td>${TIER[r.tier]}</td><td>${pct(r.risk)}</td><td>${r.details.acute.wellbeing_flagged ? `<b>${esc(screeningText(r.details.acute))}</b>` : esc(screeningText(r.details.acute))}</td><td>${esc(r.details.acute.family_severe?.zh ?? '')}</td><td>${esc(
            r.reasons.map((x) => x.zh).join('；'),
          )}</td></tr>`,
      )
      .join('')}</table>`,
  );
}

export interface CaseView {
  id: number;
  cause: string;
  status: string;
  opened_at: Date;
  closed_at: Date | null;
  steps: { step: string; kind: string | null; by_staff: string; at: Date; to_status: string; note?: string | null }[];
}

export function studentPage(a: Account, s: ScoreRow, cases: CaseView[], csrf: string): string {
  const psych = a.role === 'psychologist' || a.role === 'counsellor';
  const reasons = s.reasons
    .filter((r) => r.audience === 'all' || psych)
    .map((r) => `<li>${esc(r.zh)}</li>`)
    .join('');
  const wellbeing = psych
    ? `<h2>心理筛查</h2><p>${s.details.acute.wellbeing_flagged ? `<b>${esc(screeningText(s.details.acute))}</b>` : esc(screeningText(s.details.acute))}</p>`
    : '';
  const caseHtml = cases
    .map((c) => {
      const steps = c.steps
        .map((st) =>
          // A counselling session is confidential to psychologists: others see that it happened, not what was said.
          st.kind === 'counselling' && !psych
            ? `<li>${beijingTime(new Date(st.at))} ${esc(st.by_staff)}：心理辅导（内容仅心理老师可见）</li>`
            : `<li>${beijingTime(new Date(st.at))} ${esc(st.by_staff)}：${esc(STEP_TEXT[st.step as Step] ?? st.step)}${st.kind ? `（${esc(KIND_TEXT[st.kind] ?? st.kind)}）` : ''}${st.note ? `<p class="note">${esc(st.note)}</p>` : ''}</li>`,
        )
        .join('');
      // Open cases take their next steps; a resolved one can be reopened; a return or a departure is final.
      const next = allowedSteps(c.status as CaseStatus, c.cause as CaseCause);
      const form =
        next.length > 0
          ? `<form method="post" action="/alerts/${c.id}/steps"><input type="hidden" name="_csrf" value="${esc(csrf)}">
<select name="step" aria-label="步骤">${next.map((st) => `<option value="${st}">${STEP_TEXT[st]}</option>`).join('')}</select>
<select name="kind" aria-label="方式"><option value="">—</option>${next
              .filter((st) => STEPS[st].kinds.length > 0)
              .map(
                (st) =>
                  `<optgroup label="${esc(STEP_TEXT[st])}">${STEPS[st].kinds.map((k) => `<option value="${k}">${KIND_TEXT[k]}</option>`).join('')}</optgroup>`,
              )
              .join('')}</select>
<label>日期 <input type="date" name="done_on" value="${beijingTime(new Date()).slice(0, 10)}" max="${beijingTime(new Date()).slice(0, 10)}"></label>
<input name="note" placeholder="备注（仅本案卷可见）" maxlength="${NOTE_MAX}"><button type="submit">记录</button></form>`
          : '';
      return `<section><h3>个案 #${c.id}（${esc(CAUSE_TEXT[c.cause] ?? c.cause)}，状态：${esc(STATUS_TEXT[c.status as CaseStatus] ?? c.status)}）</h3><ol>${steps}</ol>${form}</section>`;
    })
    .join('');
  return shell(
    a,
    `学生 ${s.student_id}`,
    `<p>${esc(s.class_id)} · <span class="tier-${s.tier}">${TIER[s.tier]}</span> · 风险 ${pct(s.risk)}（截至 ${esc(s.as_of)}）</p>
<h2>原因</h2><ul>${reasons}</ul>
<h2>趋势</h2><p>近8周无故缺勤 ${sparkline(s.details.weekly_unexcused, 0, 1, '近8周无故缺勤')} 近4次考试排位 ${sparkline(s.details.exam_standing, -2.5, 2.5, '近4次考试排位')}</p>
${wellbeing}<h2>跟进记录</h2>${caseHtml || '<p>暂无个案。</p>'}
<form method="post" action="/students/${encodeURIComponent(s.student_id)}/cases"><input type="hidden" name="_csrf" value="${esc(csrf)}"><button type="submit">为该生新建个案</button></form>`,
  );
}

export function analystPage(
  a: Account,
  rows: { school_id: string; tier: string; n: number; as_of: string }[],
  models: { id: string; auc: number; pr_auc: number; in_use: boolean }[],
): string {
  return shell(
    a,
    '汇总（去标识）',
    `<table><tr><th>学校</th><th>等级</th><th>人数</th><th>截至</th></tr>${rows.map((r) => `<tr><td>${esc(r.school_id)}</td><td>${esc(r.tier)}</td><td>${r.n}</td><td>${esc(r.as_of)}</td></tr>`).join('')}</table>
<h2>模型</h2><table><tr><th>模型</th><th>AUC</th><th>PR-AUC</th><th>在用</th></tr>${models.map((m) => `<tr><td>${esc(m.id)}</td><td>${m.auc.toFixed(3)}</td><td>${m.pr_auc.toFixed(3)}</td><td>${m.in_use ? '✓' : ''}</td></tr>`).join('')}</table>`,
  );
}

export function adminPage(a: Account, staff: { staff_id: string; school_id: string; role: string; has_password: boolean }[], csrf: string): string {
  return shell(
    a,
    '教职工账号',
    `<table><tr><th>工号</th><th>学校</th><th>角色</th><th>已设密码</th></tr>${staff.map((s) => `<tr><td>${esc(s.staff_id)}</td><td>${esc(s.school_id)}</td><td>${esc(s.role)}</td><td>${s.has_password ? '✓' : ''}</td></tr>`).join('')}</table>
<h2>设置密码</h2><form method="post" action="/admin/staff/password"><input type="hidden" name="_csrf" value="${esc(csrf)}"><input name="staff_id" placeholder="工号" required><input name="password" type="password" placeholder="新密码（至少10位）" required><button>保存</button></form>`,
  );
}

const BEIJING = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** A moment as schools read it: Beijing time, `YYYY-MM-DD HH:mm` (steps are stored as instants). */
export function beijingTime(d: Date): string {
  return BEIJING.format(d);
}

export function messagePage(a: Account | null, title: string, text: string): string {
  return shell(a, title, `<p>${esc(text)}</p><p><a href="/">返回</a></p>`);
}
