
import { readSmallFile } from '../fs/small-file.js';
import { resolve } from 'node:path';
import { digestsEqual } from '../core/digest.js';
import { hashFile } from '../fs/hash-file.js';
import { VerifyError } from '../verifier/errors.js';
import { hasIdentityConstraint, type IdentityPolicy } from '../verifier/identity-policy.js';
import type { AttestationReport } from '../verifier/report.js';
import { signatureKind, verifySigstoreBundle } from '../verifier/sigstore-bundle.js';
import { parseStatement } from '../verifier/statement-check.js';
import { checkPolicyOptions, readJsonFile, readKeys, resolveTrustRoots, type Env } from './trust.js';

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

/** Messages signed directly are read whole to be verified: bounded. */
const MAX_MESSAGE_ARTIFACT_BYTES = 1024 * 1024 * 1024;

/**
 * Verifies any Sigstore bundle offline, like cosign verify-blob-attestation:
 * a DSSE envelope must carry an in-toto statement with the artifact among its
 * subjects; a message signature must be over the artifact itself.
 */
export async function verifyAttestation(options: VerifyAttestationOptions): Promise<{ report: AttestationReport }> {
  const policy = options.identity ?? {};
  checkPolicyOptions(policy);
  if (!!options.artifact === !!options.digest) throw new VerifyError('INVALID_OPTION', 'give exactly one of --artifact FILE or --digest ALG:HEX');
  const digests = options.digest ? parseDigestOption(options.digest) : await hashArtifact(options.cwd, options.artifact as string);
  const json = await readJsonFile(resolve(options.cwd, options.attestation), options.attestation, { missing: 'ATTESTATION_NOT_FOUND', bad: 'ATTESTATION_UNREADABLE' });
  const content = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const kind = 'messageSignature' in content ? 'message-signature' : 'dsseEnvelope' in content ? 'dsse' : undefined;
  // A bundle that does not parse is neither: verifySigstoreBundle reports it malformed (exit 1).
  const signedWith = signatureKind(json);
  const keyless = signedWith === 'certificate';
  if (keyless && !hasIdentityConstraint(policy)) {
    throw new VerifyError('IDENTITY_POLICY_REQUIRED', 'a keyless attestation needs --certificate-identity (or -regexp) and --certificate-oidc-issuer, or the GitHub options');
  }
  const keys = await readKeys(options.cwd, options.key);
  if (signedWith === 'public-key' && keys.length === 0) throw new VerifyError('KEY_REQUIRED', 'the attestation is signed with a key: give its public key with --key');
  let artifactBytes: Buffer | undefined;
  if (kind === 'message-signature') {
    if (!options.artifact) throw new VerifyError('INVALID_OPTION', 'a message signature is over the artifact itself: give --artifact, not --digest');
    artifactBytes = await readSmallFile(resolve(options.cwd, options.artifact), options.artifact, { what: 'an artifact verified by a message signature', max: MAX_MESSAGE_ARTIFACT_BYTES, notFound: (l) => new VerifyError('ARTIFACT_NOT_FOUND', `${l}: no such file`, { path: l }) });
  }
  const roots = await resolveTrustRoots(options.cwd, options.trustedRoot, options.env ?? {});
  const verified = verifySigstoreBundle({ json, roots, keys, policy, ...(artifactBytes ? { artifact: artifactBytes } : {}) });
  const checks = [...verified.checks];
  let predicateType: string | undefined;
  if (verified.checks.every((c) => c.ok) && verified.dsse) {
    const statement = parseStatement(verified.dsse.payload);
    if (!statement) {
      checks.push({ id: 'statement', ok: false, code: 'STATEMENT_INVALID', message: `the DSSE payload (${verified.dsse.payloadType}) is not an in-toto Statement (v1 or v0.1)` });
    } else {
      predicateType = statement.predicateType;
      const hit = statement.subject.find((s) => Object.entries(digests).some(([alg, hex]) => s.digest[alg] !== undefined && digestsEqual(s.digest[alg] as string, hex)));
      checks.push(
        hit
          ? { id: 'statement', ok: true, message: `the statement (${statement.predicateType}) covers the artifact as '${hit.name ?? hit.uri ?? 'unnamed'}'` }
          : { id: 'statement', ok: false, code: 'SUBJECT_NOT_IN_ATTESTATION', message: 'the artifact is not among the statement\'s subjects', found: Object.entries(digests).map(([a, h]) => `${a}:${h}`).join(', ') },
      );
    }
  } else if (verified.checks.every((c) => c.ok) && kind === 'message-signature') {
    checks.push({ id: 'statement', ok: true, message: 'the signature is over the artifact itself' });
  }
  const report: AttestationReport = {
    ok: checks.every((c) => c.ok),
    attestation: options.attestation,
    artifact: { ...(options.artifact ? { file: options.artifact } : {}), digests },
    ...(kind ? { kind } : {}),
    ...(predicateType ? { predicateType } : {}),
    checks,
    ...(verified.info ? { signature: verified.info } : {}),
  };
  return { report };
}

export function parseDigestOption(value: string): Record<string, string> {
  const m = /^(sha256|sha512):([0-9a-fA-F]+)$/.exec(value);
  const lengths: Record<string, number> = { sha256: 64, sha512: 128 };
  if (!m || (m[2] as string).length !== lengths[m[1] as string]) throw new VerifyError('INVALID_OPTION', `--digest: '${value}' is not sha256:<64 hex> or sha512:<128 hex>`);
  return { [m[1] as string]: (m[2] as string).toLowerCase() };
}

async function hashArtifact(cwd: string, file: string): Promise<Record<string, string>> {
  const path = resolve(cwd, file);
  try {
    return (await hashFile(path, ['sha256', 'sha512'])).hex;
  } catch (e) {
    throw new VerifyError('ARTIFACT_NOT_FOUND', `${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { path: file });
  }
}
