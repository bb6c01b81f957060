import type { AttestationSummary } from '../core/summaries.js';
import { hasIdentityConstraint, type IdentityPolicy } from '../verifier/identity-policy.js';
import { signatureKind, verifySigstoreBundle, type VerificationKeyInput } from '../verifier/sigstore-bundle.js';
import { parseStatement } from '../verifier/statement-check.js';
import type { LoadedTrustRoot } from '../verifier/trusted-root.js';
import { PACKAGE_VERSION } from '../version.js';
import { outputFor, parseJson, readInput, type Collector } from './collector.js';
import { CollectError } from './errors.js';

export interface AttestationTrust {
  roots: LoadedTrustRoot[];
  keys: VerificationKeyInput[];
  policy: IdentityPolicy;
}

/** At most this many subjects are copied into the summary; the blob keeps them all. */
const MAX_SUMMARY_SUBJECTS = 1000;

/**
 * Existing Sigstore bundles (SLSA provenance from GitHub, npm provenance, …),
 * verified offline at collection against the identity given; refused
 * otherwise, so a bundle never vouches for an attestation nobody checked.
 */
export function attestationCollector(trust: AttestationTrust): Collector {
  return {
    name: 'attestation',
    version: PACKAGE_VERSION,
    async collect(input) {
      const bytes = await readInput(input);
      const json = parseJson(input, bytes) as Record<string, unknown>;
      const keyless = signatureKind(json) !== 'public-key';
      if (keyless && !hasIdentityConstraint(trust.policy)) {
        throw new CollectError(
          'ATTESTATION_IDENTITY_REQUIRED',
          `${input.label}: a keyless attestation is taken only with --certificate-identity (or -regexp) and --certificate-oidc-issuer saying who must have signed it`,
          { file: input.label },
        );
      }
      const verified = verifySigstoreBundle({ json, roots: trust.roots, keys: trust.keys, policy: trust.policy });
      const failed = verified.checks.filter((c) => !c.ok);
      if (failed.length > 0 || !verified.info) {
        throw new CollectError('ATTESTATION_INVALID', `${input.label}: the attestation does not verify`, {
          file: input.label,
          issues: failed.map((c) => ({ path: c.id, message: `${c.code}: ${c.message}` })),
        });
      }
      const info = verified.info;
      const statement = verified.dsse ? parseStatement(verified.dsse.payload) : undefined;
      const summary: AttestationSummary = {
        mediaType: typeof json.mediaType === 'string' ? json.mediaType : 'application/vnd.dev.sigstore.bundle+json',
        content: verified.dsse ? 'dsse' : 'message-signature',
        ...(verified.dsse ? { payloadType: verified.dsse.payloadType } : {}),
        ...(statement ? { predicateType: statement.predicateType } : {}),
        subjects: (statement?.subject ?? [])
          .slice(0, MAX_SUMMARY_SUBJECTS)
          .map((s) => ({ ...(s.name !== undefined ? { name: s.name } : {}), digest: { ...s.digest } })),
        signer:
          info.kind === 'certificate'
            ? { kind: 'certificate', identity: info.identity ?? '', issuer: info.issuer ?? '' }
            : { kind: 'public-key', keyHint: info.keyHint ?? '' },
        tlogEntries: info.tlog.length,
        timestamps: info.timestamps.length,
      };
      return outputFor(bytes, 'attestation', summary.mediaType, summary);
    },
  };
}
