/**
 * The CRA drafts as Markdown for a person to complete (release-index/cra.ts): what the evidence index holds, and, as
 * a checklist, what it cannot say. Every value from the index is untrusted text (mdText, code).
 */
import { annexViiSections, type CraAssessment, type CraNotificationDraft } from '../release-index/cra.js';
import type { ShippedScan } from '../release-index/shipped.js';
import { entryKind } from '../core/summaries.js';
import type { Manifest } from '../core/manifest.js';
import { hollowWhy } from '../verifier/policy/hollow.js';
import { verdictOf, type VerifyReport } from '../verifier/report.js';
import type { SignatureInfo } from '../verifier/sigstore-bundle.js';
import { indexedPolicyWords } from './index-query.js';
import { code, mdText, table } from './markdown.js';

const KEV_WORDS: Record<CraNotificationDraft['summary']['knownExploited'], string> = {
  listed: 'yes, a KEV catalog in a bundle lists it',
  'not-listed': 'not listed by the KEV catalogs the bundles with findings of it carry',
  unknown: 'unknown: not every bundle with findings of it carries a KEV catalog (or the index did not record it)',
};

const WORDS: Record<CraAssessment, string> = {
  affected: 'affected',
  no_disposition: 'found, no disposition (treat as affected until assessed)',
  under_investigation: 'under investigation',
  ships_named_component:
    'ships a component a finding of it names (same package and version) that no finding of its own reports (treat as affected until assessed)',
  fixed: 'fixed',
  not_affected: 'not affected',
  not_found_by_scans: "not found by its bundle's scanners (not a statement that it is not affected)",
  findings_not_read:
    'unknown: its bundle holds scans, but their findings were not read (not held in memory, or not checked by verify), or the index did not record whether they were (indexed before schema 2: rebuild it)',
  not_scanned: 'unknown: its bundle holds no scan',
};

/** What a release's own scans said of a component another release's finding of the vulnerability names. */
const SHIPPED_SCAN: Record<ShippedScan, string> = {
  'not-reported': 'its own scan did not report it',
  'not-scanned': 'its bundle holds no vulnerability scan',
  'not-read': 'its scans were not read',
};

/** What the index held of the policy applied when the release was indexed (a pass says what it showed). */
const INDEXED_POLICY: Record<string, string> = {
  fail: 'it failed the policy applied then',
  evidence: 'it passed the policy applied then',
  partial: 'it passed the policy applied then, but some of its checks read no evidence (they show nothing)',
  nothing:
    'the policy applied then held but SHOWED NOTHING: none of its checks read evidence, so it says nothing of this release',
  'not-recorded':
    'it passed the policy applied then; what that policy showed is not recorded (indexed before schema 7: rebuild the index)',
};

/** A date's warrant when only the signer vouches for it. */
const dated = (by: CraNotificationDraft['releases'][number]['datedBy'] | undefined): string =>
  by === 'signer'
    ? ' (resting on dates only signers vouch for: a release compared here has no verified timestamp or log time)'
    : '';

/** An Article 14 notification draft as Markdown. */
export function renderCraNotificationMarkdown(d: CraNotificationDraft): string {
  const s = d.summary;
  const out: string[] = [
    `# DRAFT: CRA Article 14 notification data for ${mdText(d.vulnerability)}`,
    '',
    `> ${mdText(d.notice)}`,
    '',
    `Made ${mdText(d.generatedAt)} from the evidence index ${code(d.index)}${d.product !== undefined ? `, product ${code(d.product)}` : ''}.`,
    '',
    '## What the index shows',
    '',
    table(
      ['Standing', 'Releases'],
      (Object.keys(WORDS) as CraAssessment[]).map((a) => [WORDS[a], String(s.byAssessment[a])]),
    ),
    '',
    `- Releases indexed${d.product !== undefined ? ' of this product' : ''}: ${s.releases}.`,
    `- Bundles that did not verify, so nothing they say is considered here: ${d.notVerified.length ? '' : 'none'}`,
    ...d.notVerified.map((r) => `  - ${code(r.location)}: ${mdText(r.reason)}`),
    `- Known exploited: ${KEV_WORDS[s.knownExploited]}.`,
    `- First release affected or not shown otherwise: ${s.exposedSince ? `${mdText(s.exposedSince)}${dated(s.exposedSinceDatedBy)}` : 'none'} (when it was signed, else the date its signer wrote; when it reached the market is not known to the index).`,
    `- First release of unknown standing (no scan, or findings not read): ${s.unknownSince ? `${mdText(s.unknownSince)}${dated(s.unknownSinceDatedBy)}` : 'none'}.`,
    `- Releases with a finding of it whose VEX status is contested (another statement that applied said otherwise, and lost to it): ${s.contested}${s.contested ? ' (marked CONTESTED below: weigh them before filing)' : ''}${s.contestedNotRecorded ? `; not known for ${s.contestedNotRecorded} indexed before schema 6 (rebuild the index)` : ''}.`,
    `- Versions that fix the packages of the findings not cleared, as the scanners give them (of the packages, not of the product; only a VEX statement says a release is fixed): ${s.fixVersions.length ? s.fixVersions.map(code).join(', ') : 'none given'}.`,
    `- Action statements of the VEX documents applied: ${s.mitigations.length ? '' : 'none'}`,
    ...s.mitigations.map((m) => `  - ${mdText(m)}`),
    '',
    '## To complete before filing',
    '',
    ...d.toComplete.map((t) => `- [ ] ${mdText(t.article)}: ${mdText(t.what)}`),
    '',
    '## Releases and the evidence behind each',
    '',
  ];
  for (const r of d.releases) {
    out.push(
      `### ${mdText(r.product)} ${mdText(r.version)}: ${WORDS[r.assessment]}`,
      '',
      `- Bundle ${code(r.bundle.digest)} at ${code(r.bundle.location)}; created ${mdText(r.created)}${r.signedAt ? `, signed ${mdText(r.signedAt)}` : ' (a date only its signer vouches for: no timestamp verified it)'}; ${mdText(indexedPolicyWords(r.policy, r.policyShows) || `policy ${r.policy}`)}.`,
    );
    for (const c of r.componentsNamed ?? [])
      out.push(
        `- Its SBOM lists ${code(c.purl)}, the package and version a finding of it names (in the scans of ${mdText(c.namedBy)}); ${mdText(SHIPPED_SCAN[c.scan])}.`,
      );
    for (const f of r.findings) {
      const parts = [
        `${code(f.id)} in ${code(f.purl)} (${mdText(f.severity)}): ${mdText(f.status === 'none' ? 'no disposition' : f.status)}`,
        ...(f.justification ? [`justification ${code(f.justification)}`] : []),
        ...(f.impactStatement ? [`impact: ${mdText(f.impactStatement)}`] : []),
        ...(f.actionStatement ? [`action: ${mdText(f.actionStatement)}`] : []),
        // The scanner's versions of the package that fix it: not a statement about this release (only VEX is).
        ...(f.fixVersions.length
          ? [`versions of the package that fix it, as the scanner gives them: ${f.fixVersions.map(code).join(', ')}`]
          : []),
        ...(f.knownExploited === true ? ['known exploited (KEV)'] : []),
        // Who stated the status, when, and what said otherwise (schema 6): a disposition never reads as settled here
        // when the bundle shows it contested. Rows indexed before 6 say that the index does not know.
        ...(f.statusFrom
          ? [
              f.provenanceRecorded
                ? `stated in ${code(f.statusFrom)}${f.statedBy ? `, by ${mdText(f.statedBy)} as the document names its author` : ' (the document names no author)'}${f.statedAt ? `, dated ${mdText(f.statedAt)} by the document` : ' (undated)'}`
                : `stated in ${code(f.statusFrom)} (who stated it, and any statement contradicting it, are not recorded: indexed before schema 6; rebuild the index, or \`evidence verify\` the bundle shows both)`,
            ]
          : []),
        ...(f.contested
          ? [
              `**CONTESTED**: ${f.contested.total} other statement${f.contested.total === 1 ? '' : 's'} applied and said otherwise, and lost to it (a later statement wins, or the more cautious status where dates cannot order them): ${f.contested.statements.map(code).join(', ')}${f.contested.total > f.contested.statements.length ? ', …' : ''}`,
            ]
          : []),
        ...(f.statementsRecorded ? [] : ['statements not recorded (indexed before schema 2: rebuild the index)']),
      ];
      out.push(`- ${parts.join('; ')}`);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** The technical documentation folder's table of contents (README.md) for a release, from its verified bundle. */
export function renderAnnexViiReadme(input: {
  product: string;
  version: string;
  /** `signature`: the file of the bundle's signature when it is kept beside the bundle (cra file --attestation). */
  bundle: { file: string; digest: string; location: string; signature?: string };
  /**
   * `indexedPolicy`: the policy verdict the index holds for the release (`pass`, `fail`, `none`); `indexedPolicyShows`
   * what a pass showed (`evidence`, `partial`, `nothing`; `not-recorded` before schema 7).
   */
  report: Pick<VerifyReport, 'ok' | 'verdict' | 'signature'> & { indexedPolicy?: string; indexedPolicyShows?: string };
  entries: Manifest['entries'];
  generatedAt: string;
}): string {
  const { sections, other } = annexViiSections(
    input.entries.map((e) => {
      const why = hollowWhy(e);
      return { path: e.path, kind: entryKind(e), ...(why ? { holdsNothing: why } : {}) };
    }),
  );
  const verdict = verdictOf({ mode: 'signed', ...input.report });
  // A link's target, percent-encoded where Markdown would read it otherwise (spaces, parentheses).
  const href = (p: string) => encodeURI(p).replace(/[()#?]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const link = (path: string) => `[${mdText(path)}](${href(`evidence/${path}`)})`;
  const sig = input.report.signature;
  const signer = sig?.identity
    ? `${sig.identity}${sig.issuer ? ` (${sig.issuer})` : ''}`
    : sig?.key
      ? `the key ${sig.key}`
      : undefined;
  const out = [
    `# DRAFT: technical documentation (CRA Annex VII) of ${mdText(input.product)} ${mdText(input.version)}`,
    '',
    `> DRAFT for a person to check and complete; not legal advice. It gathers the evidence of one release, from a bundle that verified when this folder was made (${mdText(input.generatedAt)}). The points marked "to complete" are not documented by any evidence in the bundle.`,
    '',
    '## The signed bundle and its verification',
    '',
    `- Bundle: [${mdText(input.bundle.file)}](${href(`bundle/${input.bundle.file}`)}), sha256 ${code(input.bundle.digest)}, indexed from ${code(input.bundle.location)}.`,
    ...(input.bundle.signature
      ? [
          `- Its signature, kept beside it rather than in it: [${mdText(input.bundle.signature)}](${href(`bundle/${input.bundle.signature}`)}).`,
        ]
      : []),
    `- Verification: ${mdText(verdict)}${signer ? `, signed by ${mdText(signer)}` : ''}; the whole report is [verification.json](verification.json). Anyone can verify the bundle again: ${code(`evidence verify ${shellWord(`bundle/${input.bundle.file}`)}${input.bundle.signature ? ` --attestation ${shellWord(`bundle/${input.bundle.signature}`)}` : ''}`)} with the same signer options.`,
    // The three answers apart: the signature was checked here; the policy was not (say what the index held).
    `- Policy: not evaluated when this folder was made. ${
      input.report.indexedPolicy === 'pass' || input.report.indexedPolicy === 'fail'
        ? `When the release was indexed, ${INDEXED_POLICY[input.report.indexedPolicy === 'fail' ? 'fail' : (input.report.indexedPolicyShows ?? '')] ?? INDEXED_POLICY['not-recorded']} (${code('evidence query --digest')} gives it); verify it again with ${code('--policy')} to check.`
        : input.report.indexedPolicy === 'none'
          ? 'No policy was applied when the release was indexed.'
          : 'The index gave no policy verdict.'
    }`,
    '',
    '## Contents, by the points of Annex VII',
    '',
  ];
  for (const s of sections) {
    out.push(`### ${s.point}. ${mdText(s.title)}`, '');
    if (s.toComplete)
      out.push(
        `- [ ] To complete: no evidence in the bundle documents this point${s.files.length ? ' (the entries below hold nothing)' : ''}.`,
      );
    for (const f of s.files)
      out.push(
        `- ${link(f.path)} (${mdText(f.kind)}${f.holdsNothing ? `; holds nothing: ${mdText(f.holdsNothing)}, so it documents nothing` : ''})`,
      );
    for (const what of s.notShown) out.push(`- [ ] Not shown by any evidence in the bundle: ${mdText(what)}.`);
    if (s.beyond !== undefined && !s.toComplete) out.push(`- [ ] Still to add: ${mdText(s.beyond)}.`);
    out.push('');
  }
  if (other.length) {
    out.push('### Other evidence in the bundle', '');
    for (const f of other) out.push(`- ${link(f.path)} (${mdText(f.kind)})`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/**
 * The report with the signature read from outside the bundle named by `uri` (where it is in the folder, or as it was
 * given): the verification read a private copy, whose path is nobody's.
 */
export function withAttestationUri<R extends { signature?: SignatureInfo }>(report: R, uri: string | undefined): R {
  if (!report.signature?.attestation || uri === undefined) return report;
  return { ...report, signature: { ...report.signature, attestation: { ...report.signature.attestation, uri } } };
}

/** A file name as a shell reads it back: as it is when plain, else in single quotes (a copy-paste runs nothing). */
function shellWord(s: string): string {
  return /^[A-Za-z0-9._/@+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
