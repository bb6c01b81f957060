import { basename, resolve } from 'node:path';
import { canonicalBytes } from '../core/canonical-json.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../formats/intoto.js';
import { toVsaStatement } from '../signer/vsa.js';
import { sourceProperties } from '../verifier/source-properties.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import { vsaNotPassed, vsaPolicyShows, vsaSigner } from '../verifier/vsa-verdict.js';
import { writeFileAtomically } from '../fs/atomic.js';
import type { SerializedBundle } from '@sigstore/bundle';
import type { Env } from '../core/env.js';
import type { VerifyResult } from './verify.js';

export interface WriteVsaOptions {
  cwd: string;
  env: Env;
  output: string;
  bundle: string;
  result: VerifyResult;
  policy?: string;
  /** The signer the verification asked for (the identity options), recorded in the VSA's policy. */
  identity?: IdentityPolicy;
  /** Signs the VSA's DSSE payload as evidence sign would; the caller gives it, so verifying needs no signing code. */
  sign?: (payload: Buffer, payloadType: string) => Promise<SerializedBundle>;
}

/** Writes the VSA (and, when asked, its Sigstore bundle); returns the files written. */
export async function writeVsa(options: WriteVsaOptions): Promise<{ files: string[]; notPassed?: string }> {
  const { report } = options.result;
  const notPassed = vsaNotPassed(report);
  const statement = toVsaStatement({
    bundle: { name: basename(options.bundle), sha256: (report.bundle.digest ?? 'sha256:').replace(/^sha256:/, '') },
    resourceUri: options.bundle,
    passed: notPassed === undefined,
    signer: vsaSigner(report, options.identity ?? {}),
    policyShows: vsaPolicyShows(report),
    timeVerified: new Date(),
    // The digest of the policy bytes that were evaluated, not of the file read again.
    ...(options.policy && report.policy
      ? { policy: { uri: options.policy, sha256: report.policy.policy.digest.replace(/^sha256:/, '') } }
      : {}),
    inputAttestations: options.result.attestation ? [options.result.attestation] : [],
    properties: options.result.manifest ? sourceProperties(report, options.result.manifest) : [],
  });
  const bytes = canonicalBytes(statement);
  const file = resolve(options.cwd, options.output);
  // Signed before anything is written: a signing that fails leaves no unsigned VSA where a signed one was asked for.
  const sigstore = options.sign ? await options.sign(bytes, IN_TOTO_PAYLOAD_TYPE) : undefined;
  await writeFileAtomically(file, Buffer.concat([bytes, Buffer.from('\n')]));
  const signed = `${file.replace(/\.json$/, '')}.sigstore.json`;
  if (sigstore) await writeFileAtomically(signed, `${JSON.stringify(sigstore)}\n`);
  return { files: sigstore ? [options.output, signed] : [options.output], ...(notPassed ? { notPassed } : {}) };
}
