import type { ByteProgress } from '../fs/progress.js';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { GitHubError, parseRepo } from '../transport/github/errors.js';
import { VerifyError } from '../verifier/errors.js';
import { verdictOf, type Verdict } from '../verifier/report.js';
import { clientFor, githubToken } from '../transport/github/client.js';
import { discardStaged, type DownloadedFile } from '../transport/github/download.js';
import { downloadEvidence, findReleaseEvidence } from '../transport/github/evidence.js';
import type { RetryOptions } from '../transport/http/retry.js';
import { putInPlace, writeAtomically, writePieces } from '../fs/atomic.js';
import { sha256Hex } from '../core/digest.js';
import { envelopesMatch, firstLineIs, restIs } from '../core/release-assets.js';
import {
  verifyAttestationSet,
  type AttestationSetReport,
  type VerifyAttestationSetOptions,
} from './verify-attestation.js';
import type { Env } from '../core/env.js';
import { verify, type VerifyOptions, type VerifyResult } from './verify.js';
import { failForReleaseProblems } from '../verifier/assessment.js';
import { requireSignerOrDownloadOnly } from '../verifier/inputs.js';
import { tagMismatch, type ReleaseMismatchCode } from '../verifier/release-evidence.js';

export interface FetchOptions {
  cwd: string;
  env?: Env;
  repo: string;
  tag: string;
  /** The directory to download into (default: cwd). */
  output?: string;
  /** The bundle's asset name (or its stem) when the release has more than one. */
  name?: string;
  apiUrl?: string;
  force?: boolean;
  retry?: RetryOptions;
  /**
   * Verify what was downloaded, in the same run: the options of `verify`
   * (identity, keys, trusted roots, policy). fetch verifies unless told
   * `downloadOnly`; one of the two is required.
   */
  verify?: Omit<VerifyOptions, 'cwd' | 'env' | 'bundle' | 'attestation'>;
  /** Download without verifying: the caller takes on verifying later. */
  downloadOnly?: boolean;
  /** Silence allowed before a request to GitHub fails; default 30 s. */
  timeoutMs?: number;
  onProgress?: (message: string) => void;
  /** Told of the bytes downloaded, for a progress display. */
  onBytes?: ByteProgress;
}

/** A downloaded file: its asset name, where it is, its size and sha256. */
export type FetchedFile = DownloadedFile;

export interface FetchResult {
  /**
   * `immutable`: GitHub's immutable release (its assets and tag cannot change
   * since publication), so what was downloaded is what was published; false
   * when GitHub says it is not, absent when GitHub does not say (older GHES).
   */
  release: { tag: string; url: string; draft: boolean; immutable?: boolean };
  bundle: FetchedFile;
  sigstoreBundle: FetchedFile;
  intotoJsonl?: FetchedFile;
  /**
   * NAME.sigstore.jsonl: every Sigstore bundle of the signing, ours first
   * (gh attestation verify --bundle). Present only when it was kept: one that
   * is not exactly the bundle's own statements (SIGSTORE_JSONL_MISMATCH) is
   * never put in the output folder.
   */
  sigstoreJsonl?: FetchedFile;
  /** False when NAME.intoto.jsonl is not the DSSE envelope of NAME.sigstore.json. */
  intotoMatches?: boolean;
  verification?: VerifyResult;
  /**
   * The outcome for a release gate: `failed` when the signature files
   * disagree (INTOTO_MISMATCH, which outranks everything) or verification
   * failed; `policy-failed` when only the policy did; `verified`; or
   * `downloaded` when nothing was verified (downloadOnly).
   */
  verdict: Verdict | 'downloaded';
  /** What is wrong beside the verification report, each with its code. */
  problems: { code: 'INTOTO_MISMATCH' | 'SIGSTORE_JSONL_MISMATCH' | ReleaseMismatchCode; message: string }[];
}

/**
 * Downloads a release's evidence (bundle, NAME.sigstore.json, NAME.intoto.jsonl) for an auditor: no token needed for
 * public repositories. Each file's size (and digest, where GitHub lists one) is checked as it streams in, and it
 * appears in place only when whole. With verify options, the bundle is verified straight away, as this tag's.
 */
export async function fetchRelease(options: FetchOptions): Promise<FetchResult> {
  const env = options.env ?? {};
  requireSignerOrDownloadOnly(options);
  if (options.verify && options.downloadOnly)
    throw new VerifyError('INVALID_OPTION', '--download-only does not go with the verify options');
  const token = githubToken(env);
  const progress = options.onProgress ?? (() => undefined);
  const client = clientFor(parseRepo(options.repo), options, env, token, progress);

  const evidence = await findReleaseEvidence(client, { ...options, token });
  const dir = resolve(options.cwd, options.output ?? '.');
  await mkdir(dir, { recursive: true });
  const force = options.force ?? false;
  const got = await downloadEvidence(client, evidence, dir, { force, onBytes: options.onBytes, progress });
  const { bundle, sigstore: sigstoreBundle, intoto: intotoJsonl, staged } = got;
  const { release } = evidence;
  try {
    const result: FetchResult = {
      release: {
        tag: release.tag_name,
        url: release.html_url,
        draft: release.draft === true,
        ...(typeof release.immutable === 'boolean' ? { immutable: release.immutable } : {}),
      },
      bundle,
      sigstoreBundle,
      ...(intotoJsonl ? { intotoJsonl } : {}),
      verdict: 'downloaded',
      problems: [],
    };
    const jsonlMismatch = (message: string): void => {
      result.problems.push({ code: 'SIGSTORE_JSONL_MISMATCH', message: `${message}; it was not kept` });
    };
    if (staged && !firstLineIs(...(await Promise.all([readFile(staged.temporary), readFile(sigstoreBundle.path)]))))
      jsonlMismatch(`the first line of ${staged.file.name} is not ${sigstoreBundle.name}`);
    if (intotoJsonl) {
      result.intotoMatches = await Promise.all([
        readFile(sigstoreBundle.path, 'utf8'),
        readFile(intotoJsonl.path, 'utf8'),
      ]).then(
        ([json, jsonl]) => envelopesMatch(json, jsonl),
        () => false,
      );
      if (!result.intotoMatches)
        result.problems.push({
          code: 'INTOTO_MISMATCH',
          message: `${intotoJsonl.name} is not the DSSE envelope of ${sigstoreBundle.name}`,
        });
    }

    if (options.verify) {
      result.verification = await verify({
        ...options.verify,
        cwd: options.cwd,
        env,
        bundle: bundle.path,
        attestation: sigstoreBundle.path,
        attestationFromSource: true,
      });
      result.verdict = verdictOf(result.verification.report);
      // After our own line, NAME.sigstore.jsonl must be the standard statements the verified bundle carries, byte for
      // byte: gh and cosign read that file, so it must not say more (or other) than the bundle.
      if (
        staged &&
        result.problems.length === 0 &&
        !restIs(await readFile(staged.temporary), result.verification.standardBytes ?? Buffer.alloc(0))
      ) {
        jsonlMismatch(
          `${staged.file.name}: after its first line, it is not the standard statements the bundle carries (attestations/standard.sigstore.jsonl)`,
        );
      }
      // An authentic bundle of another release (its version not the tag's) is not this release's evidence.
      const other = tagMismatch(result.verification, release.tag_name, options.repo);
      if (other) result.problems.push(other);
      // Each problem fails the report too, so that no output says verified beside a fetch that failed.
      const { report, manifest } = result.verification;
      failForReleaseProblems(report, manifest?.entries, result.problems, staged?.file.name ?? '');
    }
    if (staged && !result.problems.some((p) => p.code === 'SIGSTORE_JSONL_MISMATCH')) {
      await putInPlace(staged.temporary, staged.file.path, force);
      result.sigstoreJsonl = staged.file;
    } else if (staged && options.force) {
      // --force replaced the bundle beside it: an older NAME.sigstore.jsonl left there would now be foreign to it.
      await rm(staged.file.path, { force: true });
    }
    if (result.problems.length > 0) result.verdict = 'failed';
    return result;
  } finally {
    if (staged) await discardStaged(staged);
  }
}

export interface FetchAttestationsOptions {
  cwd: string;
  env?: Env;
  repo: string;
  /** The artifact's digest, `sha256:<hex>`. */
  subjectDigest: string;
  /** Directory to write `sha256-<hex>.sigstore.jsonl` into (default: cwd). */
  output?: string;
  apiUrl?: string;
  force?: boolean;
  retry?: RetryOptions;
  timeoutMs?: number;
  onProgress?: (message: string) => void;
  /** Verify the bundles against the digest (identity, keys, trusted roots), as verify-attestation does. */
  verify?: Omit<
    VerifyAttestationSetOptions,
    'cwd' | 'env' | 'attestation' | 'artifacts' | 'subjectsFile' | 'subjectDigests' | 'source'
  >;
  downloadOnly?: boolean;
}

export interface FetchAttestationsResult {
  file: FetchedFile;
  count: number;
  verification?: AttestationSetReport;
}

/**
 * The Sigstore bundles GitHub's attestations API keeps for an artifact's digest (what `attach --attestations-api`
 * recorded), written as JSON lines and, unless downloadOnly, verified against that digest. GitHub's answer proves
 * nothing by itself: every bundle is verified as any other.
 */
export async function fetchAttestations(options: FetchAttestationsOptions): Promise<FetchAttestationsResult> {
  const env = options.env ?? {};
  requireSignerOrDownloadOnly(options);
  if (!/^sha256:[0-9a-f]{64}$/.test(options.subjectDigest))
    throw new VerifyError(
      'INVALID_OPTION',
      `--subject-digest: '${options.subjectDigest}' is not sha256:<64 lowercase hex>`,
    );
  const token = githubToken(env);
  const progress = options.onProgress ?? (() => undefined);
  const client = clientFor(parseRepo(options.repo), options, env, token, progress);
  const bundles = await client.attestationsFor(options.subjectDigest);
  if (bundles.length === 0)
    throw new GitHubError(
      'GITHUB_NOT_FOUND',
      `${options.repo} has no attestation for ${options.subjectDigest}${token ? '' : ' (or it is private: set GITHUB_TOKEN or GH_TOKEN)'}`,
      { status: 404 },
    );
  const dir = resolve(options.cwd, options.output ?? '.');
  const path = join(dir, `${options.subjectDigest.replace(':', '-')}.sigstore.jsonl`);
  const bytes = Buffer.from(bundles.map((b) => `${b.text}\n`).join(''));
  await mkdir(dir, { recursive: true });
  await writeAtomically(path, options.force === true, (out) => writePieces(out, [bytes]));
  const file: FetchedFile = { name: basename(path), path, size: bytes.length, sha256: sha256Hex(bytes) };
  progress(`wrote ${bundles.length} attestation${bundles.length === 1 ? '' : 's'} to ${path}`);
  if (!options.verify) return { file, count: bundles.length };
  const { report } = await verifyAttestationSet({
    ...options.verify,
    cwd: options.cwd,
    env,
    attestation: path,
    source: client.attestationsUrl(options.subjectDigest),
    subjectDigests: [{ name: options.subjectDigest, digest: options.subjectDigest }],
  });
  return { file, count: bundles.length, verification: report };
}
