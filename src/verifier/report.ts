import type { ReadFindingCode } from '../core/bundle-reader.js';
/**
 * The verification report: data, never prose. The CLI formats it; release
 * gates read it as JSON. Every failure is listed, not only the first.
 */
export type CheckId =
  | 'archive'
  | 'members'
  | 'manifest'
  | 'blobs'
  | 'entries'
  | 'sha256sums'
  | 'subjects'
  | 'signature'
  | 'identity'
  | 'statement'
  | 'attestations'
  | 'standard'
  | 'vulnerabilities'
  | 'renewal'
  /** What `evidence fetch` found of the release the bundle was published with (failForReleaseProblems). */
  | 'release'
  /**
   * verify-attestation: what a verified statement's predicate says of itself (a VSA not PASSED): apart from `statement`,
   * which says whether the signed statement covers the artifact.
   */
  | 'predicate';

/**
 * Every code a check can carry: the reader's findings (core) and the
 * verifier's own. Stable: release gates match on them.
 */
export const VERIFIER_CHECK_CODES = [
  // blobs and SHA256SUMS, as the verifier matches them to the manifest
  'BLOB_MISSING',
  'SUMS_MISSING',
  'SUMS_MALFORMED',
  'SUMS_MISMATCH',
  // subjects
  'NO_SUBJECTS_GIVEN',
  'SUBJECT_NOT_CHECKED',
  'SUBJECT_NOT_IN_MANIFEST',
  'SUBJECT_DIGEST_MISMATCH',
  // signature
  'SIGNATURE_MISSING',
  'SIGNATURE_NOT_CHECKED',
  'SIGNATURE_INVALID',
  'KEY_HINT_MISMATCH',
  'ATTESTATION_MALFORMED',
  'ATTESTATION_NOT_DSSE',
  'ATTESTATION_CHAIN_INCLUDES_ROOT',
  'ATTESTATION_CHAIN_UNTRUSTED',
  'ATTESTATION_KEY_REQUIRED',
  // identity
  'IDENTITY_POLICY_REQUIRED',
  /** Signed keylessly and only a key given, or with a key and only an identity: not the signer pinned. */
  'SIGNER_KIND_MISMATCH',
  'IDENTITY_MISMATCH',
  'ISSUER_MISMATCH',
  'WORKFLOW_MISMATCH',
  'SOURCE_REPOSITORY_MISMATCH',
  'SOURCE_REF_MISMATCH',
  // statement
  'ATTESTATION_NOT_INTOTO',
  'STATEMENT_INVALID',
  'STATEMENT_WRONG_PREDICATE',
  'STATEMENT_SUBJECT_MISSING',
  'STATEMENT_MANIFEST_MISMATCH',
  'SUBJECT_NOT_IN_ATTESTATION',
  'VSA_NOT_PASSED',
  // attestations collected into the bundle
  'ATTESTATIONS_NOT_CHECKED',
  'ATTESTATION_ENTRY_INVALID',
  'ATTESTATION_ENTRY_UNREADABLE',
  'ATTESTATION_SUMMARY_MISMATCH',
  // the standard statements signed beside ours
  'STANDARD_ABSENT',
  'STANDARD_NOT_CHECKED',
  'STANDARD_MALFORMED',
  'STANDARD_MISMATCH',
  'STANDARD_SIGNER_MISMATCH',
  // the vulnerabilities and OpenVEX documents made from the scans and VEX documents
  'VULNERABILITIES_MISMATCH',
  'VULNERABILITIES_NOT_CHECKED',
  // archive timestamps (renewals) given beside the Sigstore bundle
  'RENEWAL_INVALID',
  'RENEWAL_NOT_FOR_THIS_BUNDLE',
  'RENEWAL_TOO_LATE',
  'RENEWAL_OUT_OF_ORDER',
  'RENEWAL_NOT_CHECKED',
  // the release a bundle was fetched from (evidence fetch): another release's bundle, or files beside it that disagree
  'RELEASE_MISMATCH',
  'PRODUCT_MISMATCH',
  'REPOSITORY_MISMATCH',
  'INTOTO_MISMATCH',
  'SIGSTORE_JSONL_MISMATCH',
  // a check that was never reached because an earlier one failed
  'NOT_REACHED',
] as const;
export type CheckCode = ReadFindingCode | (typeof VERIFIER_CHECK_CODES)[number];

export interface Check {
  id: CheckId;
  ok: boolean;
  /** SCREAMING_SNAKE code of a failure (or of a check that was skipped). */
  code?: CheckCode;
  message: string;
  /** The tar member, JSON path, logical path or file concerned. */
  path?: string;
  expected?: string;
  found?: string;
  /** True when the check did not run (e.g. no signature in integrity-only mode). */
  skipped?: boolean;
}

export type Verdict = 'verified' | 'integrity-only' | 'failed' | 'policy-failed';

/** The verdict of three answers: integrity alone is never called verified (no signature was checked). */
export function verdictFor(authentic: boolean, policyOk: boolean, mode: VerifyReport['mode']): Verdict {
  if (!authentic) return 'failed';
  if (!policyOk) return 'policy-failed';
  return mode === 'integrity-only' ? 'integrity-only' : 'verified';
}

/** The report's verdict; for a report without one (written before it was recorded), from `ok` and its mode. */
export function verdictOf(report: Pick<VerifyReport, 'verdict' | 'ok' | 'mode'>): Verdict {
  return report.verdict ?? verdictFor(report.ok, true, report.mode);
}

export interface VerifyReport {
  ok: boolean;
  /** 'integrity' checks content only; 'signed' adds authenticity and identity. */
  mode: 'integrity-only' | 'signed';
  bundle: {
    /** sha256 of the .tar.gz as read, when read to the end. */
    digest?: string;
    size: number;
    name?: string;
    version?: string;
    created?: string;
    manifestDigest?: string;
    entries?: number;
    subjects?: number;
  };
  checks: Check[];
  /** Who signed, how, and what vouches for the time: present once a signature was examined. */
  signature?: import('./sigstore-bundle.js').SignatureInfo;
  /** The standard in-toto statements signed beside ours (attestations/standard.sigstore.jsonl), once verified. */
  standard?: import('./standard-attestations.js').StandardStatementRead[];
  /** The policy's findings, when a policy was given. */
  policy?: import('./policy-result.js').PolicyResult;
  /**
   * `verified` (signed, authentic, and the policy held if one was given); `integrity-only` (the content is whole, no
   * signature was checked, and the policy held if one was given: exit 0, never called verified); `failed` (integrity
   * or authenticity, exit 1); `policy-failed` (the policy does not hold, exit 3).
   */
  verdict?: Verdict;
  /** The three answers kept apart: authentic (and how checked), policy, what the evidence says. */
  assessment?: import('./assessment.js').Assessment;
}

/** The check ids in the order they are reported. */
export const CHECK_ORDER = [
  'archive',
  'members',
  'manifest',
  'blobs',
  'entries',
  'sha256sums',
  'subjects',
  'signature',
] as const satisfies readonly CheckId[];
/** Checks added when the signature is verified, after the integrity checks. */
export const SIGNED_CHECK_ORDER: CheckId[] = ['signature', 'identity', 'statement', 'attestations', 'standard'];

/** The checks of the bundle's own bytes: archive, members, manifest, blobs, entries, SHA256SUMS. */
export const INTEGRITY_CHECKS: readonly CheckId[] = [
  'archive',
  'members',
  'manifest',
  'blobs',
  'entries',
  'sha256sums',
];

/** Whether the bundle's content matches its digests, whatever its signature (an unsigned bundle can be intact). */
export function integrityIntact(report: Pick<VerifyReport, 'checks'>): boolean {
  return report.checks.every((c) => c.ok || c.skipped || !INTEGRITY_CHECKS.includes(c.id));
}

/**
 * The checks another signature of the same bytes could pass: the evidence statement's signature and what it is held
 * to. Not `standard`: the standard statements are the bundle's own bytes, checked only once its own signature held,
 * and checked again the same way under any other (an outside review).
 */
export const SIGNATURE_CHECKS: readonly CheckId[] = ['signature', 'identity', 'statement'];

/**
 * Whether every check that failed is one another signature could pass (SIGNATURE_CHECKS): the bundle's content, its
 * standard statements, attestation entries and vulnerability documents all hold, so a signature a source offers could
 * make it authentic. `subjects` is left out, as the assessment leaves it out of authenticity: which artifacts a
 * release covers is asked of whichever signature verifies.
 */
export function onlySignatureFailed(report: Pick<VerifyReport, 'checks'>): boolean {
  return report.checks.every((c) => c.ok || c.skipped || c.id === 'subjects' || SIGNATURE_CHECKS.includes(c.id));
}

export function failures(report: VerifyReport): Check[] {
  return report.checks.filter((c) => !c.ok && !c.skipped);
}

/**
 * A concern a verified statement states of itself (attestation-predicate.ts): verify's evidence finding codes, and
 * TESTS_WARNED (a test-result statement that says WARNED) and VSA_NOT_PASSED (which also fails the report).
 */
export interface StatedFinding {
  code: import('./assessment.js').EvidenceFindingCode | 'TESTS_WARNED' | 'VSA_NOT_PASSED';
  /** The line of a `.jsonl` whose statement states it (verify-attestation over JSON lines). */
  line?: number;
  /** The entry or test configuration it is about, where the statement names one. */
  path?: string;
  /** The evidence kind (an evidence statement's entry), or `test-result`, `vulns`, `vsa`. */
  kind?: string;
  message: string;
}

/**
 * verify-attestation's evidence answer, kept apart from whether the statement verified, as verify's is
 * (Assessment['evidence']): what the verified statements that cover the artifact state. `concerns` (findings) when one
 * states a failing result; `clean` when what was read raises none; `nothing-to-judge` when it states no result (a
 * release statement, a message signature); `unknown` when it was not read (a predicate type not read here) or not
 * reached (the statement did not verify, or is not about the artifact).
 */
export interface AttestationEvidence {
  status: 'clean' | 'concerns' | 'nothing-to-judge' | 'unknown';
  findings: StatedFinding[];
  summary: string;
}

/** The report of `verify-attestation`: any Sigstore bundle, checked against an artifact or a digest. */
export interface AttestationReport {
  ok: boolean;
  attestation: string;
  artifact: { file?: string; digests: Record<string, string> };
  kind?: 'dsse' | 'message-signature';
  predicateType?: string;
  /** The release a bundle's evidence statement names (its predicate), which need not be the artifact's. */
  release?: { name: string; version: string; manifestDigest?: string };
  checks: Check[];
  signature?: import('./sigstore-bundle.js').SignatureInfo;
  /** What the statement states, apart from whether it verified: the headline is VERIFIED WITH CONCERNS on concerns. */
  evidence: AttestationEvidence;
}

/**
 * `verify-attestation` over several artifacts and a file of bundles: each bundle verified once, each artifact reported.
 */
export interface AttestationSetReport {
  /** Every bundle verified and every artifact covered by a verified statement (of the type asked for). */
  ok: boolean;
  /**
   * `verified` (exit 0); `failed` (exit 1): a bundle failed verification, or, with every line read, an artifact is not
   * covered, or a line a source delivered (`source`) held no Sigstore bundle; `incomplete` (exit 2): no bundle failed,
   * but a line of the user's file held no Sigstore bundle and was not checked. Whatever the statements state is the
   * evidence answer, apart: `verified` with concerns is headed VERIFIED WITH CONCERNS.
   */
  verdict: 'verified' | 'failed' | 'incomplete';
  /** What the verified statements that cover the artifacts asked about state (of the type asked for), each by line. */
  evidence: AttestationEvidence;
  attestation: string;
  /**
   * Where the bundles were delivered from (fetch --subject-digest: the URL of GitHub's attestations for the digest),
   * line N being its Nth attestation. Absent for a file the user gave.
   */
  source?: string;
  predicateType?: string;
  bundles: {
    line: number;
    ok: boolean;
    /**
     * The line holds no Sigstore bundle (not JSON, longer than one, or not a bundle by its schema): listed, not
     * checked.
     */
    malformed?: boolean;
    predicateType?: string;
    checks: Check[];
    signature?: import('./sigstore-bundle.js').SignatureInfo;
  }[];
  artifacts: {
    name: string;
    digests: Record<string, string>;
    ok: boolean;
    /** Each verified statement that names it, and what its predicate says (attestation-predicate.ts). */
    coveredBy: { line: number; predicateType: string; says: string; evidence: AttestationEvidence['status'] }[];
    message: string;
  }[];
}
