import { digestHex } from '../core/digest.js';
import type { Env } from '../core/env.js';
import { hashArtifact, readMessageArtifact, subjectsFromList } from '../load/artifacts.js';
import { readAttestationJson, readSigstoreBundles } from '../load/attestation.js';
import { readKeys } from '../load/keys.js';
import { resolveTrustRoots } from '../load/trust.js';
import { attestationReport, attestationSetReport } from '../verifier/attestation-verdict.js';
import { VerifyError } from '../verifier/errors.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import { requireSigner } from '../verifier/signer-kind.js';
import { checkPolicyOptions, parseDigestOption } from '../verifier/inputs.js';
import type { AttestationReport, AttestationSetReport } from '../verifier/report.js';
import { refuseMalformed, signatureKind, signedContentKind } from '../verifier/sigstore-bundle.js';

export interface VerifyAttestationOptions {
  cwd: string;
  env?: Env;
  attestation: string;
  /** The artifact the attestation is about, or its digest (`sha256:…`, `sha512:…`). */
  artifact?: string;
  digest?: string;
  trustedRoot?: string[];
  key?: string[];
  identity?: IdentityPolicy;
}

export type { AttestationReport } from '../verifier/report.js';

/**
 * Verifies any Sigstore bundle offline, like cosign verify-blob-attestation:
 * a DSSE envelope must carry an in-toto statement with the artifact among its
 * subjects; a message signature must be over the artifact itself.
 */
export async function verifyAttestation(options: VerifyAttestationOptions): Promise<{ report: AttestationReport }> {
  const policy = options.identity ?? {};
  checkPolicyOptions(policy);
  if (!!options.artifact === !!options.digest)
    throw new VerifyError('INVALID_OPTION', 'give exactly one of --artifact FILE or --digest ALG:HEX');
  const digests = options.digest
    ? parseDigestOption(options.digest)
    : await hashArtifact(options.cwd, options.artifact as string);
  const json = await readAttestationJson(options.cwd, options.attestation);
  // A bundle that does not parse is neither: verifySigstoreBundle reports it malformed, refused below (exit 2).
  const keys = await readKeys(options.cwd, options.key);
  requireSigner(signatureKind(json), { policy, keys }, 'the attestation');
  let artifactBytes: Buffer | undefined;
  if (signedContentKind(json) === 'message-signature') {
    if (!options.artifact)
      throw new VerifyError(
        'INVALID_OPTION',
        'a message signature is over the artifact itself: give --artifact, not --digest',
      );
    artifactBytes = await readMessageArtifact(options.cwd, options.artifact);
  }
  const roots = await resolveTrustRoots(options.cwd, options.trustedRoot, options.env ?? {});
  const report = attestationReport({
    json,
    attestation: options.attestation,
    digests,
    ...(options.artifact ? { artifactFile: options.artifact } : {}),
    ...(artifactBytes ? { artifactBytes } : {}),
    roots,
    keys,
    policy,
  });
  refuseMalformed(options.attestation, [report]);
  return { report };
}

export interface VerifyAttestationSetOptions {
  cwd: string;
  env?: Env;
  /**
   * Sigstore bundles: one JSON document, or JSON lines (`NAME.sigstore.jsonl`, as gh attestation verify --bundle
   * reads).
   */
  attestation: string;
  /** Artifacts to hash and look for. */
  artifacts?: string[];
  /** A sha256sum list of artifacts by digest. */
  subjectsFile?: string;
  /** Artifacts already known by digest (`sha256:<hex>`). */
  subjectDigests?: { name: string; digest: string }[];
  /** Only statements of this predicate type count. */
  predicateType?: string;
  /** `attestation` holds what this source delivered, one a line (attestationSetReport): not the user's input. */
  source?: string;
  trustedRoot?: string[];
  key?: string[];
  identity?: IdentityPolicy;
}

export type { AttestationSetReport } from '../verifier/report.js';

/**
 * Many artifacts against many Sigstore bundles in one run, offline: each
 * bundle verified once (trusted root, signer), then each artifact reported
 * with the verified statements whose subjects hold its digest. A bundle that
 * does not verify fails the run: it is listed, never skipped; a line that
 * holds no bundle is listed as malformed (attestationSetReport).
 */
export async function verifyAttestationSet(
  options: VerifyAttestationSetOptions,
): Promise<{ report: AttestationSetReport }> {
  const policy = options.identity ?? {};
  checkPolicyOptions(policy);
  const artifacts: { name: string; digests: Record<string, string> }[] = [];
  for (const a of options.artifacts ?? []) artifacts.push({ name: a, digests: await hashArtifact(options.cwd, a) });
  for (const l of await subjectsFromList(options.cwd, options.subjectsFile))
    artifacts.push({ name: l.file, digests: { sha256: digestHex(l.digest) } });
  for (const d of options.subjectDigests ?? [])
    artifacts.push({ name: d.name, digests: { sha256: digestHex(d.digest) } });
  if (artifacts.length === 0)
    throw new VerifyError(
      'INVALID_OPTION',
      'name the artifacts: --artifact FILE (repeatable) or --subjects-file SHA256SUMS',
    );
  const documents = await readSigstoreBundles(options.cwd, options.attestation, options.source !== undefined);
  const keys = await readKeys(options.cwd, options.key);
  for (const d of documents)
    if ('json' in d) requireSigner(signatureKind(d.json), { policy, keys }, `${options.attestation} line ${d.line}`);
  const roots = await resolveTrustRoots(options.cwd, options.trustedRoot, options.env ?? {});
  const report = attestationSetReport({
    documents,
    attestation: options.attestation,
    artifacts,
    ...(options.predicateType !== undefined ? { predicateType: options.predicateType } : {}),
    ...(options.source !== undefined ? { source: options.source } : {}),
    roots,
    keys,
    policy,
  });
  return { report };
}
