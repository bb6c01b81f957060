import { X509Certificate } from '@sigstore/core';
import { VerifyError } from './errors.js';
import { FULCIO_OIDS, hasIdentityConstraint, type AllowedSigner, type IdentityPolicy } from './identity-policy.js';
import type { Check } from './report.js';

/**
 * Which kind of signer a signature is held to: a signer identity (the options, or a policy's list of signers) for a
 * keyless signature, a key (--key) for a key-signed one. A verification given neither cannot be asked (exit 2,
 * requireSigner); one given only the other kind can: the bundle was not signed by the signer pinned, a failed check
 * (exit 1, signerKindMismatch).
 */
export interface SignersGiven {
  policy: IdentityPolicy;
  signers?: readonly AllowedSigner[] | undefined;
  /** Where each key given came from (its label). */
  keys?: readonly { label: string }[] | undefined;
}

type Kind = 'certificate' | 'public-key';

const identityGiven = (g: SignersGiven): boolean => hasIdentityConstraint(g.policy) || (g.signers?.length ?? 0) > 0;
const keysGiven = (g: SignersGiven): boolean => (g.keys?.length ?? 0) > 0;

/**
 * Refuses (exit 2) a signature that no signer of either kind was given for: a keyless one without an identity
 * (IDENTITY_POLICY_REQUIRED: any Sigstore user would pass), a key-signed one without a key (KEY_REQUIRED). `what` names
 * what is signed ('the bundle', 'the attestation'). A signer of the other kind given is not refused here.
 */
export function requireSigner(kind: Kind | undefined, given: SignersGiven, what: string): void {
  if (identityGiven(given) || keysGiven(given)) return;
  if (kind === 'certificate')
    throw new VerifyError(
      'IDENTITY_POLICY_REQUIRED',
      `${what} is signed keylessly: say who may have signed it with --certificate-identity or --certificate-identity-regexp and --certificate-oidc-issuer (or the GitHub options); without it any Sigstore user would pass`,
      { finding: 'signed keylessly, and no signer identity was given to hold it to' },
    );
  if (kind === 'public-key')
    throw new VerifyError('KEY_REQUIRED', `${what} is signed with a key: give its public key with --key`, {
      finding: 'signed with a key that was not given',
    });
}

/**
 * The failed identity check of a signature whose kind no signer given is of, when a signer of the other kind was
 * given: a keyless signature checked with keys alone, a key-signed one with an identity alone. It is not the signer
 * pinned, whatever it verifies against, so its signature is not checked; the check names what it is signed with (the
 * certificate's subject as it states it, not checked; the key's hint) and what was asked for. Undefined when a signer
 * of its kind was given, or none at all (requireSigner).
 */
export function signerKindMismatch(
  kind: Kind,
  given: SignersGiven,
  stated: { keyHint?: string | undefined; certificate?: Uint8Array | undefined },
): Check[] | undefined {
  const keyless = kind === 'certificate';
  if (keyless ? identityGiven(given) || !keysGiven(given) : keysGiven(given) || !identityGiven(given)) return undefined;
  const found = keyless
    ? `keylessly (a certificate${subjectOf(stated.certificate)})`
    : `with a key (hint ${stated.keyHint || 'none'})`;
  const expected = keyless
    ? `the key ${(given.keys ?? []).map((k) => k.label).join(', ')}`
    : `a signer identity (${askedIdentity(given)})`;
  return [
    {
      id: 'signature',
      ok: false,
      skipped: true,
      code: 'NOT_REACHED',
      message: `not checked: signed ${keyless ? 'keylessly' : 'with a key'}, and only ${keyless ? 'a key' : 'a signer identity'} was given to hold it to`,
    },
    {
      id: 'identity',
      ok: false,
      code: 'SIGNER_KIND_MISMATCH',
      message: `not signed by the signer pinned: signed ${keyless ? 'keylessly' : 'with a key'}, and only ${keyless ? 'a key' : 'a signer identity'} was asked for (no ${keyless ? 'signer identity' : '--key'} given)`,
      expected,
      found: `signed ${found}`,
    },
  ];
}

/** The identity asked for, as given: the options' first that names who, with the issuer; else the policy's signers. */
function askedIdentity(given: SignersGiven): string {
  const p = given.policy;
  if (hasIdentityConstraint(p)) {
    const who =
      p.certificateIdentity ??
      (p.certificateIdentityRegexp !== undefined ? `matching ${p.certificateIdentityRegexp}` : undefined) ??
      (p.signerWorkflow !== undefined ? `workflow ${p.signerWorkflow}` : `repository ${p.sourceRepository ?? ''}`);
    return `${who}, issuer ${p.certificateOidcIssuer ?? `matching ${p.certificateOidcIssuerRegexp ?? ''}`}`;
  }
  const n = given.signers?.length ?? 0;
  return `one of the policy's ${n} signer${n === 1 ? '' : 's'}`;
}

/** The certificate's subject alternative name as it states it (not checked), for a message; '' when unreadable. */
function subjectOf(raw: Uint8Array | undefined): string {
  const stated = raw && statedCertificate(raw);
  return stated && 'identity' in stated && stated.identity ? ` naming ${stated.identity}, not checked` : '';
}

/**
 * Who a Fulcio certificate says it was issued to, read without verifying anything: its subject alternative name and
 * the OIDC issuer (the v2 extension, a DER UTF8String, else v1's raw string); or why it cannot be read.
 */
export function statedCertificate(raw: Uint8Array): { identity?: string; issuer?: string } | { unreadable: string } {
  try {
    const cert = X509Certificate.parse(Buffer.from(raw));
    const v2 = cert.extension(FULCIO_OIDS.issuer)?.valueObj.subs[0]?.value.toString('utf8');
    const issuer = v2 ?? cert.extension(FULCIO_OIDS.issuerV1)?.value.toString('utf8');
    const identity = cert.subjectAltName;
    return { ...(identity ? { identity } : {}), ...(issuer ? { issuer } : {}) };
  } catch (e) {
    return { unreadable: (e as Error).message };
  }
}
