import type { Readable } from 'node:stream';
import type { Env } from '../core/env.js';
import type { Manifest } from '../core/manifest.js';
import type { ByteProgress } from '../fs/progress.js';
import { hashArtifacts, subjectsFromList } from '../load/artifacts.js';
import { externalAttestation, readArchiveTimestamps } from '../load/attestation.js';
import { readKeys } from '../load/keys.js';
import { loadPolicyFile } from '../load/policy.js';
import { resolveTrustRoots } from '../load/trust.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import { checkPolicyOptions } from '../verifier/inputs.js';
import type { LoadedPolicy, PolicyLimits } from '../verifier/policy/evaluate.js';
import type { VerifyReport } from '../verifier/report.js';
import { bundleTooLarge, verifyEvidence } from '../verifier/verify.js';
import type { SubjectToCheck, VerifyBundleOptions } from '../verifier/verify-bundle.js';
import { openBundle } from '../fs/open-bundle.js';

export interface VerifyOptions {
  cwd: string;
  env?: Env;
  bundle: string;
  /** Check content only; the report says the signature was not checked. */
  integrityOnly?: boolean;
  /** Release artifacts to re-hash and find among the manifest's subjects. */
  subject?: string[];
  /** A Sigstore bundle kept outside the evidence bundle. */
  attestation?: string;
  /** `attestation` was delivered by the source (fetch): one that does not read fails verification (load/attestation). */
  attestationFromSource?: boolean;
  /** Archive timestamps renewing the signature (NAME.timestamps.json). */
  timestamps?: string;
  trustedRoot?: string[];
  /** Public keys (PEM) for bundles signed with a key. */
  key?: string[];
  identity?: IdentityPolicy;
  /** A policy file (YAML or JSON) to evaluate over the evidence. */
  policy?: string;
  /** The policy already read and checked (an audit reads it once for all its releases); instead of `policy`. */
  loadedPolicy?: LoadedPolicy;
  /**
   * The bundle's bytes when they come from elsewhere than the file `bundle`
   * (a registry: src/commands/oci.ts); `bundle` is then only its name.
   */
  open?: () => Promise<Readable>;
  /** Subjects known by digest (e.g. a container image), checked like --subject files. */
  subjectDigests?: SubjectToCheck[];
  /** A sha256sum list of release artifacts (`<hex>  <name>` lines) to find among the subjects, each reported. */
  subjectsFile?: string;
  /** Clock for waivers' expiry (tests). */
  now?: () => Date;
  /** A policy's cost and time limits (defaults in src/verifier/policy/evaluate.ts). */
  policyLimits?: PolicyLimits;
  /** Told of the bytes read, for a progress display. */
  onBytes?: ByteProgress;
  /** The most a bundle may declare in blobs (bytes), checked before they are read; default 8 GiB. */
  maxBundleSize?: number;
  /** Receives each blob as it is read and checked (extract stages them). */
  blobSink?: VerifyBundleOptions['blobSink'];
}

export type VerifyCommandReport = VerifyReport & { bundle: VerifyReport['bundle'] & { path: string } };

export interface VerifyResult {
  report: VerifyCommandReport;
  /** The manifest as read, for reports (when it could be read). */
  manifest?: Manifest;
  /** The attestation the verification used: where, and its sha256. */
  attestation?: { uri: string; sha256: string };
  /** The bundle's standard statements' Sigstore bundles, one per line, as read. */
  standardBytes?: Buffer;
}

/**
 * Verifies a bundle offline: integrity first, then (unless integrity-only)
 * the signature, the signer's identity and that the signed statement is about
 * this bundle. Never touches the network.
 */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const policy = options.identity ?? {};
  checkPolicyOptions(policy);
  const env = options.env ?? {};
  const rules =
    options.loadedPolicy ?? (options.policy ? await loadPolicyFile(options.cwd, options.policy) : undefined);
  const subjects = [
    ...(await hashArtifacts(options.cwd, options.subject ?? [])),
    ...(await subjectsFromList(options.cwd, options.subjectsFile)),
    ...(options.subjectDigests ?? []),
  ];
  const external =
    options.attestation && (await externalAttestation(options.cwd, options.attestation, options.attestationFromSource));
  const renewals = options.timestamps ? await readArchiveTimestamps(options.cwd, options.timestamps) : undefined;
  const roots = options.integrityOnly ? [] : await resolveTrustRoots(options.cwd, options.trustedRoot, env);
  const keys = await readKeys(options.cwd, options.key);

  const { stream, size } = options.open
    ? { stream: await options.open(), size: undefined }
    : await openBundle(options.cwd, options.bundle, options.onBytes);
  // A source breaking off (a registry connection) is exit 2, not a verdict; a digest mismatch from it is corruption.
  let sourceError: unknown;
  if (options.open) stream.once('error', (e: unknown) => (sourceError ??= e));
  const verified = await verifyEvidence({
    stream,
    size,
    ...(options.integrityOnly ? { integrityOnly: true } : {}),
    subjects,
    ...(external ? { external } : {}),
    ...(renewals ? { renewals: { doc: renewals, label: options.timestamps as string } } : {}),
    roots,
    keys,
    identity: policy,
    ...(rules ? { policy: rules } : {}),
    ...(options.policyLimits ? { policyLimits: options.policyLimits } : {}),
    now: (options.now ?? (() => new Date()))(),
    ...(options.blobSink ? { blobSink: options.blobSink } : {}),
    ...(options.maxBundleSize !== undefined ? { maxDeclaredBytes: options.maxBundleSize } : {}),
  });
  // Over the size limit first: the reader stopped by choice, and a source cut off then (premature close) is its echo.
  const tooLarge = bundleTooLarge(verified.report, options.bundle, options.maxBundleSize);
  if (tooLarge) throw tooLarge;
  if (sourceError !== undefined && (sourceError as { code?: unknown }).code !== 'DIGEST_MISMATCH')
    throw sourceError as Error;
  const report: VerifyCommandReport = {
    ...verified.report,
    bundle: { path: options.bundle, ...verified.report.bundle },
  };
  return {
    report,
    ...(verified.manifest ? { manifest: verified.manifest } : {}),
    ...(verified.attestation ? { attestation: verified.attestation } : {}),
    ...(verified.standardBytes ? { standardBytes: verified.standardBytes } : {}),
  };
}
