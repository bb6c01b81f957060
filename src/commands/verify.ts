import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Manifest } from '../core/manifest.js';
import { parseJsonStrict } from '../core/strict-json.js';
import { hashFile } from '../fs/hash-file.js';
import type { ByteProgress } from '../fs/progress.js';
import { FileError, SMALL_FILE_LIMITS, readSmallFile } from '../fs/small-file.js';
import { parseChecksumList } from '../formats/checksums.js';
import { VerifyError } from '../verifier/errors.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import { MAX_POLICY_BYTES, loadPolicy, type LoadedPolicy, type PolicyLimits } from '../verifier/policy/evaluate.js';
import { PolicyError } from '../verifier/policy/errors.js';
import type { VerifyReport } from '../verifier/report.js';
import { verifyEvidence } from '../verifier/verify.js';
import type { SubjectToCheck, VerifyBundleOptions } from '../verifier/verify-bundle.js';
import { openBundle } from './open-bundle.js';
import type { Env } from '../core/env.js';
import { checkPolicyOptions, readKeys, resolveTrustRoots } from './trust.js';

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
    options.loadedPolicy ??
    (options.policy ? loadPolicy(await readPolicyFile(options.cwd, options.policy), options.policy) : undefined);
  const subjects = [
    ...(await hashArtifacts(options.cwd, options.subject ?? [])),
    ...(await subjectsFromList(options.cwd, options.subjectsFile)),
    ...(options.subjectDigests ?? []),
  ];
  const externalBytes = options.attestation
    ? await readSmallFile(resolve(options.cwd, options.attestation), options.attestation, {
        what: 'an attestation',
        max: SMALL_FILE_LIMITS.attestation,
        notFound: (l) => new VerifyError('ATTESTATION_NOT_FOUND', `${l}: no such file`, { path: l }),
      })
    : undefined;
  const external = externalBytes ? parseAttestationJson(externalBytes, options.attestation as string) : undefined;
  const roots = options.integrityOnly ? [] : await resolveTrustRoots(options.cwd, options.trustedRoot, env);
  const keys = await readKeys(options.cwd, options.key);

  const stream = options.open
    ? await options.open()
    : (await openBundle(options.cwd, options.bundle, options.onBytes)).stream;
  // A source that breaks off (a registry connection, say) is not a verdict on the bundle: exit 2, not 1.
  // A digest mismatch from the source is one, and stays in the report as corruption.
  let sourceError: unknown;
  if (options.open) stream.once('error', (e: unknown) => (sourceError ??= e));
  const verified = await verifyEvidence({
    stream,
    ...(options.integrityOnly ? { integrityOnly: true } : {}),
    subjects,
    ...(externalBytes
      ? { external: { json: external, bytes: externalBytes, uri: options.attestation as string } }
      : {}),
    roots,
    keys,
    identity: policy,
    ...(rules ? { policy: rules } : {}),
    ...(options.policyLimits ? { policyLimits: options.policyLimits } : {}),
    now: (options.now ?? (() => new Date()))(),
    ...(options.blobSink ? { blobSink: options.blobSink } : {}),
    ...(options.maxBundleSize !== undefined ? { maxDeclaredBytes: options.maxBundleSize } : {}),
  });
  if (sourceError !== undefined && (sourceError as { code?: unknown }).code !== 'DIGEST_MISMATCH') throw sourceError;
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

/** A policy file, read and checked as verify reads it (for reports that need the policy itself, such as OSCAL). */
export async function loadPolicyFile(cwd: string, file: string): Promise<ReturnType<typeof loadPolicy>> {
  return loadPolicy(await readPolicyFile(cwd, file), file);
}

export async function readPolicyFile(cwd: string, file: string): Promise<Buffer> {
  try {
    return await readSmallFile(resolve(cwd, file), file, {
      what: 'a policy',
      max: MAX_POLICY_BYTES,
      notFound: (l) => new PolicyError('POLICY_NOT_FOUND', `${l}: no such file`, { path: l }),
    });
  } catch (e) {
    if (e instanceof FileError && e.code === 'FILE_TOO_LARGE')
      throw new PolicyError('POLICY_TOO_LARGE', e.message, { path: file });
    throw e;
  }
}

/** An attestation given with --attestation: strict JSON (no duplicate keys), as any Sigstore bundle is read. */
function parseAttestationJson(bytes: Buffer, label: string): unknown {
  try {
    return parseJsonStrict(bytes);
  } catch (e) {
    throw new VerifyError('ATTESTATION_UNREADABLE', `${label}: not valid JSON (${(e as Error).message})`, {
      path: label,
    });
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
        if (code === 'ENOENT')
          throw new VerifyError('SUBJECT_NOT_FOUND', `${file}: no such file`, { path: file, cause: e });
        throw new VerifyError('SUBJECT_UNREADABLE', `${file}: cannot be read (${code ?? (e as Error).message})`, {
          path: file,
          cause: e,
        });
      }
    }),
  );
}

/** The artifacts a sha256sum list names, each to be found among the subjects. */
export async function subjectsFromList(cwd: string, file: string | undefined): Promise<SubjectToCheck[]> {
  if (file === undefined) return [];
  const bytes = await readSmallFile(resolve(cwd, file), file, {
    what: 'a list of artifact digests',
    max: SMALL_FILE_LIMITS.checksums,
    notFound: (l) => new VerifyError('ARTIFACT_NOT_FOUND', `${l}: no such file`, { path: l }),
  });
  return parseChecksumList(bytes.toString('utf8'), file).map((l) => ({ file: l.name, digest: l.digest }));
}
