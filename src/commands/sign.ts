import { tee } from '../fs/tee.js';
import { integrityCheck } from '../fs/integrity-thread.js';
import type { ByteProgress } from '../fs/progress.js';
import { resolve } from 'node:path';
import { rewriteWithAttestation } from '../core/bundle-rewrite.js';
import { ATTESTATIONS_TAIL_BYTES, locateAttestationsMember } from '../core/attestations-member.js';
import { endWithAttestations } from '../core/bundle-writer.js';
import { ATTESTATION_MEMBER } from '../core/layout.js';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { dsseContent } from '../formats/intoto.js';
import { standardSourceBlob } from '../formats/standard-statements.js';
import { SignError, bundleChanged } from '../signer/errors.js';
import { githubActionsToken } from '../transport/github/oidc.js';
import { deviceFlowRequest } from '../transport/oidc-device.js';
import type { PayloadSigner } from '../signer/sigstore.js';
import { chooseSigner, type SignerOptions } from '../signer/choose-signer.js';
import { detachedFiles, signManifest, type SignResult, type SignedManifest } from '../signer/sign-manifest.js';
import { requireIntegrity, verifyBundleIntegrity, type IntactBundle } from '../verifier/verify-bundle.js';
import { checkBundleStatement } from '../verifier/statement-check.js';
import { replacedSignature, type ReplacedSignature } from '../verifier/stated-signer.js';
import type { WriteStream } from 'node:fs';
import { writeAtomically, writeFileAtomically } from '../fs/atomic.js';
import { copyUpTo, lastBytes } from '../fs/tail.js';
import { openBundle } from '../fs/open-bundle.js';
import { readArchiveTimestamps, readAttestation } from '../load/attestation.js';
import { serializeArchiveTimestamps } from '../core/archive-timestamps.js';
import { renewalAuthority, renewTimestamps } from '../signer/renew.js';
import type { Env } from '../core/env.js';

// Moved to the signer layer; re-exported for those who import it from here.
export type { SignResult } from '../signer/sign-manifest.js';
/** What sign did, and the signature it replaced, when the bundle had one (as it states its signer; not checked). */
export type SignCommandResult = SignResult & { replaced?: ReplacedSignature };

export interface SignOptions extends SignerOptions {
  cwd: string;
  env?: Env;
  bundle: string;
  /** For the GitHub Actions OIDC request (tests). */
  fetch?: typeof fetch;
  /** Told of the bytes read as the bundle is checked and rewritten, for a progress display. */
  onBytes?: ByteProgress;
  /** Leave out the standard statements (SBOM, test result, vulnerabilities, release); they are made by default. */
  noStandard?: boolean;
}

/**
 * Signs a bundle: an in-toto statement over its manifest and release
 * subjects, in a DSSE envelope, as a Sigstore bundle. The bundle is verified
 * first and rewritten atomically with the attestation inside; detached copies
 * go beside it for release assets.
 */
export async function sign(options: SignOptions): Promise<SignCommandResult> {
  const env = options.env ?? {};
  const signer = await makeSigner(options, env);
  const bundlePath = resolve(options.cwd, options.bundle);
  // Where the attestations member starts, found from the end of the file.
  const tail = await lastBytes(bundlePath, ATTESTATIONS_TAIL_BYTES);
  const at = locateAttestationsMember(tail.bytes);
  // The signature this signing replaces, as it states its signer (never checked): said, not silently overwritten.
  let replaced: ReplacedSignature | undefined;
  const signContents = (contents: IntactBundle['contents']): Promise<SignedManifest> => {
    replaced = replacedSignature(contents.attestationBytes, contents.members.includes(ATTESTATION_MEMBER));
    return signManifest(signer, contents.manifest, contents.manifestBytes, (hex) => contents.kept.get(hex), {
      env,
      noStandard: options.noStandard === true,
    });
  };
  const result = async (signed: SignedManifest): Promise<SignCommandResult> => ({
    ...(await writeDetached(bundlePath, signed)),
    ...(replaced ? { replaced } : {}),
  });
  const progress = (label: string): ByteProgress | undefined =>
    options.onBytes ? (e) => options.onBytes?.({ ...e, label: `${label} ${e.label}` }) : undefined;
  if (at !== undefined) {
    // One read of the bundle, teed: the integrity check (src/commands/integrity-thread.ts), and the
    // content up to the attestations member, copied byte for byte into the new file while a gunzip checks that
    // it ends at a gzip member (a crafted bundle could hide a gzip header inside a member). The rest of the
    // read must be the tail looked at first: the file did not change in between. Signed once all of that held;
    // the attestations member is replaced (bundle-format §1.3). Nothing is written otherwise.
    let signed: SignedManifest | undefined;
    const done = await writeAtomically(bundlePath, true, async (out) => {
      const { stream, size } = await openBundle(options.cwd, options.bundle, progress('checking and copying'));
      if (size !== tail.offset + tail.bytes.length) throw bundleChanged(options.bundle);
      const [forCheck, forCopy] = tee(stream);
      const check = integrityCheck(options.bundle, 'not signed', size, env);
      const checking = pipeline(forCheck, check.sink);
      checking.catch(() => undefined);
      check.result.catch((e: unknown) => stream.destroy(e as Error));
      const copy = copyUpTo(forCopy, out, tail.offset + at);
      const { contents } = await check.result;
      await copy.copying;
      if (!Buffer.concat(copy.rest).equals(tail.bytes.subarray(at))) throw bundleChanged(options.bundle);
      if (!(await copy.boundary)) throw new NotAtBoundary('not at a gzip member boundary');
      signed = await signContents(contents);
      await endWithAttestations(out, {
        attestation: signed.attestation,
        ...(signed.standard ? { standard: signed.standard } : {}),
        mtime: new Date(contents.manifest.created),
      });
      await requireSignedOutput(out, options.bundle, signed, contents.manifestBytes, progress('verifying the output'));
    }).then(
      () => true,
      (e: unknown) => {
        if (e instanceof NotAtBoundary) return false;
        throw e;
      },
    );
    if (done && signed) return result(signed);
  }
  // A bundle written before that layout (or whose tail is not where a member starts): checked, then rewritten into it,
  // once.
  const { stream } = await openBundle(options.cwd, options.bundle, progress('checking'));
  const { contents } = await requireIntegrity(
    stream,
    options.bundle,
    'not signed',
    options.noStandard ? {} : { keepBlob: standardSourceBlob },
  );
  const signed = await signContents(contents);
  const { stream: again } = await openBundle(options.cwd, options.bundle, progress('writing'));
  await writeAtomically(bundlePath, true, async (out) => {
    await rewriteWithAttestation(again, out, {
      attestation: signed.attestation,
      ...(signed.standard ? { standard: signed.standard } : {}),
      manifestBytes: contents.manifestBytes,
      mtime: new Date(contents.manifest.created),
    });
    await requireSignedOutput(out, options.bundle, signed, contents.manifestBytes, progress('verifying the output'));
  });
  return result(signed);
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

/**
 * Thrown inside the write to abandon it (nothing is written) when the content does not end where its last gzip member
 * starts.
 */
class NotAtBoundary extends Error {}

/** NAME.sigstore.json, NAME.intoto.jsonl and NAME.sigstore.jsonl beside the bundle, for release assets. */
export async function writeDetached(bundlePath: string, signed: SignedManifest): Promise<SignResult> {
  const { result, contents } = detachedFiles(bundlePath, signed);
  for (const [file, bytes] of contents) await writeFileAtomically(file, bytes);
  return result;
}

/** The signer sign's options describe (src/signer/choose-signer.ts), with the OIDC token requests wired in. */
export async function makeSigner(options: Omit<SignOptions, 'bundle'>, env: Env): Promise<PayloadSigner> {
  const http = {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  };
  return chooseSigner(options, env, (url, token) => githubActionsToken(url, token, http), deviceFlowRequest(http));
}

/**
 * `sign --timestamp-only`: one archive timestamp more over the bundle's Sigstore bundle (NAME.sigstore.json beside it,
 * or the file given), added to NAME.timestamps.json; nothing is signed again (docs/bundle-format.md §8).
 */
export async function renewArchive(options: SignOptions): Promise<{ file: string; renewals: number; tsa: string }> {
  const given = resolve(options.cwd, options.bundle);
  const sigstore = given.endsWith('.sigstore.json') ? given : `${given.replace(/\.(tar\.gz|tgz)$/, '')}.sigstore.json`;
  const file = sigstore.replace(/\.sigstore\.json$/, '.timestamps.json');
  const { bytes } = await readAttestation(options.cwd, sigstore);
  const existing = await readArchiveTimestamps(options.cwd, file, true);
  const { url, request } = await renewalAuthority(options, options.env ?? {});
  const doc = await renewTimestamps(bytes, existing, request, file);
  await writeFileAtomically(file, serializeArchiveTimestamps(doc));
  return { file, renewals: doc.renewals.length, tsa: url };
}
