import { tee } from '../fs/tee.js';
import { integrityCheck } from './integrity-thread.js';
import type { ByteProgress } from '../fs/progress.js';
import { basename, dirname, join, resolve } from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { rewriteWithAttestation } from '../core/bundle-rewrite.js';
import { ATTESTATIONS_TAIL_BYTES, locateAttestationsMember } from '../core/attestations-member.js';
import { endWithAttestations } from '../core/bundle-writer.js';
import { open } from 'node:fs/promises';
import { BundleError } from '../core/errors.js';
import { GUNZIP_CHUNK_BYTES } from '../core/layout.js';
import { createGunzip } from 'node:zlib';
import { Transform, Writable } from 'node:stream';
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
import { requireIntegrity, verifyBundleIntegrity } from '../verifier/verify-bundle.js';
import { checkBundleStatement } from '../verifier/statement-check.js';
import { dsseContent } from '../formats/intoto.js';
import type { WriteStream } from 'node:fs';
import { writeAtomically, writeFileAtomically } from '../fs/atomic.js';
import { openBundle } from './open-bundle.js';
import type { Env } from '../core/env.js';

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
  // Where the attestations member starts, found from the end of the file.
  const tail = await lastBytes(bundlePath, ATTESTATIONS_TAIL_BYTES);
  const at = locateAttestationsMember(tail.bytes);
  const progress = (label: string): ByteProgress | undefined =>
    options.onBytes ? (e) => options.onBytes?.({ ...e, label: `${label} ${e.label}` }) : undefined;
  if (at !== undefined) {
    // One read of the bundle, teed: the integrity check (src/commands/integrity-thread.ts), and the
    // content up to the attestations member, copied byte for byte into the new file while a gunzip checks that
    // it ends at a gzip member (a crafted bundle could hide a gzip header inside a member). The rest of the
    // read must be the tail looked at first: the file did not change in between. Signed once all of that held;
    // the attestations member is replaced (bundle-format §1.3). Nothing is written otherwise.
    const contentEnd = tail.offset + at;
    let signed: SignedManifest | undefined;
    const done = await writeAtomically(bundlePath, true, async (out) => {
      const { stream, size } = await openBundle(options.cwd, options.bundle, progress('checking and copying'));
      if (size !== tail.offset + tail.bytes.length) throw changed(options.bundle);
      const [forCheck, forCopy] = tee(stream);
      const check = integrityCheck(options.bundle, 'not signed', size, env);
      const checking = pipeline(forCheck, check.sink);
      checking.catch(() => undefined);
      check.result.catch((e: unknown) => stream.destroy(e as Error));
      const rest: Buffer[] = [];
      const cut = upTo(contentEnd, rest);
      pipeline(forCopy, cut).catch(() => undefined);
      const [toFile, toGunzip] = tee(cut);
      const copying = pipeline(toFile, out, { end: false });
      copying.catch(() => undefined);
      const boundary = pipeline(
        toGunzip,
        createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }),
        new Writable({ write: (_c, _e, next) => next() }),
      ).then(
        () => true,
        () => false,
      );
      const { contents } = await check.result;
      await copying;
      if (!Buffer.concat(rest).equals(tail.bytes.subarray(at))) throw changed(options.bundle);
      if (!(await boundary)) throw NOT_AT_BOUNDARY;
      signed = await signManifest(signer, contents.manifest, contents.manifestBytes, (hex) => contents.kept.get(hex), {
        env,
        noStandard: options.noStandard === true,
      });
      await endWithAttestations(out, {
        attestation: signed.attestation,
        ...(signed.standard ? { standard: signed.standard } : {}),
        mtime: new Date(contents.manifest.created),
      });
      await requireSignedOutput(out, options.bundle, signed, contents.manifestBytes, progress('verifying the output'));
    }).then(
      () => true,
      (e: unknown) => {
        if (e === NOT_AT_BOUNDARY) return false;
        throw e;
      },
    );
    if (done && signed) return writeDetached(bundlePath, signed);
  }
  // A bundle written before that layout (or whose tail is not where a member starts): checked, then rewritten into it, once.
  const { stream } = await openBundle(options.cwd, options.bundle, progress('checking'));
  const { contents } = await requireIntegrity(
    stream,
    options.bundle,
    'not signed',
    options.noStandard ? {} : { keepBlob: standardSourceBlob },
  );
  const signed = await signManifest(
    signer,
    contents.manifest,
    contents.manifestBytes,
    (hex) => contents.kept.get(hex),
    { env, noStandard: options.noStandard === true },
  );
  const { stream: again } = await openBundle(options.cwd, options.bundle, progress('writing'));
  await writeAtomically(bundlePath, true, async (out) => {
    await rewriteWithAttestation(again, out, {
      attestation: signed.attestation,
      ...(signed.standard ? { standard: signed.standard } : {}),
      manifestBytes: contents.manifestBytes as Buffer,
      mtime: new Date(contents.manifest.created),
    });
    await requireSignedOutput(out, options.bundle, signed, contents.manifestBytes, progress('verifying the output'));
  });
  return writeDetached(bundlePath, signed);
}

/**
 * The new file, read back from its temporary path before it replaces the
 * bundle: it must pass the integrity check (the verifier's reader, §4), read
 * the manifest that was signed, and hold exactly the attestations just
 * signed, whose statement covers that manifest. The signature is ours, made
 * over those bytes; what can go wrong is the layout around it (a crafted
 * bundle whose appended member the reader does not see as its last, §1.3).
 * Otherwise SIGNED_OUTPUT_INVALID (exit 1): the temporary file is removed
 * by writeAtomically and the bundle is left as it was.
 */
async function requireSignedOutput(
  out: Writable,
  label: string,
  signed: SignedManifest,
  manifestBytes: Buffer,
  onBytes?: ByteProgress,
): Promise<void> {
  const { stream } = await openBundle('/', String((out as WriteStream).path), onBytes);
  const { report, contents } = await verifyBundleIntegrity(stream);
  const problems: string[] = report.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.code ?? c.id);
  if (!contents.manifestBytes?.equals(manifestBytes)) problems.push('MANIFEST_NOT_THE_SIGNED_ONE');
  if (!contents.attestationBytes?.equals(signed.attestation)) problems.push('ATTESTATION_NOT_THE_NEW_ONE');
  if (!(contents.standardBytes ?? Buffer.alloc(0)).equals(signed.standard ?? Buffer.alloc(0)))
    problems.push('STANDARD_NOT_THE_NEW_ONES');
  if (contents.manifest && contents.attestationBytes) {
    for (const c of checkBundleStatement(dsseContent(contents.attestationBytes), contents.manifest, manifestBytes)
      .checks)
      if (!c.ok) problems.push(c.code ?? c.id);
  }
  if (problems.length === 0) return;
  const codes = [...new Set(problems)];
  throw new SignError(
    'SIGNED_OUTPUT_INVALID',
    `${label}: the signed bundle would not verify (${codes.slice(0, 5).join(', ')}${codes.length > 5 ? `, and ${codes.length - 5} more` : ''}); nothing was written and the bundle is unchanged (its gzip or tar layout is not the one bundle-format §1.3 describes)`,
  );
}

/** Thrown inside the write to abandon it (nothing is written) when the content does not end where its last gzip member starts. */
const NOT_AT_BOUNDARY = Symbol('not at a gzip member boundary');

/** The first `end` bytes of a stream; the rest is read and kept aside in `rest` (a tail of a few kilobytes). */
function upTo(end: number, rest: Buffer[]): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const keep = Math.max(0, Math.min(chunk.length, end - seen));
      seen += chunk.length;
      if (keep < chunk.length) rest.push(chunk.subarray(keep));
      done(null, keep === chunk.length ? chunk : keep > 0 ? chunk.subarray(0, keep) : undefined);
    },
  });
}

/** The bundle read is not the one whose tail was looked at: it changed (a rename, another run) meanwhile. */
function changed(label: string): BundleError {
  return new BundleError(
    'BUNDLE_CHANGED_WHILE_SIGNING',
    `${label} changed while it was being signed; nothing was written (sign it again)`,
    { path: label },
  );
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
export async function signManifest(
  signer: PayloadSigner,
  manifest: Manifest,
  manifestBytes: Buffer,
  blob: (hex: string) => Buffer | undefined,
  options: { env: Env; noStandard: boolean },
): Promise<SignedManifest> {
  const statement = toStatement(manifest, manifestBytes, ciContext(options.env));
  const sigstore = await signer.signDsse(statementBytes(statement), IN_TOTO_PAYLOAD_TYPE);
  const attestation = Buffer.from(`${JSON.stringify(sigstore)}\n`);
  const made: StandardStatements = options.noStandard
    ? { statements: [], skipped: [] }
    : standardStatements(manifest, sha256Hex(manifestBytes), blob);
  const bundles: SerializedBundle[] = [];
  for (const s of made.statements)
    bundles.push(await signer.signDsse(statementBytes(s.statement), IN_TOTO_PAYLOAD_TYPE));
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
    return keySigner(key, {
      ...(options.rekorUrl ? { rekorUrl: options.rekorUrl } : {}),
      ...(options.tsaUrl && !options.noTsa ? { tsaUrl: options.tsaUrl } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
  const githubActions = (url: string, token: string) =>
    githubActionsToken(url, token, {
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  const source = identityProvider({
    ...(options.identityToken ? { token: options.identityToken } : {}),
    env,
    githubActions,
  });
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
