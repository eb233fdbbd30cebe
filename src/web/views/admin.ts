import { ROLES, type Account, type AuditRow, type StaffRow } from '../accounts.js';
import type { LiveEvaluation } from '../../model/index.js';
import type { EffectsReport } from '../../followup/index.js';
import { effectsChart, liveRecallChart } from './charts.js';
import { beijingTime, cardTable, esc, ROLE_TEXT, shell } from './shell.js';

const ACTION_TEXT: Record<string, string> = {
  sign_in: '登录',
  sign_out: '退出',
  sign_in_failed: '登录失败',
  sign_in_blocked: '登录被暂停',
  view_class_list: '查看班级名单',
  view_triage_list: '查看优先名单',
  view_student: '查看学生档案',
  view_student_refused: '查看学生被拒绝',
  export_list: '导出名单',
  record_step: '记录跟进',
  open_case: '新建个案',
  assign_case: '转交个案',
  create_account: '新建账号',
  update_account: '修改账号',
  invite: '生成设置密码链接',
  set_password: '设置密码',
  view_audit: '查看访问记录',
  view_cases: '查看我的个案',
  view_school: '查看本校情况',
  view_area: '查看辖区情况',
  view_aid_list: '查看资助核查',
  aid_check: '记录资助核查',
};

const roleOptions = (selected?: string) => ROLES.map((r) => `<option value="${r}"${r === selected ? ' selected' : ''}>${ROLE_TEXT[r]}</option>`).join('');

export function adminPage(a: Account, staff: readonly StaffRow[], csrf: string, invite?: { staff_id: string; link: string }): string {
  const hidden = `<input type="hidden" name="_csrf" value="${esc(csrf)}">`;
  const rows = staff.map((s) => [
    `<b>${esc(s.staff_id)}</b>${s.display_name ? `<br>${esc(s.display_name)}` : ''}`,
    esc(s.school_id),
    `<form class="row" method="post" action="/admin/staff/${encodeURIComponent(s.staff_id)}">${hidden}<select name="role" aria-label="角色">${roleOptions(
      s.role,
    )}</select><input name="class_ids" value="${esc(s.class_ids.join(';'))}" aria-label="班级（用;分隔）" placeholder="班级，用;分隔" size="10"><button class="plain">保存</button></form>`,
    s.disabled ? '<span class="urgent">已停用</span>' : s.has_password ? '正常' : s.invite_open ? '已发链接，未设密码' : '未设密码',
    `<form class="row" method="post" action="/admin/staff/${encodeURIComponent(s.staff_id)}/${s.disabled ? 'enable' : 'disable'}">${hidden}<button class="plain">${
      s.disabled ? '启用' : '停用'
    }</button></form><form class="row" method="post" action="/admin/staff/${encodeURIComponent(s.staff_id)}/invite">${hidden}<button class="plain">${
      s.has_password ? '发重设密码链接' : '发设置密码链接'
    }</button></form>`,
  ]);
  return shell(
    a,
    '教职工账号',
    `${
      invite
        ? `<p class="note" role="status">请把下面的链接发给 ${esc(invite.staff_id)}（72 小时内有效，只能用一次；本页不会再显示）：<br><code>${esc(invite.link)}</code></p>`
        : ''
    }<p class="help">管理员不设置、也不知道任何人的密码：新账号或忘记密码时，发一个设置密码的链接。停用或改角色后，该账号已登录的会话立即失效。</p>
${cardTable(['工号', '学校', '角色与班级', '状态', '操作'], rows)}
<h2>新建账号</h2><form class="row" method="post" action="/admin/staff">${hidden}<label>工号<input name="staff_id" required maxlength="128"></label><label>姓名<input name="display_name" maxlength="64"></label>
<label>学校<input name="school_id" required maxlength="128" value="${esc(a.school_id)}"></label><label>角色<select name="role">${roleOptions()}</select></label>
<label>班级（班主任，用;分隔）<input name="class_ids" maxlength="512"></label><label>辖区（乡镇或县）<input name="area" maxlength="64"></label><button>新建</button></form>`,
  );
}

/** What an action was done to, from its detail: an account, a colleague a case went to, a count of rows exported. */
function auditObject(detail: Record<string, unknown> | string): string {
  const d = typeof detail === 'string' ? (JSON.parse(detail) as Record<string, unknown>) : detail;
  const parts: string[] = [];
  if (d.staff_id) parts.push(`账号 ${d.staff_id}`);
  if (d.role) parts.push(`角色 ${ROLE_TEXT[d.role as keyof typeof ROLE_TEXT] ?? d.role}`);
  if (d.disabled !== undefined) parts.push(d.disabled ? '停用' : '启用');
  if (d.to) parts.push(`转交 ${d.to}`);
  if (d.alert) parts.push(`个案 #${d.alert}`);
  if (d.step) parts.push(String(d.step));
  if (d.rows !== undefined) parts.push(`${d.rows} 行`);
  if (d.outcome) parts.push(String(d.outcome));
  return parts.join('，');
}

export function auditPage(a: Account, rows: readonly AuditRow[], filter: { student?: string; actor?: string }): string {
  return shell(
    a,
    '访问记录',
    `<form class="row" method="get" action="/admin/audit"><label>学生编号<input name="student" value="${esc(filter.student ?? '')}"></label><label>工号<input name="actor" value="${esc(
      filter.actor ?? '',
    )}"></label><button>查询</button></form><p class="muted">最近 ${rows.length} 条（最多 200 条），北京时间。</p>${cardTable(
      ['时间', '工号', '角色', '操作', '对象', '学生'],
      rows.map((r) => [
        beijingTime(new Date(r.at)),
        esc(r.actor),
        esc(ROLE_TEXT[r.role as keyof typeof ROLE_TEXT] ?? r.role),
        esc(ACTION_TEXT[r.action] ?? r.action),
        esc(auditObject(r.detail)),
        r.student_id ? `<a href="/admin/audit?student=${encodeURIComponent(r.student_id)}">${esc(r.student_id)}</a>` : '',
      ]),
    )}`,
  );
}

/** Counts below this are shown as "<5": in a small school a count of 1 or 2 can point at a student. */
const SMALL = 5;

export function analystPage(
  a: Account,
  rows: readonly { school_id: string; tier: string; n: number; as_of: string }[],
  models: readonly { id: string; auc: number; pr_auc: number; in_use: boolean }[],
  live: { known_through: string; created_at: string; result: LiveEvaluation } | null = null,
  effects: { created_at: string; result: EffectsReport } | null = null,
): string {
  const tier: Record<string, string> = { high: '重点关注', medium: '留意', low: '一般' };
  const order: Record<string, number> = { high: 0, medium: 1, low: 2 };
  const sorted = [...rows].sort((x, y) => x.school_id.localeCompare(y.school_id) || (order[x.tier] ?? 3) - (order[y.tier] ?? 3));
  return shell(
    a,
    '汇总（去标识）',
    `<p class="help">人数少于 ${SMALL} 的格子显示为“&lt;${SMALL}”：小数字可能指认出具体学生。</p>${cardTable(
      ['学校', '等级', '人数', '截至'],
      sorted.map((r) => [esc(r.school_id), esc(tier[r.tier] ?? r.tier), r.n < SMALL ? `&lt;${SMALL}` : String(r.n), esc(r.as_of)]),
    )}<h2>模型</h2>${cardTable(
      ['模型', 'AUC', 'PR-AUC', '在用'],
      models.map((m) => [esc(m.id), m.auc.toFixed(3), m.pr_auc.toFixed(3), m.in_use ? '✓' : '']),
    )}${liveSection(live)}${effectsSection(effects)}`,
  );
}

const p3 = (v: number | null) => (v !== null && Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—');
const masked = (n: number) => (n < SMALL ? `&lt;${SMALL}` : String(n));

/** The lists as they went out, judged by what then happened (`ews evaluate --live --record`). */
function liveSection(live: { known_through: string; created_at: string; result: LiveEvaluation } | null): string {
  if (!live) return '<h2>名单实际效果</h2><p class="muted">尚未评估：运行 <code>ews evaluate --live --record</code> 后在此显示。</p>';
  const r = live.result;
  const o = r.overall;
  const lead = r.lead_time;
  const attr: Record<string, string> = { rural_hukou: '农村户籍', gender: '性别', left_behind: '留守', ethnic_minority: '少数民族', disability: '残疾' };
  return `<h2>名单实际效果</h2><p class="help">每周“重点关注”名单与其后 ${r.horizon_days} 天实际辍学情况对照（数据截至 ${esc(live.known_through)}，评估于 ${esc(
    beijingTime(new Date(live.created_at)),
  )}）。规则名单与模型名单每班人数相同。${r.pending.length ? `尚未到期的周：${r.pending.map(esc).join('、')}。` : ''}</p>${cardTable(
    ['', '名单人数', '找到', '准确率', '找到的辍学占比'],
    [
      ['模型', String(o.model.listed), masked(o.model.found), p3(o.model.precision), p3(o.model.recall)],
      [
        '连续无故缺勤规则',
        String(o.rules.unexcused_streak.listed),
        masked(o.rules.unexcused_streak.found),
        p3(o.rules.unexcused_streak.precision),
        p3(o.rules.unexcused_streak.recall),
      ],
      ['学校辍学率', String(o.rules.school_rate.listed), masked(o.rules.school_rate.found), p3(o.rules.school_rate.precision), p3(o.rules.school_rate.recall)],
    ],
  )}<p>AUC ${Number.isFinite(o.auc) ? o.auc.toFixed(3) : '—'}，校准误差 ${Number.isFinite(o.ece) ? o.ece.toFixed(3) : '—'}。离校学生 ${masked(
    lead.model.leavers,
  )} 人，其中离校前曾被模型列入名单 ${p3(lead.model.share_listed_before)}（中位提前 ${Number.isFinite(lead.model.median_weeks) ? lead.model.median_weeks.toFixed(1) : '—'} 周）；规则 ${p3(
    lead.unexcused_streak.share_listed_before,
  )}（中位提前 ${Number.isFinite(lead.unexcused_streak.median_weeks) ? lead.unexcused_streak.median_weeks.toFixed(1) : '—'} 周）。</p>${liveRecallChart(
    r.weeks.map((w) => ({ as_of: w.as_of, model: w.model.recall, rule: w.rules.unexcused_streak.recall })),
  )}<h3>各群体（实际名单）</h3><p class="help">${r.fairness.passes ? '各群体均未显示出超出 0.8–1.25 的差异。' : '有群体超出 0.8–1.25 且区间不含 1：见下表。'}</p>${cardTable(
    ['群体', '辍学学生', '找到的占比', '相对参照组', '95% 区间'],
    r.fairness.groups
      .filter((g) => !g.reference)
      .map((g) => [
        `${esc(attr[g.attribute] ?? g.attribute)}=${esc(g.value)}`,
        masked(g.leavers),
        g.too_few_positives ? '人数太少' : p3(g.recall),
        g.too_few_positives
          ? '—'
          : `×${Number.isFinite(g.recall_disparity) ? g.recall_disparity.toFixed(2) : '—'}${g.fails ? ' ⚠' : g.outside_band ? ' ~' : ''}`,
        g.recall_disparity_ci ? g.recall_disparity_ci.map((v) => (v === null || !Number.isFinite(v) ? '∞' : v.toFixed(2))).join('–') : '—',
      ]),
  )}<h3>各学校</h3>${cardTable(
    ['学校', '辍学（人次）', '模型找到的占比', '规则找到的占比'],
    r.by_school.map((s) => [esc(s.school_id), masked(s.dropouts), p3(s.model.recall), p3(s.unexcused_streak.recall)]),
  )}`;
}

const STEP_TEXT: Record<string, string> = {
  talk: '谈心谈话',
  home_visit: '家访',
  parents_called: '联系家长',
  tutoring: '学业辅导',
  subsidy_applied: '申请资助',
  psychologist_referral: '转介心理老师',
  counselling: '心理辅导',
  other: '其他',
  persuade_visit: '劝返家访',
};

/** Did the help help (`ews effects --record`): each kind of step against matched students who got none. */
function effectsSection(e: { created_at: string; result: EffectsReport } | null): string {
  if (!e) return '<h2>帮扶效果</h2><p class="muted">尚未评估：运行 <code>ews effects --record</code> 后在此显示。</p>';
  const r = e.result;
  const dropout = r.estimates.flatMap((x) => x.outcomes.filter((o) => o.outcome === 'dropout' && Number.isFinite(o.effect)).map((o) => ({ x, o })));
  const pts = (v: number | null) => (v !== null && Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}` : '—');
  return `<h2>帮扶效果</h2><p class="help">截至 ${esc(r.as_of)}（评估于 ${esc(beijingTime(new Date(e.created_at)))}）：接受某项帮扶（且随后8周内无其他帮扶）的学生，与帮扶前一周情况相近、未接受任何帮扶的学生一一匹配，比较其后8周。少于 ${MIN_PAIRS_SHOWN} 对不作结论。</p>${effectsChart(
    dropout.map(({ x, o }) => ({ kind: STEP_TEXT[x.kind] ?? x.kind, effect: o.effect, lo: o.ci[0], hi: o.ci[1] })),
  )}${cardTable(
    ['帮扶', '匹配对数', '辍学率变化（百分点）', '95% 区间', '成绩位次变化', '结论'],
    r.estimates.map((x) => {
      const d = x.outcomes.find((o) => o.outcome === 'dropout');
      const g = x.outcomes.find((o) => o.outcome === 'grade_standing');
      return [
        esc(STEP_TEXT[x.kind] ?? x.kind),
        x.pairs < MIN_PAIRS_SHOWN ? `&lt;${MIN_PAIRS_SHOWN}` : String(x.pairs),
        d ? pts(d.effect) : '—',
        d ? `${pts(d.ci[0])} ~ ${pts(d.ci[1])}` : '—',
        g && Number.isFinite(g.effect) ? `${g.effect >= 0 ? '+' : ''}${g.effect.toFixed(2)} SD` : '—',
        x.too_few ? '人数太少，无法判断' : d?.found ? (d.effect < 0 ? '辍学减少' : '辍学增加') : '未显示效果',
      ];
    }),
  )}`;
}

const MIN_PAIRS_SHOWN = 20;
