import { maxOf } from '../core/objects.js';
import { X509Certificate, type KeyObject } from 'node:crypto';
import { keySha256Hex } from '../core/digest.js';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { RFC3161Timestamp } from '@sigstore/core';
import { Verifier, toSignedEntity, type Signer } from '@sigstore/verify';
import {
  checkIdentity,
  fulcioClaims,
  hasIdentityConstraint,
  identityNotPinned,
  signersNotPinned,
  matchesSigner,
  type AllowedSigner,
  type IdentityPolicy,
  type SignerIdentity,
} from './identity-policy.js';
import type { Check, CheckCode } from './report.js';
import { VerifyError } from './errors.js';
import { signerKindMismatch } from './signer-kind.js';
import type { LoadedTrustRoot } from './trusted-root.js';
import { logOf, restsOn, type RestsOn } from './rests-on.js';
import { publicKeyOf, trustMaterialOf } from './trust-material.js';
import { readSigstoreBundleJson, type UnknownFields } from './sigstore-schema.js';
import { issuesInline } from '../core/issues.js';
import { stripUndefined } from '../core/objects.js';

/** What a verified Sigstore bundle says about its signing. */
export interface SignatureInfo {
  kind: 'certificate' | 'public-key';
  /**
   * Where the signature was read from when it is not the bundle's own (attestations/evidence.sigstore.json): the file
   * given with --attestation (a release's NAME.sigstore.json, or one taken from GitHub's attestations API), and the
   * sha256 of its bytes, so that a report says which signature made the bundle authentic.
   */
  attestation?: { uri: string; sha256: string };
  /** Certificate: the SAN and the issuer. */
  identity?: string;
  issuer?: string;
  /** Certificate: GitHub workflow claims and the like. */
  claims?: SignerIdentity['claims'];
  /**
   * Certificate: why the identity asked for does not say who signed (a pattern that matches anyone:
   * identityNotPinned), when it does not. Reports then never say the identity was checked.
   */
  identityNotPinned?: string;
  /** Public key: the bundle's hint and which --key matched (as it was named), with its sha256 (of its SPKI, hex). */
  keyHint?: string;
  key?: string;
  keySha256?: string;
  /**
   * Transparency log entries and RFC 3161 times, as the bundle states them.
   * `timeVerified`/`verified` say which times the verification relied on: an
   * RFC 3161 timestamp checked against a timestamp authority of the trusted
   * root, and a log entry's integrated time only where its signed entry
   * timestamp (inclusion promise) was checked. Nothing is verified when the
   * signature check failed.
   */
  tlog: {
    logIndex: string;
    integratedTime?: string;
    logId?: string;
    /** The entry's kind and version (`dsse 0.0.2`): 0.0.2 is Rekor v2's, which records no time. */
    entry?: string;
    timeVerified?: boolean;
  }[];
  timestamps: { time: string; verified?: boolean }[];
  /** The trusted root that verified it. */
  trustedRoot?: { source: string; date?: string };
  /** What of that root the verification rested on, with each part's window (src/verifier/rests-on.ts). */
  restsOn?: RestsOn[];
  /** Archive timestamps given beside it, as verified (src/verifier/archive-timestamps.ts). */
  renewals?: import('./archive-timestamps.js').RenewalInfo[];
  /**
   * Fields the bundle holds that the specification does not have: ignored,
   * as sigstore-js ignores them, so nothing above rests on them; listed so
   * that a misspelt field (say `rfc3161Timestamp`) is seen, not silent.
   */
  unknownFields?: UnknownFields;
}

export interface VerificationKeyInput {
  /** Where it came from (a path), for the report. */
  label: string;
  pem: string;
}

export interface SigstoreVerifyInput {
  /** The Sigstore bundle as parsed JSON (untrusted). */
  json: unknown;
  roots: LoadedTrustRoot[];
  keys?: VerificationKeyInput[];
  policy: IdentityPolicy;
  /** Signers a policy file allows; a certificate must match one (in addition to `policy`). */
  signers?: AllowedSigner[];
  /** For message-signature bundles: the artifact's bytes. */
  artifact?: Buffer;
  /**
   * False: leave out what the signature rests on (info.restsOn), which checks its timestamps against each authority
   * again, for a signature whose report shows none (a standard statement beside ours, an attestation entry).
   */
  restsOn?: boolean;
}

export interface SigstoreVerifyResult {
  checks: Check[];
  info?: SignatureInfo;
  /** The parsed bundle, when it could be parsed. */
  bundle?: Bundle;
  /** DSSE payload bytes and type (what was signed), once the signature verified. */
  dsse?: { payload: Buffer; payloadType: string };
}

/**
 * Verifies a Sigstore bundle offline against the given trusted roots or keys
 * and checks the signer against the identity policy. Everything that goes
 * wrong is a failed check; nothing throws, whatever the bundle holds.
 */
export function verifySigstoreBundle(input: SigstoreVerifyInput): SigstoreVerifyResult {
  const read = readBundle(input.json);
  if ('checks' in read) return read;
  const { bundle, info } = read;
  const vm = bundle.verificationMaterial;
  // Only a signer of the other kind given: not the signer pinned, whatever the signature verifies against.
  const otherKind = signerKindMismatch(
    info.kind,
    { policy: input.policy, signers: input.signers, keys: input.keys },
    { keyHint: info.keyHint, certificate: leafCertificate(bundle) },
  );
  if (otherKind) return { bundle, info, checks: otherKind };
  // Trust comes from the trusted root, never from the bundle. Old clients
  // (v0.1 bundles, 2022-2023) sent the whole chain, leaf, intermediate and
  // root, exactly as the trusted root lists them; such a chain adds nothing
  // and is accepted. Any other certificate after the leaf is refused: a root
  // of its own (the conformance suite's bundle-with-root-cert), or a CA the
  // trusted roots do not list. docs/bundle-format.md §6.3.
  if (vm.content.$case === 'x509CertificateChain') {
    const problem = chainProblem(
      vm.content.x509CertificateChain.certificates.map((c) => c.rawBytes),
      input.roots,
    );
    if (problem) return { bundle, info, checks: [fail('signature', problem.code, problem.message)] };
  }

  const attempts: string[] = [];
  let signer: Signer | undefined;
  let hintMismatch = false;
  if (info.kind === 'public-key') {
    for (const k of input.keys ?? []) {
      let key: KeyObject;
      try {
        key = publicKeyOf(k.pem);
      } catch {
        attempts.push(`${k.label}: not a PEM public key`);
        continue;
      }
      // Keys are trusted because the user named them. The hint is not signed,
      // so a bundle that states one must state this key's (sha256 of its
      // SubjectPublicKeyInfo, hex or base64, as clients write it): a hint
      // naming another key is a changed bundle, not a detail.
      for (const root of input.roots.length ? input.roots : [undefined]) {
        const outcome = tryVerify(bundle, root, key, input.artifact);
        if ('signer' in outcome) {
          signer = outcome.signer;
          info.key = k.label;
          info.keySha256 = keySha256Hex(key);
          if (info.keyHint !== undefined && info.keyHint !== '' && !hintNames(info.keyHint, key)) hintMismatch = true;
          if (root) {
            info.trustedRoot = { source: root.source, ...(root.date ? { date: root.date } : {}) };
            if (input.restsOn !== false) info.restsOn = restsOn(bundle, root);
          }
          break;
        }
        attempts.push(`${k.label}${root ? ` with ${root.source}` : ''}: ${outcome.error}`);
      }
      if (signer) break;
    }
    if (!signer && (input.keys ?? []).length === 0) attempts.push('signed with a key that was not given');
  } else {
    for (const root of input.roots) {
      const outcome = tryVerify(bundle, root, undefined, input.artifact);
      if ('signer' in outcome) {
        signer = outcome.signer;
        info.trustedRoot = { source: root.source, ...(root.date ? { date: root.date } : {}) };
        if (input.restsOn !== false) info.restsOn = restsOn(bundle, root);
        break;
      }
      const notInRoot = outcome.authorityNotInRoot === true || issuedByRoot(bundle, root) === false;
      attempts.push(
        `${root.source}: ${notInRoot ? `the certificate's issuing authority is not in this trusted root (the bundle was signed under another Sigstore instance, or this is not its signer's root; ${outcome.error})` : outcome.error}`,
      );
    }
  }
  if (!signer) {
    return {
      bundle,
      info,
      checks: [
        fail(
          'signature',
          'SIGNATURE_INVALID',
          `the signature does not verify: ${attempts.join('; ') || 'no trusted root'}`,
        ),
      ],
    };
  }

  // The verifier checked every RFC 3161 timestamp and every entry's promise; say which times that covers.
  info.timestamps = info.timestamps.map((t) => ({ ...t, verified: true }));
  info.tlog = info.tlog.map((t, i) => ({
    ...t,
    timeVerified:
      Boolean(bundle.verificationMaterial.tlogEntries[i]?.inclusionPromise) && t.integratedTime !== undefined,
  }));
  const checks: Check[] = [];
  if (hintMismatch) {
    return {
      bundle,
      info,
      checks: [
        fail(
          'signature',
          'KEY_HINT_MISMATCH',
          `the bundle's key hint '${info.keyHint}' does not name the key ${info.key} that verified it: the bundle was changed after signing`,
        ),
      ],
    };
  }
  const logs = info.tlog.length
    ? `Rekor entry ${info.tlog.map((t) => `#${t.logIndex}${t.integratedTime === undefined && t.entry?.endsWith(' 0.0.2') ? ' (Rekor v2: inclusion proof, no log time)' : ''}`).join(', ')}`
    : 'no transparency log entry';
  const times = info.timestamps.length
    ? `, timestamped ${info.timestamps.map((t) => t.time).join(', ')} by a timestamp authority`
    : '';
  const unknown = info.unknownFields
    ? `; ${info.unknownFields.count} field${info.unknownFields.count === 1 ? '' : 's'} the specification does not have, ignored: ${info.unknownFields.paths.join(', ')}${info.unknownFields.count > info.unknownFields.paths.length ? ', …' : ''}`
    : '';
  checks.push({
    id: 'signature',
    ok: true,
    message: `signature verified (${info.kind === 'public-key' ? `key ${info.key}` : 'Fulcio certificate'}; ${logs}${times}${unknown})`,
  });

  if (info.kind === 'certificate') {
    const claims = fulcioClaims(signer.identity?.oids);
    info.identity = signer.identity?.subjectAlternativeName ?? '';
    info.issuer = signer.identity?.extensions?.issuer ?? claims.issuer ?? claims.issuerV1 ?? '';
    info.claims = claims;
    const signers = input.signers ?? [];
    // A certificate proves who signed only against a named signer: with none, anyone would pass.
    if (!hasIdentityConstraint(input.policy) && signers.length === 0) {
      checks.push({
        id: 'identity',
        ok: false,
        code: 'IDENTITY_POLICY_REQUIRED',
        message: `signed by ${info.identity} (issuer ${info.issuer}), but no identity and issuer were given to check it against`,
      });
      return { bundle, info, checks };
    }
    if (signers.length > 0 && !signers.some((s) => matchesSigner(s, info.identity ?? '', info.issuer ?? ''))) {
      checks.push({
        id: 'identity',
        ok: false,
        code: 'IDENTITY_MISMATCH',
        message: `signed by ${info.identity} (issuer ${info.issuer}), which no signer of the policy allows`,
        found: info.identity,
      });
    }
    const problems = checkIdentity({ identity: info.identity, issuer: info.issuer, claims }, input.policy);
    // Pinned when anything given pins it: the options, or one of the policy's signers that matched (both must hold).
    const reasons = [
      ...(hasIdentityConstraint(input.policy) ? [identityNotPinned(input.policy)] : []),
      ...(signers.length
        ? [signersNotPinned(signers.filter((s) => matchesSigner(s, info.identity ?? '', info.issuer ?? '')))]
        : []),
    ];
    const loose = problems.length === 0 && reasons.every((r) => r !== undefined) ? reasons[0] : undefined;
    if (loose) info.identityNotPinned = loose;
    if (problems.length === 0 && !checks.some((c) => c.id === 'identity'))
      checks.push({
        id: 'identity',
        ok: true,
        message: `signed by ${info.identity} (issuer ${info.issuer})${loose ? `; not pinned: ${loose}` : ''}`,
      });
    for (const p of problems)
      checks.push({
        id: 'identity',
        ok: false,
        code: p.code,
        message: p.message,
        expected: p.expected,
        found: p.found,
      });
  } else {
    checks.push({
      id: 'identity',
      ok: true,
      message: `signed with the key ${info.key} (hint ${info.keyHint ?? 'none'})`,
    });
  }
  const content = bundle.content;
  const dsse =
    content.$case === 'dsseEnvelope'
      ? { payload: Buffer.from(content.dsseEnvelope.payload), payloadType: content.dsseEnvelope.payloadType }
      : undefined;
  return { bundle, info, checks, ...(dsse ? { dsse } : {}) };
}

/**
 * The Sigstore bundle as read, with what it states of its signing (not yet verified); or, for one that is not a
 * Sigstore bundle (its schema, @sigstore/bundle's reading, or log entries and timestamps that cannot be read), the
 * ATTESTATION_MALFORMED check that says why.
 */
export function readBundle(json: unknown): { bundle: Bundle; info: SignatureInfo } | SigstoreVerifyResult {
  // By the protobuf JSON mapping first (types, nulls, enums, int64, base64):
  // @sigstore/bundle sees the normal form only (sigstore-schema.ts).
  const reading = readSigstoreBundleJson(json);
  if (!reading.ok)
    return {
      checks: [
        fail('signature', 'ATTESTATION_MALFORMED', `not a valid Sigstore bundle: ${issuesInline(reading.issues)}`),
      ],
    };
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(reading.json);
  } catch (e) {
    return { checks: [fail('signature', 'ATTESTATION_MALFORMED', `not a valid Sigstore bundle: ${message(e)}`)] };
  }
  const vm = bundle.verificationMaterial;
  const info: SignatureInfo = {
    kind: vm.content.$case === 'publicKey' ? 'public-key' : 'certificate',
    tlog: [],
    timestamps: [],
  };
  if (reading.unknownFields.count > 0) info.unknownFields = reading.unknownFields;
  if (vm.content.$case === 'publicKey') info.keyHint = vm.content.publicKey.hint;
  try {
    info.tlog = vm.tlogEntries
      .map((t) => ({
        logIndex: String(t.logIndex),
        // Rekor v2 records no time: its entries say 0 (or nothing), which is not a date.
        integratedTime:
          Number(t.integratedTime) > 0 ? new Date(Number(t.integratedTime) * 1000).toISOString() : undefined,
        logId: t.logId?.keyId.toString('base64'),
        entry: t.kindVersion ? `${t.kindVersion.kind} ${t.kindVersion.version}` : undefined,
      }))
      .map(stripUndefined);
    info.timestamps = (vm.timestampVerificationData?.rfc3161Timestamps ?? []).map((t) => ({
      time: RFC3161Timestamp.parse(Buffer.from(t.signedTimestamp)).signingTime.toISOString(),
    }));
  } catch (e) {
    return {
      bundle,
      info,
      checks: [
        // A bundle by its schema whose log entry or timestamp does not read (a flipped bit, a time out of range): its
        // content was altered or forged, a failed verification, never input that holds no bundle.
        fail('signature', 'SIGNATURE_INVALID', `the bundle's log entries or timestamps cannot be read: ${message(e)}`),
      ],
    };
  }
  return { bundle, info };
}

/** Why `json` is no Sigstore bundle as readBundle reads it (its ATTESTATION_MALFORMED message), or undefined. */
export function notASigstoreBundle(json: unknown): string | undefined {
  const read = readBundle(json);
  return 'checks' in read ? read.checks.find((c) => !c.ok && c.code === 'ATTESTATION_MALFORMED')?.message : undefined;
}

/**
 * Refuses (ATTESTATION_MALFORMED, exit 2) a Sigstore bundle given beside what it signs (a file: verify --attestation,
 * a release's NAME.sigstore.json) that is not one, before anything is verified with it, as readBundle reads it: there
 * is nothing to verify, as for a file that is not JSON (ATTESTATION_UNREADABLE). `file` names it.
 */
export function refuseMalformedFile(file: string, json: unknown): void {
  const read = readBundle(json);
  if ('checks' in read) refuseMalformed(file, [read]);
}

/**
 * How a Sigstore bundle is signed, as the bundle parser reads it (not by the
 * raw JSON: `"publicKey": null` beside a certificate is a certificate).
 */
export function signatureKind(json: unknown): 'certificate' | 'public-key' | undefined {
  const bundle = parsed(json);
  if (!bundle) return undefined;
  return bundle.verificationMaterial.content.$case === 'publicKey' ? 'public-key' : 'certificate';
}

/**
 * What a Sigstore bundle signs, as the protobuf JSON mapping reads it
 * (`"messageSignature": null` beside a DSSE envelope is DSSE); for a bundle
 * that does not read, by which of the two it names with a value.
 */
export function signedContentKind(json: unknown): 'dsse' | 'message-signature' | undefined {
  const reading = readSigstoreBundleJson(json);
  const content: Record<string, unknown> = reading.ok
    ? reading.json
    : json && typeof json === 'object'
      ? (json as Record<string, unknown>)
      : {};
  const has = (k: string): boolean => content[k] !== undefined && content[k] !== null;
  return has('messageSignature') ? 'message-signature' : has('dsseEnvelope') ? 'dsse' : undefined;
}

/** The bundle as @sigstore/bundle reads its normal form, or undefined. */
function parsed(json: unknown): Bundle | undefined {
  const reading = readSigstoreBundleJson(json);
  if (!reading.ok) return undefined;
  try {
    return bundleFromJSON(reading.json);
  } catch {
    return undefined;
  }
}

function tryVerify(
  bundle: Bundle,
  root: LoadedTrustRoot | undefined,
  key: KeyObject | undefined,
  artifact?: Buffer,
): { signer: Signer } | { error: string; authorityNotInRoot?: boolean } {
  try {
    const material = root
      ? trustMaterialOf(root.root, key)
      : {
          certificateAuthorities: [],
          timestampAuthorities: [],
          tlogs: [],
          ctlogs: [],
          publicKey: () => ({ publicKey: key as KeyObject, validFor: () => true }),
        };
    const vm = bundle.verificationMaterial;
    const isKey = vm.content.$case === 'publicKey';
    // Keyless needs a log entry, an SCT and a time inside the certificate's
    // validity. A key needs none of these; entries present are still checked.
    const verifier = new Verifier(material, {
      tlogThreshold: isKey ? 0 : 1,
      ctlogThreshold: isKey ? 0 : 1,
      timestampThreshold: isKey ? 0 : 1,
    });
    const signer = verifier.verify(toSignedEntity(bundle, artifact));
    const stale = root ? logKeyOutsideWindow(bundle, root) : undefined;
    return stale ? { error: stale } : { signer };
  } catch (e) {
    return { error: message(e), ...(authorityNotInRoot(e) ? { authorityNotInRoot: true } : {}) };
  }
}

/**
 * An entry without a signed entry timestamp (Rekor v2's, or a v1 entry with only its inclusion proof) says nothing
 * trustworthy of when it was logged: its `integratedTime`, if any, is unsigned. @sigstore/verify 4.1 checks such an
 * entry's checkpoint against the log's key without the key's window, so a shard frozen (`validFor.end`) before the
 * signature would still vouch for it. Here the key must have been valid at every time the verification checked: the
 * verified RFC 3161 timestamps and the integrated times signed by an inclusion promise; with no checked time at all,
 * the entry is refused. Undefined when every such entry passes.
 */
function logKeyOutsideWindow(bundle: Bundle, root: LoadedTrustRoot): string | undefined {
  const vm = bundle.verificationMaterial;
  const times = [
    ...(vm.timestampVerificationData?.rfc3161Timestamps ?? []).map(
      (t) => RFC3161Timestamp.parse(Buffer.from(t.signedTimestamp)).signingTime,
    ),
    ...vm.tlogEntries
      .filter((e) => e.inclusionPromise && Number(e.integratedTime) > 0)
      .map((e) => new Date(Number(e.integratedTime) * 1000)),
  ];
  for (const entry of vm.tlogEntries) {
    if (entry.inclusionPromise) continue;
    const keyId = entry.logId?.keyId;
    const log = logOf(root, keyId);
    const window = log?.publicKey?.validFor;
    if (!log) return `entry #${entry.logIndex}'s log is not in ${root.source}`;
    if (times.length === 0)
      return `entry #${entry.logIndex} carries no signed time and the bundle no timestamp: whether its log's key (${log.baseUrl}) was valid when it was logged cannot be checked`;
    for (const at of times) {
      const before = window?.start !== undefined && at.getTime() < window.start.getTime();
      const after = window?.end !== undefined && at.getTime() > window.end.getTime();
      if (before || after)
        return `entry #${entry.logIndex} carries no signed time, and its log's key (${log.baseUrl}) was not valid at ${at.toISOString()}, a time the verification checked (valid ${window?.start?.toISOString() ?? '…'} to ${window?.end?.toISOString() ?? '…'})`;
    }
  }
  return undefined;
}

/**
 * Whether a certificate authority of this trusted root issued the bundle's
 * leaf certificate (by name and signature); undefined when the bundle holds
 * no certificate that can be read. Asked only once verification failed, to
 * say why: sigstore-js checks the log and timestamps first, so a root of
 * another instance fails there before the certificate is looked at.
 */
function issuedByRoot(bundle: Bundle, root: LoadedTrustRoot): boolean | undefined {
  const raw = leafCertificate(bundle);
  if (!raw) return undefined;
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(Buffer.from(raw));
  } catch {
    return undefined;
  }
  return root.root.certificateAuthorities.some((ca) =>
    (ca.certChain?.certificates ?? []).some((c) => {
      try {
        const cert = new X509Certificate(Buffer.from(c.rawBytes));
        return leaf.checkIssued(cert) && leaf.verify(cert.publicKey);
      } catch {
        return false;
      }
    }),
  );
}

/** The bundle's leaf certificate's bytes (unchecked), when it holds one. */
export function leafCertificate(bundle: Bundle): Uint8Array | undefined {
  const content = bundle.verificationMaterial.content;
  return content.$case === 'x509CertificateChain'
    ? content.x509CertificateChain.certificates[0]?.rawBytes
    : content.$case === 'certificate'
      ? content.certificate.rawBytes
      : undefined;
}

/**
 * Whether sigstore-js refused the certificate because no certificate
 * authority of the trusted root issued it: its chain error, caused by
 * finding no path to a trusted certificate (not by a CA that expired, none
 * valid at the signing time, or a path too long: those say what they say).
 */
function authorityNotInRoot(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown; cause?: { message?: unknown } };
  if (err?.code !== 'CERTIFICATE_ERROR' || !/certificate chain/i.test(String(err.message))) return false;
  return /no (valid|trusted) certificate path found/i.test(String(err.cause?.message));
}

/**
 * The certificates after the leaf must be, byte for byte and in order, the
 * start of one certificate authority's chain in a trusted root.
 */
function chainProblem(
  certificates: Buffer[],
  roots: LoadedTrustRoot[],
): { code: CheckCode; message: string } | undefined {
  const extra = certificates.slice(1);
  if (extra.length === 0) return undefined;
  const listed = roots.some((r) =>
    r.root.certificateAuthorities.some((ca) => {
      const chain = ca.certChain?.certificates ?? [];
      return (
        extra.length <= chain.length &&
        extra.every((c, i) => Buffer.compare(c, Buffer.from(chain[i]?.rawBytes ?? [])) === 0)
      );
    }),
  );
  if (listed) return undefined;
  if (extra.some(isSelfSigned))
    return {
      code: 'ATTESTATION_CHAIN_INCLUDES_ROOT',
      message:
        "the bundle's certificate chain includes a root certificate that is not the trusted root's; roots come from the trusted root only",
    };
  return {
    code: 'ATTESTATION_CHAIN_UNTRUSTED',
    message:
      "the bundle's certificate chain carries certificates after the leaf that no trusted certificate authority lists in that order",
  };
}

/** Whether a key hint is the sha256 of the key's SubjectPublicKeyInfo, in hex or base64. */
function hintNames(hint: string, key: KeyObject): boolean {
  const digest = Buffer.from(keySha256Hex(key), 'hex');
  return (
    hint.toLowerCase() === digest.toString('hex') ||
    hint === digest.toString('base64') ||
    hint === digest.toString('base64url')
  );
}

function isSelfSigned(der: Buffer): boolean {
  try {
    const cert = new X509Certificate(der);
    return cert.checkIssued(cert) && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

function fail(id: Check['id'], code: CheckCode, msg: string): Check {
  return { id, ok: false, code, message: msg };
}

function message(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  return `${typeof err?.code === 'string' ? `${err.code}: ` : ''}${String(err?.message ?? e)}`;
}

/**
 * The latest time the signature's verification checked: a verified timestamp, or a log time under a checked promise;
 * undefined when neither vouches for a time (a bundle signed with a key and no timestamp). Unlike the manifest's
 * `created`, the signer cannot choose it.
 */
export function verifiedSigningTime(info: SignatureInfo): Date | undefined {
  const times = [
    ...info.timestamps.filter((t) => t.verified).map((t) => Date.parse(t.time)),
    ...info.tlog.filter((t) => t.timeVerified && t.integratedTime).map((t) => Date.parse(t.integratedTime as string)),
  ].filter((ms) => Number.isFinite(ms));
  return times.length ? new Date(maxOf(times)) : undefined;
}

/**
 * A file given to verify-attestation that holds no Sigstore bundle (ATTESTATION_MALFORMED: JSON, but not a bundle by
 * its schema) is invalid input, exit 2, as one that is not JSON (ATTESTATION_UNREADABLE): there was nothing to verify,
 * so it is not a failed verification. A bundle by its schema whose content does not read is a failed verification
 * (SIGNATURE_INVALID). Throws that, naming the file, when the bundle verified was refused as malformed (JSON lines:
 * attestationSetReport lists a malformed line and verifies the others).
 */
export function refuseMalformed(file: string, verified: readonly { line?: number; checks: readonly Check[] }[]): void {
  for (const v of verified) {
    const malformed = v.checks.find((c) => !c.ok && c.code === 'ATTESTATION_MALFORMED');
    if (malformed)
      throw new VerifyError(
        'ATTESTATION_MALFORMED',
        `${file}${v.line !== undefined ? ` line ${v.line}` : ''}: ${malformed.message}`,
        { path: file },
      );
  }
}
