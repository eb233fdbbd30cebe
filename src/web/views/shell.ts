import { esc } from '../../alerts/html.js';
import type { Account, Role } from '../accounts.js';

export { esc };

/**
 * Phone first: at 390 px a table becomes one card per row (each cell labelled by its column through
 * `data-label`), tap targets are at least 44 px and inputs 16 px (iOS zooms into anything smaller).
 * Printing drops the navigation and the forms: a 一人一档 file on paper.
 */
const STYLE = `*{box-sizing:border-box}body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;color:#222;line-height:1.5}
main{padding:12px 16px;max-width:1100px;margin:0 auto}nav.top{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center;padding:8px 16px;background:#24476b;color:#fff}
nav.top a{color:#fff;padding:10px 4px;display:inline-block}nav.top .who{margin-left:auto;font-size:14px}
h1{font-size:20px;margin:8px 0}h2{font-size:17px;margin:20px 0 8px;border-bottom:1px solid #ddd}
p.note{background:#fff6e5;border-left:4px solid #e67e22;padding:8px 12px;font-size:14px}p.help{color:#555;font-size:14px}
table{border-collapse:collapse;width:100%;font-size:15px}th,td{border-bottom:1px solid #ddd;padding:8px;text-align:left;vertical-align:top}th{background:#f4f4f4}
a{color:#1a5fa8}button,.button,input,select,textarea{font-size:16px;min-height:44px}button,.button{padding:8px 14px;border:1px solid #1a5fa8;background:#1a5fa8;color:#fff;border-radius:6px;cursor:pointer;text-decoration:none;display:inline-block}
button.plain,.button.plain{background:#fff;color:#1a5fa8}input,select,textarea{padding:6px 8px;border:1px solid #aaa;border-radius:4px;max-width:100%}
form.row{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end;margin:8px 0}form.row label{display:flex;flex-direction:column;font-size:14px}
.tier-high{color:#fff;background:#c0392b;padding:2px 8px;border-radius:3px;white-space:nowrap}.tier-medium{color:#fff;background:#e67e22;padding:2px 8px;border-radius:3px;white-space:nowrap}
.tier-low{color:#555}.change-new,.change-risen{color:#c0392b;font-weight:bold}.change-fallen{color:#27ae60}.urgent{color:#c0392b;font-weight:bold}td.nowrap{white-space:nowrap}
.views a{display:inline-block;padding:10px 12px;margin:0 6px 6px 0;border:1px solid #1a5fa8;border-radius:18px;text-decoration:none}.views a.on{background:#1a5fa8;color:#fff}
.card{border:1px solid #ddd;border-radius:8px;padding:12px;margin:12px 0}.contact a{font-size:17px}.chart{margin:8px 0}.chart svg{width:100%;height:auto;max-width:640px}
summary{min-height:44px;padding:10px 0;cursor:pointer}.steps details{display:inline-block;margin:4px 8px 4px 0}.steps details[open]{display:block}ol.timeline{padding-left:20px}ol.timeline li{margin:6px 0}.muted{color:#777;font-size:14px}
@media (max-width:640px){table.cards thead{display:none}table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards tr{border:1px solid #ddd;border-radius:8px;margin:0 0 12px;padding:4px 8px}table.cards td{border:0;padding:4px 0}
table.cards td::before{content:attr(data-label);display:block;font-size:13px;color:#666}table.cards td:empty{display:none}table.cards td a{display:inline-block;padding:10px 0}}
@media print{nav.top,form,.views,.no-print{display:none!important}main{max-width:none}a{color:#222;text-decoration:none}}`;

const HOME: Record<Role, [string, string][]> = {
  head_teacher: [
    ['/classes', '本班名单'],
    ['/cases', '我的个案'],
  ],
  psychologist: [
    ['/triage', '优先名单'],
    ['/cases', '我的个案'],
  ],
  counsellor: [
    ['/triage', '优先名单'],
    ['/cases', '我的个案'],
  ],
  analyst: [['/analyst', '汇总与模型']],
  principal: [['/school', '本校情况']],
  aid_office: [['/aid', '资助核查']],
  township: [['/area', '辖区情况']],
  bureau: [['/area', '全县情况']],
  admin: [
    ['/admin/staff', '账号'],
    ['/admin/audit', '访问记录'],
    ['/analyst', '汇总与模型'],
  ],
};

export const ROLE_TEXT: Record<Role, string> = {
  head_teacher: '班主任',
  psychologist: '心理老师',
  counsellor: '心理辅导员',
  analyst: '分析员',
  admin: '管理员',
  principal: '校长',
  aid_office: '资助老师',
  township: '乡镇',
  bureau: '教育局',
};

/** A page of the site: navigation for the signed-in role, the title, the body. */
export function shell(a: Account | null, title: string, body: string): string {
  const nav = a
    ? `<nav class="top">${HOME[a.role].map(([href, text]) => `<a href="${href}">${text}</a>`).join('')}<span class="who">${esc(a.display_name || a.staff_id)}（${ROLE_TEXT[a.role]}）</span><form method="post" action="/logout" style="display:inline"><button class="plain">退出</button></form></nav>`
    : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>${nav}<main><h1>${esc(title)}</h1>${body}</main></body></html>
`;
}

export function messagePage(a: Account | null, title: string, text: string): string {
  return shell(a, title, `<p>${esc(text)}</p><p><a class="button plain" href="/">返回首页</a></p>`);
}

/** A table that turns into cards on a phone: `cells` are [column label, html] per row. */
export function cardTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  // Short cells (a class, a tier, a percentage) never wrap mid-word on a desktop: "11-/4" and "新列/入" helped nobody.
  const short = head.map((_, i) => rows.every((r) => (r[i] ?? '').replace(/<[^>]*>/g, '').length <= 8));
  return `<table class="cards"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((cell, i) => `<td data-label="${esc(head[i])}"${short[i] ? ' class="nowrap"' : ''}>${cell}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
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

export const pct = (v: number) => (v < 0.001 ? '<0.1%' : `${(v * 100).toFixed(1)}%`);
