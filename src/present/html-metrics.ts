import { maxOf } from '../core/objects.js';
import { chartText } from './chart.js';
import { html, px, type IdGen, type Safe } from './html-base.js';
import { COLOR, barChart, dataTable, figure, gaugeChart, svgOpen } from './html-charts.js';
import {
  type ReleaseReportInput,
  type DoraView,
  FIGURES_LEFT_OUT,
  contentsCaveat,
  contentsStanding,
  type SloView,
  SEVERITIES,
  TEST_OUTCOMES,
  doraViews,
  formatDuration,
  formatPercent,
  severityTotals,
  sloViews,
  testTotals,
} from './model.js';

/**
 * The "Metrics at a glance" section of the release report: vulnerabilities,
 * tests, SLOs and DORA metrics, each a chart with its data table.
 */

const CAP = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function metricsSection(input: ReleaseReportInput, ids: IdGen): Safe {
  // A bundle that is not authentic has no figures to draw; an integrity-only one's are its own claims, and say so.
  const standing = contentsStanding(input);
  const caveat = contentsCaveat(standing);
  if (standing === 'not-authentic')
    return html`
<section aria-labelledby="h-metrics" class="metrics">
  <h2 id="h-metrics">Metrics at a glance</h2>
  <p class="note">${FIGURES_LEFT_OUT}</p>
</section>`;
  const parts: Safe[] = [];

  const sev = severityTotals(input.entries);
  parts.push(html`<h3 id="h-vulns">Vulnerabilities by severity</h3>`);
  if (sev) {
    const total = SEVERITIES.reduce((a, k) => a + sev.totals[k], 0);
    const desc = `Security findings summed over ${sev.files} SARIF file${sev.files === 1 ? '' : 's'}: ${SEVERITIES.map((k) => `${sev.totals[k]} ${k}`).join(', ')}.`;
    parts.push(
      figure(
        barChart(ids, {
          title: 'Vulnerabilities by severity',
          desc,
          bars: SEVERITIES.map((k) => ({
            label: CAP(k),
            value: sev.totals[k],
            valueLabel: String(sev.totals[k]),
            color: COLOR[k],
          })),
        }),
        dataTable(
          'Findings by severity',
          ['Severity', 'Findings'],
          [
            ...SEVERITIES.map((k) => [CAP(k), String(sev.totals[k])]),
            [html`<strong>Total</strong>`, html`<strong>${String(total)}</strong>`],
          ],
        ),
        desc,
      ),
    );
  } else parts.push(html`<p class="note">No SARIF evidence in this bundle.</p>`);

  const tests = testTotals(input.entries);
  parts.push(html`<h3 id="h-tests">Test results</h3>`);
  if (tests) {
    const pct = (n: number): string => (tests.tests ? ` (${((n / tests.tests) * 100).toFixed(0)}%)` : '');
    const desc = `${tests.tests} tests across ${tests.files} JUnit report${tests.files === 1 ? '' : 's'}: ${TEST_OUTCOMES.map((k) => `${tests.totals[k]} ${k}`).join(', ')}.`;
    parts.push(
      figure(
        barChart(ids, {
          title: 'Test results',
          desc,
          bars: TEST_OUTCOMES.map((k) => ({
            label: CAP(k),
            value: tests.totals[k],
            valueLabel: `${tests.totals[k]}${pct(tests.totals[k])}`,
            color: COLOR[k],
          })),
        }),
        dataTable(
          'Test outcomes',
          ['Outcome', 'Tests'],
          [
            ...TEST_OUTCOMES.map((k) => [CAP(k), String(tests.totals[k])]),
            [html`<strong>Total</strong>`, html`<strong>${String(tests.tests)}</strong>`],
          ],
        ),
        desc,
      ),
    );
  } else parts.push(html`<p class="note">No JUnit evidence in this bundle.</p>`);

  const slos = sloViews(input.entries);
  parts.push(html`<h3 id="h-slo">Service level objectives</h3>`);
  if (slos.length) for (const s of slos) parts.push(sloFigure(ids, s));
  else parts.push(html`<p class="note">No SLO evidence in this bundle.</p>`);

  const dora = doraViews(input.entries);
  parts.push(html`<h3 id="h-dora">Delivery performance (DORA)</h3>`);
  if (dora.length) for (const d of dora) parts.push(doraFigure(ids, d));
  else parts.push(html`<p class="note">No DORA evidence in this bundle.</p>`);

  return html`
<section aria-labelledby="h-metrics" class="metrics">
  <h2 id="h-metrics">Metrics at a glance${caveat}</h2>
  ${parts}
</section>`;
}

function sloFigure(ids: IdGen, s: SloView): Safe {
  const name = `${s.name}${s.service ? ` (${s.service})` : ''}`;
  const remaining = s.budgetRemaining;
  const budgetLabel =
    remaining === null
      ? 'Error budget remaining: n/a'
      : `Error budget remaining: ${formatPercent(remaining)}${remaining < 0 ? ' (exhausted)' : ''}`;
  const budgetColor = remaining !== null && remaining < 0.25 ? COLOR.failed : COLOR.passed;
  const gauge = gaugeChart(ids, {
    title: `Error budget remaining: ${name}`,
    desc: `${formatPercent(remaining)} of the error budget remains (${formatPercent(s.budgetConsumed)} consumed) for objective ${formatPercent(s.objective, 2)} over ${s.period}.`,
    ratio: remaining,
    label: budgetLabel,
    color: budgetColor,
  });
  const rates = s.burnRates.filter((b) => b.rate !== null) as { window: string; rate: number }[];
  const burnDesc = `Burn rate per window (1× spends the budget exactly over the period): ${rates.map((b) => `${b.window} ${b.rate.toFixed(2)}×`).join(', ') || 'none'}.`;
  const burn = barChart(ids, {
    title: `Burn rate by window: ${name}`,
    desc: burnDesc,
    bars: rates.map((b) => ({
      label: b.window,
      value: b.rate,
      valueLabel: `${b.rate.toFixed(2)}×`,
      color: b.rate > 1 ? COLOR.failed : COLOR.accent,
    })),
    max: maxOf([1.5, ...rates.map((b) => b.rate)]) * 1.1,
    ref: { value: 1, label: '1× sustainable' },
  });
  const table = dataTable(
    `SLO ${s.name}`,
    ['Measure', 'Value'],
    [
      ['Objective', `${formatPercent(s.objective, 2)} over ${s.period}`],
      ['SLI', formatPercent(s.sli, 3)],
      ['Budget remaining', formatPercent(remaining)],
      ['Budget consumed', formatPercent(s.budgetConsumed)],
      ...rates.map((b) => [`Burn rate ${b.window}`, `${b.rate.toFixed(2)}×`]),
      ['Alerts', `${s.alerts.page ? 'page' : 'no page'}, ${s.alerts.ticket ? 'ticket' : 'no ticket'}`],
      ['As of', s.asOf],
      ['Source', s.live ? 'queried live' : 'saved snapshot'],
    ],
  );
  return html`<figure class="chart slo"><div class="chart-graphic"><p class="chart-title">${chartText(name)}</p>${gauge}${burn}</div><div class="chart-data">${table}</div><figcaption>SLO ${chartText(s.name)} from <code>${chartText(s.path)}</code>. ${chartText(burnDesc)}</figcaption></figure>`;
}

const BANDS = ['yearly', 'monthly', 'weekly', 'daily'] as const;

function doraFigure(ids: IdGen, d: DoraView): Safe {
  const W = 560;
  const H = 300;
  const t = ids.next('chart-title');
  const dsc = ids.next('chart-desc');
  const perDay = d.deploymentsPerDay;
  const cfr = d.changeFailureRate;
  const desc = `Deployments per day ${perDay === null ? 'n/a' : perDay.toFixed(2)} (${d.band} band); lead time median ${formatDuration(d.leadTimeMedian)}, p90 ${formatDuration(d.leadTimeP90)}; change failure rate ${formatPercent(cfr, 0)}; median time to restore ${formatDuration(d.timeToRestoreMedian)}.`;
  const panel = (x: number, y: number, title: string, value: string, inner: Safe): Safe =>
    html`<g><rect x="${px(x)}" y="${px(y)}" width="272" height="140" rx="6" fill="#ffffff" stroke="${COLOR.grid}"/><text x="${px(x + 14)}" y="${px(y + 24)}" font-size="13" fill="${COLOR.muted}">${title}</text><text x="${px(x + 14)}" y="${px(y + 56)}" font-size="24" font-weight="700" fill="${COLOR.text}">${value}</text>${inner}</g>`;

  // Deployment frequency: the four bands, the bundle's one filled.
  const segW = 61;
  const bands = html`${BANDS.map((band, i) => {
    const on = band === d.band;
    const x = 14 + i * (segW + 2);
    return html`<rect x="${px(x)}" y="86" width="${px(segW)}" height="18" fill="${on ? COLOR.accent : COLOR.track}" stroke="${on ? COLOR.accent : COLOR.grid}"/><text x="${px(x + segW / 2)}" y="122" font-size="12" text-anchor="middle" fill="${on ? COLOR.text : COLOR.muted}" font-weight="${on ? '700' : '400'}">${CAP(band)}</text>`;
  })}`;
  const freq = panel(
    0,
    0,
    'Deployment frequency',
    perDay === null ? 'n/a' : `${perDay.toFixed(2)} / day`,
    html`<text x="258" y="56" font-size="12" text-anchor="end" fill="${COLOR.muted}">${`${d.deployments ?? 'n/a'} in ${d.windowDays ?? '?'} d`}</text>${bands}`,
  );

  // Lead time: median and p90 bars.
  const ltMax = Math.max(d.leadTimeMedian ?? 0, d.leadTimeP90 ?? 0, 1);
  const ltBar = (label: string, v: number | null, y: number): Safe =>
    html`<text x="${px(288 + 14)}" y="${px(y + 12)}" font-size="12" fill="${COLOR.text}">${label}</text><rect x="${px(288 + 70)}" y="${px(y)}" width="136" height="16" fill="${COLOR.track}"/><rect x="${px(288 + 70)}" y="${px(y)}" width="${px(((v ?? 0) / ltMax) * 136)}" height="16" fill="${COLOR.accent}"/><text x="${px(288 + 212)}" y="${px(y + 12)}" font-size="12" font-weight="600" fill="${COLOR.text}">${formatDuration(v)}</text>`;
  const lead = panel(
    288,
    0,
    'Lead time for changes (median)',
    formatDuration(d.leadTimeMedian),
    html`${ltBar('Median', d.leadTimeMedian, 80)}${ltBar('90th pct', d.leadTimeP90, 106)}`,
  );

  // Change failure rate: a gauge.
  const cfrInner = html`<rect x="14" y="${px(140 + 84)}" width="244" height="18" fill="${COLOR.track}" stroke="${COLOR.grid}"/><rect x="14" y="${px(140 + 84)}" width="${px(Math.min(1, Math.max(0, cfr ?? 0)) * 244)}" height="18" fill="${cfr !== null && cfr > 0.15 ? COLOR.failed : COLOR.passed}"/><text x="14" y="${px(140 + 118)}" font-size="11" fill="${COLOR.muted}">${`${d.failedDeployments ?? 'n/a'} of ${d.deployments ?? 'n/a'} deployments failed`}</text><text x="258" y="${px(140 + 118)}" font-size="11" text-anchor="end" fill="${COLOR.muted}">0–100%</text>`;
  const change = panel(0, 150, 'Change failure rate', formatPercent(cfr, 0), cfrInner);

  // Time to restore.
  const restore = panel(
    288,
    150,
    'Time to restore service (median)',
    formatDuration(d.timeToRestoreMedian),
    html`<text x="${px(288 + 14)}" y="${px(150 + 92)}" font-size="12" fill="${COLOR.text}">${`${d.resolvedIncidents ?? 'n/a'} of ${d.incidents ?? 'n/a'} incidents resolved`}</text><text x="${px(288 + 14)}" y="${px(150 + 116)}" font-size="11" fill="${COLOR.muted}">${chartText(`Environment: ${d.environment}`)}</text>`,
  );

  const svg = html`${svgOpen(W, H, t, dsc, `DORA metrics: ${d.environment}`, desc)}${freq}${lead}${change}${restore}</svg>`;
  const table = dataTable(
    `DORA metrics, ${d.environment}`,
    ['Metric', 'Value'],
    [
      ['Deployments per day', `${perDay === null ? 'n/a' : perDay.toFixed(2)} (${d.band})`],
      ['Deployments', `${d.deployments ?? 'n/a'} in ${d.windowDays ?? '?'} days`],
      ['Lead time, median', formatDuration(d.leadTimeMedian)],
      ['Lead time, p90', formatDuration(d.leadTimeP90)],
      ['Change failure rate', formatPercent(cfr, 0)],
      ['Failed deployments', String(d.failedDeployments ?? 'n/a')],
      ['Time to restore, median', formatDuration(d.timeToRestoreMedian)],
      ['Incidents resolved', `${d.resolvedIncidents ?? 'n/a'} of ${d.incidents ?? 'n/a'}`],
      ['As of', d.asOf],
    ],
  );
  return figure(svg, table, `DORA metrics for ${d.environment} from ${d.path}, as of ${d.asOf}.`);
}
