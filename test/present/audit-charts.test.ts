import { describe, expect, it } from 'vitest';
import { renderAuditHtml } from '../../src/present/audit-html.js';
import { axisTicks, chartText, labelIndices, shortLabels } from '../../src/present/chart.js';
import { IdGen, barChart, dataTable, figure } from '../../src/present/html.js';
import { longPeriodReport } from './period-fixture.js';

/** Every inline SVG of a page, as markup. */
const svgs = (page: string): string[] => page.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
/** Every chart figure (the SVG, its data table and caption), as markup. */
const figures = (page: string): string[] => page.match(/<figure class="chart[\s\S]*?<\/figure>/g) ?? [];
/** The chart whose <title> is `title`. */
const chart = (page: string, title: string): string => {
  const found = svgs(page).find((s) => s.includes(`>${title}</title>`));
  if (!found) throw new Error(`no chart titled ${title}`);
  return found;
};
const texts = (svg: string, cls: string): string[] =>
  [...svg.matchAll(new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1] as string);

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

describe('chart labels of the period report', () => {
  it('show bidi and control characters of a release tag as visible escapes, as the tables, text and Markdown do', () => {
    const tag = (i: number): string => (i === 2 ? 'v1.2.\u202egpj.exe\u0007\u2066x\u2069' : `v1.${i}.0`);
    const page = renderAuditHtml(longPeriodReport(6, tag));
    const charts = svgs(page);
    expect(charts.length).toBeGreaterThanOrEqual(5); // the standing strip and four trend charts
    for (const svg of charts) expect(svg).not.toMatch(RAW);
    for (const fig of figures(page)) expect(fig).not.toMatch(RAW);
    // The escaped form is there: in the standing strip's tooltips, the trend points' tooltips and the data tables
    // beside them.
    expect(chart(page, 'Standing of each release, in publication order')).toContain(
      'v1.2.\\u202egpj.exe\\u0007\\u2066x\\u2069: NO EVIDENCE',
    );
    expect(chart(page, 'Tests per release')).toContain('<title>v1.2.\\u202egpj.exe\\u0007\\u2066x\\u2069: tests ');
    expect(figures(page).join('')).toContain('<th scope="row">v1.2.\\u202egpj.exe\\u0007\\u2066x\\u2069</th>');
    // And it is what the shared escaping makes of the tag.
    expect(chartText(tag(2))).toBe('v1.2.\\u202egpj.exe\\u0007\\u2066x\\u2069');
  });

  it('and so do the tables of the page, and every other place a tag or reason from the data is shown', () => {
    const tag = (i: number): string => (i === 1 ? 'v2\u202e\u001b[31m\u0085' : `v${i}`);
    const page = renderAuditHtml(longPeriodReport(3, tag));
    expect(page).not.toMatch(RAW);
    const releases = page.slice(
      page.indexOf('<table class="releases"'),
      page.indexOf('</table>', page.indexOf('<table class="releases"')),
    );
    expect(releases).toContain('>v2\\u202e\\u001b[31m\\u0085</a></th>');
    expect(page).toContain('<li>Missing: a SARIF report whose tool is pinned to'); // the rest of the page is as it was
  });

  it('print an all-zero series with one tick, not three zeros', () => {
    const page = renderAuditHtml(longPeriodReport(25));
    expect(texts(chart(page, 'Findings per release'), 'y-tick')).toEqual(['0']);
    // A series that varies keeps its three ticks.
    expect(texts(chart(page, 'Tests per release'), 'y-tick')).toHaveLength(3);
  });

  it('thin out the release labels of a long period: first and last shown, the shared prefix said once', () => {
    const r = longPeriodReport(25);
    const page = renderAuditHtml(r);
    const svg = chart(page, 'Tests per release');
    const labels = texts(svg, 'x-label');
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(labels.length).toBeLessThan(25);
    expect(labels[0]).toBe('01.0-rc.1+bui…');
    expect(labels.at(-1)).toBe('25.0-rc.1+bui…');
    expect(svg).toContain('tags start with “web-frontend-release-2026.”');
  });
});

describe('the charts of the single-release report', () => {
  it('escape bidi and control characters in titles, descriptions, bar labels and their data tables too', () => {
    const name = 'slo\u202eenil\u0000\u2028';
    const svg = barChart(new IdGen(), {
      title: `Burn rate by window: ${name}`,
      desc: name,
      bars: [{ label: `5m${name}`, value: 1, valueLabel: `1×${name}`, color: '#000' }],
      ref: { value: 1, label: name },
    }).value;
    const fig = figure(
      barChart(new IdGen(), { title: name, desc: name, bars: [] }),
      dataTable(`SLO ${name}`, ['Measure', name], [[name, name]]),
      name,
    ).value;
    for (const out of [svg, fig]) {
      expect(out).not.toMatch(RAW);
      expect(out).toContain('slo\\u202eenil\\u0000\\u2028');
    }
  });
});

describe('axisTicks', () => {
  const int = (v: number): string => String(Math.round(v));
  it('gives one tick for a constant series', () => {
    expect(axisTicks(0, 0, int, true)).toEqual([{ value: 0, label: '0' }]);
    expect(axisTicks(5, 5, (v) => v.toFixed(1))).toEqual([{ value: 5, label: '5.0' }]);
  });
  it('gives the ends and the middle of a range', () => {
    expect(axisTicks(0, 10, int, true).map((t) => t.label)).toEqual(['0', '5', '10']);
    expect(axisTicks(0, 0.8, (v) => `${(v * 100).toFixed(0)}%`).map((t) => t.label)).toEqual(['0%', '40%', '80%']);
  });
  it('never labels a tick with a value it is not at: an integer axis from 0 to 1 has two ticks', () => {
    expect(axisTicks(0, 1, int, true)).toEqual([
      { value: 0, label: '0' },
      { value: 1, label: '1' },
    ]);
  });
  it('drops ticks that would print the same', () => {
    expect(axisTicks(0, 0.01, (v) => v.toFixed(0)).map((t) => t.label)).toEqual(['0']);
  });
});

describe('labelIndices', () => {
  it('shows every label when they fit', () => {
    expect(labelIndices(5, 8)).toEqual([0, 1, 2, 3, 4]);
    expect(labelIndices(0, 8)).toEqual([]);
  });
  it('spaces labels evenly, first and last included, none crowding the last', () => {
    expect(labelIndices(25, 6)).toEqual([0, 6, 12, 18, 24]);
    for (const n of [13, 26, 40, 97, 200]) {
      const idx = labelIndices(n, 7);
      expect(idx[0]).toBe(0);
      expect(idx.at(-1)).toBe(n - 1);
      expect(idx.length).toBeLessThanOrEqual(8);
      const gaps = idx.slice(1).map((v, i) => v - (idx[i] as number));
      expect(Math.min(...gaps), `n=${n}: ${idx.join(',')}`).toBeGreaterThanOrEqual(Math.ceil((n - 1) / 6));
    }
  });
});

describe('shortLabels', () => {
  it('takes off the prefix all labels share, up to a separator, and cuts what is left', () => {
    expect(shortLabels(['release-2026.01', 'release-2026.02'], 14)).toEqual({
      prefix: 'release-2026.',
      labels: ['01', '02'],
    });
    expect(shortLabels(['v1.2', 'v1.3'], 14)).toEqual({ prefix: '', labels: ['v1.2', 'v1.3'] });
    expect(shortLabels(['a-very-long-release-name'], 8)).toEqual({ prefix: '', labels: ['a-very-…'] });
  });
});

describe('findings by disposition across the period', () => {
  it('charts and tabulates each release with a vulnerabilities document, and leaves the others blank', async () => {
    const report = longPeriodReport(6);
    const page = renderAuditHtml(report);
    const fig = figures(page).find((f) => f.includes('Findings by disposition per release'));
    expect(fig).toBeDefined();
    const first = report.summary.trends[0]?.vulnerabilities;
    expect(first).not.toBeNull();
    // The first release (even index) has one; its row carries its figures; the second (odd) has none.
    const cell = (n: number | undefined) => `<td class="num">${n}</td>`;
    const open = (first?.none ?? 0) + (first?.affected ?? 0) + (first?.underInvestigation ?? 0);
    expect(fig).toContain([first?.findings, first?.notAffected, first?.fixed, open].map(cell).join(''));
    // A release without one: dashes, not zeros.
    expect(fig).toMatch(/1001<\/th>(<td class="num">–<\/td>){6}/);
    expect(chart(page, 'Findings by disposition')).toContain('not affected');
    const { formatAuditText, formatAuditMarkdown } = await import('../../src/present/audit.js');
    expect(formatAuditText(report)).toMatch(/vulnerabilities by disposition \(VEX\):\nRELEASE +FINDINGS +NOT AFFECTED/);
    expect(formatAuditMarkdown(report)).toContain('## Vulnerabilities by disposition');
  });
});
