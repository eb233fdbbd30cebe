import { TEXT } from '../../alerts/i18n.js';
import { ACUTE_STREAK_DAYS, isAcute, screeningText, TIER_DEFAULTS } from '../../scoring/index.js';
import type { Account } from '../accounts.js';
import type { OpenCase, ScoreRow } from '../queries.js';
import { CASE_STATUS_TEXT } from './case-text.js';
import { beijingTime, cardTable, esc, pct, shell } from './shell.js';

export const TIER_TEXT = { high: '重点关注', medium: '留意', low: '一般' } as const;
const CHANGE_TEXT = TEXT['zh-CN'].change;

/** The list views a teacher or psychologist works from; each is a plain link, so it can be bookmarked. */
export const VIEWS = {
  listed: '本周名单',
  high: '重点关注',
  open: '未结个案',
  stale: '7天未跟进',
  all: '全部学生',
} as const;
export type ListView = keyof typeof VIEWS;

export interface ListQuery {
  view: ListView;
  reason?: string;
  q?: string;
}

export interface ListRow extends ScoreRow {
  name: string | null;
  open: OpenCase | null;
}

const STALE_MS = 7 * 86_400_000;

/**
 * Urgent as the account may know it: a head teacher never learns of a screening, not even by a student
 * showing up on their list for it — for them only a severe family event or an unexcused streak is urgent.
 */
export function urgentFor(psych: boolean, a: ScoreRow['details']['acute']): boolean {
  return psych ? isAcute(a) : a.family_severe !== null || (a.absence_streak ?? 0) >= ACUTE_STREAK_DAYS;
}

/** The rows a view, a reason and a search select, in the order given. */
export function selectRows(rows: readonly ListRow[], query: ListQuery, psych: boolean, now = Date.now()): ListRow[] {
  const q = query.q?.trim().toLowerCase();
  return rows.filter((r) => {
    if (query.view === 'listed' && r.tier === 'low' && !urgentFor(psych, r.details.acute) && !r.open) return false;
    if (query.view === 'high' && r.tier !== 'high') return false;
    if (query.view === 'open' && !r.open) return false;
    if (query.view === 'stale' && !(r.open && now - new Date(r.open.touched_at ?? r.open.opened_at).getTime() > STALE_MS)) return false;
    if (query.reason && !hasReason(r, query.reason)) return false;
    if (q && !r.student_id.toLowerCase().includes(q) && !(r.name ?? '').toLowerCase().includes(q)) return false;
    return true;
  });
}

/** A list whose week is long past says so: a teacher must not act on a month-old picture unaware. */
export function staleNote(asOf: string | undefined, now = Date.now()): string {
  if (!asOf) return '';
  const days = Math.floor((now - Date.parse(`${asOf}T00:00:00+08:00`)) / 86_400_000);
  return days > 14 ? `<p class="note">注意：名单数据截至 ${esc(asOf)}，已有 ${days} 天未更新，请向管理员了解每周数据是否按时导入。</p>` : '';
}

/** What a percentage and a tier mean, said once above every list. */
export function riskExplained(horizonDays: number | null): string {
  const weeks = horizonDays ? Math.round(horizonDays / 7) : null;
  return `<details class="help"><summary>“风险”和“关注等级”是什么意思？</summary><p class="help">风险是模型根据考勤、成绩、家庭变故、资助等记录估计的、该生在${
    weeks ? `接下来约 ${weeks} 周` : '近期'
  }内辍学（离校）的可能性：例如 6.1% 表示在相似情况的约 100 名学生中，约有 6 人会离校。它是提示，不是结论。
“重点关注”= 本班风险最高的前 ${TIER_DEFAULTS.highPerClass} 名，且风险不低于 ${pct(TIER_DEFAULTS.highFloor)}；“留意”= 其后 ${TIER_DEFAULTS.mediumPerClass} 名，且风险不低于 ${pct(
    TIER_DEFAULTS.mediumFloor,
  )}。一个班没有人达到这些风险时，名单可以是空的。</p></details>`;
}

export interface SavedView {
  id: number;
  name: string;
  query: string;
}

/** A list's query string as kept for a saved view: only what the list reads, in one order. */
export function queryString(q: ListQuery): string {
  const p = new URLSearchParams();
  if (q.view !== 'listed') p.set('view', q.view);
  if (q.reason) p.set('reason', q.reason);
  if (q.q) p.set('q', q.q);
  return p.toString();
}

function savedViews(base: string, query: ListQuery, saved: readonly SavedView[], csrf: string): string {
  const current = queryString(query);
  const chips = saved
    .map(
      (v) =>
        `<a href="${esc(v.query ? `${base}?${v.query}` : base)}"${v.query === current ? ' class="on" aria-current="page"' : ''}>${esc(v.name)}</a><form method="post" action="/views/${v.id}/delete" style="display:inline"><input type="hidden" name="_csrf" value="${esc(
          csrf,
        )}"><button class="plain" aria-label="删除视图 ${esc(v.name)}" title="删除">×</button></form>`,
    )
    .join('');
  return `<div class="views no-print" aria-label="我的视图">${saved.length ? `我的视图：${chips}` : ''}<details><summary>保存当前筛选</summary><form class="row" method="post" action="/views"><input type="hidden" name="_csrf" value="${esc(
    csrf,
  )}"><input type="hidden" name="page" value="${base}"><input type="hidden" name="query" value="${esc(current)}"><label>名称<input name="name" required maxlength="32"></label><button>保存</button></form></details></div>`;
}

function filters(base: string, query: ListQuery, reasons: Map<string, string>): string {
  const link = (q: Partial<ListQuery>) => {
    const p = new URLSearchParams();
    const m = { ...query, ...q };
    if (m.view !== 'listed') p.set('view', m.view);
    if (m.reason) p.set('reason', m.reason);
    if (m.q) p.set('q', m.q);
    const s = p.toString();
    return s ? `${base}?${s}` : base;
  };
  const chips = (Object.keys(VIEWS) as ListView[])
    .map(
      (v) =>
        `<a href="${esc(link({ view: v, reason: undefined }))}"${v === query.view && !query.reason ? ' class="on" aria-current="page"' : ''}>${VIEWS[v]}</a>`,
    )
    .join('');
  const reasonChips = [...reasons]
    .map(([code, text]) => `<a href="${esc(link({ reason: code }))}"${code === query.reason ? ' class="on" aria-current="page"' : ''}>${esc(text)}</a>`)
    .join('');
  const exportLink = `${base}.xlsx${link({}).slice(base.length)}`;
  return `<div class="views no-print" role="navigation" aria-label="筛选">${chips}</div>${
    reasonChips ? `<div class="views no-print" aria-label="按原因">按原因：${reasonChips}</div>` : ''
  }<form class="row no-print" method="get" action="${base}"><input type="hidden" name="view" value="all"><label>搜索全部学生（姓名或学号）<input name="q" value="${esc(
    query.q ?? '',
  )}" type="search" enterkeyhint="search"></label><button>搜索</button><a class="button plain" href="${esc(exportLink)}">导出 Excel</a></form>`;
}

/** What a reason filter is called: the kind of reason, not one student's figures. */
const REASON_LABEL: Record<string, string> = {
  att_unexcused_rate_2w: '近期无故缺勤',
  att_unexcused_rate_4w: '近期无故缺勤',
  att_unexcused_rate_8w: '无故缺勤',
  att_unexcused_days_4w: '近期无故缺勤',
  att_unexcused_trend: '缺勤增多',
  att_unexcused_streak: '连续无故缺勤',
  att_days_since_present: '多日未到校',
  att_unexcused_recent: '近期无故缺勤',
  att_unexcused_rate_long: '长期无故缺勤',
  att_unexcused_longest_8w: '连续无故缺勤',
  att_late_rate_4w: '迟到',
  att_late_rate_long: '迟到',
  att_sick_rate_4w: '病假多',
  grade_z_class: '成绩靠后',
  grade_z_grade: '成绩靠后',
  grade_change_prev: '成绩下滑',
  grade_change_term: '成绩下滑',
  grade_slope: '成绩下滑',
  grade_vs_own: '成绩下滑',
  grade_failing_subjects: '多科不及格',
  grade_exams_missed_8w: '缺考',
  grade_missed_share: '缺考',
  grade_days_since_sat: '缺考',
  family_event_load: '家庭变故',
  family_recent_severe: '家庭变故',
  family_events_365: '家庭变故',
  family_days_since: '家庭变故',
  aid_stopped_8w: '资助停止',
  aid_rejected_365: '资助未获批',
  aid_difficulty_level: '家庭经济困难',
  aid_poverty_status: '家庭经济困难',
  meal_spend_z: '食堂消费偏低',
  meal_spend_change: '食堂消费下降',
  hidden_difficulty: '疑似隐形困难',
  over_age: '超龄',
  new_enrolment: '新入学',
};

/** The reason filters a list offers: one per kind of reason present (several codes may share a kind). */
export function reasonsOffered(rows: readonly ScoreRow[]): Map<string, string> {
  const m = new Map<string, string>();
  const labels = new Set<string>();
  for (const r of rows)
    for (const x of r.reasons) {
      if (x.audience !== 'all') continue;
      const label = REASON_LABEL[x.code] ?? x.code;
      if (labels.has(label)) continue;
      labels.add(label);
      m.set(label, label);
    }
  return m;
}

/** Does a student have a reason of this kind (the filter's label)? */
const hasReason = (r: ScoreRow, label: string) => r.reasons.some((x) => (REASON_LABEL[x.code] ?? x.code) === label);

function caseCell(r: ListRow): string {
  if (!r.open) return '<span class="muted">无</span>';
  const last = new Date(r.open.touched_at ?? r.open.opened_at);
  const stale = Date.now() - last.getTime() > STALE_MS;
  return `${esc(CASE_STATUS_TEXT[r.open.status] ?? r.open.status)}<br><span class="${stale ? 'urgent' : 'muted'}">最近跟进 ${beijingTime(last).slice(0, 10)}</span>`;
}

const who = (r: ListRow) =>
  `<a href="/students/${encodeURIComponent(r.student_id)}">${r.name ? `<b>${esc(r.name)}</b> ` : ''}<span class="muted">${esc(r.student_id)}</span></a>`;

const reasonText = (r: ScoreRow, psych: boolean) =>
  esc(
    r.reasons
      .filter((x) => x.audience === 'all' || psych)
      .map((x) => x.zh)
      .join('；') || '没有单项突出的原因',
  );

const contextText = (r: ScoreRow) => esc(r.context.map((x) => x.zh).join('；'));

/** What a list page is made from: the account's students, the filter asked for, and the page's own parts. */
export interface ListPageInput {
  all: readonly ListRow[];
  query: ListQuery;
  /** The horizon of the run's model (what a percentage means), null where unknown. */
  horizonDays: number | null;
  saved: readonly SavedView[];
  csrf: string;
}

export function classListPage(a: Account, { all, query, horizonDays, saved, csrf }: ListPageInput): string {
  const rows = selectRows(all, query, false);
  const body = rows.length
    ? cardTable(
        ['学生', '班级', '关注等级', '风险', '本周变化', '主要原因', '背景情况（仅供参考，不是列入原因）', '个案'],
        rows.map((r) => [
          who(r),
          esc(r.class_id),
          `<span class="tier-${r.tier}">${TIER_TEXT[r.tier]}</span>`,
          pct(r.risk),
          `<span class="change-${esc(r.details.change)}">${esc(CHANGE_TEXT[r.details.change as keyof typeof CHANGE_TEXT] ?? '')}</span>`,
          reasonText(r, false),
          contextText(r),
          caseCell(r),
        ]),
      )
    : `<p>${query.view === 'listed' && !query.q && !query.reason ? '本周班级内没有需要重点关注的学生。' : '没有符合条件的学生。'}</p>`;
  return shell(
    a,
    `本班学生关注名单（截至 ${all[0]?.as_of ?? '暂无'}）`,
    `${staleNote(all[0]?.as_of)}<p class="note">本名单仅供跟进使用：请勿公开、张贴或告知学生本人；名单是谈话的提示，不是对学生的结论。</p>${riskExplained(horizonDays)}${filters(
      '/classes',
      query,
      reasonsOffered(all),
    )}${savedViews('/classes', query, saved, csrf)}<p class="muted">${rows.length} 名学生</p>${body}`,
  );
}

export function triagePage(a: Account, { all, query, horizonDays, saved, csrf }: ListPageInput): string {
  const rows = selectRows(all, query, true);
  return shell(
    a,
    `心理辅导优先名单（截至 ${all[0]?.as_of ?? '暂无'}）`,
    `${staleNote(all[0]?.as_of)}<p class="note">${esc(TEXT['zh-CN'].acuteFirst)}</p>${riskExplained(horizonDays)}${filters('/triage', query, reasonsOffered(all))}${savedViews('/triage', query, saved, csrf)}<p class="muted">${rows.length} 名学生</p>${cardTable(
      ['学生', '班级', '紧急', '关注等级', '风险', '心理筛查', '家庭变故', '原因', '背景情况（仅供参考）', '个案'],
      rows.map((r) => [
        who(r),
        esc(r.class_id),
        isAcute(r.details.acute) ? '<span class="urgent">紧急</span>' : '',
        `<span class="tier-${r.tier}">${TIER_TEXT[r.tier]}</span>`,
        pct(r.risk),
        r.details.acute.wellbeing_flagged ? `<b>${esc(screeningText(r.details.acute))}</b>` : esc(screeningText(r.details.acute)),
        esc(r.details.acute.family_severe?.zh ?? ''),
        reasonText(r, true),
        contextText(r),
        caseCell(r),
      ]),
    )}`,
  );
}

/** The order of the triage list: urgent first (the rule stated above it), then tier, then risk. */
export function triageOrder(rows: ListRow[]): ListRow[] {
  const level = { high: 2, medium: 1, low: 0 };
  const acute = (r: ScoreRow) => isAcute(r.details.acute);
  return rows.sort((x, y) => Number(acute(y)) - Number(acute(x)) || level[y.tier] - level[x.tier] || y.risk - x.risk);
}
