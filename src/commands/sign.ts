import type { ByteProgress } from '../fs/progress.js';
import { basename, dirname, join, resolve } from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { rewriteWithAttestation } from '../core/bundle-rewrite.js';
import { ATTESTATIONS_TAIL_BYTES, locateAttestationsMember } from '../core/attestations-member.js';
import { endWithAttestations } from '../core/bundle-writer.js';
import { BundleError } from '../core/errors.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { endsAtGzipMember } from '../fs/gzip-members.js';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IN_TOTO_PAYLOAD_TYPE, type Statement } from '../formats/intoto.js';
import { standardSourceBlob, standardStatements, type StandardStatements } from '../formats/standard-statements.js';
import type { Manifest } from '../core/manifest.js';
import { sha256Hex } from '../core/digest.js';
import { SignError } from '../signer/errors.js';
import { identityProvider } from '../signer/identity.js';
import { githubActionsToken } from '../transport/github/oidc.js';
import { keySigner, keylessSigner, loadSigningKey, type PayloadSigner } from '../signer/sigstore.js';
import { ciContext, statementBytes, toStatement } from '../signer/statement.js';
import { requireIntegrity } from '../verifier/verify-bundle.js';
import { writeAtomically, writeFileAtomically } from '../fs/atomic.js';
import { openBundle } from './open-bundle.js';
import type { Env } from './trust.js';

export interface SignOptions {
  cwd: string;
  env?: Env;
  bundle: string;
  /** Key-based signing (PKCS#8 PEM); otherwise keyless. */
  key?: string;
  identityToken?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  tsaUrl?: string;
  noTsa?: boolean;
  /** For the GitHub Actions OIDC request (tests). */
  fetch?: typeof fetch;
  /** Told of the bytes read as the bundle is checked and rewritten, for a progress display. */
  onBytes?: ByteProgress;
  /** Silence allowed before a request to Fulcio, Rekor, the TSA or the OIDC endpoint fails; default 30 s. */
  timeoutMs?: number;
  /** Leave out the standard statements (SBOM, test result, vulnerabilities, release); they are made by default. */
  noStandard?: boolean;
}

export interface SignResult {
  bundle: string;
  sigstoreBundle: string;
  intotoJsonl: string;
  /** NAME.sigstore.jsonl: every Sigstore bundle of this signing, ours first, one per line (gh attestation verify --bundle). */
  sigstoreJsonl: string;
  statement: Statement;
  sigstore: SerializedBundle;
  /** The standard statements signed beside ours, in the order of attestations/standard.sigstore.jsonl. */
  standard: { label: string; predicateType: string }[];
  /** Entries with no standard statement, and why. */
  standardSkipped: { path: string; reason: string }[];
}

/**
 * Signs a bundle: an in-toto statement over its manifest and release
 * subjects, in a DSSE envelope, as a Sigstore bundle. The bundle is verified
 * first and rewritten atomically with the attestation inside; detached copies
 * go beside it for release assets.
 */
export async function sign(options: SignOptions): Promise<SignResult> {
  const env = options.env ?? {};
  const signer = await makeSigner(options, env);
  const bundlePath = resolve(options.cwd, options.bundle);
  // Where the attestations member starts, found from the end; that the content before it is whole gzip
  // members is checked on another thread while this one checks the bundle.
  const tail = await lastBytes(bundlePath, ATTESTATIONS_TAIL_BYTES);
  const at = locateAttestationsMember(tail.bytes);
  const boundary = at === undefined ? Promise.resolve(false) : endsAtGzipMember(bundlePath, tail.offset + at);
  const { stream } = await openBundle(options.cwd, options.bundle, options.onBytes ? (e) => options.onBytes?.({ ...e, label: `checking ${e.label}` }) : undefined);
  const { contents } = await requireIntegrity(stream, options.bundle, 'not signed', options.noStandard ? {} : { keepBlob: standardSourceBlob });
  const signed = await signManifest(signer, contents.manifest, contents.manifestBytes, (hex) => contents.kept.get(hex), { env, noStandard: options.noStandard === true });
  const mtime = new Date(contents.manifest.created);
  let appended = false;
  if (at !== undefined && contents.bundleHex && (await boundary)) {
    // The content stays as it is: copied byte for byte, its last gzip member replaced (bundle-format §1.3).
    await writeAtomically(bundlePath, true, (out) => appendAttestations(bundlePath, out, { contentEnd: tail.offset + at, oldTail: tail.bytes.subarray(at), verifiedHex: contents.bundleHex as string, signed, mtime }));
    appended = true;
  }
  if (!appended) {
    // A bundle written before that layout: rewritten into it, once.
    const { stream: again } = await openBundle(options.cwd, options.bundle, options.onBytes ? (e) => options.onBytes?.({ ...e, label: `writing ${e.label}` }) : undefined);
    await writeAtomically(bundlePath, true, (out) => rewriteWithAttestation(again, out, { attestation: signed.attestation, ...(signed.standard ? { standard: signed.standard } : {}), manifestBytes: contents.manifestBytes as Buffer, mtime }));
  }
  return writeDetached(bundlePath, signed);
}

/** A file's last `max` bytes and where they start. */
async function lastBytes(path: string, max: number): Promise<{ bytes: Buffer; offset: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, max);
    const bytes = Buffer.alloc(length);
    await handle.read(bytes, 0, length, size - length);
    return { bytes, offset: size - length };
  } finally {
    await handle.close();
  }
}

/**
 * The bundle's content, copied up to its attestations member, then the new
 * attestations member. The copy is hashed with the old member: it must be the
 * bundle that was verified, or nothing is written (it changed meanwhile).
 */
async function appendAttestations(path: string, out: Writable, input: { contentEnd: number; oldTail: Buffer; verifiedHex: string; signed: SignedManifest; mtime: Date }): Promise<void> {
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  if (input.contentEnd > 0) await pipeline(createReadStream(path, { start: 0, end: input.contentEnd - 1 }), hashing, out, { end: false });
  hash.update(input.oldTail);
  if (hash.digest('hex') !== input.verifiedHex) throw new BundleError('BUNDLE_CHANGED_WHILE_SIGNING', `${path} changed after it was verified`);
  await endWithAttestations(out, { attestation: input.signed.attestation, ...(input.signed.standard ? { standard: input.signed.standard } : {}), mtime: input.mtime });
}

/** What one signing run makes: our statement's Sigstore bundle and the standard ones, as the bundle's members hold them. */
export interface SignedManifest {
  statement: Statement;
  sigstore: SerializedBundle;
  /** attestations/evidence.sigstore.json */
  attestation: Buffer;
  /** attestations/standard.sigstore.jsonl, when there are standard statements. */
  standard?: Buffer;
  made: StandardStatements;
}

/**
 * Signs a manifest (its exact bytes) and the standard statements made from
 * its blobs (`blob` gives the SBOM, JUnit and SARIF contents by hex), one
 * after another: the first signature fetched the certificate the others reuse.
 */
export async function signManifest(signer: PayloadSigner, manifest: Manifest, manifestBytes: Buffer, blob: (hex: string) => Buffer | undefined, options: { env: Env; noStandard: boolean }): Promise<SignedManifest> {
  const statement = toStatement(manifest, manifestBytes, ciContext(options.env));
  const sigstore = await signer.signDsse(statementBytes(statement), IN_TOTO_PAYLOAD_TYPE);
  const attestation = Buffer.from(`${JSON.stringify(sigstore)}\n`);
  const made: StandardStatements = options.noStandard ? { statements: [], skipped: [] } : standardStatements(manifest, sha256Hex(manifestBytes), blob);
  const bundles: SerializedBundle[] = [];
  for (const s of made.statements) bundles.push(await signer.signDsse(statementBytes(s.statement), IN_TOTO_PAYLOAD_TYPE));
  const standard = bundles.length ? Buffer.from(bundles.map((b) => `${JSON.stringify(b)}\n`).join('')) : undefined;
  return { statement, sigstore, attestation, ...(standard ? { standard } : {}), made };
}

/** NAME.sigstore.json, NAME.intoto.jsonl and NAME.sigstore.jsonl beside the bundle, for release assets. */
export async function writeDetached(bundlePath: string, signed: SignedManifest): Promise<SignResult> {
  const stem = join(dirname(bundlePath), basename(bundlePath).replace(/\.(tar\.gz|tgz)$/, ''));
  const sigstoreBundle = `${stem}.sigstore.json`;
  const intotoJsonl = `${stem}.intoto.jsonl`;
  const sigstoreJsonl = `${stem}.sigstore.jsonl`;
  await writeFileAtomically(sigstoreBundle, signed.attestation);
  // *.intoto.jsonl: one DSSE envelope per line, as SLSA generators publish them.
  await writeFileAtomically(intotoJsonl, `${JSON.stringify(signed.sigstore.dsseEnvelope)}\n`);
  await writeFileAtomically(sigstoreJsonl, Buffer.concat([signed.attestation, signed.standard ?? Buffer.alloc(0)]));
  return {
    bundle: bundlePath,
    sigstoreBundle,
    intotoJsonl,
    sigstoreJsonl,
    statement: signed.statement,
    sigstore: signed.sigstore,
    standard: signed.made.statements.map((s) => ({ label: s.label, predicateType: s.predicateType })),
    standardSkipped: signed.made.skipped,
  };
}

/** The signer sign's options describe: a key, or keyless with an identity token. */
export async function makeSigner(options: Omit<SignOptions, 'bundle'>, env: Env): Promise<PayloadSigner> {
  if (options.key) {
    const key = await loadSigningKey(resolve(options.cwd, options.key));
    return keySigner(key, { ...(options.rekorUrl ? { rekorUrl: options.rekorUrl } : {}), ...(options.tsaUrl && !options.noTsa ? { tsaUrl: options.tsaUrl } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  }
  const githubActions = (url: string, token: string) => githubActionsToken(url, token, { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const source = identityProvider({ ...(options.identityToken ? { token: options.identityToken } : {}), env, githubActions });
  // Asked once, before any work, so a missing token fails fast; Fulcio gets the same one.
  const token = await source.getToken();
  const identity = { getToken: async () => token };
  return keylessSigner({
    identity,
    ...(options.fulcioUrl ? { fulcioUrl: options.fulcioUrl } : {}),
    ...(options.rekorUrl ? { rekorUrl: options.rekorUrl } : {}),
    ...(options.tsaUrl ? { tsaUrl: options.tsaUrl } : {}),
    ...(options.noTsa ? { noTsa: true } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}
