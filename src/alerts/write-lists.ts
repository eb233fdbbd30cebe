import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScoredStudent } from '../scoring/index.js';
import { isAcute, screeningText, visibleTo } from '../scoring/index.js';
import { spreadsheetLine } from '../util/csv-write.js';
import { esc, page, sparkline } from './html.js';
import { TEXT, type Lang } from './i18n.js';

/** Who receives which list: head teachers by (school, class), from staff.csv where it exists. */
export interface Recipients {
  /** school_id → class_id → staff_id of the head teacher. */
  headTeachers: Map<string, Map<string, string>>;
}

export interface ListOptions {
  out: string;
  lang?: Lang;
  modelId: string;
  generatedAt?: string;
  /** Where the pages are served (EWS_PUBLIC_URL, http or https): each student's id links to their page there. */
  pagesUrl?: string;
}

export interface WrittenList {
  kind: 'head_teacher' | 'triage';
  school_id: string;
  /** staff_id, or `class-<id>` where no head teacher is known. */
  recipient: string;
  csv: string;
  html: string;
  high: number;
  medium: number;
}

const SAFE = /[^\p{L}\p{N}_.-]+/gu;
export const safeName = (s: string) => s.replace(SAFE, '_').slice(0, 80) || '_';

/**
 * Writes one school's lists: one per head teacher (per class where none is known) and one
 * triage list for the school's psychologists. A head teacher's list never shows wellbeing
 * scores or family-event details beyond the reason words; names appear nowhere.
 */
export async function writeSchoolLists(school: string, students: readonly ScoredStudent[], recipients: Recipients, o: ListOptions): Promise<WrittenList[]> {
  const lang = o.lang ?? 'zh-CN';
  const t = TEXT[lang];
  const at = o.generatedAt ?? new Date().toISOString().slice(0, 16).replace('T', ' ');
  const dir = join(o.out, 'lists', safeName(school));
  await mkdir(dir, { recursive: true });
  const written: WrittenList[] = [];
  // Files are written side by side: a school has dozens, and waiting on each in turn is most of the time.
  const writes: Promise<void>[] = [];

  const byRecipient = new Map<string, { classes: Set<string>; rows: ScoredStudent[] }>();
  for (const s of students) {
    const staff = recipients.headTeachers.get(school)?.get(s.class_id) ?? (s.head_teacher_id || `class-${s.class_id}`);
    const entry = byRecipient.get(staff) ?? { classes: new Set(), rows: [] };
    entry.classes.add(s.class_id);
    entry.rows.push(s);
    byRecipient.set(staff, entry);
  }
  for (const [recipient, { classes, rows }] of [...byRecipient].sort(([a], [b]) => a.localeCompare(b))) {
    const listed = rows.filter((s) => s.tier !== 'low').sort((a, b) => a.class_id.localeCompare(b.class_id) || a.rank_in_class - b.rank_in_class);
    const leaving = rows.filter((s) => s.tier === 'low' && s.prev_tier !== null && s.prev_tier !== 'low');
    const base = join(dir, `teacher-${safeName(recipient)}`);
    const cls = [...classes].sort().join('、');
    const title = t.teacherTitle(`${school} ${cls}`, rows[0]?.as_of ?? '');
    writes.push(writeFile(`${base}.csv`, '\uFEFF' + teacherCsv(listed, lang)));
    writes.push(writeFile(`${base}.html`, page(lang, title, teacherHtml(title, listed, leaving, lang, t.footer(o.modelId, at), o.pagesUrl))));
    written.push({ kind: 'head_teacher', school_id: school, recipient, csv: `${base}.csv`, html: `${base}.html`, ...count(listed) });
  }

  const triage = triageOrder(students.filter((s) => s.tier !== 'low' || isAcute(s.acute)));
  const base = join(dir, 'triage');
  const title = t.triageTitle(school, students[0]?.as_of ?? '');
  writes.push(writeFile(`${base}.csv`, '\uFEFF' + triageCsv(triage, lang)));
  writes.push(writeFile(`${base}.html`, page(lang, title, triageHtml(title, triage, lang, t.footer(o.modelId, at), o.pagesUrl))));
  await Promise.all(writes);
  written.push({ kind: 'triage', school_id: school, recipient: 'psychologist', csv: `${base}.csv`, html: `${base}.html`, ...count(triage) });
  return written;
}

function count(rows: readonly ScoredStudent[]) {
  return { high: rows.filter((r) => r.tier === 'high').length, medium: rows.filter((r) => r.tier === 'medium').length };
}

/** Urgent first (a flagged screening, a severe family event, three unexcused days running), then by tier and risk. */
export function triageOrder(rows: ScoredStudent[]): ScoredStudent[] {
  const acute = (s: ScoredStudent) => (isAcute(s.acute) ? 1 : 0);
  const level = { high: 2, medium: 1, low: 0 };
  return [...rows].sort((a, b) => acute(b) - acute(a) || level[b.tier] - level[a.tier] || b.risk - a.risk || a.student_id.localeCompare(b.student_id));
}

const pct = (v: number) => (v < 0.001 ? '<0.1%' : `${(v * 100).toFixed(1)}%`);
/** The reasons a role may read, in words; where none stands out, that said plainly rather than a blank. */
const words = (s: ScoredStudent, role: 'head_teacher' | 'psychologist', lang: Lang) => {
  const shown = visibleTo(s.reasons, role).map((r) => (lang === 'en' ? r.en : r.zh));
  return shown.length > 0 ? shown : [TEXT[lang].noBehaviourReason(s.circumstances.length > 0)];
};
/** Circumstances, apart from the reasons: context for whoever follows the student up. */
const context = (s: ScoredStudent, lang: Lang) => s.circumstances.map((r) => (lang === 'en' ? r.en : r.zh)).join(lang === 'en' ? '; ' : '；');

function teacherCsv(rows: ScoredStudent[], lang: Lang): string {
  const c = TEXT[lang].columns;
  let out = spreadsheetLine([c.rank, c.student, c.cls, c.tier, c.risk, c.change, c.reasons, c.circumstances]);
  for (const s of rows) {
    out += spreadsheetLine([
      s.rank_in_class,
      s.student_id,
      s.class_id,
      TEXT[lang].tier[s.tier],
      pct(s.risk),
      TEXT[lang].change[s.change],
      words(s, 'head_teacher', lang).join(lang === 'en' ? '; ' : '；'),
      context(s, lang),
    ]);
  }
  return out;
}

function triageCsv(rows: ScoredStudent[], lang: Lang): string {
  const t = TEXT[lang];
  const c = t.columns;
  let out = spreadsheetLine([c.schoolRank, c.student, c.cls, c.tier, c.risk, c.wellbeing, c.family, c.reasons, c.circumstances]);
  for (const s of rows) {
    out += spreadsheetLine([
      s.rank_in_school,
      s.student_id,
      s.class_id,
      t.tier[s.tier],
      pct(s.risk),
      s.acute.wellbeing_flagged || s.acute.wellbeing_screened === false ? screeningText(s.acute, lang) : '',
      s.acute.family_severe ? (lang === 'en' ? s.acute.family_severe.en : s.acute.family_severe.zh) : '',
      words(s, 'psychologist', lang).join(lang === 'en' ? '; ' : '；'),
      context(s, lang),
    ]);
  }
  return out;
}

/** A row's cells with their column's label (a phone shows each row as a card of labelled cells). */
function row(s: ScoredStudent, lang: Lang, role: 'head_teacher' | 'psychologist', pagesUrl?: string): string {
  const t = TEXT[lang];
  const c = t.columns;
  const reasons = words(s, role, lang)
    .map((w) => `<li>${esc(w)}</li>`)
    .join('');
  const id = pagesUrl
    ? `<a href="${esc(`${pagesUrl.replace(/\/$/, '')}/students/${encodeURIComponent(s.student_id)}`)}">${esc(s.student_id)}</a>`
    : esc(s.student_id);
  const cells: [string, string][] = [
    [role === 'psychologist' ? c.schoolRank : c.rank, String(role === 'psychologist' ? s.rank_in_school : s.rank_in_class)],
    [c.student, id],
    ...(role === 'psychologist' ? ([[c.cls, esc(s.class_id)]] as [string, string][]) : []),
    [c.tier, `<span class="tier-${s.tier}">${esc(t.tier[s.tier])}</span>`],
    [c.risk, pct(s.risk)],
    [c.change, `<span class="change-${s.change}">${esc(t.change[s.change])}</span>`],
    ...(role === 'psychologist'
      ? ([
          [c.wellbeing, s.acute.wellbeing_flagged ? `<b>${esc(screeningText(s.acute, lang))}</b>` : esc(screeningText(s.acute, lang))],
          [c.family, esc(s.acute.family_severe ? (lang === 'en' ? s.acute.family_severe.en : s.acute.family_severe.zh) : '')],
        ] as [string, string][])
      : []),
    [c.reasons, `<ul class="reasons">${reasons}</ul>`],
    [c.circumstances, esc(context(s, lang))],
    [c.attendance, sparkline(s.weekly_unexcused, 0, 1, c.attendance)],
    [c.grades, sparkline(s.exam_standing, -2.5, 2.5, c.grades)],
  ];
  return `<tr>${cells.map(([label, html]) => `<td data-label="${esc(label)}">${html}</td>`).join('')}</tr>`;
}

function teacherHtml(title: string, rows: ScoredStudent[], leaving: ScoredStudent[], lang: Lang, footer: string, pagesUrl?: string): string {
  const t = TEXT[lang];
  const c = t.columns;
  const { high, medium } = count(rows);
  const head = `<tr><th>${c.rank}</th><th>${c.student}</th><th>${c.tier}</th><th>${c.risk}</th><th>${c.change}</th><th>${c.reasons}</th><th>${c.circumstances}</th><th>${c.attendance}</th><th>${c.grades}</th></tr>`;
  const body = rows.length > 0 ? `<table>${head}${rows.map((s) => row(s, lang, 'head_teacher', pagesUrl)).join('')}</table>` : `<p>${esc(t.noneOnList)}</p>`;
  const off = leaving.length > 0 ? `<h2>${esc(t.leftList)}</h2><p>${leaving.map((s) => esc(s.student_id)).join('，')}</p>` : '';
  return `<h1>${esc(title)}</h1><p>${esc(t.counts(high, medium))}</p><p class="note">${esc(t.privacy)}</p>${body}${off}<footer>${esc(footer)}</footer>`;
}

function triageHtml(title: string, rows: ScoredStudent[], lang: Lang, footer: string, pagesUrl?: string): string {
  const t = TEXT[lang];
  const c = t.columns;
  const head = `<tr><th>${c.schoolRank}</th><th>${c.student}</th><th>${c.cls}</th><th>${c.tier}</th><th>${c.risk}</th><th>${c.change}</th><th>${c.wellbeing}</th><th>${c.family}</th><th>${c.reasons}</th><th>${c.circumstances}</th><th>${c.attendance}</th><th>${c.grades}</th></tr>`;
  return `<h1>${esc(title)}</h1><p>${esc(t.acuteFirst)}</p><p class="note">${esc(t.privacy)}</p><table>${head}${rows.map((s) => row(s, lang, 'psychologist', pagesUrl)).join('')}</table><footer>${esc(footer)}</footer>`;
}

/** Head teachers by class, from staff.csv rows with role head_teacher. */
export function recipientsFrom(staff: readonly { staff_id: string; school_id: string; role: string; class_ids: readonly string[] }[]): Recipients {
  const headTeachers = new Map<string, Map<string, string>>();
  for (const s of staff) {
    if (s.role !== 'head_teacher') continue;
    const m = headTeachers.get(s.school_id) ?? new Map<string, string>();
    for (const c of s.class_ids) m.set(c, s.staff_id);
    headTeachers.set(s.school_id, m);
  }
  return { headTeachers };
}
