import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { hashFile } from '../fs/hash-file.js';
import { VerifyError } from '../verifier/errors.js';
import { hasIdentityConstraint, type IdentityPolicy } from '../verifier/identity-policy.js';
import type { Check, VerifyReport } from '../verifier/report.js';
import { checkAttestationEntries, isAttestationBlob } from '../verifier/attestation-entries.js';
import { verifySigstoreBundle } from '../verifier/sigstore-bundle.js';
import { checkBundleStatement } from '../verifier/statement-check.js';
import { verifyBundleIntegrity, type SubjectToCheck } from '../verifier/verify-bundle.js';
import { openBundle } from './open-bundle.js';
import { checkPolicyOptions, readJsonFile, readKeys, resolveTrustRoots, type Env } from './trust.js';

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
}

export type VerifyCommandReport = VerifyReport & { bundle: VerifyReport['bundle'] & { path: string } };

export interface VerifyResult {
  report: VerifyCommandReport;
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
  const subjects = await hashArtifacts(options.cwd, options.subject ?? []);
  const external = options.attestation ? await readJsonFile(resolve(options.cwd, options.attestation), options.attestation, { missing: 'ATTESTATION_NOT_FOUND', bad: 'ATTESTATION_UNREADABLE' }) : undefined;
  const roots = options.integrityOnly ? [] : await resolveTrustRoots(options.cwd, options.trustedRoot, env);
  const keys = await readKeys(options.cwd, options.key);

  const { path: _path, stream } = await openBundle(options.cwd, options.bundle);
  const { report, contents } = await verifyBundleIntegrity(stream, { subjects, keepBlob: isAttestationBlob });
  const result: VerifyCommandReport = { ...report, bundle: { path: options.bundle, ...report.bundle } };
  const attestationEntries = contents.manifest?.entries.some((e) => e.kind === 'attestation') ?? false;
  if (options.integrityOnly) {
    if (attestationEntries) result.checks.push({ id: 'attestations', ok: false, skipped: true, code: 'ATTESTATIONS_NOT_CHECKED', message: 'integrity only: the attestations taken into the bundle were not verified' });
    return { report: result };
  }

  result.mode = 'signed';
  const checks = result.checks.filter((c) => c.id !== 'signature');
  const signed: Check[] = [];
  let json: unknown = external;
  if (json === undefined && contents.attestationBytes) {
    try {
      json = JSON.parse(contents.attestationBytes.toString('utf8'));
    } catch {
      signed.push({ id: 'signature', ok: false, code: 'ATTESTATION_MALFORMED', message: 'attestations/evidence.sigstore.json is not JSON', path: 'attestations/evidence.sigstore.json' });
    }
  }
  if (json === undefined && signed.length === 0) {
    signed.push({ id: 'signature', ok: false, code: 'SIGNATURE_MISSING', message: 'the bundle is not signed and no --attestation was given (use --integrity-only to check its content alone)' });
  }
  if (json !== undefined) {
    const keyless = isKeyless(json);
    if (keyless && !hasIdentityConstraint(policy)) {
      throw new VerifyError('IDENTITY_POLICY_REQUIRED', 'the bundle is signed keylessly: say who may have signed it with --certificate-identity or --certificate-identity-regexp and --certificate-oidc-issuer (or the GitHub options); without it any Sigstore user would pass');
    }
    if (!keyless && keys.length === 0) throw new VerifyError('KEY_REQUIRED', 'the bundle is signed with a key: give its public key with --key');
    const verified = verifySigstoreBundle({ json, roots, keys, policy });
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
  return { report: result };
}

/** Keyless bundles carry a certificate; key-signed ones a public-key hint. */
function isKeyless(json: unknown): boolean {
  const vm = (json as { verificationMaterial?: Record<string, unknown> } | null)?.verificationMaterial;
  return !(vm && typeof vm === 'object' && 'publicKey' in vm);
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
