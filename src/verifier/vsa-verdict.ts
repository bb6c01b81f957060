import type { IdentityPolicy } from './identity-policy.js';
import type { VerifyReport } from './report.js';

/**
 * Why a VSA of this verification must not say PASSED, or undefined when it may. PASSED says the bundle verified
 * against the VSA's policy: not when it did not verify or only its integrity was checked, not when the signer asked
 * for matches anyone (SIGNER NOT PINNED), and not when the policy held on no evidence at all (a rule over an empty list
 * holds and shows nothing, docs/policy.md): a gate reading PASSED would take it for a check that was not made.
 */
export function vsaNotPassed(report: VerifyReport): string | undefined {
  if (report.mode !== 'signed') return 'only the integrity was checked, not the signature';
  if (!report.ok) return `the verification did not pass (${report.verdict})`;
  const a = report.assessment;
  if (a?.authenticity.notPinned) return `the signer is not pinned: ${a.authenticity.notPinned}`;
  if (a?.policy.shows === 'nothing') return `the policy shows nothing: ${a.policy.summary}`;
  return undefined;
}

/**
 * The signer, as the VSA's policy records it so that a PASSED says against what: the identity options given on the
 * command line (what was asked; a policy file's `identity` rules are in the policy its digest names), and the signer
 * that verified: the certificate's identity and issuer, or the key's sha256 (of its SubjectPublicKeyInfo; never the
 * local file it was read from). Only a signature that verified names a signer.
 */
export function vsaSigner(report: VerifyReport, identity: IdentityPolicy): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(identity)) if (typeof v === 'string' && v.length > 0) out[k] = v;
  const sig = report.signature;
  const authentic = report.assessment?.authenticity.status === 'authentic';
  if (authentic && sig?.kind === 'public-key' && sig.keySha256) out.verifiedKeySha256 = sig.keySha256;
  if (authentic && sig?.kind === 'certificate') {
    if (sig.identity) out.verifiedIdentity = sig.identity;
    if (sig.issuer) out.verifiedIssuer = sig.issuer;
  }
  if (sig?.identityNotPinned) out.notPinned = sig.identityNotPinned;
  return out;
}

/**
 * What the policy showed, for a VSA that says PASSED over it: `partial` (some of its requirements, rules or
 * cross-checks read no evidence) with verify's summary of which, so that a consumer can tell a pass that rested on
 * part of the policy; undefined when it showed evidence throughout, or no policy was given.
 */
export function vsaPolicyShows(report: VerifyReport): { shows: 'partial'; summary: string } | undefined {
  const p = report.assessment?.policy;
  return p?.status === 'satisfied' && p.shows === 'partial' ? { shows: 'partial', summary: p.summary } : undefined;
}
