import { readSmallFile } from '../fs/small-file.js';
import { resolve } from 'node:path';
import { digestHex, digestsEqual } from '../core/digest.js';
import { parseJsonStrict } from '../core/strict-json.js';
import { MAX_ATTESTATION_BYTES } from '../core/layout.js';
import { hashFile } from '../fs/hash-file.js';
import { VerifyError } from '../verifier/errors.js';
import { hasIdentityConstraint, type IdentityPolicy } from '../verifier/identity-policy.js';
import type { AttestationReport, AttestationSetReport } from '../verifier/report.js';
import { signatureKind, signedContentKind, verifySigstoreBundle } from '../verifier/sigstore-bundle.js';
import { parseStatement } from '../verifier/statement-check.js';
import type { Env } from '../core/env.js';
import { checkPolicyOptions, readJsonFile, readKeys, resolveTrustRoots } from './trust.js';
import { subjectsFromList } from './verify.js';

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
  if (!!options.artifact === !!options.digest)
    throw new VerifyError('INVALID_OPTION', 'give exactly one of --artifact FILE or --digest ALG:HEX');
  const digests = options.digest
    ? parseDigestOption(options.digest)
    : await hashArtifact(options.cwd, options.artifact as string);
  const json = await readJsonFile(resolve(options.cwd, options.attestation), options.attestation, {
    missing: 'ATTESTATION_NOT_FOUND',
    bad: 'ATTESTATION_UNREADABLE',
  });
  const kind = signedContentKind(json);
  // A bundle that does not parse is neither: verifySigstoreBundle reports it malformed (exit 1).
  const signedWith = signatureKind(json);
  const keyless = signedWith === 'certificate';
  if (keyless && !hasIdentityConstraint(policy)) {
    throw new VerifyError(
      'IDENTITY_POLICY_REQUIRED',
      'a keyless attestation needs --certificate-identity (or -regexp) and --certificate-oidc-issuer, or the GitHub options',
    );
  }
  const keys = await readKeys(options.cwd, options.key);
  if (signedWith === 'public-key' && keys.length === 0)
    throw new VerifyError('KEY_REQUIRED', 'the attestation is signed with a key: give its public key with --key');
  let artifactBytes: Buffer | undefined;
  if (kind === 'message-signature') {
    if (!options.artifact)
      throw new VerifyError(
        'INVALID_OPTION',
        'a message signature is over the artifact itself: give --artifact, not --digest',
      );
    artifactBytes = await readSmallFile(resolve(options.cwd, options.artifact), options.artifact, {
      what: 'an artifact verified by a message signature',
      max: MAX_MESSAGE_ARTIFACT_BYTES,
      notFound: (l) => new VerifyError('ARTIFACT_NOT_FOUND', `${l}: no such file`, { path: l }),
    });
  }
  const roots = await resolveTrustRoots(options.cwd, options.trustedRoot, options.env ?? {});
  const verified = verifySigstoreBundle({
    json,
    roots,
    keys,
    policy,
    ...(artifactBytes ? { artifact: artifactBytes } : {}),
  });
  const checks = [...verified.checks];
  let predicateType: string | undefined;
  if (verified.checks.every((c) => c.ok) && verified.dsse) {
    const statement = parseStatement(verified.dsse.payload);
    if (!statement) {
      checks.push({
        id: 'statement',
        ok: false,
        code: 'STATEMENT_INVALID',
        message: `the DSSE payload (${verified.dsse.payloadType}) is not an in-toto Statement (v1 or v0.1)`,
      });
    } else {
      predicateType = statement.predicateType;
      const hit = statement.subject.find((s) =>
        Object.entries(digests).some(
          ([alg, hex]) => s.digest[alg] !== undefined && digestsEqual(s.digest[alg] as string, hex),
        ),
      );
      checks.push(
        hit
          ? {
              id: 'statement',
              ok: true,
              message: `the statement (${statement.predicateType}) covers the artifact as '${hit.name ?? hit.uri ?? 'unnamed'}'`,
            }
          : {
              id: 'statement',
              ok: false,
              code: 'SUBJECT_NOT_IN_ATTESTATION',
              message: "the artifact is not among the statement's subjects",
              found: Object.entries(digests)
                .map(([a, h]) => `${a}:${h}`)
                .join(', '),
            },
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
  if (!m || (m[2] as string).length !== lengths[m[1] as string])
    throw new VerifyError('INVALID_OPTION', `--digest: '${value}' is not sha256:<64 hex> or sha512:<128 hex>`);
  return { [m[1] as string]: (m[2] as string).toLowerCase() };
}

async function hashArtifact(cwd: string, file: string): Promise<Record<string, string>> {
  const path = resolve(cwd, file);
  try {
    return (await hashFile(path, ['sha256', 'sha512'])).hex;
  } catch (e) {
    throw new VerifyError(
      'ARTIFACT_NOT_FOUND',
      `${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      { path: file },
    );
  }
}

export interface VerifyAttestationSetOptions {
  cwd: string;
  env?: Env;
  /** Sigstore bundles: one JSON document, or JSON lines (`NAME.sigstore.jsonl`, as gh attestation verify --bundle reads). */
  attestation: string;
  /** Artifacts to hash and look for. */
  artifacts?: string[];
  /** A sha256sum list of artifacts by digest. */
  subjectsFile?: string;
  /** Artifacts already known by digest (`sha256:<hex>`). */
  subjectDigests?: { name: string; digest: string }[];
  /** Only statements of this predicate type count. */
  predicateType?: string;
  trustedRoot?: string[];
  key?: string[];
  identity?: IdentityPolicy;
}

export type { AttestationSetReport } from '../verifier/report.js';

/** The most bundles one file may hold. */
const MAX_BUNDLES = 10_000;

/**
 * Many artifacts against many Sigstore bundles in one run, offline: each
 * bundle verified once (trusted root, signer), then each artifact reported
 * with the verified statements whose subjects hold its digest. A bundle that
 * does not verify fails the run: it is listed, never skipped.
 */
export async function verifyAttestationSet(
  options: VerifyAttestationSetOptions,
): Promise<{ report: AttestationSetReport }> {
  const policy = options.identity ?? {};
  checkPolicyOptions(policy);
  const artifacts: { name: string; digests: Record<string, string> }[] = [];
  for (const a of options.artifacts ?? []) artifacts.push({ name: a, digests: await hashArtifact(options.cwd, a) });
  for (const l of await subjectsFromList(options.cwd, options.subjectsFile))
    artifacts.push({ name: l.file, digests: { sha256: digestHex(l.digest) } });
  for (const d of options.subjectDigests ?? [])
    artifacts.push({ name: d.name, digests: { sha256: digestHex(d.digest) } });
  if (artifacts.length === 0)
    throw new VerifyError(
      'INVALID_OPTION',
      'name the artifacts: --artifact FILE (repeatable) or --subjects-file SHA256SUMS',
    );
  const bytes = await readSmallFile(resolve(options.cwd, options.attestation), options.attestation, {
    what: 'Sigstore bundles',
    max: MAX_BUNDLE_FILE_BYTES,
    notFound: (l) => new VerifyError('ATTESTATION_NOT_FOUND', `${l}: no such file`, { path: l }),
  });
  const documents = bundleDocuments(bytes, options.attestation);
  const keyless = documents.some((d) => signatureKind(d.json) === 'certificate');
  if (keyless && !hasIdentityConstraint(policy))
    throw new VerifyError(
      'IDENTITY_POLICY_REQUIRED',
      'keyless attestations need --certificate-identity (or -regexp) and --certificate-oidc-issuer, or the GitHub options',
    );
  const keys = await readKeys(options.cwd, options.key);
  const roots = await resolveTrustRoots(options.cwd, options.trustedRoot, options.env ?? {});
  const bundles: AttestationSetReport['bundles'] = [];
  const statements: { line: number; predicateType: string; subject: { digest: Record<string, string> }[] }[] = [];
  for (const d of documents) {
    const verified = verifySigstoreBundle({ json: d.json, roots, keys, policy });
    const checks = [...verified.checks];
    const statement =
      verified.checks.every((c) => c.ok) && verified.dsse ? parseStatement(verified.dsse.payload) : undefined;
    if (verified.checks.every((c) => c.ok) && !statement)
      checks.push({
        id: 'statement',
        ok: false,
        code: 'STATEMENT_INVALID',
        message: `line ${d.line}: not an in-toto statement in a DSSE envelope`,
      });
    const ok = checks.every((c) => c.ok);
    bundles.push({
      line: d.line,
      ok,
      ...(statement ? { predicateType: statement.predicateType } : {}),
      checks,
      ...(verified.info ? { signature: verified.info } : {}),
    });
    if (ok && statement)
      statements.push({ line: d.line, predicateType: statement.predicateType, subject: statement.subject });
  }
  const wanted = options.predicateType;
  const results = artifacts.map((a) => {
    const coveredBy = statements
      .filter(
        (s) =>
          (wanted === undefined || s.predicateType === wanted) &&
          s.subject.some((x) =>
            Object.entries(a.digests).some(
              ([alg, hex]) => x.digest[alg] !== undefined && digestsEqual(x.digest[alg] as string, hex),
            ),
          ),
      )
      .map((s) => ({ line: s.line, predicateType: s.predicateType }));
    const ok = coveredBy.length > 0;
    const message = ok
      ? `covered by ${coveredBy.length} verified statement${coveredBy.length === 1 ? '' : 's'} (${[...new Set(coveredBy.map((c) => c.predicateType))].join(', ')})`
      : `no verified statement${wanted ? ` of type ${wanted}` : ''} names it as a subject`;
    return { ...a, ok, coveredBy, message };
  });
  const report: AttestationSetReport = {
    ok: bundles.every((b) => b.ok) && results.every((r) => r.ok),
    attestation: options.attestation,
    ...(wanted ? { predicateType: wanted } : {}),
    bundles,
    artifacts: results,
  };
  return { report };
}

/** gh's attestation bundle files: JSON lines of bundles together (ours: at most 16 + 16 MiB). */
const MAX_BUNDLE_FILE_BYTES = 64 * 1024 * 1024;
/** One Sigstore bundle, as verify reads one. */
const MAX_BUNDLE_LINE_BYTES = MAX_ATTESTATION_BYTES;

/** One JSON bundle, or one per line (blank lines skipped), each strictly parsed. */
function bundleDocuments(bytes: Buffer, label: string): { line: number; json: unknown }[] {
  const text = bytes.toString('utf8');
  const out: { line: number; json: unknown }[] = [];
  const parse = (chunk: string, line: number): unknown => {
    try {
      return parseJsonStrict(Buffer.from(chunk, 'utf8'));
    } catch (e) {
      throw new VerifyError(
        'ATTESTATION_UNREADABLE',
        `${label}: line ${line} is not valid JSON (${(e as Error).message})`,
        { path: label },
      );
    }
  };
  const rows = text.split('\n');
  // A pretty-printed single bundle spans lines: read it whole.
  if (rows.filter((r) => r.trim() !== '').length > 1 && !rows[0]?.trim().endsWith('}')) {
    if (bytes.length > MAX_BUNDLE_LINE_BYTES)
      throw new VerifyError(
        'ATTESTATION_UNREADABLE',
        `${label}: more than ${MAX_BUNDLE_LINE_BYTES} bytes for one Sigstore bundle`,
        { path: label },
      );
    return [{ line: 1, json: parse(text, 1) }];
  }
  // Counted and measured before any is parsed: a parse tree is many times its text.
  const lines = rows.map((row, i) => ({ row, line: i + 1 })).filter((r) => r.row.trim() !== '');
  if (lines.length === 0)
    throw new VerifyError('ATTESTATION_UNREADABLE', `${label}: holds no Sigstore bundle`, { path: label });
  if (lines.length > MAX_BUNDLES)
    throw new VerifyError('ATTESTATION_UNREADABLE', `${label}: more than ${MAX_BUNDLES} bundles`, { path: label });
  const long = lines.find((r) => Buffer.byteLength(r.row) > MAX_BUNDLE_LINE_BYTES);
  if (long)
    throw new VerifyError(
      'ATTESTATION_UNREADABLE',
      `${label}: line ${long.line} is more than ${MAX_BUNDLE_LINE_BYTES} bytes, more than a Sigstore bundle is`,
      { path: label },
    );
  for (const r of lines) out.push({ line: r.line, json: parse(r.row, r.line) });
  return out;
}
