import * as echarts from 'echarts';
import { esc } from './shell.js';

type Option = Parameters<echarts.ECharts['setOption']>[0];

/**
 * A chart as an SVG string with axes, dates and values (ECharts' server-side renderer): no script
 * reaches the browser, so the pages keep their Content-Security-Policy of no scripts at all, and
 * the chart prints as drawn.
 */
function render(label: string, option: Option, height = 220): string {
  // 460 wide: on a 390-px phone it is drawn at about three quarters, so its 19-px labels read at about 14 px.
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 460, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif', fontSize: 19 }, ...option });
    const svg = chart.renderToSVGString();
    return `<figure class="chart" role="img" aria-label="${esc(label)}">${svg.replace(/^<svg width="\d+" height="\d+"/, '<svg')}<figcaption class="muted">${esc(label)}</figcaption></figure>`;
  } finally {
    chart.dispose();
  }
}

const GRID = { left: 64, right: 28, top: 40, bottom: 56 };
const AXIS_LABEL = { fontSize: 17 };

/** Risk week by week, in percent, with the tiers' floors drawn as lines. */
export function riskChart(points: readonly { as_of: string; risk: number }[], floors: { high: number; medium: number }): string {
  if (points.length === 0) return '<p class="muted">暂无历次风险记录。</p>';
  return render('每周风险（%），虚线为“重点关注”和“留意”的最低风险', {
    grid: GRID,
    xAxis: { type: 'category', data: points.map((p) => p.as_of.slice(5)), name: '周', axisLabel: { ...AXIS_LABEL, hideOverlap: true } },
    // The floors stay on the chart even for a student far below them.
    yAxis: { type: 'value', name: '风险 %', min: 0, max: (v: { max: number }) => Math.ceil(Math.max(v.max, floors.high * 100 * 1.3)), axisLabel: AXIS_LABEL },
    series: [
      {
        type: 'line',
        data: points.map((p) => Number((p.risk * 100).toFixed(1))),
        label: { show: points.length <= 12, formatter: '{c}%', fontSize: 17 },
        lineStyle: { color: '#c0392b' },
        itemStyle: { color: '#c0392b' },
        markLine: {
          symbol: 'none',
          silent: true,
          label: { formatter: '{b}', position: 'insideEndTop', fontSize: 16 },
          data: [
            { name: '重点关注', yAxis: floors.high * 100, lineStyle: { color: '#c0392b', type: 'dashed' } },
            { name: '留意', yAxis: floors.medium * 100, lineStyle: { color: '#e67e22', type: 'dashed' }, label: { position: 'insideStartBottom' } },
          ],
        },
      },
    ],
  });
}

/** Unexcused absence in each of the last weeks (share of school days), weeks ending on the dates shown. */
export function absenceChart(asOf: string, shares: readonly (number | null)[]): string {
  if (shares.length === 0) return '';
  const end = Date.parse(`${asOf}T00:00:00Z`);
  const weeks = shares.map((_, i) => new Date(end - (shares.length - 1 - i) * 7 * 86_400_000).toISOString().slice(5, 10));
  return render('近几周无故缺勤占上课日的比例（%），每格一周（日期为该周最后一天）；空缺为该周无考勤记录', {
    grid: GRID,
    xAxis: { type: 'category', data: weeks, name: '周', axisLabel: AXIS_LABEL },
    yAxis: { type: 'value', name: '%', min: 0, max: 100, axisLabel: AXIS_LABEL },
    series: [
      {
        type: 'bar',
        data: shares.map((v) => (v === null || Number.isNaN(v) ? null : Math.round(v * 100))),
        label: { show: true, position: 'top', formatter: '{c}%', fontSize: 16 },
        itemStyle: { color: '#c0392b' },
      },
    ],
  });
}

/** Standing in the last exams against the class (0 = the class's average, in standard deviations). */
export function standingChart(standing: readonly number[]): string {
  const finite = standing.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return '<p class="muted">暂无考试记录。</p>';
  return render('近几次考试在班内的位置（0 为班级平均，单位为标准差；越低越靠后）', {
    grid: GRID,
    xAxis: { type: 'category', data: standing.map((_, i) => `第${i + 1}次`), name: '由远及近', axisLabel: AXIS_LABEL },
    yAxis: { type: 'value', name: '标准差', min: -3, max: 3, axisLabel: AXIS_LABEL },
    series: [
      {
        type: 'line',
        data: standing.map((v) => (Number.isFinite(v) ? Number(v.toFixed(2)) : null)),
        label: { show: true, fontSize: 17 },
        itemStyle: { color: '#24476b' },
        markLine: { symbol: 'none', silent: true, data: [{ yAxis: 0, lineStyle: { color: '#999' } }], label: { show: false } },
      },
    ],
  });
}

/** Each judged week's recall at the list: the model's list against the unexcused-streak rule given the same sizes. */
export function liveRecallChart(weeks: readonly { as_of: string; model: number; rule: number }[]): string {
  if (weeks.length === 0) return '<p class="muted">还没有可评估的周（每周名单须等预测期结束才能核对）。</p>';
  const pct = (v: number) => (Number.isFinite(v) ? Number((v * 100).toFixed(1)) : null);
  return render('每周名单找到的辍学学生占比（%）：模型名单与“连续无故缺勤”规则（名单人数相同）', {
    grid: GRID,
    legend: { top: 0, textStyle: { fontSize: 16 } },
    xAxis: { type: 'category', data: weeks.map((w) => w.as_of.slice(5)), name: '周', axisLabel: { ...AXIS_LABEL, hideOverlap: true } },
    yAxis: { type: 'value', name: '%', min: 0, axisLabel: AXIS_LABEL },
    series: [
      { name: '模型', type: 'line', data: weeks.map((w) => pct(w.model)), lineStyle: { color: '#c0392b' }, itemStyle: { color: '#c0392b' } },
      {
        name: '连续缺勤规则',
        type: 'line',
        data: weeks.map((w) => pct(w.rule)),
        lineStyle: { color: '#7f8c8d', type: 'dashed' },
        itemStyle: { color: '#7f8c8d' },
      },
    ],
  });
}

/** Each kind of step's effect on dropout within 8 weeks, in points, with its 95% interval. */
export function effectsChart(items: readonly { kind: string; effect: number; lo: number; hi: number }[]): string {
  if (items.length === 0) return '<p class="muted">没有足够的记录来估计效果。</p>';
  const pts = (v: number) => Number((v * 100).toFixed(1));
  return render(
    '各项帮扶后8周内辍学率的变化（百分点，与匹配的未帮扶学生相比；线段为95%区间，跨过0即未显示效果）',
    {
      grid: { ...GRID, left: 150 },
      yAxis: { type: 'category', data: items.map((i) => i.kind), axisLabel: AXIS_LABEL },
      xAxis: { type: 'value', name: '百分点', axisLabel: AXIS_LABEL },
      series: [
        {
          type: 'scatter',
          data: items.map((i, k) => [pts(i.effect), k]),
          itemStyle: { color: '#c0392b' },
          markLine: { symbol: 'none', silent: true, data: [{ xAxis: 0, lineStyle: { color: '#555', type: 'dashed' } }], label: { show: false } },
        },
        ...items.map((i, k) => ({
          type: 'line' as const,
          data: [
            [pts(i.lo), k],
            [pts(i.hi), k],
          ],
          symbol: 'none',
          lineStyle: { color: '#2c3e50', width: 3 },
        })),
      ],
    },
    60 + 50 * items.length,
  );
}
