import { appendAll } from '../core/objects.js';
import type { Readable } from 'node:stream';
import { sha256Hex } from '../core/digest.js';
import { DEFAULT_MAX_DECLARED_BYTES, type BundleContents } from '../core/bundle-reader.js';
import type { Manifest } from '../core/manifest.js';
import { parseJsonStrict } from '../core/strict-json.js';
import { assess } from './assessment.js';
import { checkAttestationEntries, isAttestationBlob } from './attestation-entries.js';
import { VerifyError } from './errors.js';
import type { IdentityPolicy } from './identity-policy.js';
import { requireSigner } from './signer-kind.js';
import { crossCheckBlob, evaluatePolicy, type LoadedPolicy, type PolicyLimits } from './policy/evaluate.js';
import { verdictFor, type Check, type VerifyReport } from './report.js';
import {
  refuseMalformedFile,
  signatureKind,
  verifiedSigningTime,
  verifySigstoreBundle,
  type VerificationKeyInput,
} from './sigstore-bundle.js';
import { checkBundleStatement } from './statement-check.js';
import { checkStandardAttestations } from './standard-attestations.js';
import { ATTESTATION_MEMBER, STANDARD_MEMBER } from '../core/layout.js';
import { standardSourceBlob } from '../formats/standard-statements.js';
import type { LoadedTrustRoot } from './trusted-root.js';
import type { ArchiveTimestamps } from '../core/archive-timestamps.js';
import { verifyRenewals } from './archive-timestamps.js';
import { checkVulnerabilityEvidence, vulnerabilityBlob, withoutVulnerabilityFindings } from './vulnerability-check.js';
import { verifyBundleIntegrity, type SubjectToCheck, type VerifyBundleOptions } from './verify-bundle.js';

/** Everything a verification needs, read already: no file, no environment, no network here. */
export interface EvidenceVerification {
  /** The bundle's bytes, read once. */
  stream: Readable;
  /** How many there are, when known (a small bundle is decompressed in small chunks: core/bundle-reader.ts). */
  size?: number | undefined;
  /** Check the content only; the report says the signature was not checked. */
  integrityOnly?: boolean;
  /** Release artifacts (already hashed) to find among the subjects. */
  subjects?: SubjectToCheck[];
  /**
   * A Sigstore bundle kept outside the evidence bundle: its JSON (strictly parsed) and bytes, and where it came from.
   */
  /**
   * A Sigstore bundle kept outside the evidence bundle: given by the user (--attestation), or, `fromSource`, delivered
   * by the source beside the bundle (a release's NAME.sigstore.json, which fetch downloads). One that is no Sigstore
   * bundle is refused when given (ATTESTATION_MALFORMED, exit 2: nothing to verify) and a failed verification when
   * delivered (the check ATTESTATION_MALFORMED, exit 1: the evidence under test does not verify, as the bundle's own
   * signature member would not). `unreadable`: delivered, and not JSON (why); `json` is then undefined.
   */
  external?: { json: unknown; bytes: Buffer; uri: string; fromSource?: boolean; unreadable?: string };
  /** Archive timestamps renewing the signature (docs/bundle-format.md §8), and the file they came from. */
  renewals?: { doc: ArchiveTimestamps; label: string };
  roots: LoadedTrustRoot[];
  keys: VerificationKeyInput[];
  identity?: IdentityPolicy;
  policy?: LoadedPolicy;
  policyLimits?: PolicyLimits;
  /** Waivers expire by this clock. */
  now: Date;
  blobSink?: VerifyBundleOptions['blobSink'];
  maxDeclaredBytes?: number;
}

export interface EvidenceVerificationResult {
  report: VerifyReport;
  manifest?: Manifest;
  /** The attestation the verification used: where, and its sha256. */
  attestation?: { uri: string; sha256: string };
  /**
   * The bundle's attestations/standard.sigstore.jsonl as read (what NAME.sigstore.jsonl must carry after our own line).
   */
  standardBytes?: Buffer;
}

/**
 * Verification end to end, as data: integrity first; then (unless integrity
 * only) the signature, the signer and that the signed statement is about this
 * bundle, and the attestations taken into it; then the policy over authentic
 * evidence; then the three answers. Every failure is in the report (a signer
 * of the other kind than the signature's given alone too: SIGNER_KIND_MISMATCH);
 * only a verification that cannot be asked (no signer of either kind given)
 * throws.
 */
export async function verifyEvidence(v: EvidenceVerification): Promise<EvidenceVerificationResult> {
  const identity = v.identity ?? {};
  const rules = v.policy;
  // A Sigstore bundle given beside it that is none is input with nothing to verify (exit 2), before the bundle is read.
  if (v.external && !v.external.fromSource) refuseMalformedFile(v.external.uri, v.external.json);
  // The standard statements' sources come from a budget of their own: other kept blobs cannot leave them unchecked.
  const keep = (hex: string, m: Manifest): boolean | 'reserved' =>
    !v.integrityOnly && standardSourceBlob(hex, m)
      ? 'reserved'
      : isAttestationBlob(hex, m) ||
        vulnerabilityBlob(hex, m) ||
        (rules !== undefined && rules.policy.crossChecks.length > 0 && crossCheckBlob(hex, m));
  const { report, contents } = await verifyBundleIntegrity(v.stream, {
    ...(v.subjects ? { subjects: v.subjects } : {}),
    ...(v.size !== undefined ? { size: v.size } : {}),
    keepBlob: keep,
    ...(v.blobSink ? { blobSink: v.blobSink } : {}),
    ...(v.maxDeclaredBytes !== undefined ? { maxDeclaredBytes: v.maxDeclaredBytes } : {}),
  });
  const manifest = contents.manifest ? { manifest: contents.manifest } : {};
  // What the evidence says of vulnerabilities must be what its scans and VEX documents make (a content check, so in
  // both modes).
  if (contents.manifest && contents.complete) {
    const vulnerabilities = checkVulnerabilityEvidence(contents.manifest, contents.kept);
    appendAll(report.checks, vulnerabilities);
    report.ok &&= vulnerabilities.every((c) => c.ok || c.skipped);
  }
  const attestationEntries = contents.manifest?.entries.some((e) => e.kind === 'attestation') ?? false;
  if (v.integrityOnly) {
    if (attestationEntries)
      report.checks.push({
        id: 'attestations',
        ok: false,
        skipped: true,
        code: 'ATTESTATIONS_NOT_CHECKED',
        message: 'integrity only: the attestations taken into the bundle were not verified',
      });
    if (v.renewals)
      report.checks.push({
        id: 'renewal',
        ok: false,
        skipped: true,
        code: 'RENEWAL_NOT_CHECKED',
        message: 'integrity only: the archive timestamps were not verified',
        path: v.renewals.label,
      });
    return { report: settle(report, rules, contents, v), ...manifest };
  }

  report.mode = 'signed';
  const checks = report.checks.filter((c) => c.id !== 'signature');
  const signed: Check[] = [];
  // A signature given beside the bundle (--attestation): where it was read and the sha256 of its bytes, said once.
  const external = v.external && { uri: v.external.uri, sha256: sha256Hex(v.external.bytes) };
  let json: unknown = v.external?.json;
  if (v.external?.unreadable !== undefined)
    signed.push({
      id: 'signature',
      ok: false,
      code: 'ATTESTATION_MALFORMED',
      message: `${v.external.uri} is not valid JSON (${v.external.unreadable})`,
      path: v.external.uri,
    });
  // The bundle's own signature member only when none was kept outside it: one that was is the signature verified.
  if (json === undefined && !v.external && contents.attestationBytes) {
    try {
      json = parseJsonStrict(contents.attestationBytes);
    } catch (e) {
      signed.push({
        id: 'signature',
        ok: false,
        code: 'ATTESTATION_MALFORMED',
        message: `attestations/evidence.sigstore.json is not valid JSON (${(e as Error).message})`,
        path: 'attestations/evidence.sigstore.json',
      });
    }
  }
  if (json === undefined && signed.length === 0) signed.push(noSignature(contents));
  if (json !== undefined) {
    // A bundle that does not parse is neither: verifySigstoreBundle reports it malformed (exit 1). No signer given
    // cannot be asked (exit 2); a signer of the other kind given can, and fails (SIGNER_KIND_MISMATCH, exit 1).
    const signers = rules?.policy.identity ?? [];
    requireSigner(signatureKind(json), { policy: identity, signers, keys: v.keys }, 'the bundle');
    const verified = verifySigstoreBundle({ json, roots: v.roots, keys: v.keys, policy: identity, signers });
    // One the source delivered that is no Sigstore bundle is named (a given one was refused before).
    appendAll(
      signed,
      verified.checks.map((c) =>
        v.external && !c.ok && c.code === 'ATTESTATION_MALFORMED'
          ? { ...c, message: `${v.external.uri}: ${c.message}`, path: v.external.uri }
          : c,
      ),
    );
    if (verified.info) report.signature = external ? { ...verified.info, attestation: external } : verified.info;
    const bundleBytes = v.external?.bytes ?? contents.attestationBytes;
    if (v.renewals && verified.info && bundleBytes && verified.checks.every((c) => c.ok)) {
      const at = verifiedSigningTime(verified.info);
      const renewed = verifyRenewals(
        v.renewals.doc,
        bundleBytes,
        verified.info.restsOn ?? [],
        v.roots,
        v.renewals.label,
        { ...(at ? { signedAt: at } : {}), now: v.now },
      );
      appendAll(signed, renewed.checks);
      verified.info.renewals = renewed.renewals;
    } else if (v.renewals)
      signed.push({
        id: 'renewal',
        ok: false,
        code: 'NOT_REACHED',
        message: 'the archive timestamps were not verified: the signature they renew did not verify',
        path: v.renewals.label,
      });
    if (verified.checks.every((c) => c.ok) && contents.manifest && contents.manifestBytes) {
      const statement = checkBundleStatement(verified.dsse, contents.manifest, contents.manifestBytes).checks;
      appendAll(signed, statement);
      // The standard statements restate an authentic manifest's evidence: checked once the evidence statement holds.
      if (contents.standardBytes && verified.info && contents.complete && statement.every((c) => c.ok)) {
        const standard = checkStandardAttestations({
          bytes: contents.standardBytes,
          manifest: contents.manifest,
          manifestBytes: contents.manifestBytes,
          kept: contents.kept,
          roots: v.roots,
          keys: v.keys,
          identity,
          signers,
          signer: verified.info,
        });
        appendAll(signed, standard.checks);
        if (standard.statements.length) report.standard = standard.statements;
      } else if (!contents.standardBytes && contents.complete && statement.every((c) => c.ok)) {
        // Said, not failed: bundles signed before the standard statements existed, or with --no-standard-attestations,
        // still verify.
        signed.push({
          id: 'standard',
          ok: false,
          skipped: true,
          code: 'STANDARD_ABSENT',
          message:
            'no standard statements beside the evidence statement (signed before they existed, or with --no-standard-attestations): other verifiers find only the evidence statement',
          path: STANDARD_MEMBER,
        });
      }
    }
  }
  if (attestationEntries && contents.manifest && contents.complete) {
    appendAll(signed, checkAttestationEntries(contents.manifest, contents.kept, v.roots, v.keys));
  }
  report.checks = [...checks, ...signed];
  report.ok = report.checks.every((c) => c.ok || c.skipped);
  const attestation =
    external ??
    (contents.attestationBytes
      ? { uri: 'attestations/evidence.sigstore.json', sha256: sha256Hex(contents.attestationBytes) }
      : undefined);
  return {
    report: settle(report, rules, contents, v),
    ...manifest,
    ...(attestation ? { attestation } : {}),
    ...(contents.standardBytes ? { standardBytes: contents.standardBytes } : {}),
  };
}

/**
 * The signature check of a bundle in which none was read, and no --attestation given: SIGNATURE_MISSING only when the
 * reader reached the end of the archive and the bundle holds no signature member. A reader that stopped early (a
 * truncated or corrupt archive, a manifest declaring more than the reader accepts) or refused the member (too large)
 * did not look, and says so (NOT_REACHED, skipped): the integrity failure that stopped it decides the verdict.
 */
function noSignature(contents: BundleContents): Check {
  if (contents.complete && !contents.members.includes(ATTESTATION_MEMBER))
    return {
      id: 'signature',
      ok: false,
      code: 'SIGNATURE_MISSING',
      message:
        'the bundle is not signed and no --attestation was given (use --integrity-only to check its content alone)',
    };
  return {
    id: 'signature',
    ok: false,
    skipped: true,
    code: 'NOT_REACHED',
    message: contents.complete
      ? `not checked: ${ATTESTATION_MEMBER} was not read (see members), so whether it verifies is not known`
      : 'not checked: reading stopped before the end of the archive, so whether the bundle is signed is not known',
    ...(contents.complete ? { path: ATTESTATION_MEMBER } : {}),
  };
}

/** Evaluates the policy over authentic evidence, settles the verdict, and works out the three answers. */
function settle(
  report: VerifyReport,
  rules: LoadedPolicy | undefined,
  contents: BundleContents,
  v: EvidenceVerification,
): VerifyReport {
  const authentic = report.ok;
  // Evidence that is not authentic is not worth a policy's judgement, nor its parsing.
  if (rules && authentic && contents.manifest && contents.complete) {
    const signer =
      report.signature?.kind === 'certificate' && report.checks.some((c) => c.id === 'signature' && c.ok)
        ? { identity: report.signature.identity ?? '', issuer: report.signature.issuer ?? '' }
        : undefined;
    report.policy = evaluatePolicy(
      rules,
      {
        manifest: contents.manifest,
        // The findings the policy reads are the ones the vulnerabilities check remade: not when it could not.
        blobs: report.checks.some((c) => c.id === 'vulnerabilities' && !c.ok)
          ? withoutVulnerabilityFindings(contents.manifest, contents.kept)
          : contents.kept,
        mode: report.mode,
        ...(signer ? { signer } : {}),
        now: v.now,
      },
      v.policyLimits,
    );
  }
  const policyOk = report.policy?.ok ?? true;
  report.verdict = verdictFor(authentic, policyOk, report.mode);
  report.ok = authentic && policyOk;
  report.assessment = assess(report, contents.complete ? contents.manifest?.entries : undefined);
  return report;
}

/**
 * A bundle whose manifest declares more than --max-bundle-size (or its 8 GiB default): reading stopped before any blob
 * or the signature, so nothing was checked. That is no verdict on the bundle (exit 1 would say it is not authentic) but
 * a verification that was not made (exit 2), naming the option and both sizes.
 */
export function bundleTooLarge(
  report: VerifyReport,
  bundle: string,
  given: number | undefined,
): VerifyError | undefined {
  const check = report.checks.find((c) => c.code === 'DECLARED_SIZE_TOO_LARGE');
  if (!check) return undefined;
  const limit = `${given ?? DEFAULT_MAX_DECLARED_BYTES} bytes${given === undefined ? ' by default' : ''}`;
  return new VerifyError(
    'BUNDLE_TOO_LARGE',
    `${bundle}: its manifest declares ${check.found ?? 'more'} bytes of blobs, more than --max-bundle-size allows (${limit}): nothing in it was checked, so it is neither verified nor failed; raise --max-bundle-size to verify it`,
    {
      path: bundle,
      finding: `not checked: its manifest declares ${check.found ?? 'more'} bytes of blobs, more than the ${limit} this verification reads (--max-bundle-size)`,
    },
  );
}
