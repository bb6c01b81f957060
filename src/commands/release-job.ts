import { counted } from '../present/text.js';
import { hashFile } from '../fs/hash-file.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import { gateRefusal, verifiedLine, type PolicyShowsNothing } from '../verifier/release-gate.js';
import { attach, type AttachResult } from './attach.js';
import { collect } from './collect.js';
import { appendStepSummary } from './render.js';
import type { Env } from '../core/env.js';
import { verify, type VerifyResult } from './verify.js';
import { stripUndefined } from '../core/objects.js';

export interface ReleaseJobOptions {
  cwd: string;
  env: Env;
  /** evidence.yaml (collect's --config). */
  config?: string;
  output?: string;
  name?: string;
  version?: string;
  /** Keyless through the job's OIDC token (or SIGSTORE_ID_TOKEN). */
  sign?: { signingConfig?: string; fulcioUrl?: string; rekorUrl?: string; tsaUrl?: string };
  /** Verify the signed bundle before it is published. */
  verify?: { identity: IdentityPolicy; trustedRoot?: string[]; policy?: string; onNothing?: PolicyShowsNothing };
  attach?: {
    repo: string;
    tag: string;
    apiUrl?: string;
    create?: boolean;
    clobber?: boolean;
    withVerifier?: boolean;
    attestationsApi?: boolean;
  };
  onProgress?: (message: string) => void;
}

export interface ReleaseJobResult {
  bundle: string;
  /** `sha256:<hex>` of the bundle as published. */
  bundleDigest: string;
  sigstoreBundle?: string;
  intotoJsonl?: string;
  /** NAME.sigstore.jsonl: every Sigstore bundle of the signing (gh attestation verify --bundle). */
  sigstoreJsonl?: string;
  verification?: VerifyResult;
  /** Why a bundle that verified was not attached (gateRefusal: a policy that showed nothing, with `fail`). */
  refused?: string;
  attached?: AttachResult;
}

/**
 * A release job's evidence steps, in order: collect, sign, verify (as the
 * auditor will), attach. What the GitHub Action runs; it stops at the first
 * step that fails, so nothing unverified is attached, nor (unless told to
 * warn) a bundle whose policy held on no evidence (gateRefusal).
 */
export async function releaseJob(options: ReleaseJobOptions): Promise<ReleaseJobResult> {
  const say = options.onProgress ?? (() => undefined);
  const collected = await collect({
    cwd: options.cwd,
    env: options.env,
    ...(options.config ? { config: options.config } : {}),
    ...(options.output ? { output: options.output } : {}),
    ...(options.name ? { name: options.name } : {}),
    ...(options.version ? { version: options.version } : {}),
    // Signed as it is written: one write of the bundle.
    ...(options.sign ? { sign: stripUndefined(options.sign) } : {}),
  });
  say(
    `collected ${collected.output}: ${counted(collected.manifest.entries.length, 'evidence entry', 'evidence entries')}, ${counted(collected.manifest.subjects.length, 'subject')}`,
  );
  const result: ReleaseJobResult = { bundle: collected.output, bundleDigest: '' };
  const signed = collected.signed;
  if (signed) {
    result.sigstoreBundle = signed.sigstoreBundle;
    result.intotoJsonl = signed.intotoJsonl;
    result.sigstoreJsonl = signed.sigstoreJsonl;
    say(
      `signed ${signed.bundle} with ${signed.standard.length} standard statement${signed.standard.length === 1 ? '' : 's'} beside it`,
    );
  }
  if (options.verify) {
    const verification = await verify({
      cwd: options.cwd,
      env: options.env,
      bundle: collected.output,
      identity: options.verify.identity,
      ...(options.verify.trustedRoot?.length ? { trustedRoot: options.verify.trustedRoot } : {}),
      ...(options.verify.policy ? { policy: options.verify.policy } : {}),
      ...(options.sign ? {} : { integrityOnly: true }),
    });
    result.verification = verification;
    await appendStepSummary(options.env, options.cwd, verification.report, verification.manifest);
    say(verifiedLine(verification.report));
    result.refused = gateRefusal(verification.report, options.verify.onNothing);
  }
  const { hex } = await hashFile(collected.output, ['sha256']);
  result.bundleDigest = `sha256:${hex.sha256}`;
  if (options.attach && (!result.verification || result.verification.report.ok) && !result.refused) {
    result.attached = await attach({
      cwd: options.cwd,
      env: options.env,
      bundle: collected.output,
      ...options.attach,
      onProgress: say,
    });
  }
  return result;
}
