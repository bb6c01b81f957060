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

/** The signer the verification asked for, as the VSA's policy records it: the identity options given, or the key. */
export function vsaSigner(report: VerifyReport, identity: IdentityPolicy): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(identity)) if (typeof v === 'string' && v.length > 0) out[k] = v;
  const sig = report.signature;
  if (sig?.kind === 'public-key' && sig.key) out.key = sig.key;
  if (sig?.identityNotPinned) out.notPinned = sig.identityNotPinned;
  return out;
}
