import { formatBytes, renewalLine, restsOnLine, vulnerabilitiesLine } from './text.js';
import { JUDGED_KINDS } from '../verifier/assessment.js';
import type { PolicyResult } from '../verifier/policy-result.js';
import type { SignatureInfo } from '../verifier/sigstore-bundle.js';
import { badge, code, html, kvTable, type Fragment, type Safe } from './html-base.js';
import {
  type ReleaseReportInput,
  FIGURES_LEFT_OUT,
  checkState,
  contentsCaveat,
  contentsStanding,
  controlGroups,
  releaseSourceLine,
  summaryLine,
  type verdictOf,
} from './model.js';

/**
 * The sections of the release report (src/present/html.ts) but its metrics
 * (src/present/html-metrics.ts): verdict, bundle, signature, subjects,
 * checks, policy, controls and evidence entries.
 */

export function verdictSection(input: ReleaseReportInput, verdict: ReturnType<typeof verdictOf>): Safe {
  const checks = input.report.checks.map(checkState);
  const count = (s: string): number => checks.filter((c) => c === s).length;
  const a = verdict.assessment;
  const mark = { pass: '✓', warn: '!', fail: '✗' }[verdict.tone];
  const answer = (tone: 'pass' | 'warn' | 'fail' | 'neutral', word: string): Safe =>
    html`<span class="badge ${tone}">${word}</span>`;
  const authentic =
    a.authenticity.status === 'authentic' && a.authenticity.notPinned
      ? answer('warn', 'Signed, but the signer is not pinned')
      : a.authenticity.status === 'authentic'
        ? answer('pass', a.authenticity.method === 'key' ? 'Yes, signed with a key' : 'Yes, signer identity checked')
        : a.authenticity.status === 'not-checked'
          ? answer('warn', 'Not checked: integrity only')
          : answer('fail', 'No: verification failed');
  const policy =
    a.policy.status === 'satisfied' && a.policy.shows === 'nothing'
      ? answer('warn', 'Holds, but shows nothing')
      : a.policy.status === 'satisfied'
        ? answer('pass', 'Satisfied')
        : a.policy.status === 'failed'
          ? answer('fail', 'Not satisfied')
          : answer('neutral', 'Not evaluated');
  const evidence =
    a.evidence.status === 'clean'
      ? answer('pass', `No concerns in its ${(a.evidence.judged ?? []).map((k) => JUDGED_KINDS[k]).join(', ')}`)
      : a.evidence.status === 'nothing-to-judge'
        ? answer(
            'neutral',
            'Nothing to judge: no test report, scan, load test, plan, migration or SLO snapshot holds anything',
          )
        : a.evidence.status === 'concerns'
          ? answer('warn', `${a.evidence.findings.length} concern${a.evidence.findings.length === 1 ? '' : 's'}`)
          : answer('neutral', 'Not assessed');
  const findings = a.evidence.findings.length
    ? html`<ul class="findings">${a.evidence.findings.map((f) => html`<li><code>${f.path}</code>: ${f.message} <span class="code">${f.code}</span></li>`)}</ul>`
    : '';
  const v = a.evidence.vulnerabilities;
  const vulnerabilities = v
    ? html`<p class="sub"><code>${v.path}</code>${contentsCaveat(contentsStanding(input))}: ${vulnerabilitiesLine(v.summary)}</p><p class="sub">VEX matched against the release as ${v.summary.products.map((p, i) => html`${i ? ', ' : ''}<code>${p}</code>`)}</p>${
        v.summary.notAffected.length
          ? html`<table><caption>Not affected, per VEX</caption><thead><tr><th scope="col">Vulnerability</th><th scope="col">Severity</th><th scope="col">In</th><th scope="col">Justification</th><th scope="col">Impact statement</th><th scope="col">Stated by</th></tr></thead><tbody>${v.summary.notAffected.map((f) => html`<tr><td><code>${f.id}</code></td><td>${f.severity}</td><td>${f.purl ? html`<code>${f.purl}</code>` : 'the release'}</td><td>${f.justification?.replace(/_/g, ' ') ?? '(none)'}</td><td>${f.impact ?? ''}</td><td>${f.by ?? ''}${f.from ? html` (<code>${f.from}</code>)` : ''}</td></tr>`)}</tbody></table>`
          : ''
      }${
        v.summary.statuses.not_affected > v.summary.notAffected.length
          ? html`<p class="sub">And ${v.summary.statuses.not_affected - v.summary.notAffected.length} more not affected: <code>${v.path}</code> lists them all.</p>`
          : ''
      }`
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
      <tr><th scope="row">What does the evidence say?</th><td>${evidence}${a.evidence.findings.length ? (a.evidence.unverified ? ' as the bundle claims (not signature-checked)' : '') : html` ${a.evidence.summary}`}${findings}${vulnerabilities}</td></tr>
    </tbody></table>
    <ul class="verdict-stats"><li><strong>${count('pass')}</strong> of ${checks.length} checks passed${count('fail') ? html`, <strong>${count('fail')}</strong> failed` : ''}${count('skipped') ? `, ${count('skipped')} skipped` : ''}</li><li>Mode: <strong>${input.report.mode === 'signed' ? 'signed' : 'integrity only'}</strong></li></ul>
  </div>
</section>`;
}

export function bundleSection(input: ReleaseReportInput): Safe {
  const b = input.report.bundle;
  const rows: [string, Fragment][] = [];
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
  ${kvTable(`Bundle identification${contentsCaveat(contentsStanding(input))}`, rows)}
</section>`;
}

/**
 * The signer, log entries, timestamps and trust root. Called verified (and its times verified) only when the signature
 * verified and covers this manifest (signatureCovers); otherwise shown as what the signature states, not relied on.
 */
export function signatureSection(s: SignatureInfo | undefined, mode: string, covers: boolean): Safe {
  let content: Safe;
  if (!s) {
    content = html`<p class="note">${mode === 'signed' ? 'No signature could be examined.' : 'Not checked: the bundle was verified in integrity-only mode.'}</p>`;
  } else {
    const rows: [string, Fragment][] = [];
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
        html`#${t.logIndex}${t.integratedTime ? html`<br><span class="sub">integrated ${t.integratedTime}${covers && t.timeVerified ? ' (time verified)' : ' (time not relied on)'}</span>` : ''}`,
      ]);
    for (const t of s.timestamps)
      rows.push(['Timestamp (TSA)', `${t.time}${!covers ? ' (not relied on)' : t.verified ? ' (verified)' : ''}`]);
    if (s.trustedRoot)
      rows.push([
        'Trust root',
        html`${code(s.trustedRoot.source)}${s.trustedRoot.date ? html`<br><span class="sub">newest key from ${s.trustedRoot.date}</span>` : ''}`,
      ]);
    for (const r of s.restsOn ?? []) rows.push(['Rests on', html`${restsOnLine(r)}`]);
    for (const r of s.renewals ?? []) rows.push(['Renewed', html`${renewalLine(r)}`]);
    content = covers
      ? kvTable('Signer, transparency log and trust root', rows)
      : html`<p class="note">NOT VERIFIED for this bundle: the signature did not verify, or does not cover this manifest. What follows is what it states, not relied on.</p>${kvTable('As the signature states it (not verified for this manifest)', rows)}`;
  }
  return html`
<section class="card" aria-labelledby="h-signature">
  <h2 id="h-signature">Signature${s && !covers ? ' (not verified)' : ''}</h2>
  ${content}
</section>`;
}

export function subjectsSection(input: ReleaseReportInput): Safe {
  const caveat = contentsCaveat(contentsStanding(input));
  const rows = input.subjects.map(
    (s) =>
      html`<tr><th scope="row">${s.name}</th><td class="num">${formatBytes(s.size)}</td><td>${code(s.digest)}</td></tr>`,
  );
  return html`
<section aria-labelledby="h-subjects">
  <h2 id="h-subjects">Release subjects${caveat}</h2>
  ${
    rows.length
      ? html`<table><caption>Artifacts the bundle attests (${rows.length})${caveat}</caption><thead><tr><th scope="col">Name</th><th scope="col" class="num">Size</th><th scope="col">Digest</th></tr></thead><tbody>${rows}</tbody></table>`
      : html`<p class="note">The bundle names no release subjects.</p>`
  }
</section>`;
}

export function checksSection(input: ReleaseReportInput): Safe {
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

export function policySection(p: PolicyResult | undefined): Safe {
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

export function controlsSection(p: PolicyResult | undefined): Safe {
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

/**
 * The entries and their summaries. An integrity-only bundle's are its own claims, and say so; a bundle that is not
 * authentic has its entries listed as what its manifest claims, their figures left out.
 */
export function evidenceSection(input: ReleaseReportInput): Safe {
  const standing = contentsStanding(input);
  const caveat = contentsCaveat(standing);
  if (standing === 'not-authentic')
    return html`
<section aria-labelledby="h-evidence">
  <h2 id="h-evidence">Evidence entries${caveat}</h2>
  <p class="note">${FIGURES_LEFT_OUT} The entries its manifest lists are named below, their summaries left out.</p>
  ${
    input.entries.length
      ? html`<table class="evidence"><caption>Entries the manifest claims (${input.entries.length})${caveat}</caption>
  <thead><tr><th scope="col" class="c-path">Path</th><th scope="col" class="c-kind">Kind</th><th scope="col" class="num c-size">Size</th></tr></thead>
  <tbody>${input.entries.map((e) => html`<tr><th scope="row"><code>${e.path}</code><br><span class="sub digest">${e.digest}</span></th><td><span class="tag">${e.kind}</span><br><span class="sub">${e.mediaType}</span></td><td class="num">${formatBytes(e.size)}</td></tr>`)}</tbody></table>`
      : ''
  }
</section>`;
  return html`
<section aria-labelledby="h-evidence">
  <h2 id="h-evidence">Evidence entries${caveat}</h2>
  ${
    input.entries.length
      ? html`<table class="evidence"><caption>Evidence in the bundle (${input.entries.length})${caveat}</caption>
  <thead><tr><th scope="col" class="c-path">Path</th><th scope="col" class="c-kind">Kind</th><th scope="col" class="num c-size">Size</th><th scope="col">Summary</th></tr></thead>
  <tbody>${input.entries.map(
    (e) =>
      html`<tr><th scope="row"><code>${e.path}</code><br><span class="sub digest">${e.digest}</span></th><td><span class="tag">${e.kind}</span><br><span class="sub">${e.mediaType}</span></td><td class="num">${formatBytes(e.size)}</td><td>${summaryLine(e.kind, e.summary) || html`<span class="muted">File evidence (no summary)</span>`}</td></tr>`,
  )}</tbody></table>`
      : html`<p class="note">The bundle holds no evidence entries.</p>`
  }
</section>`;
}
