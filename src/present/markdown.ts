import { appendAll } from '../core/objects.js';
import { escapeValue } from './terminal.js';
import { formatBytes, renewalLine, restsOnLine, UNCHECKED_CLAIMS, vulnerabilitiesLine } from './text.js';
import type { PolicyResult } from '../verifier/policy-result.js';
import type { SignatureInfo } from '../verifier/sigstore-bundle.js';
import {
  type ReleaseReportInput,
  FIGURES_LEFT_OUT,
  checkState,
  contentsCaveat,
  contentsStanding,
  controlGroups,
  policyOf,
  releaseSourceLine,
  signatureCovers,
  summaryLine,
  verdictOf,
} from './model.js';

/**
 * A release's GitHub-flavoured Markdown report (for $GITHUB_STEP_SUMMARY and
 * audit files). Every string from the data is escaped: no raw HTML, no
 * links, images or math can come out of a bundle's contents.
 */
export function renderMarkdown(input: ReleaseReportInput): string {
  const r = input.report;
  const b = r.bundle;
  const verdict = verdictOf(input);
  const policy = policyOf(input);
  // Whose word the contents are: an integrity-only bundle's are its own claims; a forged one's are not drawn.
  const standing = contentsStanding(input);
  const caveat = contentsCaveat(standing);
  const out: string[] = [];

  out.push(
    `# Evidence audit: ${b.name ? mdText(`${b.name} ${b.version ?? ''}`.trim()) : mdText(b.path ?? 'bundle')}`,
    '',
  );
  const a = verdict.assessment;
  out.push(`**${{ pass: '✅', warn: '⚠️', fail: '❌' }[verdict.tone]} ${verdict.word}**`, '');
  out.push(
    table(
      ['Question', 'Answer'],
      [
        [
          'Is the bundle authentic?',
          `${a.authenticity.notPinned ? '⚠️ signed, signer not pinned' : { authentic: '✅ yes', 'not-checked': '⚠️ not checked (integrity only)', failed: '❌ no' }[a.authenticity.status]}: ${mdText(a.authenticity.summary)}`,
        ],
        ...(a.release
          ? [["Is it this release's evidence?", `❌ no: ${mdText(a.release.summary)}`] as [string, string]]
          : []),
        [
          'Did the policy hold?',
          `${a.policy.shows === 'nothing' ? '⚠️ holds, shows nothing' : { satisfied: '✅ yes', failed: '❌ no', 'not-evaluated': '➖ not evaluated' }[a.policy.status]}: ${mdText(a.policy.summary)}`,
        ],
        [
          'What does the evidence say?',
          `${{ clean: `✅ ${mdText(a.evidence.summary)}`, concerns: `⚠️ ${a.evidence.findings.length} concern${a.evidence.findings.length === 1 ? '' : 's'}`, 'nothing-to-judge': `➖ ${mdText(a.evidence.summary)}`, unknown: '➖ not assessed' }[a.evidence.status]}${a.evidence.unverified && a.evidence.status !== 'unknown' ? UNCHECKED_CLAIMS : ''}`,
        ],
      ],
    ),
    '',
  );
  if (a.evidence.findings.length) {
    appendAll(out, [
      ...a.evidence.findings.map((f) => `- ${code(f.path)}: ${mdText(f.message)} (${code(f.code)})`),
      '',
    ]);
  }
  if (a.evidence.vulnerabilities) {
    const v = a.evidence.vulnerabilities;
    out.push(
      `## Vulnerabilities (${code(v.path)})${caveat}`,
      '',
      mdText(vulnerabilitiesLine(v.summary)),
      '',
      `VEX matched against the release as ${v.summary.products.map(code).join(', ')}.`,
      '',
    );
    if (v.summary.notAffected.length)
      out.push(
        table(
          ['Not affected', 'Severity', 'In', 'Justification', 'Impact statement', 'Stated by'],
          v.summary.notAffected.map((f) => [
            code(f.id),
            f.severity,
            f.purl ? code(f.purl) : 'the release',
            mdText(f.justification?.replace(/_/g, ' ') ?? '(none)'),
            mdText(f.impact ?? ''),
            mdText(`${f.by ?? ''}${f.from ? ` (${f.from})` : ''}`),
          ]),
        ),
        '',
      );
    const more = v.summary.statuses.not_affected - v.summary.notAffected.length;
    if (more > 0) out.push(mdText(`And ${more} more not affected: ${v.path} lists them all.`), '');
  }

  const facts: [string, string][] = [];
  if (b.path) facts.push(['Bundle', code(b.path)]);
  if (b.name) facts.push(['Release', mdText(`${b.name} ${b.version ?? ''}`.trim())]);
  if (b.created) facts.push(['Created', mdText(b.created)]);
  facts.push(['Source', mdText(releaseSourceLine(input.source))]);
  facts.push([
    'Mode',
    r.mode === 'signed' ? 'signed (signature and identity required)' : 'integrity only (signature not checked)',
  ]);
  if (b.digest) facts.push(['Bundle digest', code(b.digest)]);
  if (b.manifestDigest) facts.push(['Manifest digest', code(b.manifestDigest)]);
  facts.push(['Size', mdText(formatBytes(b.size))]);
  if (r.signature) appendAll(facts, signatureFacts(r.signature, signatureCovers(r)));
  facts.push(['Report generated', mdText(input.generatedAt)]);
  out.push(table(['Field', 'Value'], facts), '');

  out.push(`## Subjects (${input.subjects.length})${caveat}`, '');
  out.push(
    input.subjects.length
      ? table(
          ['Name', 'Size', 'Digest'],
          input.subjects.map((s) => [mdText(s.name), mdText(formatBytes(s.size)), code(s.digest)]),
        )
      : '_No release subjects._',
    '',
  );

  const failed = r.checks.filter((c) => checkState(c) === 'fail').length;
  // A check not made is not a check passed (the signature, under --integrity-only): counted apart, as the text does.
  const notMade = r.checks.filter((c) => checkState(c) === 'skipped').length;
  const made = failed ? `${failed} failed` : notMade ? 'none failed' : 'all passed';
  out.push(`## Checks (${made}${notMade ? `, ${notMade} not made` : ''})`, '');
  out.push(
    table(
      ['Result', 'Check', 'Code', 'Details'],
      r.checks.map((c) => {
        const state = checkState(c);
        const extra =
          state === 'fail' && (c.expected || c.found)
            ? ` (expected ${c.expected ?? '-'}, found ${c.found ?? '-'})`
            : '';
        const where = c.path ? ` (at ${c.path})` : '';
        return [STATE[state], code(c.id), c.code ? code(c.code) : '', mdText(`${c.message}${where}${extra}`)];
      }),
    ),
    '',
  );

  if (policy) appendAll(out, policySection(policy));

  if (standing === 'not-authentic') {
    // Named, so that an auditor sees what the manifest claims to hold; its figures are left out.
    out.push(`## Evidence the manifest claims (${input.entries.length})${caveat}`, '', `_${FIGURES_LEFT_OUT}_`, '');
    if (input.entries.length)
      out.push(
        table(
          ['Path', 'Kind', 'Size'],
          input.entries.map((e) => [code(e.path), mdText(e.kind), mdText(formatBytes(e.size))]),
        ),
        '',
      );
    return `${out.join('\n').trimEnd()}\n`;
  }
  out.push(`## Evidence (${input.entries.length})${caveat}`, '');
  out.push(
    input.entries.length
      ? table(
          ['Path', 'Kind', 'Size', 'Summary'],
          input.entries.map((e) => [
            code(e.path),
            mdText(e.kind),
            mdText(formatBytes(e.size)),
            mdText(summaryLine(e.kind, e.summary)),
          ]),
        )
      : '_No evidence entries._',
    '',
  );
  return `${out.join('\n').trimEnd()}\n`;
}

const STATE = { pass: '✅ pass', fail: '❌ fail', skipped: '⏭ skipped' } as const;
const RULE = {
  pass: '✅ pass',
  fail: '❌ fail',
  waived: '⚠️ waived',
  error: '❌ error',
  'not-applicable': '➖ n/a',
  'not-checked': '⏭ not checked',
  none: '➖ none',
  'partly-shown': '◐ partly shown',
  'not-shown': '➖ not shown (no evidence)',
} as const;
const ruleMark = (s: string): string => (RULE as Record<string, string>)[s] ?? mdText(s);

/** The signature's facts; called verified (its times too) only when it verified and covers this manifest. */
function signatureFacts(s: SignatureInfo, covers: boolean): [string, string][] {
  const f: [string, string][] = covers
    ? []
    : [
        [
          'Signature',
          '❌ not verified for this bundle (it did not verify, or does not cover this manifest): the rows below are what it states, not relied on',
        ],
      ];
  if (s.kind === 'certificate') {
    f.push(['Signer', code(s.identity ?? '?')], ['Issuer', code(s.issuer ?? '?')]);
    if (s.claims?.buildSignerUri && s.claims.buildSignerUri !== s.identity)
      f.push(['Workflow', code(s.claims.buildSignerUri)]);
    if (s.claims?.sourceRepositoryUri)
      f.push([
        'Repository',
        mdText(
          `${s.claims.sourceRepositoryUri}${s.claims.sourceRepositoryRef ? ` (${s.claims.sourceRepositoryRef})` : ''}`,
        ),
      ]);
    if (s.claims?.sourceRepositoryDigest) f.push(['Signed at commit', code(s.claims.sourceRepositoryDigest)]);
  } else f.push(['Signing key', mdText(`${s.key ?? '(no matching key)'} (hint ${s.keyHint ?? 'none'})`)]);
  for (const t of s.tlog)
    f.push([
      'Rekor entry',
      mdText(
        `#${t.logIndex}${t.integratedTime ? `, integrated ${t.integratedTime}${covers && t.timeVerified ? ' (time verified)' : ' (time not relied on)'}` : ''}`,
      ),
    ]);
  for (const t of s.timestamps)
    f.push(['Timestamp (TSA)', mdText(`${t.time}${!covers ? ' (not relied on)' : t.verified ? ' (verified)' : ''}`)]);
  if (s.trustedRoot)
    f.push([
      'Trust root',
      mdText(`${s.trustedRoot.source}${s.trustedRoot.date ? ` (newest key from ${s.trustedRoot.date})` : ''}`),
    ]);
  for (const r of s.restsOn ?? []) f.push(['Rests on', mdText(restsOnLine(r))]);
  for (const r of s.renewals ?? []) f.push(['Renewed', mdText(renewalLine(r))]);
  return f;
}

function policySection(p: PolicyResult): string[] {
  const out: string[] = [`## Policy: ${p.ok ? '✅ satisfied' : '❌ not satisfied'}`, ''];
  out.push(
    table(
      ['Field', 'Value'],
      [
        ['Policy', code(p.policy.path)],
        ['Policy digest', code(p.policy.digest)],
        ['Evaluated at', mdText(p.evaluatedAt)],
        ['Signer identity', `${ruleMark(p.identity.status)}: ${mdText(p.identity.message)}`],
      ],
    ),
    '',
  );
  out.push('### Requirements', '');
  out.push(
    p.requirements.length
      ? table(
          ['Result', 'Kind', 'Entries', 'Max age', 'Details'],
          p.requirements.map((q) => [
            ruleMark(q.status),
            code(q.kind),
            mdText(String(q.count)),
            q.maxAge ? mdText(q.maxAge) : '',
            mdText(q.message),
          ]),
        )
      : '_No requirements._',
    '',
  );
  out.push('### Rules', '');
  out.push(
    p.rules.length
      ? table(
          ['Result', 'Rule', 'Controls', 'Details'],
          p.rules.map((q) => [
            ruleMark(q.status),
            code(q.name),
            q.controls.map(code).join(', '),
            mdText(`${q.message}${q.waiver?.expired ? ' (waiver expired)' : ''}`),
          ]),
        )
      : '_No rules._',
    '',
  );
  const waived = p.rules.filter((q) => q.waiver);
  if (waived.length) {
    out.push('### Waivers', '');
    out.push(
      table(
        ['Rule', 'Reason', 'Expires', 'State'],
        waived.map((q) => [
          code(q.name),
          mdText(q.waiver?.reason ?? ''),
          mdText(q.waiver?.expires ?? ''),
          q.waiver?.expired ? '❌ expired' : '✅ in force',
        ]),
      ),
      '',
    );
  }
  out.push('### Cross-checks', '');
  out.push(
    p.crossChecks.length
      ? table(
          ['Result', 'Cross-check', 'Details'],
          p.crossChecks.map((q) => [ruleMark(q.status), code(q.name), mdText(q.message)]),
        )
      : '_No cross-checks._',
    '',
  );

  const groups = controlGroups(p);
  if (groups.length) {
    out.push('## Results by control', '');
    out.push(
      table(
        ['Control', 'Result', 'Evidenced by', 'Missing'],
        groups.map((g) => [
          g.control ? `${code(g.control)}${g.title ? ` ${mdText(g.title)}` : ''}` : '_(no control)_',
          ruleMark(g.status),
          g.items
            .map((q) => `${ruleMark(q.status)} ${q.type === 'rule' ? '' : `${q.type} `}${code(q.name)}`)
            .join('; '),
          g.missing.map(mdText).join('; ') || '–',
        ]),
      ),
      '',
    );
  }
  return out;
}

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map((c) => c || ' ').join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * Untrusted text as inert inline Markdown: HTML metacharacters become
 * entities; the Markdown punctuation of emphasis, links, images, code,
 * tables, math and strikethrough is backslash-escaped; newlines become
 * spaces. Untrusted text is never placed at the start of a line.
 */
export function mdText(s: string): string {
  return escapeValue(String(s).replace(/[\r\n\u2028\u2029]+/g, ' '))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]!|~$]/g, '\\$&');
}

/**
 * An identifier, digest or path in a code span (literal in Markdown); anything a code span cannot hold safely is
 * escaped text instead.
 */
export function code(s: string): string {
  const v = String(s);
  return v !== '' && /^[^`|\r\n\u2028\u2029\\<>&]+$/.test(v) && v.trim() === v && escapeValue(v) === v
    ? `\`${v}\``
    : mdText(v);
}
