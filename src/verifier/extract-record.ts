import { foldedPath, type Manifest } from '../core/manifest.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import { VerifyError } from './errors.js';
import type { IdentityPolicy } from './identity-policy.js';
import type { VerifyReport } from './report.js';
import type { Assessment } from './assessment.js';

/**
 * The record `evidence extract` writes beside the entries it extracted
 * (docs/bundle-format.md, "Extracting"): how the bundle was checked, so that a
 * reader of the folder alone can tell a signature-checked extraction from an
 * integrity-only one, and which bundle, signer, trusted root and version of
 * this tool it came from. The three answers stay apart: authenticity (and how
 * it was checked), the policy (extract applies none), what the evidence says.
 * It is not part of the bundle and is not signed: it says what this run did.
 */

/** The record's name in the output folder; an entry at that name (in any case) or below it is refused. */
export const EXTRACT_RECORD = 'EXTRACTED-FROM.json';

export interface ExtractRecord {
  kind: 'evidence-extract-record';
  version: 1;
  /** What this file is, in a sentence: it is no entry of the bundle, and nothing signed it. */
  about: string;
  extractedAt: string;
  /** The tool and version that extracted it (`evidence 0.1.0`). */
  extractedBy: string;
  bundle: {
    /** The bundle as it was given. */
    path: string;
    digest: string;
    size: number;
    name: string;
    version: string;
    created: string;
    /** The sha256 of its manifest.json, which the signature (when checked) covers and every entry's summary is in. */
    manifestDigest?: string;
    entries: number;
  };
  authenticity: {
    /** `authentic`: signature and signer verified; `not-checked`: integrity only, nobody's signature was checked. */
    status: 'authentic' | 'not-checked';
    method: 'identity' | 'key' | 'integrity-only';
    /** True only when a signature was verified against the signer asked for. */
    signatureChecked: boolean;
    summary: string;
    /** Authentic, but the identity asked for matches anyone: why (the signer is not pinned). */
    notPinned?: string;
    /** The signer the extraction asked for, as given (absent for integrity only: none was asked for). */
    signerAskedFor?: IdentityPolicy & { keys?: string[] };
    /** Who signed, as verified: the certificate's identity and issuer, or the key that matched. */
    signer?: { identity?: string; issuer?: string; key?: string };
    /** The trusted root that verified the signature. */
    trustedRoot?: { source: string; date?: string };
    /** The Sigstore bundle verified, when it was a file beside the bundle rather than its own. */
    attestation?: { uri: string; sha256: string };
  };
  policy: { status: 'not-evaluated'; summary: string };
  evidence: {
    status: Assessment['evidence']['status'];
    /** True when the figures are the bundle's own claims, its signature not checked. */
    unverified: boolean;
    concerns: number;
    summary: string;
    /** Where the whole answer is: the report `evidence verify` gives, and the manifest every summary is in. */
    reference: string;
  };
}

/** Refuses a manifest one of whose entries would be the record, or lie below it, on any system (EXTRACT_RECORD_NAME_TAKEN). */
export function refuseRecordName(entries: Manifest['entries']): void {
  const reserved = foldedPath(EXTRACT_RECORD);
  const taken = entries.find((e) => {
    const f = foldedPath(e.path);
    return f === reserved || f.startsWith(`${reserved}/`);
  });
  if (taken)
    throw new VerifyError(
      'EXTRACT_RECORD_NAME_TAKEN',
      `entry '${taken.path}' would take the place of ${EXTRACT_RECORD}, the record extract writes of how the bundle was checked; nothing was extracted (evidence verify reads the bundle as it is)`,
      { path: taken.path },
    );
}

/** The record of an extraction that verified: from its report and manifest, the signer asked for, and the time. */
export function extractRecord(input: {
  report: VerifyReport & { bundle: { path: string } };
  manifest: Manifest;
  /** The signer asked for: the identity and the keys (paths as given); how to name the bundle (default: as given). */
  asked: { identity?: IdentityPolicy | undefined; key?: string[] | undefined; bundleName?: string | undefined };
  at: Date;
}): ExtractRecord {
  const { report, manifest } = input;
  const a = report.assessment;
  // Authentic only as the report says it, from a signed verification: anything else was not signature-checked.
  const authentic = report.mode === 'signed' && a?.authenticity.status === 'authentic' ? a.authenticity : undefined;
  const integrityOnly = authentic === undefined;
  const sig = report.signature;
  const signer = sig
    ? {
        ...(sig.identity !== undefined ? { identity: sig.identity } : {}),
        ...(sig.issuer !== undefined ? { issuer: sig.issuer } : {}),
        ...(sig.key !== undefined ? { key: sig.key } : {}),
      }
    : undefined;
  const asked = {
    ...(input.asked.identity ?? {}),
    ...(input.asked.key?.length ? { keys: input.asked.key } : {}),
  };
  const evidence = a?.evidence;
  const path = input.asked.bundleName ?? report.bundle.path;
  return {
    kind: 'evidence-extract-record',
    version: 1,
    about: integrityOnly
      ? `Written by ${PACKAGE_NAME} extract beside the entries it extracted; not part of the bundle, and not signed. The bundle was NOT signature-checked: integrity only (its content matches its own digests; nobody vouched for who made it).`
      : `Written by ${PACKAGE_NAME} extract beside the entries it extracted; not part of the bundle, and not signed. The bundle's signature and signer were verified before anything was extracted.`,
    extractedAt: input.at.toISOString(),
    extractedBy: `${PACKAGE_NAME} ${PACKAGE_VERSION}`,
    bundle: {
      path,
      digest: report.bundle.digest ?? '',
      size: report.bundle.size,
      name: manifest.name,
      version: manifest.version,
      created: manifest.created,
      ...(report.bundle.manifestDigest ? { manifestDigest: report.bundle.manifestDigest } : {}),
      entries: manifest.entries.length,
    },
    authenticity: !authentic
      ? {
          status: 'not-checked',
          method: 'integrity-only',
          signatureChecked: false,
          summary: `NOT signature-checked (--integrity-only): ${a?.authenticity.summary ?? 'its content matches its digests'}`,
        }
      : {
          status: 'authentic',
          method: authentic.method,
          signatureChecked: true,
          summary: authentic.summary,
          ...(authentic.notPinned ? { notPinned: authentic.notPinned } : {}),
          signerAskedFor: asked,
          ...(signer && Object.keys(signer).length ? { signer } : {}),
          ...(sig?.trustedRoot ? { trustedRoot: sig.trustedRoot } : {}),
          ...(sig?.attestation ? { attestation: sig.attestation } : {}),
        },
    policy: {
      status: 'not-evaluated',
      summary: `extract applies no policy: ${PACKAGE_NAME} verify ${path} --policy FILE evaluates one`,
    },
    evidence: {
      status: evidence?.status ?? 'unknown',
      unverified: integrityOnly || (evidence?.unverified ?? true),
      concerns: evidence?.findings.length ?? 0,
      summary: evidence?.summary ?? 'not assessed',
      reference: `the summaries of every entry are in the bundle's manifest.json${report.bundle.manifestDigest ? ` (${report.bundle.manifestDigest})` : ''}; ${PACKAGE_NAME} verify ${path} --json gives the whole report`,
    },
  };
}
