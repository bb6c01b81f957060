import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import { IdGen, html, htmlDocument } from './html-base.js';
import { CSS } from './html-style.js';
import { metricsSection } from './html-metrics.js';
import {
  bundleSection,
  checksSection,
  controlsSection,
  evidenceSection,
  policySection,
  signatureSection,
  subjectsSection,
  verdictSection,
} from './html-sections.js';
import { type ReleaseReportInput, policyOf, signatureCovers, verdictOf } from './model.js';

// The building blocks live in html-base.ts, html-style.ts and html-charts.ts; they stay importable from here.
export { Safe, IdGen, badge, code, esc, html, htmlDocument, kvTable, px } from './html-base.js';
export { CSS } from './html-style.js';
export { COLOR, barChart, dataTable, figure, svgOpen } from './html-charts.js';

/**
 * One release's self-contained HTML report: inline CSS, inline SVG charts, no
 * script, no external resource of any kind (a Content-Security-Policy says
 * so too). It works from file://, archives as one file and prints.
 *
 * Every value from the data goes through the `html` template tag, which
 * entity-escapes it: bundle contents are untrusted.
 */
export function renderHtml(input: ReleaseReportInput): string {
  const ids = new IdGen();
  const r = input.report;
  const b = r.bundle;
  const verdict = verdictOf(input);
  const policy = policyOf(input);
  const release = b.name ? `${b.name} ${b.version ?? ''}`.trim() : (b.path ?? 'evidence bundle');

  const body = html`
<header class="masthead">
  <p class="eyebrow">Release evidence audit report</p>
  <h1>${release}</h1>
  <p class="meta">Generated ${input.generatedAt} by ${PACKAGE_NAME} ${PACKAGE_VERSION}${b.path ? html` · bundle <code>${b.path}</code>` : ''}</p>
</header>
<main>
${verdictSection(input, verdict)}
<div class="two-col">
${bundleSection(input)}
${signatureSection(r.signature, r.mode, signatureCovers(r))}
</div>
${subjectsSection(input)}
${checksSection(input)}
${policySection(policy)}
${controlsSection(policy)}
${metricsSection(input, ids)}
${evidenceSection(input)}
</main>
<footer>
  <p>This report summarises the verification of the bundle at the time shown above. The signed evidence bundle itself remains the record: verify it again with <code>evidence verify</code>.</p>
</footer>`;

  return htmlDocument(`${verdict.word}: ${release} — evidence audit report`, CSS, body);
}
