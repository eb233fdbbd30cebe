/** Small helpers for self-contained pages: escaping and inline SVG charts, no outside resources. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A sparkline of values (null = gap), scaled to [lo, hi]. */
export function sparkline(values: readonly (number | null)[], lo: number, hi: number, label: string): string {
  const w = 96;
  const h = 24;
  const n = values.length;
  if (n === 0) return '';
  const x = (i: number) => (n === 1 ? w / 2 : (i * (w - 4)) / (n - 1) + 2);
  const y = (v: number) => h - 2 - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo || 1)) * (h - 4);
  const segments: string[] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null || Number.isNaN(v)) {
      if (current.length) segments.push(current.join(' '));
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  if (current.length) segments.push(current.join(' '));
  const lines = segments.map((pts) => `<polyline fill="none" stroke="#c0392b" stroke-width="1.5" points="${pts}"/>`).join('');
  const dots = values
    .map((v, i) => (v === null || Number.isNaN(v) ? '' : `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="1.5" fill="#c0392b"/>`))
    .join('');
  return `<svg role="img" aria-label="${esc(label)}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect width="${w}" height="${h}" fill="#fafafa"/>${lines}${dots}</svg>`;
}

export const STYLE = `body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:24px;color:#222}
h1{font-size:20px;margin:0 0 4px}p.note{background:#fff6e5;border-left:4px solid #e67e22;padding:8px 12px;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}.tier-high{color:#fff;background:#c0392b;padding:1px 6px;border-radius:3px}
.tier-medium{color:#fff;background:#e67e22;padding:1px 6px;border-radius:3px}.tier-low{color:#555}
.change-new,.change-risen{color:#c0392b;font-weight:bold}.change-fallen{color:#27ae60}ul.reasons{margin:0;padding-left:16px}
footer{margin-top:16px;font-size:12px;color:#777}
@media (max-width:640px){body{margin:12px}table,tbody,tr,td{display:block;width:100%}tr:has(th){display:none}
tr{border:1px solid #ddd;border-radius:8px;margin:0 0 12px;padding:4px 8px}td{border:0;padding:4px 0}td:empty{display:none}
td::before{content:attr(data-label);display:block;font-size:12px;color:#666}td a{display:inline-block;padding:10px 0}}`;

export function page(lang: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="${esc(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>
`;
}
