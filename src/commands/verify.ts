import type { ByteProgress } from '../fs/progress.js';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { hashFile } from '../fs/hash-file.js';
import type { BundleContents } from '../core/bundle-reader.js';
import type { Manifest } from '../core/manifest.js';
import { sha256Hex } from '../core/digest.js';
import { PolicyError } from '../policy/errors.js';
import { MAX_POLICY_BYTES, crossCheckBlob, evaluatePolicy, loadPolicy, type LoadedPolicy, type PolicyLimits } from '../policy/evaluate.js';
import { FileError, SMALL_FILE_LIMITS, readSmallFile } from '../fs/small-file.js';
import { parseJsonStrict } from '../core/strict-json.js';
import { VerifyError } from '../verifier/errors.js';
import { hasIdentityConstraint, type IdentityPolicy } from '../verifier/identity-policy.js';
import type { Check, VerifyReport } from '../verifier/report.js';
import { checkAttestationEntries, isAttestationBlob } from '../verifier/attestation-entries.js';
import { assess } from '../verifier/assessment.js';
import { signatureKind, verifySigstoreBundle } from '../verifier/sigstore-bundle.js';
import { checkBundleStatement } from '../verifier/statement-check.js';
import { verifyBundleIntegrity, type SubjectToCheck, type VerifyBundleOptions } from '../verifier/verify-bundle.js';
import { openBundle } from './open-bundle.js';
import { checkPolicyOptions, readKeys, resolveTrustRoots, type Env } from './trust.js';

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
  trustedRoot?: string[];
  /** Public keys (PEM) for bundles signed with a key. */
  key?: string[];
  identity?: IdentityPolicy;
  /** A policy file (YAML or JSON) to evaluate over the evidence. */
  policy?: string;
  /**
   * The bundle's bytes when they come from elsewhere than the file `bundle`
   * (a registry: src/commands/oci.ts); `bundle` is then only its name.
   */
  open?: () => Promise<Readable>;
  /** Subjects known by digest (e.g. a container image), checked like --subject files. */
  subjectDigests?: SubjectToCheck[];
  /** Clock for waivers' expiry (tests). */
  now?: () => Date;
  /** A policy's cost and time limits (defaults in src/policy/evaluate.ts). */
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
  const rules = options.policy ? loadPolicy(await readPolicyFile(options.cwd, options.policy), options.policy) : undefined;
  const subjects = [...(await hashArtifacts(options.cwd, options.subject ?? [])), ...(options.subjectDigests ?? [])];
  const externalBytes = options.attestation
    ? await readSmallFile(resolve(options.cwd, options.attestation), options.attestation, { what: 'an attestation', max: SMALL_FILE_LIMITS.attestation, notFound: (l) => new VerifyError('ATTESTATION_NOT_FOUND', `${l}: no such file`, { path: l }) })
    : undefined;
  const external = externalBytes ? parseAttestationJson(externalBytes, options.attestation as string) : undefined;
  const roots = options.integrityOnly ? [] : await resolveTrustRoots(options.cwd, options.trustedRoot, env);
  const keys = await readKeys(options.cwd, options.key);

  const stream = options.open ? await options.open() : (await openBundle(options.cwd, options.bundle, options.onBytes)).stream;
  // A source that breaks off (a registry connection, say) is not a verdict on the bundle: exit 2, not 1.
  // A digest mismatch from the source is one, and stays in the report as corruption.
  let sourceError: unknown;
  if (options.open) stream.once('error', (e: unknown) => (sourceError ??= e));
  const keep = (hex: string, m: Manifest): boolean => isAttestationBlob(hex, m) || (rules !== undefined && rules.policy.crossChecks.length > 0 && crossCheckBlob(hex, m));
  const { report, contents } = await verifyBundleIntegrity(stream, {
    subjects,
    keepBlob: keep,
    ...(options.blobSink ? { blobSink: options.blobSink } : {}),
    ...(options.maxBundleSize !== undefined ? { maxDeclaredBytes: options.maxBundleSize } : {}),
  });
  if (sourceError !== undefined && (sourceError as { code?: unknown }).code !== 'DIGEST_MISMATCH') throw sourceError;
  const result: VerifyCommandReport = { ...report, bundle: { path: options.bundle, ...report.bundle } };
  const attestationEntries = contents.manifest?.entries.some((e) => e.kind === 'attestation') ?? false;
  if (options.integrityOnly) {
    if (attestationEntries) result.checks.push({ id: 'attestations', ok: false, skipped: true, code: 'ATTESTATIONS_NOT_CHECKED', message: 'integrity only: the attestations taken into the bundle were not verified' });
    return { report: withPolicy(result, rules, contents, options), ...(contents.manifest ? { manifest: contents.manifest } : {}) };
  }

  result.mode = 'signed';
  const checks = result.checks.filter((c) => c.id !== 'signature');
  const signed: Check[] = [];
  let json: unknown = external;
  if (json === undefined && contents.attestationBytes) {
    try {
      json = parseJsonStrict(contents.attestationBytes);
    } catch (e) {
      signed.push({ id: 'signature', ok: false, code: 'ATTESTATION_MALFORMED', message: `attestations/evidence.sigstore.json is not valid JSON (${(e as Error).message})`, path: 'attestations/evidence.sigstore.json' });
    }
  }
  if (json === undefined && signed.length === 0) {
    signed.push({ id: 'signature', ok: false, code: 'SIGNATURE_MISSING', message: 'the bundle is not signed and no --attestation was given (use --integrity-only to check its content alone)' });
  }
  if (json !== undefined) {
    // A bundle that does not parse is neither: verifySigstoreBundle reports it malformed (exit 1).
    const kind = signatureKind(json);
    const keyless = kind === 'certificate';
    const signers = rules?.policy.identity ?? [];
    const policyNamesSigners = signers.length > 0;
    if (keyless && !hasIdentityConstraint(policy) && !policyNamesSigners) {
      throw new VerifyError('IDENTITY_POLICY_REQUIRED', 'the bundle is signed keylessly: say who may have signed it with --certificate-identity or --certificate-identity-regexp and --certificate-oidc-issuer (or the GitHub options); without it any Sigstore user would pass');
    }
    if (kind === 'public-key' && keys.length === 0) throw new VerifyError('KEY_REQUIRED', 'the bundle is signed with a key: give its public key with --key');
    const verified = verifySigstoreBundle({ json, roots, keys, policy, signers });
    signed.push(...verified.checks);
    if (verified.info) result.signature = verified.info;
    if (verified.checks.every((c) => c.ok) && contents.manifest && contents.manifestBytes) {
      signed.push(...checkBundleStatement(verified.dsse, contents.manifest, contents.manifestBytes).checks);
    }
  }
  if (attestationEntries && contents.manifest && contents.complete) {
    signed.push(...checkAttestationEntries(contents.manifest, contents.kept, roots, keys));
  }
  result.checks = [...checks, ...signed];
  result.ok = result.checks.every((c) => c.ok || c.skipped);
  const attestation = options.attestation
    ? { uri: options.attestation, sha256: sha256Hex(externalBytes as Buffer) }
    : contents.attestationBytes
      ? { uri: 'attestations/evidence.sigstore.json', sha256: sha256Hex(contents.attestationBytes) }
      : undefined;
  return { report: withPolicy(result, rules, contents, options), ...(contents.manifest ? { manifest: contents.manifest } : {}), ...(attestation ? { attestation } : {}) };
}

/** Evaluates the policy over an authentic bundle's evidence and settles the verdict. */
function withPolicy(result: VerifyCommandReport, rules: LoadedPolicy | undefined, contents: BundleContents, options: VerifyOptions): VerifyCommandReport {
  const authentic = result.ok;
  // Evidence that is not authentic is not worth a policy's judgement, nor its parsing.
  if (rules && authentic && contents.manifest && contents.complete) {
    const signer = result.signature?.kind === 'certificate' && result.checks.some((c) => c.id === 'signature' && c.ok) ? { identity: result.signature.identity ?? '', issuer: result.signature.issuer ?? '' } : undefined;
    result.policy = evaluatePolicy(rules, {
      manifest: contents.manifest,
      blobs: contents.kept,
      mode: result.mode,
      ...(signer ? { signer } : {}),
      now: (options.now ?? (() => new Date()))(),
    }, options.policyLimits);
  }
  const policyOk = result.policy?.ok ?? true;
  result.verdict = !authentic ? 'failed' : policyOk ? 'verified' : 'policy-failed';
  result.ok = authentic && policyOk;
  result.assessment = assess(result, contents.complete ? contents.manifest?.entries : undefined);
  return result;
}

async function readPolicyFile(cwd: string, file: string): Promise<Buffer> {
  try {
    return await readSmallFile(resolve(cwd, file), file, { what: 'a policy', max: MAX_POLICY_BYTES, notFound: (l) => new PolicyError('POLICY_NOT_FOUND', `${l}: no such file`, { path: l }) });
  } catch (e) {
    if (e instanceof FileError && e.code === 'FILE_TOO_LARGE') throw new PolicyError('POLICY_TOO_LARGE', e.message, { path: file });
    throw e;
  }
}

/** An attestation given with --attestation: strict JSON (no duplicate keys), as any Sigstore bundle is read. */
function parseAttestationJson(bytes: Buffer, label: string): unknown {
  try {
    return parseJsonStrict(bytes);
  } catch (e) {
    throw new VerifyError('ATTESTATION_UNREADABLE', `${label}: not valid JSON (${(e as Error).message})`, { path: label });
  }
}


export async function hashArtifacts(cwd: string, files: string[]): Promise<SubjectToCheck[]> {
  return Promise.all(
    files.map(async (file) => {
      const path = resolve(cwd, file);
      try {
        if (!(await stat(path)).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
        const { hex } = await hashFile(path, ['sha256']);
        return { file, digest: `sha256:${hex.sha256}` };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new VerifyError('SUBJECT_NOT_FOUND', `${file}: no such file`, { path: file, cause: e });
        throw new VerifyError('SUBJECT_UNREADABLE', `${file}: cannot be read (${code ?? (e as Error).message})`, { path: file, cause: e });
      }
    }),
  );
}
