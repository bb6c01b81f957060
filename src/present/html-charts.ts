import { maxOf } from '../core/objects.js';
import { chartText } from './chart.js';
import { html, px, type Fragment, type IdGen, type Safe } from './html-base.js';

/* ------------------------------------------------------------------------ *
 * Charts: inline SVG with <title>/<desc>, text labels on every mark, and a
 * data table beside each one.
 * ------------------------------------------------------------------------ */

export const COLOR = {
  text: '#1f2328',
  muted: '#57606a',
  grid: '#d0d7de',
  track: '#eef1f4',
  critical: '#8e1519',
  high: '#c4432b',
  medium: '#9a6700',
  low: '#0969da',
  passed: '#1a7f37',
  failed: '#cf222e',
  errored: '#8250df',
  skipped: '#6e7781',
  accent: '#0969da',
} as const;

interface Bar {
  label: string;
  value: number;
  valueLabel: string;
  color: string;
}

export function svgOpen(
  width: number,
  height: number,
  titleId: string,
  descId: string,
  title: string,
  desc: string,
): Safe {
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 ${px(width)} ${px(height)}" width="${px(width)}" height="${px(height)}" role="img" aria-labelledby="${titleId} ${descId}" font-family="system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif"><title id="${titleId}">${chartText(title)}</title><desc id="${descId}">${chartText(desc)}</desc>`;
}

/** Horizontal bars, one row per value, each labelled with its value; an optional reference line. */
export function barChart(
  ids: IdGen,
  o: { title: string; desc: string; bars: Bar[]; max?: number; ref?: { value: number; label: string } },
): Safe {
  const W = 560;
  const labelW = 110;
  const valueW = 92;
  const rowH = 30;
  const top = o.ref ? 22 : 8;
  const H = top + o.bars.length * rowH + 8;
  const area = W - labelW - valueW;
  const max = maxOf([o.max ?? 0, ...o.bars.map((b) => b.value), o.ref ? o.ref.value : 0, 1e-9]);
  const x = (v: number): number => labelW + (Math.max(0, v) / max) * area;
  const t = ids.next('chart-title');
  const d = ids.next('chart-desc');
  const rows = o.bars.map((b, i) => {
    const y = top + i * rowH;
    const w = Math.max(x(b.value) - labelW, b.value > 0 ? 2 : 0);
    return html`<g><text x="${px(labelW - 10)}" y="${px(y + 19)}" text-anchor="end" font-size="13" fill="${COLOR.text}">${chartText(b.label)}</text><rect x="${px(labelW)}" y="${px(y + 5)}" width="${px(area)}" height="20" fill="${COLOR.track}"/><rect x="${px(labelW)}" y="${px(y + 5)}" width="${px(w)}" height="20" fill="${b.color}"/><text x="${px(labelW + w + 6)}" y="${px(y + 19)}" font-size="13" font-weight="600" fill="${COLOR.text}" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke">${chartText(b.valueLabel)}</text></g>`;
  });
  const ref = o.ref
    ? html`<line x1="${px(x(o.ref.value))}" x2="${px(x(o.ref.value))}" y1="${px(top - 4)}" y2="${px(H - 4)}" stroke="${COLOR.text}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="${px(x(o.ref.value))}" y="${px(top - 8)}" text-anchor="middle" font-size="12" fill="${COLOR.text}">${chartText(o.ref.label)}</text>`
    : '';
  return html`${svgOpen(W, H, t, d, o.title, o.desc)}<line x1="${px(labelW)}" x2="${px(labelW)}" y1="${px(top)}" y2="${px(H - 8)}" stroke="${COLOR.grid}"/>${rows}${ref}</svg>`;
}

/** A 0–100% gauge with its value written out. */
export function gaugeChart(
  ids: IdGen,
  o: { title: string; desc: string; ratio: number | null; label: string; color: string },
): Safe {
  const W = 560;
  const H = 64;
  const t = ids.next('chart-title');
  const d = ids.next('chart-desc');
  const r = o.ratio === null ? 0 : Math.min(1, Math.max(0, o.ratio));
  const area = W - 2;
  return html`${svgOpen(W, H, t, d, o.title, o.desc)}<text x="1" y="16" font-size="14" font-weight="600" fill="${COLOR.text}">${chartText(o.label)}</text><rect x="1" y="26" width="${px(area)}" height="22" fill="${COLOR.track}" stroke="${COLOR.grid}"/><rect x="1" y="26" width="${px(area * r)}" height="22" fill="${o.color}"/>${[
    0, 0.25, 0.5, 0.75, 1,
  ].map(
    (f) =>
      html`<line x1="${px(1 + area * f)}" x2="${px(1 + area * f)}" y1="48" y2="52" stroke="${COLOR.muted}"/><text x="${px(Math.min(W - 2, Math.max(1, 1 + area * f)))}" y="62" font-size="10" fill="${COLOR.muted}" text-anchor="${f === 0 ? 'start' : f === 1 ? 'end' : 'middle'}">${`${f * 100}%`}</text>`,
  )}</svg>`;
}

/**
 * A chart's data table: strings from the data escaped as the chart's labels are (chartText); markup already made (Safe)
 * kept.
 */
export function dataTable(caption: string, head: string[], rows: Fragment[][]): Safe {
  const cell = (c: Fragment): Fragment => (typeof c === 'string' ? chartText(c) : c);
  return html`<table class="data"><caption>${chartText(caption)}</caption><thead><tr>${head.map((h, i) => html`<th scope="col"${i > 0 ? html` class="num"` : ''}>${chartText(h)}</th>`)}</tr></thead><tbody>${rows.map((r) => html`<tr>${r.map((c, i) => (i === 0 ? html`<th scope="row">${cell(c)}</th>` : html`<td class="num">${cell(c)}</td>`))}</tr>`)}</tbody></table>`;
}

export function figure(chart: Safe, table: Safe, caption: string): Safe {
  return html`<figure class="chart"><div class="chart-graphic">${chart}</div><div class="chart-data">${table}</div><figcaption>${chartText(caption)}</figcaption></figure>`;
}
