import type { Statement } from '../formats/intoto.js';
import { IN_TOTO_STATEMENT_V1 } from '../formats/intoto.js';
import { VSA_PREDICATE_TYPE } from '../formats/standard-statements.js';
import { PACKAGE_VERSION } from '../version.js';

export { VSA_PREDICATE_TYPE };
export const VERIFIER_ID = 'https://evidence-bundle.dev/verifier';
/** The VSA's policy when no policy file was given: the bundle verified against the signer asked for, nothing else. */
export const SIGNER_ONLY_POLICY = 'https://evidence-bundle.dev/verifier/policy/signer-only';

export interface VsaInput {
  /** The bundle verified: its file name and sha256. */
  bundle: { name: string; sha256: string };
  resourceUri: string;
  passed: boolean;
  timeVerified: Date;
  /** The policy file evaluated (its bytes' sha256), or none: the verification was against the signer alone. */
  policy?: { uri: string; sha256: string };
  /**
   * Who had to have signed, as the verification asked it (identity, issuer, GitHub workflow, or the key that
   * matched): the VSA's policy records it, so that a PASSED says against what.
   */
  signer: Record<string, string>;
  /** What the policy showed when part of it read no evidence (vsaPolicyShows): recorded beside the signer. */
  policyShows?: { shows: 'partial'; summary: string } | undefined;
  /** Attestations the verification relied on. */
  inputAttestations: { uri: string; sha256: string }[];
  /** SLSA verified properties the evidence shows (src/verifier/source-properties.ts), stated only when it passed. */
  properties?: string[];
}

/**
 * A SLSA Verification Summary Attestation (slsa.dev/spec/v1.0/verification_summary)
 * of one `evidence verify` run, for pipelines that consume verification results.
 */
export function toVsaStatement(input: VsaInput): Statement {
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: input.bundle.name, digest: { sha256: input.bundle.sha256 } }],
    predicateType: VSA_PREDICATE_TYPE,
    predicate: {
      verifier: { id: VERIFIER_ID, version: { evidence: PACKAGE_VERSION } },
      timeVerified: input.timeVerified.toISOString(),
      resourceUri: input.resourceUri,
      // SLSA VSA v1 requires a policy: the file's, or (none given) the signer alone; either way the signer asked for.
      policy: input.policy
        ? {
            uri: input.policy.uri,
            digest: { sha256: input.policy.sha256 },
            annotations: { signer: input.signer, ...(input.policyShows ? { policyShows: input.policyShows } : {}) },
          }
        : { uri: SIGNER_ONLY_POLICY, annotations: { signer: input.signer } },
      inputAttestations: input.inputAttestations.map((a) => ({ uri: a.uri, digest: { sha256: a.sha256 } })),
      verificationResult: input.passed ? 'PASSED' : 'FAILED',
      verifiedLevels: input.passed ? ['EVIDENCE_BUNDLE_VERIFIED', ...(input.properties ?? [])] : [],
    },
  };
}
