/**
 * The verification report: data, never prose. The CLI formats it; release
 * gates read it as JSON. Every failure is listed, not only the first.
 */
export type CheckId = 'archive' | 'members' | 'manifest' | 'blobs' | 'entries' | 'sha256sums' | 'subjects' | 'signature' | 'identity' | 'statement' | 'attestations';

export interface Check {
  id: CheckId;
  ok: boolean;
  /** SCREAMING_SNAKE code of a failure (or of a check that was skipped). */
  code?: string;
  message: string;
  /** The tar member, JSON path, logical path or file concerned. */
  path?: string;
  expected?: string;
  found?: string;
  /** True when the check did not run (e.g. no signature in integrity-only mode). */
  skipped?: boolean;
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
  /** The policy's findings, when a policy was given. */
  policy?: import('./policy-result.js').PolicyResult;
  /**
   * `verified`; `failed` (integrity or authenticity, exit 1); `policy-failed`
   * (authentic, but the policy does not hold, exit 3).
   */
  verdict?: 'verified' | 'failed' | 'policy-failed';
  /** The three answers kept apart: authentic (and how checked), policy, what the evidence says. */
  assessment?: import('./assessment.js').Assessment;
}

/** The check ids in the order they are reported. */
export const CHECK_ORDER = ['archive', 'members', 'manifest', 'blobs', 'entries', 'sha256sums', 'subjects', 'signature'] as const satisfies readonly CheckId[];
/** Checks added when the signature is verified, after the integrity checks. */
export const SIGNED_CHECK_ORDER: CheckId[] = ['signature', 'identity', 'statement', 'attestations'];

export function failures(report: VerifyReport): Check[] {
  return report.checks.filter((c) => !c.ok && !c.skipped);
}

/** The report of `verify-attestation`: any Sigstore bundle, checked against an artifact or a digest. */
export interface AttestationReport {
  ok: boolean;
  attestation: string;
  artifact: { file?: string; digests: Record<string, string> };
  kind?: 'dsse' | 'message-signature';
  predicateType?: string;
  checks: Check[];
  signature?: import('./sigstore-bundle.js').SignatureInfo;
}
