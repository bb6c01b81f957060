import { maxOf, minOf } from '../core/objects.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import type { AuditReport, PeriodSummary, TrendPoint } from '../verifier/period.js';
import { answers, periodSourceLine, standingCounts, standingWords, verdictWords } from './audit.js';
import { axisTicks, chartText, labelIndices, shortLabels } from './chart.js';
import { escapeTerminal } from './terminal.js';
import { IdGen, Safe, badge, code, html, htmlDocument, px } from './html-base.js';
import { COLOR, dataTable, figure, svgOpen } from './html-charts.js';
import { CSS } from './html-style.js';
import type { PeriodChange } from '../verifier/period-changes.js';
import { CHANGE_HEAD, changeRow, changeSampleLine } from './audit-changes.js';

/**
 * The period report as one self-contained HTML file (no script, no external
 * resource; a Content-Security-Policy says so): the standing of every
 * release, the controls across the period, waivers, and trend charts in
 * inline SVG, each chart with its data table beside it.
 */
export function renderAuditHtml(r: AuditReport): string {
  const s = r.summary;
  const ids = new IdGen();
  // A policy that held on no evidence somewhere is amber, as verify's POLICY SHOWS NOTHING is: never a plain pass.
  const tone = s.verdict === 'holds' ? 'pass' : s.verdict === 'shows-nothing' ? 'warn' : 'fail';
  const title = `${verdictWords(r)}: ${periodSourceLine(r)}, ${s.period.since} to ${s.period.until}`;
  const body = html`
<header class="masthead">
  <p class="eyebrow">Release evidence: period audit</p>
  <h1>${periodSourceLine(r)}</h1>
  <p class="meta">${s.period.since} to ${s.period.until} · generated ${r.generatedAt} by ${PACKAGE_NAME} ${PACKAGE_VERSION}</p>
</header>
<main>
<section class="verdict ${tone}" id="verdict" aria-labelledby="verdict-word">
  <div class="verdict-mark" aria-hidden="true">${{ pass: '✓', warn: '!', fail: '✗' }[tone]}</div>
  <div><h2 id="verdict-word" class="verdict-word">${verdictWords(r)}</h2>
  <p>${s.counts.population} releases in the period; ${s.counts.examined} examined${s.sample ? html` (a sample of ${s.sample.size}, seed <code>${s.sample.seed}</code>: ${s.sample.method})` : ''}.</p>
  <p>Policy: ${r.policy ? html`<code>${r.policy.path}</code> (<code>${r.policy.digest}</code>)` : 'none given: authenticity only'}.</p></div>
</section>
${standingSection(s, ids)}
${releasesSection(s)}
${controlsSection(s)}
${waiversSection(s)}
${changesSection(s)}
${trendsSection(s, ids)}
</main>
<footer><p>Each release's signed evidence bundle remains the record: verify any of them again with <code>evidence verify</code>. Figures marked “unverified” are a bundle's own claims, its signature not verified.</p></footer>`;
  // Control and bidirectional characters from the data (tags, reasons, control titles) are shown as visible escapes
  // everywhere in the page, tables and charts alike, as in the text and Markdown reports; the markup itself has none.
  return escapeTerminal(htmlDocument(`${title} — evidence period audit`, CSS + AUDIT_CSS, body));
}

const STANDING_TONE: Record<string, { tone: string; mark: string }> = {
  holds: { tone: 'pass', mark: '✓' },
  'shows-nothing': { tone: 'warn', mark: '○' },
  'policy-failed': { tone: 'fail', mark: '✗' },
  'not-authentic': { tone: 'fail', mark: '✗' },
  unsigned: { tone: 'fail', mark: '?' },
  missing: { tone: 'fail', mark: '∅' },
  unavailable: { tone: 'warn', mark: '!' },
  'not-examined': { tone: 'neutral', mark: '–' },
};
const TONE_COLOR: Record<string, string> = {
  pass: COLOR.passed,
  fail: COLOR.failed,
  warn: COLOR.medium,
  neutral: COLOR.skipped,
};

/** One cell per release, in publication order: its standing as colour, symbol and word. */
function standingSection(s: PeriodSummary, ids: IdGen): Safe {
  const n = s.members.length;
  const W = 800;
  // Every cell inside the width, however many releases: thin ones past 160.
  const cell = Math.min(48, (W - 10) / Math.max(1, n));
  const gap = cell >= 6 ? 2 : cell / 4;
  const H = 84;
  const t = ids.next('chart-title');
  const d = ids.next('chart-desc');
  // Tags under the cells only when they fit: cut to what a cell holds, escaped, and the prefix all share left out.
  const chars = Math.floor((cell - 4) / (11 * 0.62));
  const short = shortLabels(
    s.members.map((m) => chartText(m.id)),
    Math.max(2, chars),
  );
  const cells = s.members.map((m, i) => {
    const st = STANDING_TONE[m.status] ?? { tone: 'neutral', mark: '?' };
    const x = 5 + i * cell;
    return html`<g><title>${chartText(`${m.id}: ${standingWords(m)}`)}</title><rect x="${px(x)}" y="6" width="${px(cell - gap)}" height="34" fill="${TONE_COLOR[st.tone] ?? COLOR.skipped}"/>${cell >= 10 ? html`<text x="${px(x + (cell - gap) / 2)}" y="29" text-anchor="middle" font-size="${cell >= 16 ? '15' : '9'}" font-weight="700" fill="#ffffff">${st.mark}</text>` : ''}${chars >= 6 ? html`<text x="${px(x + (cell - gap) / 2)}" y="56" text-anchor="middle" font-size="11" fill="${COLOR.text}">${short.labels[i] ?? ''}</text>` : ''}</g>`;
  });
  const first = s.members[0]?.published.slice(0, 10) ?? '';
  const last = s.members.at(-1)?.published.slice(0, 10) ?? '';
  const axis = `${first}${short.prefix && chars >= 6 ? ` · tags start with “${short.prefix}”` : ''}`;
  const chart = html`${svgOpen(
    W,
    H,
    t,
    d,
    'Standing of each release, in publication order',
    `${n} releases: ${standingCounts(s)
      .map(([word, v]) => `${v} ${word}`)
      .join(', ')}`,
  )}${cells}<text x="5" y="78" font-size="12" fill="${COLOR.muted}">${axis}</text><text x="${px(W - 5)}" y="78" text-anchor="end" font-size="12" fill="${COLOR.muted}">${last}</text></svg>`;
  const rows = standingCounts(s);
  return html`<section id="standing"><h2>Standing across the period</h2>${figure(chart, dataTable('Releases by standing', ['Standing', 'Releases'], rows), 'Each release of the period, oldest first. ✓ holds; ○ the policy held but showed nothing; ✗ failed the policy, is not authentic or carries the evidence of another release; ? unsigned; ∅ no evidence; ! could not be read; – not in the sample.')}</section>`;
}

function releasesSection(s: PeriodSummary): Safe {
  return html`<section id="releases"><h2>Releases (${s.members.length})</h2>
<table class="releases"><caption>Every release in the period, with the three answers kept apart</caption>
<thead><tr><th scope="col">Release</th><th scope="col">Published</th><th scope="col">Standing</th><th scope="col">Authentic</th><th scope="col">Policy</th><th scope="col">Evidence says</th><th scope="col">Why</th></tr></thead>
<tbody>${s.members.map((m) => {
    const a = answers(m);
    const st = STANDING_TONE[m.status] ?? { tone: 'neutral', mark: '?' };
    return html`<tr class="standing-${m.status}"><th scope="row">${m.url ? html`<a href="${m.url}">${m.id}</a>` : m.id}</th><td>${m.published ? m.published.slice(0, 10) : 'undated'}${m.dated === 'signer' ? html` <span title="dated by the bundle's own created time, which its signer wrote; no timestamp vouches for it">(signer)</span>` : ''}</td><td><span class="badge ${st.tone}"><span class="mark" aria-hidden="true">${st.mark}</span> ${standingWords(m)}</span></td><td>${a.authentic}</td><td>${a.policy}</td><td>${a.evidence}</td><td>${m.status === 'holds' || m.status === 'not-examined' ? '' : m.reason}${m.evidence.bundle?.digest ? html`<div class="code">bundle ${m.evidence.bundle.digest}</div>` : ''}</td></tr>`;
  })}</tbody></table></section>`;
}

const CHANGE_TONE: Record<string, string> = { meets: 'pass', exception: 'fail', 'not-checked': 'warn' };

/** The CC8.1 change sample: one row per sampled change, then every emergency change and direct push. */
function changesSection(s: PeriodSummary): Safe {
  const cs = s.changeSample;
  if (!cs) return html``;
  const list = (title: string, items: PeriodChange[]): Safe =>
    html`<h3>${title} (${items.length})</h3>${items.length ? html`<ul>${items.map((c) => html`<li><code>${c.release}</code> <code>${c.commit.slice(0, 12)}</code> ${c.title} (${c.standing})</li>`)}</ul>` : html`<p>None.</p>`}`;
  return html`<section id="changes"><h2>Changes: the CC8.1 sample (${cs.sampled.length} of ${cs.population})</h2>
<p>${changeSampleLine(cs)}.</p>
<table class="changes"><caption>Each sampled change: approved by someone other than its author, on the merged head, before the merge, with the required checks passed; “not checked” where no code host was asked</caption>
<thead><tr>${CHANGE_HEAD.map((h) => html`<th scope="col">${h[0] + h.slice(1).toLowerCase()}</th>`)}</tr></thead>
<tbody>${cs.sampled.map((c) => {
    const cells = changeRow(c);
    return html`<tr><th scope="row">${cells[0]}</th>${cells.slice(1).map((v, i) => (i === 8 ? html`<td><span class="badge ${CHANGE_TONE[v] ?? 'neutral'}">${v}</span></td>` : i === 0 ? html`<td><code>${v}</code></td>` : html`<td>${v}</td>`))}</tr>`;
  })}</tbody></table>
${list('Emergency changes, sampled or not', cs.emergencies)}
${list('Direct pushes, sampled or not', cs.directPushes)}</section>`;
}

function controlsSection(s: PeriodSummary): Safe {
  if (!s.controls.length)
    return html`<section id="controls"><h2>Controls</h2><p>The policy maps no requirement, rule or cross-check to a control${s.controls.length === 0 ? ' (or no policy was given)' : ''}.</p></section>`;
  const examined = s.counts.examined;
  return html`<section id="controls"><h2>Controls (${s.controls.length})</h2>
<table class="controls"><caption>Each control the policy cites: the evidence that covers it, and in how many of the ${examined} examined releases it held</caption>
<thead><tr><th scope="col">Control</th><th scope="col">Evidence</th><th scope="col">Held</th><th scope="col" class="num">Partly shown</th><th scope="col" class="num">Not shown</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Not evaluated</th><th scope="col">Failed in</th></tr></thead>
<tbody>${s.controls.map((c) => {
    const held = c.held + c.waived;
    const ratio = examined ? held / examined : 0;
    const tone = c.failed ? 'row-fail' : held === examined && examined > 0 ? 'row-pass' : 'row-partial';
    return html`<tr class="${tone}"><th scope="row">${code(c.id)}${c.title ? html`<div class="control-title">${c.title}</div>` : html`<div class="control-title">(the policy's own)</div>`}</th><td>${c.kinds.join(', ') || '–'}<div class="code">${c.citations.map((x) => `${x.type} ${x.name}`).join(', ')}</div>${c.missing.length ? html`<ul class="missing">${c.missing.map((m) => html`<li>Missing: ${m.what} (in ${m.releases.length} of ${examined})</li>`)}</ul>` : ''}</td><td><span class="meter" role="img" aria-label="${`${held} of ${examined}`}"><span style="width:${px(ratio * 100)}%"></span></span> ${held} of ${examined}${c.waived ? ` (${c.waived} waived)` : ''}</td><td class="num">${c.partlyShown}</td><td class="num">${c.notShown}</td><td class="num">${c.failed}</td><td class="num">${c.notEvaluated}</td><td>${c.failedIn.join(', ') || '–'}</td></tr>`;
  })}</tbody></table></section>`;
}

function waiversSection(s: PeriodSummary): Safe {
  if (!s.waivers.length) return html``;
  return html`<section id="waivers"><h2>Waivers (${s.waivers.length})</h2>
<table><caption>Waivers of the policy: where they were used, and whether they expired inside the period</caption>
<thead><tr><th scope="col">Rule</th><th scope="col">Expires</th><th scope="col">Waived in</th><th scope="col">Failed after expiry in</th><th scope="col">Reason</th></tr></thead>
<tbody>${s.waivers.map((w) => html`<tr><th scope="row">${code(w.rule)}</th><td>${w.expires} ${w.expiredInPeriod ? badge('expired', 'Expired in the period') : ''}</td><td>${w.waivedIn.join(', ') || '–'}</td><td>${w.failedAfterExpiryIn.join(', ') || '–'}</td><td>${w.reason}</td></tr>`)}</tbody></table></section>`;
}

interface Series {
  name: string;
  color: string;
  values: (number | null)[];
  format: (v: number) => string;
  dash?: string;
}

/**
 * A line chart over the releases: one point per release (a gap where it has no figure), each labelled, with a legend.
 */
function lineChart(
  ids: IdGen,
  o: { title: string; desc: string; labels: string[]; series: Series[]; min?: number; integer?: boolean },
): Safe {
  // 800 units wide: drawn at full width of the page, its 12-unit text stays readable from a desktop screen down to A4
  // paper.
  const W = 800;
  const H = 260;
  const left = 64;
  const right = 24;
  const top = 34;
  const bottom = 52;
  const all = o.series.flatMap((x) => x.values.filter((v): v is number => v !== null));
  const max = maxOf([...all, o.min ?? 0]);
  const min = minOf([o.min ?? 0, ...all]);
  const span = max - min || 1;
  const n = o.labels.length;
  const x = (i: number): number => left + (n <= 1 ? (W - left - right) / 2 : (i / (n - 1)) * (W - left - right));
  const y = (v: number): number => top + (1 - (v - min) / span) * (H - top - bottom);
  const t = ids.next('chart-title');
  const d = ids.next('chart-desc');
  const format = o.series[0]?.format ?? String;
  const grid = axisTicks(min, max, format, o.integer).map(
    (tk) =>
      html`<line x1="${px(left)}" x2="${px(W - right)}" y1="${px(y(tk.value))}" y2="${px(y(tk.value))}" stroke="${COLOR.grid}"/><text class="y-tick" x="${px(left - 8)}" y="${px(y(tk.value) + 4)}" text-anchor="end" font-size="12" fill="${COLOR.muted}">${tk.label}</text>`,
  );
  // Labels as shown: escaped, the prefix every tag shares said once, each cut to fit, and only as many as fit side by
  // side.
  const LABEL_CHARS = 14;
  const short = shortLabels(o.labels.map(chartText), LABEL_CHARS);
  const widest = maxOf([1, ...short.labels.map((l) => l.length)]);
  const room = (W - left - right) / (widest * 12 * 0.62 + 16) + 1;
  const xlabels = labelIndices(n, room).map(
    (i) =>
      html`<text class="x-label" x="${px(x(i))}" y="${px(H - bottom + 18)}" text-anchor="${n > 1 && i === 0 ? 'start' : n > 1 && i === n - 1 ? 'end' : 'middle'}" font-size="12" fill="${COLOR.muted}">${short.labels[i] ?? ''}</text>`,
  );
  const axisNote = short.prefix
    ? html`<text x="${px(left)}" y="${px(H - 8)}" font-size="12" fill="${COLOR.muted}">${`Releases (tags start with “${short.prefix}”)`}</text>`
    : html`<text x="${px(left)}" y="${px(H - 8)}" font-size="12" fill="${COLOR.muted}">Releases</text>`;
  const lines = o.series.map((sr) => {
    const segments: string[] = [];
    let current: string[] = [];
    sr.values.forEach((v, i) => {
      if (v === null) {
        if (current.length) segments.push(current.join(' '));
        current = [];
      } else current.push(`${px(x(i))},${px(y(v))}`);
    });
    if (current.length) segments.push(current.join(' '));
    return html`<g class="series" data-series="${chartText(sr.name)}">${segments.map((p) => html`<polyline points="${p}" fill="none" stroke="${sr.color}" stroke-width="2.5"${sr.dash ? html` stroke-dasharray="${sr.dash}"` : ''}/>`)}${sr.values.map((v, i) => (v === null ? '' : html`<circle cx="${px(x(i))}" cy="${px(y(v))}" r="3.5" fill="${sr.color}"><title>${chartText(`${o.labels[i] ?? ''}: ${sr.name} ${sr.format(v)}`)}</title></circle>`))}</g>`;
  });
  const legend = o.series.map(
    (sr, i) =>
      html`<g><line x1="${px(left + i * 220)}" x2="${px(left + i * 220 + 22)}" y1="12" y2="12" stroke="${sr.color}" stroke-width="3"${sr.dash ? html` stroke-dasharray="${sr.dash}"` : ''}/><text x="${px(left + i * 220 + 30)}" y="16" font-size="13" fill="${COLOR.text}">${chartText(sr.name)}</text></g>`,
  );
  return html`${svgOpen(W, H, t, d, o.title, o.desc)}${grid}${xlabels}${axisNote}${lines}${legend}</svg>`;
}

function trendsSection(s: PeriodSummary, ids: IdGen): Safe {
  const t: TrendPoint[] = s.trends;
  if (!t.length)
    return html`<section id="trends"><h2>Trends</h2><p>No examined release had evidence whose figures could be read.</p></section>`;
  const labels = t.map((p) => p.id + (p.unverified ? '*' : ''));
  const int = (v: number): string => String(Math.round(v));
  const charts: Safe[] = [];
  const table = (caption: string, head: string[], pick: (p: TrendPoint) => string[]): Safe =>
    dataTable(
      caption,
      ['Release', ...head],
      t.map((p) => [labels[t.indexOf(p)], ...pick(p)]),
    );
  const has = (f: (p: TrendPoint) => number | null): boolean => t.some((p) => f(p) !== null);
  const show = (v: number | null, f: (v: number) => string): string => (v === null ? '–' : f(v));
  if (has((p) => p.tests)) {
    charts.push(
      figure(
        lineChart(ids, {
          title: 'Tests per release',
          desc: 'Test cases run and failed (or errored) in each release',
          labels,
          integer: true,
          series: [
            { name: 'tests', color: COLOR.passed, values: t.map((p) => p.tests), format: int },
            {
              name: 'failed or errored',
              color: COLOR.failed,
              values: t.map((p) => p.testsFailed),
              format: int,
              dash: '6 3',
            },
          ],
        }),
        table('Tests per release', ['Tests', 'Failed'], (p) => [show(p.tests, int), show(p.testsFailed, int)]),
        "Tests: from each release's JUnit reports.",
      ),
    );
  }
  if (has((p) => p.findingsCritical)) {
    charts.push(
      figure(
        lineChart(ids, {
          title: 'Findings per release',
          desc: 'Critical and high findings of the scans in each release',
          labels,
          integer: true,
          series: [
            { name: 'critical', color: COLOR.critical, values: t.map((p) => p.findingsCritical), format: int },
            { name: 'high', color: COLOR.high, values: t.map((p) => p.findingsHigh), format: int, dash: '6 3' },
          ],
        }),
        table('Findings per release', ['Critical', 'High'], (p) => [
          show(p.findingsCritical, int),
          show(p.findingsHigh, int),
        ]),
        "Findings: from each release's SARIF.",
      ),
    );
  }
  if (t.some((p) => p.vulnerabilities)) {
    const v = (f: (x: NonNullable<(typeof t)[number]['vulnerabilities']>) => number) =>
      t.map((p) => (p.vulnerabilities ? f(p.vulnerabilities) : null));
    charts.push(
      figure(
        lineChart(ids, {
          title: 'Findings by disposition',
          desc: "Each release's findings not affected or fixed per VEX, and those still open",
          labels,
          integer: true,
          series: [
            { name: 'not affected', color: COLOR.passed, values: v((x) => x.notAffected), format: int },
            { name: 'fixed', color: COLOR.accent, values: v((x) => x.fixed), format: int, dash: '2 2' },
            {
              name: 'no statement or affected',
              color: COLOR.failed,
              values: v((x) => x.none + x.affected + x.underInvestigation),
              format: int,
              dash: '6 3',
            },
          ],
        }),
        table(
          'Findings by disposition per release',
          ['Findings', 'Not affected', 'Fixed', 'Open', 'Open critical', 'KEV open'],
          (p) => {
            const x = p.vulnerabilities;
            return (
              x
                ? [
                    x.findings,
                    x.notAffected,
                    x.fixed,
                    x.none + x.affected + x.underInvestigation,
                    x.openCritical,
                    x.knownExploitedOpen,
                  ]
                : [null, null, null, null, null, null]
            ).map((n) => show(n, int));
          },
        ),
        "Findings: from each release's vulnerabilities document (its scanners' reports with its VEX documents applied; docs/vulnerabilities.md). Open: no VEX statement, affected or under investigation; KEV open: known exploited and open.",
      ),
    );
  }
  if (has((p) => p.leadTimeMedianSeconds) || has((p) => p.deploymentsPerDay)) {
    const h = (v: number): string => `${(v / 3600).toFixed(1)} h`;
    charts.push(
      figure(
        lineChart(ids, {
          title: 'Lead time for changes',
          desc: 'Median lead time for changes (DORA) at each release',
          labels,
          series: [
            { name: 'median lead time', color: COLOR.accent, values: t.map((p) => p.leadTimeMedianSeconds), format: h },
          ],
        }),
        table(
          'DORA figures per release',
          ['Lead time', 'Deploys/day', 'Change failure rate', 'Time to restore'],
          (p) => [
            show(p.leadTimeMedianSeconds, h),
            show(p.deploymentsPerDay, (v) => v.toFixed(2)),
            show(p.changeFailureRate, (v) => `${(v * 100).toFixed(0)}%`),
            show(p.timeToRestoreMedianSeconds, h),
          ],
        ),
        'DORA: the figures each release collected.',
      ),
    );
  }
  if (has((p) => p.sloBudgetRemaining)) {
    const pc = (v: number): string => `${(v * 100).toFixed(0)}%`;
    charts.push(
      figure(
        lineChart(ids, {
          title: 'Error budget left',
          desc: 'The smallest error budget left among the SLOs at each release',
          labels,
          series: [
            { name: 'least budget left', color: COLOR.medium, values: t.map((p) => p.sloBudgetRemaining), format: pc },
          ],
        }),
        table('Error budget per release', ['Least budget left'], (p) => [show(p.sloBudgetRemaining, pc)]),
        "SLOs: from each release's Prometheus snapshot.",
      ),
    );
  }
  return html`<section id="trends"><h2>Trends</h2>${charts}${t.some((p) => p.unverified) ? html`<p class="note">* unverified: the bundle's own figures, its signature not verified.</p>` : ''}</section>`;
}

const AUDIT_CSS = `
#standing figure.chart, #trends figure.chart { grid-template-columns: minmax(0, 1fr); }
#standing .chart-svg, #trends .chart-svg { max-width: none; }
#trends .chart-data { max-height: 320px; overflow: auto; }
table.releases, table.controls { width: 100%; border-collapse: collapse; font-size: 14px; }
table.releases th, table.releases td, table.controls th, table.controls td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
table.releases thead th, table.controls thead th { white-space: normal; }
/* Tags, URLs, digests and rule names break anywhere, so the table fits the page; words in the other cells stay whole. */
table.releases tbody th, table.releases td:last-child, table.controls tbody th, table.controls td:nth-child(2), table.controls td:last-child { overflow-wrap: anywhere; }
table.releases td:nth-child(2) { white-space: nowrap; }
table.releases .code, table.controls .code { word-break: break-all; }
.control-title { font-weight: 400; font-size: 12px; color: var(--muted); }
ul.missing { margin: 4px 0 0; padding-left: 18px; font-size: 12px; color: var(--warn-fg, var(--muted)); }
.meter { display: inline-block; width: 90px; max-width: 100%; height: 10px; background: var(--neutral-bg); border: 1px solid var(--line); vertical-align: middle; }
.meter span { display: block; height: 100%; background: var(--pass-fg); }
p.note { color: var(--muted); font-size: 13px; }
@media print {
  table.releases, table.controls { font-size: 8.5pt; }
  table.releases th, table.releases td, table.controls th, table.controls td { padding: 3px 4px; }
  #trends .chart-data { max-height: none; overflow: visible; }
}
`;
