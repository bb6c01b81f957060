import { chartText } from './chart.js';
import { formatBytes } from './text.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import { escapeTerminal } from './terminal.js';
import type { PolicyResult } from '../verifier/policy-result.js';
import type { SignatureInfo } from '../verifier/sigstore-bundle.js';
import {
  type ReleaseReportInput,
  type DoraView,
  type SloView,
  SEVERITIES,
  TEST_OUTCOMES,
  checkState,
  controlGroups,
  doraViews,
  formatDuration,
  formatPercent,
  policyOf,
  severityTotals,
  sloViews,
  releaseSourceLine,
  summaryLine,
  testTotals,
  verdictOf,
} from './model.js';

/**
 * One self-contained HTML audit report: inline CSS, inline SVG charts, no
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
${signatureSection(r.signature, r.mode)}
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

/** A whole self-contained page: no script, nothing loaded (a Content-Security-Policy says so), one inline style sheet. */
export function htmlDocument(title: string, css: string, body: Safe): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src 'none'; form-action 'none'; base-uri 'none'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="${esc(`${PACKAGE_NAME} ${PACKAGE_VERSION}`)}">
<title>${esc(title)}</title>
<style>${css}</style>
</head>
<body>${body.value}
</body>
</html>
`;
}

/* ------------------------------------------------------------------------ *
 * Escaping
 * ------------------------------------------------------------------------ */

/** HTML that is already safe (built by the `html` tag). */
export class Safe {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Entity-escapes &<>"' (text and attribute values alike), after making controls and bidirectional overrides visible, as text and Markdown do. */
export function esc(s: string): string {
  return escapeTerminal(String(s)).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function fragment(v: unknown): string {
  if (v instanceof Safe) return v.value;
  if (Array.isArray(v)) return v.map(fragment).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(String(v));
}

/** Template tag: interpolated values are escaped unless they are Safe (or arrays of Safe). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Safe {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += fragment(v) + (strings[i + 1] ?? '');
  });
  return new Safe(out);
}

/** A number for an SVG coordinate (always finite). */
export const px = (n: number): string => (Number.isFinite(n) ? String(Math.round(n * 10) / 10) : '0');

export class IdGen {
  private n = 0;
  next(prefix: string): string {
    this.n += 1;
    return `${prefix}-${this.n}`;
  }
}

/* ------------------------------------------------------------------------ *
 * Status badges: a symbol and a word, never colour alone.
 * ------------------------------------------------------------------------ */

type Tone = 'pass' | 'fail' | 'warn' | 'neutral';
const STATUS: Record<string, { tone: Tone; mark: string; word: string }> = {
  pass: { tone: 'pass', mark: '✓', word: 'Pass' },
  fail: { tone: 'fail', mark: '✗', word: 'Fail' },
  error: { tone: 'fail', mark: '✗', word: 'Error' },
  skipped: { tone: 'neutral', mark: '–', word: 'Skipped' },
  waived: { tone: 'warn', mark: '!', word: 'Waived' },
  expired: { tone: 'fail', mark: '✗', word: 'Expired' },
  active: { tone: 'pass', mark: '✓', word: 'In force' },
  'not-applicable': { tone: 'neutral', mark: '–', word: 'N/A' },
  'partly-shown': { tone: 'warn', mark: '◐', word: 'Partly shown' },
  'not-shown': { tone: 'neutral', mark: '–', word: 'Not shown (no evidence)' },
  'not-checked': { tone: 'neutral', mark: '–', word: 'Not checked' },
  none: { tone: 'neutral', mark: '–', word: 'None' },
};

export function badge(status: string, word?: string): Safe {
  const s = STATUS[status] ?? { tone: 'neutral' as Tone, mark: '?', word: status };
  return html`<span class="badge ${s.tone}"><span class="mark" aria-hidden="true">${s.mark}</span> ${word ?? s.word}</span>`;
}

/* ------------------------------------------------------------------------ *
 * Sections
 * ------------------------------------------------------------------------ */

function verdictSection(input: ReleaseReportInput, verdict: ReturnType<typeof verdictOf>): Safe {
  const checks = input.report.checks.map(checkState);
  const count = (s: string): number => checks.filter((c) => c === s).length;
  const a = verdict.assessment;
  const mark = { pass: '✓', warn: '!', fail: '✗' }[verdict.tone];
  const answer = (tone: 'pass' | 'warn' | 'fail' | 'neutral', word: string): Safe =>
    html`<span class="badge ${tone}">${word}</span>`;
  const authentic =
    a.authenticity.status === 'authentic'
      ? answer('pass', a.authenticity.method === 'key' ? 'Yes, signed with a key' : 'Yes, signer identity checked')
      : a.authenticity.status === 'not-checked'
        ? answer('warn', 'Not checked: integrity only')
        : answer('fail', 'No: verification failed');
  const policy =
    a.policy.status === 'satisfied'
      ? answer('pass', 'Satisfied')
      : a.policy.status === 'failed'
        ? answer('fail', 'Not satisfied')
        : answer('neutral', 'Not evaluated');
  const evidence =
    a.evidence.status === 'clean'
      ? answer('pass', 'No concerns')
      : a.evidence.status === 'concerns'
        ? answer('warn', `${a.evidence.findings.length} concern${a.evidence.findings.length === 1 ? '' : 's'}`)
        : answer('neutral', 'Not assessed');
  const findings = a.evidence.findings.length
    ? html`<ul class="findings">${a.evidence.findings.map((f) => html`<li><code>${f.path}</code>: ${f.message} <span class="code">${f.code}</span></li>`)}</ul>`
    : '';
  return html`
<section class="verdict ${verdict.tone}" aria-labelledby="h-verdict">
  <div class="verdict-mark" aria-hidden="true">${mark}</div>
  <div class="verdict-body">
    <h2 id="h-verdict">Verdict: <span class="verdict-word">${verdict.word}</span></h2>
    <p class="verdict-detail">${verdict.detail}</p>
    <table class="answers"><caption>Three answers, kept apart</caption><tbody>
      <tr><th scope="row">Is the bundle authentic?</th><td>${authentic} ${a.authenticity.summary}</td></tr>
      <tr><th scope="row">Did the policy hold?</th><td>${policy} ${a.policy.summary}</td></tr>
      <tr><th scope="row">What does the evidence say?</th><td>${evidence}${a.evidence.findings.length ? (a.evidence.unverified ? ' as the bundle claims (not signature-checked)' : '') : html` ${a.evidence.summary}`}${findings}</td></tr>
    </tbody></table>
    <ul class="verdict-stats"><li><strong>${count('pass')}</strong> of ${checks.length} checks passed${count('fail') ? html`, <strong>${count('fail')}</strong> failed` : ''}${count('skipped') ? `, ${count('skipped')} skipped` : ''}</li><li>Mode: <strong>${input.report.mode === 'signed' ? 'signed' : 'integrity only'}</strong></li></ul>
  </div>
</section>`;
}

export function kvTable(caption: string, rows: [string, unknown][], cls = ''): Safe {
  return html`<table class="kv ${cls}"><caption>${caption}</caption><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}

export const code = (s: string): Safe => html`<code>${s}</code>`;

function bundleSection(input: ReleaseReportInput): Safe {
  const b = input.report.bundle;
  const rows: [string, unknown][] = [];
  if (b.path) rows.push(['File', code(b.path)]);
  if (b.name) rows.push(['Release', `${b.name} ${b.version ?? ''}`.trim()]);
  if (b.created) rows.push(['Created', b.created]);
  rows.push(['Source', releaseSourceLine(input.source)]);
  rows.push(['Size', formatBytes(b.size)]);
  if (b.digest) rows.push(['Bundle digest', code(b.digest)]);
  if (b.manifestDigest) rows.push(['Manifest digest', code(b.manifestDigest)]);
  rows.push([
    'Contents',
    `${input.entries.length} evidence entries, ${input.subjects.length} release subject${input.subjects.length === 1 ? '' : 's'}`,
  ]);
  return html`
<section class="card" aria-labelledby="h-bundle">
  <h2 id="h-bundle">Bundle</h2>
  ${kvTable('Bundle identification', rows)}
</section>`;
}

function signatureSection(s: SignatureInfo | undefined, mode: string): Safe {
  let content: Safe;
  if (!s) {
    content = html`<p class="note">${mode === 'signed' ? 'No signature could be examined.' : 'Not checked: the bundle was verified in integrity-only mode.'}</p>`;
  } else {
    const rows: [string, unknown][] = [];
    if (s.kind === 'certificate') {
      rows.push(['Signer identity', code(s.identity ?? '?')], ['OIDC issuer', code(s.issuer ?? '?')]);
      const c = s.claims ?? {};
      if (c.buildSignerUri && c.buildSignerUri !== s.identity) rows.push(['Workflow', code(c.buildSignerUri)]);
      if (c.sourceRepositoryUri)
        rows.push([
          'Repository',
          `${c.sourceRepositoryUri}${c.sourceRepositoryRef ? ` (${c.sourceRepositoryRef})` : ''}`,
        ]);
      if (c.sourceRepositoryDigest) rows.push(['Signed at commit', code(c.sourceRepositoryDigest)]);
      if (c.buildTrigger)
        rows.push(['Trigger', `${c.buildTrigger}${c.runnerEnvironment ? ` on ${c.runnerEnvironment} runner` : ''}`]);
    } else {
      rows.push(['Signing key', s.key ?? '(no matching key)'], ['Key hint', s.keyHint ?? 'none']);
    }
    if (!s.tlog.length) rows.push(['Rekor entry', 'none']);
    for (const t of s.tlog)
      rows.push([
        'Rekor entry',
        html`#${t.logIndex}${t.integratedTime ? html`<br><span class="sub">integrated ${t.integratedTime}${t.timeVerified ? ' (time verified)' : ''}</span>` : ''}`,
      ]);
    for (const t of s.timestamps) rows.push(['Timestamp (TSA)', `${t.time}${t.verified ? ' (verified)' : ''}`]);
    if (s.trustedRoot)
      rows.push([
        'Trust root',
        html`${code(s.trustedRoot.source)}${s.trustedRoot.date ? html`<br><span class="sub">newest key from ${s.trustedRoot.date}</span>` : ''}`,
      ]);
    content = kvTable('Signer, transparency log and trust root', rows);
  }
  return html`
<section class="card" aria-labelledby="h-signature">
  <h2 id="h-signature">Signature</h2>
  ${content}
</section>`;
}

function subjectsSection(input: ReleaseReportInput): Safe {
  const rows = input.subjects.map(
    (s) =>
      html`<tr><th scope="row">${s.name}</th><td class="num">${formatBytes(s.size)}</td><td>${code(s.digest)}</td></tr>`,
  );
  return html`
<section aria-labelledby="h-subjects">
  <h2 id="h-subjects">Release subjects</h2>
  ${
    rows.length
      ? html`<table><caption>Artifacts the bundle attests (${rows.length})</caption><thead><tr><th scope="col">Name</th><th scope="col" class="num">Size</th><th scope="col">Digest</th></tr></thead><tbody>${rows}</tbody></table>`
      : html`<p class="note">The bundle names no release subjects.</p>`
  }
</section>`;
}

function checksSection(input: ReleaseReportInput): Safe {
  const rows = input.report.checks.map((c) => {
    const state = checkState(c);
    const detail: Safe[] = [html`${c.message}`];
    if (c.path) detail.push(html`<br><span class="sub">at <code>${c.path}</code></span>`);
    if (state === 'fail' && (c.expected !== undefined || c.found !== undefined)) {
      detail.push(
        html`<br><span class="sub">expected <code>${c.expected ?? '-'}</code>, found <code>${c.found ?? '-'}</code></span>`,
      );
    }
    return html`<tr class="row-${state}"><td>${badge(state)}</td><th scope="row">${c.id}</th><td class="code">${c.code ? code(c.code) : html`<span class="muted">—</span>`}</td><td>${detail}</td></tr>`;
  });
  const failed = input.report.checks.filter((c) => checkState(c) === 'fail').length;
  return html`
<section aria-labelledby="h-checks">
  <h2 id="h-checks">Verification checks</h2>
  <table class="checks"><caption>Every check run on the bundle (${failed ? `${failed} failed` : 'none failed'})</caption>
  <thead><tr><th scope="col" class="w-badge">Result</th><th scope="col">Check</th><th scope="col">Code</th><th scope="col">Details</th></tr></thead>
  <tbody>${rows}</tbody></table>
</section>`;
}

function policySection(p: PolicyResult | undefined): Safe {
  if (!p) {
    return html`
<section aria-labelledby="h-policy">
  <h2 id="h-policy">Policy</h2>
  <p class="note">No policy was evaluated for this report.</p>
</section>`;
  }
  const waived = p.rules.filter((q) => q.waiver);
  const controls = (cs: string[]): Safe =>
    cs.length ? html`${cs.map((c) => html`<span class="tag">${c}</span> `)}` : html`<span class="muted">—</span>`;
  return html`
<section aria-labelledby="h-policy">
  <h2 id="h-policy">Policy ${badge(p.ok ? 'pass' : 'fail', p.ok ? 'Satisfied' : 'Not satisfied')}</h2>
  ${kvTable('Policy evaluated', [
    ['Policy file', code(p.policy.path)],
    ['Policy digest', code(p.policy.digest)],
    ['Evaluated at', p.evaluatedAt],
    ['Result', p.ok ? 'Satisfied: every requirement and rule passed or was waived' : 'Not satisfied'],
    ['Signer identity', html`${badge(p.identity.status)} ${p.identity.message}`],
  ])}
  <h3 id="h-requirements">Requirements</h3>
  ${
    p.requirements.length
      ? html`<table><caption>Evidence the policy requires (${p.requirements.length})</caption>
  <thead><tr><th scope="col" class="w-badge">Result</th><th scope="col">Kind</th><th scope="col" class="num">Entries</th><th scope="col">Max age</th><th scope="col">Details</th></tr></thead>
  <tbody>${p.requirements.map((q) => html`<tr class="row-${q.status}"><td>${badge(q.status)}</td><th scope="row">${q.kind}</th><td class="num">${String(q.count)}</td><td>${q.maxAge ?? html`<span class="muted">—</span>`}</td><td>${q.message}</td></tr>`)}</tbody></table>`
      : html`<p class="note">The policy has no requirements.</p>`
  }
  <h3 id="h-rules">Rules</h3>
  ${
    p.rules.length
      ? html`<table><caption>Policy rules (${p.rules.length})</caption>
  <thead><tr><th scope="col" class="w-badge">Result</th><th scope="col">Rule</th><th scope="col">Controls</th><th scope="col">Details</th></tr></thead>
  <tbody>${p.rules.map(
    (q) =>
      html`<tr class="row-${q.status}"><td>${badge(q.status)}</td><th scope="row">${q.name}<br><code class="expr">${q.expr}</code></th><td>${controls(q.controls)}</td><td>${q.message}${q.waiver ? html`<br><span class="sub">${q.waiver.expired ? 'Waiver expired' : 'Waived'} (expires ${q.waiver.expires}): ${q.waiver.reason}</span>` : ''}</td></tr>`,
  )}</tbody></table>`
      : html`<p class="note">The policy has no rules.</p>`
  }
  <h3 id="h-waivers">Waivers</h3>
  ${
    waived.length
      ? html`<table><caption>Waivers applied to rules (${waived.length})</caption>
  <thead><tr><th scope="col" class="w-badge">State</th><th scope="col">Rule</th><th scope="col">Expires</th><th scope="col">Reason</th></tr></thead>
  <tbody>${waived.map((q) => html`<tr><td>${badge(q.waiver?.expired ? 'expired' : 'active')}</td><th scope="row">${q.name}</th><td>${q.waiver?.expires ?? ''}</td><td>${q.waiver?.reason ?? ''}</td></tr>`)}</tbody></table>`
      : html`<p class="note">No rule is waived.</p>`
  }
  <h3 id="h-cross">Cross-checks</h3>
  ${
    p.crossChecks.length
      ? html`<table><caption>Consistency checks across evidence (${p.crossChecks.length})</caption>
  <thead><tr><th scope="col" class="w-badge">Result</th><th scope="col">Cross-check</th><th scope="col">Details</th></tr></thead>
  <tbody>${p.crossChecks.map((q) => html`<tr class="row-${q.status}"><td>${badge(q.status)}</td><th scope="row">${q.name}</th><td>${q.message}</td></tr>`)}</tbody></table>`
      : html`<p class="note">No cross-checks were run.</p>`
  }
</section>`;
}

function controlsSection(p: PolicyResult | undefined): Safe {
  const groups = controlGroups(p);
  if (!p) return html``;
  return html`
<section aria-labelledby="h-controls">
  <h2 id="h-controls">Results by control</h2>
  ${
    groups.length
      ? html`<table class="controls"><caption>What the policy evidences, by control: the requirements, rules and cross-checks citing each</caption>
  <thead><tr><th scope="col">Control</th><th scope="col" class="w-badge">Control result</th><th scope="col">Evidenced by</th><th scope="col" class="w-badge">Result</th></tr></thead>
  ${groups.map(
    (g) =>
      html`<tbody>${g.items.map(
        (q, i) =>
          html`<tr>${i === 0 ? html`<th scope="rowgroup" rowspan="${String(g.items.length)}">${g.control ? html`<span class="tag">${g.control}</span>${g.title ? html`<div class="muted">${g.title}</div>` : ''}` : html`<span class="muted">(no control)</span>`}</th><td rowspan="${String(g.items.length)}">${badge(g.status)}${g.missing.length ? html`<ul class="missing">${g.missing.map((m) => html`<li>Missing: ${m}</li>`)}</ul>` : ''}</td>` : ''}<td>${q.type === 'rule' ? '' : `${q.type} `}${q.name}</td><td>${badge(q.status)}</td></tr>`,
      )}</tbody>`,
  )}</table>`
      : html`<p class="note">The policy has no rules to map to controls.</p>`
  }
</section>`;
}

function evidenceSection(input: ReleaseReportInput): Safe {
  return html`
<section aria-labelledby="h-evidence">
  <h2 id="h-evidence">Evidence entries</h2>
  ${
    input.entries.length
      ? html`<table class="evidence"><caption>Evidence in the bundle (${input.entries.length})</caption>
  <thead><tr><th scope="col" class="c-path">Path</th><th scope="col" class="c-kind">Kind</th><th scope="col" class="num c-size">Size</th><th scope="col">Summary</th></tr></thead>
  <tbody>${input.entries.map(
    (e) =>
      html`<tr><th scope="row"><code>${e.path}</code><br><span class="sub digest">${e.digest}</span></th><td><span class="tag">${e.kind}</span><br><span class="sub">${e.mediaType}</span></td><td class="num">${formatBytes(e.size)}</td><td>${summaryLine(e.kind, e.summary) || html`<span class="muted">File evidence (no summary)</span>`}</td></tr>`,
  )}</tbody></table>`
      : html`<p class="note">The bundle holds no evidence entries.</p>`
  }
</section>`;
}

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
  const max = Math.max(o.max ?? 0, ...o.bars.map((b) => b.value), o.ref ? o.ref.value : 0, 1e-9);
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
function gaugeChart(
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

/** A chart's data table: strings from the data escaped as the chart's labels are (chartText); markup already made (Safe) kept. */
export function dataTable(caption: string, head: string[], rows: unknown[][]): Safe {
  const cell = (c: unknown): unknown => (typeof c === 'string' ? chartText(c) : c);
  return html`<table class="data"><caption>${chartText(caption)}</caption><thead><tr>${head.map((h, i) => html`<th scope="col"${i > 0 ? html` class="num"` : ''}>${chartText(h)}</th>`)}</tr></thead><tbody>${rows.map((r) => html`<tr>${r.map((c, i) => (i === 0 ? html`<th scope="row">${cell(c)}</th>` : html`<td class="num">${cell(c)}</td>`))}</tr>`)}</tbody></table>`;
}

export function figure(chart: Safe, table: Safe, caption: string): Safe {
  return html`<figure class="chart"><div class="chart-graphic">${chart}</div><div class="chart-data">${table}</div><figcaption>${chartText(caption)}</figcaption></figure>`;
}

const CAP = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function metricsSection(input: ReleaseReportInput, ids: IdGen): Safe {
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
  <h2 id="h-metrics">Metrics at a glance</h2>
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
    max: Math.max(1.5, ...rates.map((b) => b.rate)) * 1.1,
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

/* ------------------------------------------------------------------------ *
 * Styles: readable on screen, on paper without backgrounds, and in
 * high-contrast modes. Text colours meet 4.5:1 on their backgrounds.
 * ------------------------------------------------------------------------ */

export const CSS = `
:root { color-scheme: light; --text: #1f2328; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa;
  --pass-fg: #116329; --pass-bg: #dafbe1; --fail-fg: #a40e26; --fail-bg: #ffebe9; --warn-fg: #7d4e00; --warn-bg: #fff8c5; --neutral-fg: #424a53; --neutral-bg: #eaeef2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #ffffff; color: var(--text); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
header.masthead, main, footer { width: calc(100% - 64px); max-width: 1056px; margin: 0 auto; }
header.masthead { padding: 32px 0 16px; border-bottom: 1px solid var(--line); }
.eyebrow { margin: 0; font-size: 13px; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); font-weight: 600; }
h1 { margin: 4px 0 4px; font-size: 30px; line-height: 1.2; }
h2 { font-size: 21px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); display: flex; align-items: center; gap: 10px; }
h3 { font-size: 17px; margin: 26px 0 10px; }
.meta { margin: 0; color: var(--muted); font-size: 14px; }
code { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .86em; overflow-wrap: anywhere; word-break: break-word; }
.verdict { display: flex; gap: 20px; align-items: flex-start; margin: 24px 0 8px; padding: 20px 24px; border: 2px solid; border-left-width: 10px; border-radius: 8px; }
.verdict.pass { border-color: var(--pass-fg); background: var(--pass-bg); }
.verdict.fail { border-color: var(--fail-fg); background: var(--fail-bg); }
.verdict.warn { border-color: var(--warn-fg); background: var(--warn-bg); }
.verdict.warn .verdict-mark { background: var(--warn-fg); }
.verdict.warn .verdict-word { color: var(--warn-fg); }
table.answers { border-collapse: collapse; margin: 4px 0 10px; font-size: 15px; }
table.answers caption { text-align: left; font-size: 13px; color: var(--muted); }
table.answers th { text-align: left; padding: 4px 16px 4px 0; vertical-align: top; white-space: nowrap; }
table.answers td { padding: 4px 0; vertical-align: top; }
ul.findings { margin: 6px 0 0; padding-left: 20px; }
.code { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; color: var(--muted); }
.verdict-mark { flex: none; width: 56px; height: 56px; border-radius: 50%; display: flex; align-items: center; justify-content: center; font-size: 32px; font-weight: 700; color: #ffffff; }
.verdict.pass .verdict-mark { background: var(--pass-fg); }
.verdict.fail .verdict-mark { background: var(--fail-fg); }
.verdict h2 { margin: 0; padding: 0; border: 0; font-size: 24px; }
.verdict.pass .verdict-word { color: var(--pass-fg); }
.verdict.fail .verdict-word { color: var(--fail-fg); }
.verdict-detail { margin: 4px 0 8px; font-size: 16px; }
.verdict-stats { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 24px; font-size: 14px; }
.two-col { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 32px; }
table { width: 100%; border-collapse: collapse; margin: 0 0 16px; font-size: 14px; }
caption { caption-side: top; text-align: left; font-size: 12px; font-weight: 600; letter-spacing: .04em; text-transform: uppercase; color: var(--muted); padding: 0 0 6px; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); }
thead th { background: var(--soft); border-bottom: 2px solid var(--line); font-size: 13px; white-space: nowrap; }
tbody th { font-weight: 600; }
table.kv th { width: 34%; color: var(--muted); font-weight: 600; }
table.kv td { overflow-wrap: anywhere; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.w-badge { width: 1%; white-space: nowrap; }
td.code code { white-space: nowrap; overflow-wrap: normal; word-break: normal; }
table.controls tbody { border-top: 2px solid var(--line); }
ul.missing { margin: 6px 0 0; padding-left: 16px; font-size: 12px; color: var(--warn-fg); }
table.controls th[scope="rowgroup"] { width: 22%; }
table.evidence { table-layout: fixed; }
table.evidence .c-path { width: 31%; } table.evidence .c-kind { width: 21%; } table.evidence .c-size { width: 9%; }
table.evidence td, table.evidence th { overflow-wrap: anywhere; }
table.controls tbody th[scope="rowgroup"] { background: var(--soft); }
tr.row-fail td, tr.row-fail th, tr.row-error td, tr.row-error th { background: #fff5f5; }
.badge { display: inline-block; white-space: nowrap; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 700; border: 1px solid; line-height: 1.6; }
.badge.pass { color: var(--pass-fg); background: var(--pass-bg); border-color: #8fd3a0; }
.badge.fail { color: var(--fail-fg); background: var(--fail-bg); border-color: #f5a8ae; }
.badge.warn { color: var(--warn-fg); background: var(--warn-bg); border-color: #e6cc66; }
.badge.neutral { color: var(--neutral-fg); background: var(--neutral-bg); border-color: #c3cbd3; }
h2 .badge { font-size: 13px; }
.tag { display: inline-block; white-space: nowrap; padding: 0 7px; margin: 1px 0; border-radius: 4px; background: var(--neutral-bg); color: var(--neutral-fg); font-size: 12.5px; font-weight: 600; }
.sub { color: var(--muted); font-size: 12.5px; }
.digest { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11px; overflow-wrap: anywhere; word-break: break-all; font-weight: 400; }
code.expr { color: var(--muted); font-size: 12px; font-weight: 400; }
.muted { color: var(--muted); }
.note { color: var(--muted); font-style: italic; margin: 6px 0 16px; }
figure.chart { margin: 0 0 24px; display: grid; grid-template-columns: minmax(0, 3fr) minmax(260px, 2fr); gap: 12px 28px; align-items: center; padding: 16px; border: 1px solid var(--line); border-radius: 8px; }
figure.chart figcaption { grid-column: 1 / -1; font-size: 13px; color: var(--muted); }
.chart-svg { display: block; width: 100%; height: auto; max-width: 560px; margin-bottom: 8px; }
.chart-title { margin: 0 0 8px; font-weight: 700; }
table.data { font-size: 13px; }
table.data th, table.data td { padding: 4px 8px; }
table.data th { white-space: nowrap; }
table.data tbody th { white-space: normal; overflow-wrap: anywhere; }
table.data td.num { white-space: normal; }
footer { margin-top: 40px; padding-top: 16px; padding-bottom: 40px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@media (max-width: 820px) { .two-col, figure.chart { grid-template-columns: minmax(0, 1fr); } header.masthead, main, footer { width: calc(100% - 32px); } }
@media print {
  @page { margin: 14mm 12mm; }
  body { font-size: 10pt; background: none; }
  header.masthead, main, footer { width: auto; max-width: none; }
  h1 { font-size: 20pt; }
  h2 { font-size: 14pt; margin-top: 18pt; break-after: avoid; page-break-after: avoid; }
  h3 { font-size: 12pt; break-after: avoid; page-break-after: avoid; }
  .verdict, .verdict.pass, .verdict.fail, .verdict.warn { background: none; break-inside: avoid; }
  .verdict.warn .verdict-mark { color: var(--warn-fg); background: none; }
  .verdict-mark { border: 2px solid currentColor; }
  .verdict.pass .verdict-mark { color: var(--pass-fg); background: none; }
  .verdict.fail .verdict-mark { color: var(--fail-fg); background: none; }
  .badge, .tag, thead th, tr.row-fail td, tr.row-fail th, tr.row-error td, tr.row-error th, table.controls tbody th[scope="rowgroup"] { background: none !important; }
  .two-col { display: block; }
  table { page-break-inside: auto; }
  tr, figure.chart, .card { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  caption { break-after: avoid; }
  figure.chart { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); border-color: #999999; }
  table.data th { white-space: normal; }
  a { color: inherit; text-decoration: none; }
}
@media (forced-colors: active) { .badge, .verdict, figure.chart { border: 1px solid CanvasText; } }
`;
