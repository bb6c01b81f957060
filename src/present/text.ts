import { appendAll, maxOf } from '../core/objects.js';
import type { InspectResult } from '../core/manifest.js';
import { isCollectedKind, readSummary, type SummaryOf, type VulnerabilitiesSummary } from '../core/summaries.js';
import { FINDING_SEVERITIES } from '../formats/findings.js';
import type { AttestationReport, AttestationSetReport } from '../verifier/report.js';
import { CONTROL_STATE_WORDS, controlResults } from '../verifier/controls/index.js';
import type { PolicyResult } from '../verifier/policy-result.js';
import { assess, headline } from '../verifier/assessment.js';
import { attestationHeadline } from '../verifier/attestation-evidence.js';
import { k6DidNothing } from '../verifier/policy/hollow.js';
import { escapeValue } from './terminal.js';
import type { Check, VerifyReport } from '../verifier/report.js';
import type { SignatureInfo } from '../verifier/sigstore-bundle.js';
import type { RestsOn } from '../verifier/rests-on.js';
import type { RenewalInfo } from '../verifier/archive-timestamps.js';

import { counted, formatBytes } from './words.js';

/** What every output says after the bundle's contents when its signature was not checked (integrity only). */
export const UNCHECKED_CLAIMS = " (the bundle's own claims, not signature-checked)";
export { counted, formatBytes } from './words.js';

/** The change failure rate as measured, or why it is not (an incident that names no commit could fail any deployment). */
function changeFailureWords(s: SummaryOf<'dora'>): string {
  const u = s.unattributedIncidents;
  if (u !== undefined && u > 0 && s.deployments > 0)
    return `NOT MEASURED: ${counted(u, 'incident')} in the window name${u === 1 ? 's' : ''} no commit (at least ${s.failedDeployments} of ${s.deployments} deployments failed)`;
  if (s.changeFailureRate === null) return 'n/a';
  const rate = `${(s.changeFailureRate * 100).toFixed(0)}%`;
  // Before unattributedIncidents was recorded, an incident naming no commit failed no deployment: the rate may be low.
  return u === undefined && s.incidents > 0
    ? `${rate} (whether every incident names its commit was not recorded)`
    : rate;
}

/**
 * One line that says what a typed summary holds; '(summary not readable)' when it has not its kind's shape, '' for
 * kinds without a summary.
 */
export function describeSummary(kind: string, summary: unknown): string {
  if (!isCollectedKind(kind)) return '';
  const typed = readSummary({ kind, summary });
  if (!typed) return '(summary not readable)';
  const pct = (r: number | null, digits = 1): string => (r === null ? 'n/a' : `${(r * 100).toFixed(digits)}%`);
  switch (typed.kind) {
    case 'sbom': {
      const s = typed.summary;
      const deviations = s.conformance?.count ?? 0;
      return `${s.format} ${s.specVersion}: ${counted(s.components, 'component')}, ${counted(s.licenses.length, 'license')}, ${s.unlicensed} unlicensed${deviations ? `; ${deviations} tolerated deviation${deviations === 1 ? '' : 's'} from the specification` : ''}`;
    }
    case 'sarif': {
      const { levels: l, severities: v, tools, results } = typed.summary;
      return `${tools.join(', ') || 'no tool'}: ${counted(results, 'result')} (${l.error} error, ${l.warning} warning, ${l.note} note); security: ${v.critical} critical, ${v.high} high, ${v.medium} medium, ${v.low} low`;
    }
    case 'junit': {
      const s = typed.summary;
      if (s.tests === 0) return '0 tests: NO TEST CASES (a report without tests proves nothing)';
      if (s.passed + s.failed + s.errored === 0)
        return `${counted(s.tests, 'test')}: NONE RAN, ${s.skipped} skipped (a report in which no test ran proves nothing)`;
      return `${counted(s.tests, 'test')}: ${s.passed} passed, ${s.failed} failed, ${s.errored} errored, ${s.skipped} skipped in ${s.durationSeconds} s`;
    }
    case 'coverage':
      return `${typed.summary.format}: lines ${pct(typed.summary.lines.ratio)}, branches ${pct(typed.summary.branches.ratio)}`;
    case 'k6': {
      const { checks: c, thresholds: t, httpReqDuration: d, samples } = typed.summary;
      const line = `checks ${c.passed} passed, ${c.failed} failed; thresholds ${t.passed.length} passed, ${t.failed.length} failed; p95 ${d.p95 ?? 'n/a'} ms`;
      if (samples === undefined) return line;
      if (k6DidNothing(typed.summary))
        return `NO ITERATIONS OR REQUESTS (a run that did nothing proves nothing; its thresholds were judged over no samples): ${line}`;
      const n = (v: number | null, one: string): string => (v === null ? `no ${one}s counted` : counted(v, one));
      return `${line}; ${n(samples.iterations, 'iteration')}, ${n(samples.httpReqs, 'request')}`;
    }
    case 'terraform': {
      const { changes: c, errored, complete } = typed.summary;
      const counts = `${c.create} create, ${c.update} update, ${c.replace} replace, ${c.delete} delete${typed.summary.destructive ? ' (destructive)' : ''}`;
      if (errored === true) return `ERRORED PLAN (planning failed; it shows no change it makes): ${counts} listed`;
      if (complete === false)
        return `INCOMPLETE PLAN (changes deferred to a later plan; it shows no safe change): ${counts} listed`;
      return counts;
    }
    case 'migrations':
      return `${counted(typed.summary.files, 'file')}, ${counted(typed.summary.statements, 'statement')}, ${typed.summary.destructive.length} destructive`;
    case 'dora': {
      const s = typed.summary;
      const lt = s.leadTimeSeconds.median;
      return `${counted(s.deployments, 'deployment')} (${s.band}), lead time median ${lt === null ? 'n/a' : `${(lt / 3600).toFixed(1)} h`}, change failure rate ${changeFailureWords(s)}`;
    }
    case 'slo':
      return typed.summary.slos
        .map(
          (o) =>
            `${o.name}: SLI ${(o.sli * 100).toFixed(3)}%, budget left ${(o.errorBudget.remaining * 100).toFixed(0)}%`,
        )
        .join('; ')
        .concat(typed.summary.live ? '' : ' (saved snapshot, not live)');
    case 'attestation': {
      const s = typed.summary;
      return `${s.predicateType ?? s.content} by ${s.signer.kind === 'certificate' ? s.signer.identity : `key ${s.signer.keyHint}`}`;
    }
    case 'changes': {
      const { totals: t, range: r, changes, host } = typed.summary;
      const head = `${counted(t.changes, 'change')} (${counted(t.commits, 'commit')}, ${counted(t.pullRequests, 'pull request')}) from ${r.fromRef ?? 'the first commit'} to ${r.toRef}: ${t.signedChanges} fully signed, ${counted(t.emergencies, 'emergency', 'emergencies')}`;
      if (!host)
        return `${head}, ${t.trailerApprovedByOther} with a trailer approval by another; approvals and checks not checked (git only)`;
      const n = (f: (c: (typeof changes)[number]) => boolean | null): number =>
        changes.filter((c) => f(c) === true).length;
      return `${head}; GitHub ${host.repository}: ${n((c) => c.approvedByOther)} approved by another, ${n((c) => c.approvedOnMergedHead)} on the merged head, ${n((c) => c.checksPassed)} with checks passed, ${n((c) => c.directPush)} pushed directly, ${n((c) => c.hostVerified)} with every signature verified by GitHub; bypass: ${host.rules.bypassActors === null ? 'not shown' : host.rules.bypassActors.join(', ') || 'none'}`;
    }
    case 'scan': {
      const { scanner, findings, severities: v } = typed.summary;
      return `${scanner.name}${scanner.version ? ` ${scanner.version}` : ''}: ${counted(findings, 'finding')} (${v.critical} critical, ${v.high} high, ${v.medium} medium, ${v.low} low, ${v.unknown} unknown)`;
    }
    case 'vex': {
      const { format, id, statements, statuses: st } = typed.summary;
      return `${format} ${id}: ${counted(statements, 'statement')} (${st.not_affected} not affected, ${st.affected} affected, ${st.fixed} fixed, ${st.under_investigation} under investigation)`;
    }
    case 'kev':
      return `CISA KEV catalog ${typed.summary.catalogVersion} (${typed.summary.dateReleased}): ${counted(typed.summary.vulnerabilities, 'vulnerability', 'vulnerabilities')}`;
    case 'vulnerabilities':
      return vulnerabilitiesLine(typed.summary);
    case 'openvex':
      return `OpenVEX: ${counted(typed.summary.statements, 'statement')} (${typed.summary.statuses.not_affected} not affected, ${typed.summary.statuses.affected} affected, ${typed.summary.statuses.fixed} fixed, ${typed.summary.statuses.under_investigation} under investigation)`;
  }
}

/** The release's vulnerabilities, and every not_affected finding with its justification (reports list them all). */
export function vulnerabilityLines(
  v: { path: string; summary: VulnerabilitiesSummary } | undefined,
  caveat = '',
): string[] {
  if (!v) return [];
  const s = v.summary;
  const listed = s.notAffected.map(
    (f) =>
      `      not affected: ${f.id} (${f.severity}) in ${f.purl ?? 'the release'}: ${f.justification?.replace(/_/g, ' ') ?? 'no justification'}${f.impact ? `; ${f.impact}` : ''}${statedBy(f)}`,
  );
  const more = s.statuses.not_affected - s.notAffected.length;
  return [
    `    vulnerabilities (${v.path})${caveat}: ${vulnerabilitiesLine(s)}`,
    `      VEX matched against the release as ${s.products.join(', ')}`,
    ...listed,
    ...(more > 0 ? [`      and ${more} more not affected (${v.path} lists them all)`] : []),
  ];
}

/** Who stated a disposition, and where: ` (stated by AUTHOR in vex/x.json)`, or nothing when neither is known. */
export function statedBy(f: { by?: string | undefined; from?: string | undefined }): string {
  if (!f.by && !f.from) return '';
  return ` (stated${f.by ? ` by ${f.by}` : ''}${f.from ? ` in ${f.from}` : ''})`;
}

/** A release's findings, read as an auditor reads them: how many, how severe, how each was handled. */
export function vulnerabilitiesLine(s: VulnerabilitiesSummary): string {
  const st = s.statuses;
  const open = FINDING_SEVERITIES.filter((k) => s.open[k] > 0).map((k) => `${s.open[k]} ${k}`);
  const criticalNa = s.notAffected.filter((f) => f.severity === 'critical');
  const why = [...new Set(criticalNa.map((f) => (f.justification ?? 'impact stated').replace(/_/g, ' ')))];
  return [
    `${counted(s.findings, 'finding')} from ${counted(s.scans, 'scan')} (${s.severities.critical} critical, ${s.severities.high} high, ${s.severities.medium} medium, ${s.severities.low} low, ${s.severities.unknown} unknown)`,
    `VEX (${counted(s.vexDocuments, 'document')}): ${st.not_affected} not affected, ${st.fixed} fixed, ${st.affected} affected, ${st.under_investigation} under investigation, ${st.none} without a statement`,
    ...(criticalNa.length
      ? [
          `${counted(criticalNa.length, 'critical')} not affected (${why.join('; ')})${s.statuses.not_affected > s.notAffected.length ? `, among the first ${s.notAffected.length} not affected listed` : ''}`,
        ]
      : []),
    `still open: ${open.length ? open.join(', ') : 'none'}`,
    ...(s.conflicted
      ? [`${counted(s.conflicted, 'finding')} with contradicting statements (see each finding's conflicts)`]
      : []),
    `${s.knownExploited} known exploited (${s.knownExploitedOpen} open)`,
    ...(s.withoutPurl ? [`${s.withoutPurl} without a package (VEX does not apply)`] : []),
  ].join('; ');
}

function table(raw: string[][]): string {
  const rows = raw.map((r) => r.map(escapeValue));
  const widths = rows[0]?.map((_, i) => maxOf([...rows.map((r) => (r[i] ?? '').length)])) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const short = (digest: string): string => `${digest.slice(0, 19)}…`;

/** Repository, commit and ref as recorded; a part that is missing or blank is said to be so, never printed empty. */
function inspectedSourceLine(src: InspectResult['source']): string {
  const given = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
  const [repository, commit, ref] = [given(src.repository), given(src.commit), given(src.ref)];
  if (!repository && !commit && !ref) return '(none recorded)';
  return [repository ?? '(no repository recorded)', commit && `@ ${commit}`, ref && `(${ref})`]
    .filter(Boolean)
    .join(' ');
}

export function formatInspect(r: InspectResult): string {
  const src = r.source;
  const lines = [
    // Inspect checks nothing: a tampered bundle's claims read the same. Said first, before any of them.
    'NOT VERIFIED: the manifest as this bundle states it; evidence verify checks its content and signature',
    escapeValue(`${r.name} ${r.version}`),
    escapeValue(`created  ${r.created}`),
    escapeValue(`source   ${inspectedSourceLine(src)}`),
    '',
    `Evidence (${r.entries.length})`,
    table([
      ['PATH', 'KIND', 'SIZE', 'DIGEST', 'SUMMARY'],
      ...r.entries.map((e) => [
        e.path,
        e.kind,
        formatBytes(e.size),
        short(e.digest),
        describeSummary(e.kind, e.summary),
      ]),
    ]),
    '',
    `Subjects (${r.subjects.length})`,
    r.subjects.length
      ? table([['NAME', 'SIZE', 'DIGEST'], ...r.subjects.map((s) => [s.name, formatBytes(s.size), s.digest])])
      : '  none',
  ];
  return `${lines.join('\n')}\n`;
}

export function formatVerifyText(report: VerifyReport & { bundle: { path?: string } }): string {
  const b = report.bundle;
  const a = report.assessment ?? assess(report, undefined);
  const verdict = headline(a);
  const lines = [
    `${verdict.word}: ${b.path ?? 'bundle'}${b.name ? ` (${b.name} ${b.version})` : ''}`,
    `  authentic?  ${a.authenticity.status === 'authentic' ? 'yes' : a.authenticity.status === 'not-checked' ? 'NOT CHECKED' : 'NO'} (${a.authenticity.summary})`,
    ...(a.release ? [`  release?    NOT THIS RELEASE'S EVIDENCE (${a.release.summary})`] : []),
    `  policy?     ${a.policy.status === 'satisfied' ? 'holds' : a.policy.status === 'failed' ? 'FAILS' : 'none'} (${a.policy.summary})`,
    `  evidence:   ${a.evidence.status === 'clean' || a.evidence.status === 'nothing-to-judge' ? a.evidence.summary : a.evidence.status === 'unknown' ? 'not assessed' : `${a.evidence.findings.length} CONCERN${a.evidence.findings.length === 1 ? '' : 'S'}`}${a.evidence.unverified && a.evidence.status !== 'unknown' ? UNCHECKED_CLAIMS : ''}`,
    ...a.evidence.findings.map((f) => `    - ${f.path}: ${f.message} [${f.code}]`),
    ...vulnerabilityLines(a.evidence.vulnerabilities, a.evidence.unverified ? UNCHECKED_CLAIMS : ''),
    report.mode === 'integrity-only' ? 'mode: integrity only (signature not checked)' : 'mode: signature required',
  ];
  if (b.digest) lines.push(`bundle digest:   ${b.digest}`);
  if (b.manifestDigest) lines.push(`manifest digest: ${b.manifestDigest}`);
  if (report.signature) appendAll(lines, signatureLines(report.signature, signatureCovers(report)));
  // Concerns in claims not signature-checked are said by the headline (INTEGRITY ONLY) and the evidence line, not here.
  const concerns = a.evidence.status === 'concerns' && !a.evidence.unverified ? a.evidence.findings.length : 0;
  appendAll(lines, ['', ...checkLines(report.checks, concerns)]);
  if (report.policy) appendAll(lines, ['', ...policyLines(report.policy)]);
  return `${lines.map(escapeValue).join('\n')}\n`;
}

function policyLines(p: PolicyResult): string[] {
  const mark = (status: string): string =>
    ({
      pass: 'ok  ',
      fail: 'FAIL',
      waived: 'WAIV',
      error: 'ERR ',
      'not-applicable': 'n/a ',
      'not-checked': 'SKIP',
      none: '    ',
    })[status] ?? status;
  const out = [`Policy ${p.policy.path} (${p.policy.digest.slice(0, 19)}…): ${p.ok ? 'holds' : 'FAILS'}`];
  if (p.identity.status !== 'none') out.push(`${mark(p.identity.status)} identity     ${p.identity.message}`);
  const cited = (controls: readonly string[] | undefined): string =>
    controls?.length ? ` [${controls.join(', ')}]` : '';
  for (const r of p.requirements)
    out.push(`${mark(r.status)} require      ${r.kind}${cited(r.controls)}: ${r.message}`);
  for (const r of p.rules) out.push(`${mark(r.status)} rule         ${r.name}${cited(r.controls)}: ${r.message}`);
  for (const c of p.crossChecks) out.push(`${mark(c.status)} cross-check  ${c.name}${cited(c.controls)}: ${c.message}`);
  const controls = controlResults(p);
  if (controls.length) {
    out.push('', 'Controls:');
    for (const c of controls) {
      const word = c.state === 'failed' ? 'FAILED' : CONTROL_STATE_WORDS[c.state];
      out.push(
        `  ${c.id}${c.title ? ` (${c.title})` : ''}: ${word}; ${c.items.map((i) => `${i.type} ${i.name} ${i.status}`).join(', ')}`,
      );
      for (const m of c.missing) out.push(`      missing: ${m}`);
    }
  }
  return out;
}

/**
 * Whether a report may call the signature it shows verified: it verified (with its signer), and the statement it signs
 * is about this manifest (or artifact). A signature that verifies over another manifest vouches for nothing here.
 */
export function signatureCovers(report: { mode?: VerifyReport['mode']; checks: readonly Check[] }): boolean {
  if (report.mode === 'integrity-only') return false;
  const held = (id: Check['id']): boolean => {
    const cs = report.checks.filter((c) => c.id === id);
    return cs.every((c) => c.ok && !c.skipped);
  };
  const made = (id: Check['id']): boolean => report.checks.some((c) => c.id === id && c.ok && !c.skipped);
  return made('signature') && made('statement') && held('signature') && held('identity') && held('statement');
}

/** The signature's lines; called verified (its times too) only when it verified and covers what was asked about. */
function signatureLines(s: SignatureInfo, covers: boolean): string[] {
  const out: string[] = covers
    ? []
    : [
        'signature:       NOT VERIFIED for this bundle (it did not verify, or does not cover this manifest); what it states:',
      ];
  if (s.kind === 'certificate') {
    out.push(`signer:          ${s.identity ?? '?'}`, `issuer:          ${s.issuer ?? '?'}`);
    if (s.claims?.buildSignerUri) out.push(`workflow:        ${s.claims.buildSignerUri}`);
    if (s.claims?.sourceRepositoryUri?.trim())
      out.push(
        `repository:      ${s.claims.sourceRepositoryUri}${s.claims.sourceRepositoryRef ? ` (${s.claims.sourceRepositoryRef})` : ''}`,
      );
  } else out.push(`signed with key: ${s.key ?? '(no matching --key)'} (hint ${s.keyHint ?? 'none'})`);
  if (s.attestation) out.push(`signature from:  ${s.attestation.uri} (sha256:${s.attestation.sha256}), not the bundle`);
  for (const t of s.tlog)
    out.push(
      `rekor entry:     #${t.logIndex}${t.integratedTime ? `, integrated ${t.integratedTime}${covers && t.timeVerified ? ' (time verified by its signed entry timestamp)' : ' (time not relied on)'}` : t.entry?.endsWith(' 0.0.2') ? ' (Rekor v2: no log time; the timestamp dates it)' : ''}`,
    );
  for (const t of s.timestamps)
    out.push(
      `timestamp (TSA): ${t.time}${covers && t.verified ? " (verified against the trusted root's timestamp authority)" : covers ? ' (not verified)' : ' (not relied on)'}`,
    );
  if (s.trustedRoot)
    out.push(
      `trusted root:    ${s.trustedRoot.source}${s.trustedRoot.date ? ` (newest key from ${s.trustedRoot.date})` : ''}`,
    );
  for (const r of s.restsOn ?? []) out.push(`rests on:        ${restsOnLine(r)}`);
  for (const r of s.renewals ?? []) out.push(`renewed:         ${renewalLine(r)}`);
  return out;
}

/** The checks, then a line that counts them: never "All checks passed" alone beside concerns in the evidence. */
function checkLines(checks: Check[], concerns = 0): string[] {
  const lines: string[] = [];
  for (const c of checks) {
    const mark = c.skipped ? 'SKIP' : c.ok ? 'ok  ' : 'FAIL';
    lines.push(`${mark} ${c.id.padEnd(12)} ${c.code && !c.ok ? `[${c.code}] ` : ''}${c.message}`);
    if (!c.ok && !c.skipped && (c.expected || c.found))
      lines.push(`     ${''.padEnd(12)} expected ${c.expected ?? '-'}, found ${c.found ?? '-'}`);
  }
  const failed = checks.filter((c) => !c.ok && !c.skipped).length;
  const skipped = checks.filter((c) => c.skipped).length;
  // A check not made is not a check passed: said apart, never as "all passed".
  const notMade = skipped ? `; ${counted(skipped, 'check')} not made (SKIP above)` : '';
  // What the evidence says is another answer than the checks: said beside them, as the headline says it.
  const raises = concerns ? `; the evidence raises ${counted(concerns, 'concern')} (above)` : '';
  lines.push(
    '',
    failed === 0
      ? skipped === 0
        ? `All checks passed${raises}.`
        : `No check failed${notMade}${raises}.`
      : `${counted(failed, 'check')} failed${notMade}.`,
  );
  return lines;
}

/** Many artifacts against many bundles: a line per artifact, then every bundle that failed. */
export function formatAttestationSetText(r: AttestationSetReport): string {
  const malformed = r.bundles.filter((b) => b.malformed).length;
  const verified = r.bundles.filter((b) => b.ok).length;
  const lines = [
    `${attestationHeadline(r)}: ${r.attestation}${r.source ? ` (delivered by ${r.source})` : ''}: ${r.artifacts.filter((a) => a.ok).length} of ${r.artifacts.length} artifacts covered; ${verified} of ${r.bundles.length} bundles verified${malformed ? `; ${malformed} line${malformed === 1 ? '' : 's'} MALFORMED, not checked` : ''}${r.predicateType ? ` (predicate type ${r.predicateType})` : ''}`,
    ...statedEvidenceLines(r.evidence),
    ...r.artifacts.map((a) => `${a.ok ? 'OK  ' : 'FAIL'} ${a.name}: ${a.message}`),
    '',
  ];
  // Every line of the file: verified, failed, or malformed (not checked).
  for (const b of r.bundles)
    lines.push(
      b.ok
        ? `OK   line ${b.line}: verified${b.predicateType ? ` (${b.predicateType})` : ''}`
        : `${b.malformed ? 'MALFORMED' : 'FAIL'} line ${b.line}: ${b.checks
            .filter((c) => !c.ok)
            .map((c) => `${c.message}${c.code ? ` [${c.code}]` : ''}`)
            .join('; ')}`,
    );
  const signer = r.bundles.find((b) => b.ok && b.signature)?.signature;
  if (signer) appendAll(lines, ['', ...signatureLines(signer, true)]);
  return `${lines.map(escapeValue).join('\n')}\n`;
}

/** What verified statements state (verify-attestation), in the words verify gives a bundle's evidence answer. */
function statedEvidenceLines(e: AttestationReport['evidence']): string[] {
  const n = e.findings.length;
  return [
    `  evidence:   ${e.status === 'concerns' ? `${n} CONCERN${n === 1 ? '' : 'S'}` : e.summary}`,
    ...(e.status === 'concerns'
      ? e.findings.map(
          (f) =>
            `    - ${f.line !== undefined ? `line ${f.line}: ` : ''}${f.path ? `${f.path}: ` : ''}${f.message} [${f.code}]`,
        )
      : []),
  ];
}

export function formatAttestationText(r: AttestationReport): string {
  const lines = [
    `${attestationHeadline(r)}: ${r.attestation}${r.kind ? ` (${r.kind}${r.predicateType ? `, ${r.predicateType}` : ''})` : ''}`,
    ...statedEvidenceLines(r.evidence),
  ];
  lines.push(
    `artifact:        ${r.artifact.file ?? ''} ${Object.entries(r.artifact.digests)
      .map(([a, h]) => `${a}:${h.slice(0, 16)}…`)
      .join(' ')}`.trimEnd(),
  );
  if (r.signature) appendAll(lines, signatureLines(r.signature, signatureCovers(r)));
  appendAll(lines, ['', ...checkLines(r.checks, r.evidence.status === 'concerns' ? r.evidence.findings.length : 0)]);
  return `${lines.map(escapeValue).join('\n')}\n`;
}

/** One archive timestamp (sign --timestamp-only): when, by whom, until when its authority's certificates hold. */
export function renewalLine(r: RenewalInfo): string {
  if (!r.verified) return `${r.time ?? 'a timestamp'} (does not verify)`;
  return `${r.time ?? '?'} by ${r.tsa ?? 'a timestamp authority of the trusted root'}${r.breaksChain ? ' (verifies, but breaks the chain: out of order or too late)' : r.certificatesUntil ? ` (holds until ${r.certificatesUntil})` : ''}`;
}

/** One part a signature's verification rests on, with its window: what a verifier years later needs a root to list. */
export function restsOnLine(r: RestsOn): string {
  const window = `valid ${r.validFrom ?? '…'} to ${r.validUntil ?? 'now (open)'}`;
  return `${r.part} ${r.name} (${window}${r.certificatesUntil ? `; certificates until ${r.certificatesUntil}` : ''})`;
}
