import { FileError } from '../fs/small-file.js';
import type { ByteProgress } from '../fs/progress.js';
import { release as untrack, removeStaleLeftovers, temporaryBeside } from '../fs/leftovers.js';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { canonicalize } from '../core/canonical-json.js';
import { GitHubError, parseRepo } from '../transport/github/errors.js';
import { VerifyError } from '../verifier/errors.js';
import { ReleasesClient, type ReleaseAsset } from '../transport/github/releases.js';
import type { RetryOptions } from '../transport/http/retry.js';
import { exists, putInPlace, writeFileAtomically } from '../fs/atomic.js';
import { sha256Hex } from '../core/digest.js';
import { MAX_ATTESTATION_BYTES, MAX_STANDARD_ATTESTATIONS_BYTES } from '../core/layout.js';
import {
  verifyAttestationSet,
  type AttestationSetReport,
  type VerifyAttestationSetOptions,
} from './verify-attestation.js';
import type { Env } from '../core/env.js';
import { verify, type VerifyOptions, type VerifyResult } from './verify.js';
import { assess } from '../verifier/assessment.js';

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

export interface FetchedFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

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
  verdict: 'verified' | 'failed' | 'policy-failed' | 'downloaded';
  /** What is wrong beside the verification report, each with its code. */
  problems: { code: 'INTOTO_MISMATCH' | 'SIGSTORE_JSONL_MISMATCH'; message: string }[];
}

const BUNDLE_ASSET = /\.(tar\.gz|tgz)$/;

/**
 * Downloads a release's evidence (bundle, NAME.sigstore.json,
 * NAME.intoto.jsonl) for an auditor: no token needed for public
 * repositories. Each file's size (and digest, where GitHub lists one) is
 * checked as it streams in, and it appears in place only when whole. With
 * verify options, the downloaded bundle is verified straight away.
 */
export async function fetchRelease(options: FetchOptions): Promise<FetchResult> {
  const env = options.env ?? {};
  if (!options.verify && !options.downloadOnly) {
    throw new VerifyError(
      'IDENTITY_POLICY_REQUIRED',
      'fetch verifies what it downloads: name the signer (--certificate-identity and --certificate-oidc-issuer, or --key), or say --download-only',
    );
  }
  if (options.verify && options.downloadOnly)
    throw new VerifyError('INVALID_OPTION', '--download-only does not go with the verify options');
  const { owner, repo } = parseRepo(options.repo);
  const token = env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
  const progress = options.onProgress ?? (() => undefined);
  const client = new ReleasesClient({
    owner,
    repo,
    ...(token ? { token } : {}),
    apiUrl: options.apiUrl ?? env.GITHUB_API_URL,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    onRetry: progress,
  });

  const release = await client.releaseByTag(options.tag);
  if (!release)
    throw new GitHubError(
      'GITHUB_NOT_FOUND',
      `${options.repo} has no release for tag ${options.tag}${token ? '' : ' (or it is private: set GITHUB_TOKEN or GH_TOKEN)'}`,
      { status: 404 },
    );
  const assets = await client.listAssets(release);
  const bundleAsset = chooseBundle(assets, options);
  const stem = bundleAsset.name.replace(BUNDLE_ASSET, '');
  const sigstoreAsset = assets.find((a) => a.name === `${stem}.sigstore.json`);
  if (!sigstoreAsset)
    throw new GitHubError(
      'ASSET_MISSING',
      `release ${options.tag} of ${options.repo} has ${bundleAsset.name} but no ${stem}.sigstore.json`,
    );
  const intotoAsset = assets.find((a) => a.name === `${stem}.intoto.jsonl`);
  const jsonlAsset = assets.find((a) => a.name === `${stem}.sigstore.jsonl`);
  for (const small of [sigstoreAsset, intotoAsset]) {
    if (small && small.size > MAX_ATTESTATION_BYTES)
      throw new GitHubError(
        'GITHUB_RESPONSE_INVALID',
        `${small.name}: GitHub lists ${small.size} bytes; an attestation is never more than ${MAX_ATTESTATION_BYTES}`,
      );
  }
  if (jsonlAsset && jsonlAsset.size > MAX_ATTESTATION_BYTES + MAX_STANDARD_ATTESTATIONS_BYTES) {
    throw new GitHubError(
      'GITHUB_RESPONSE_INVALID',
      `${jsonlAsset.name}: GitHub lists ${jsonlAsset.size} bytes; the attestations of a bundle are never more than ${MAX_ATTESTATION_BYTES + MAX_STANDARD_ATTESTATIONS_BYTES}`,
    );
  }

  const dir = resolve(options.cwd, options.output ?? '.');
  await mkdir(dir, { recursive: true });
  const get = async (asset: ReleaseAsset): Promise<FetchedFile> => {
    progress(`downloading ${asset.name} (${asset.size} bytes)`);
    return download(client, asset, join(dir, safeName(asset.name)), options.force ?? false, options.onBytes);
  };
  const bundle = await get(bundleAsset);
  const sigstoreBundle = await get(sigstoreAsset);
  const intotoJsonl = intotoAsset ? await get(intotoAsset) : undefined;
  // NAME.sigstore.jsonl is what gh and cosign read: it stays a temporary file until it is shown to be the
  // bundle's own statements, so a foreign one never appears in the output folder (not even for a moment).
  const staged = jsonlAsset
    ? await stage(client, jsonlAsset, join(dir, safeName(jsonlAsset.name)), options, progress)
    : undefined;
  try {
    const release_ = {
      tag: release.tag_name,
      url: release.html_url,
      draft: release.draft === true,
      ...(typeof release.immutable === 'boolean' ? { immutable: release.immutable } : {}),
    };
    const result: FetchResult = {
      release: release_,
      bundle,
      sigstoreBundle,
      ...(intotoJsonl ? { intotoJsonl } : {}),
      verdict: 'downloaded',
      problems: [],
    };
    const jsonlMismatch = (message: string): void => {
      result.problems.push({ code: 'SIGSTORE_JSONL_MISMATCH', message: `${message}; it was not kept` });
    };
    if (staged && !(await firstLineIs(staged.temporary, sigstoreBundle.path)))
      jsonlMismatch(`the first line of ${staged.file.name} is not ${sigstoreBundle.name}`);
    if (intotoJsonl) {
      result.intotoMatches = await envelopesMatch(sigstoreBundle.path, intotoJsonl.path);
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
      });
      const { report } = result.verification;
      result.verdict = report.verdict === 'policy-failed' ? 'policy-failed' : report.ok ? 'verified' : 'failed';
      // After our own line, NAME.sigstore.jsonl must be the standard statements the verified bundle carries, byte for byte:
      // gh and cosign read that file, so it must not say more (or other) than the bundle.
      if (
        staged &&
        result.problems.length === 0 &&
        !(await restIs(staged.temporary, result.verification.standardBytes ?? Buffer.alloc(0)))
      ) {
        jsonlMismatch(
          `${staged.file.name}: after its first line, it is not the standard statements the bundle carries (attestations/standard.sigstore.jsonl)`,
        );
      }
      const foreign = result.problems.find((p) => p.code === 'SIGSTORE_JSONL_MISMATCH');
      if (foreign) failReport(result.verification, staged?.file.name ?? '', foreign.message);
    }
    if (staged && !result.problems.some((p) => p.code === 'SIGSTORE_JSONL_MISMATCH')) {
      await putInPlace(staged.temporary, staged.file.path, options.force ?? false);
      result.sigstoreJsonl = staged.file;
    } else if (staged && options.force) {
      // --force replaced the bundle beside it: an older NAME.sigstore.jsonl left there would now be foreign to it.
      await rm(staged.file.path, { force: true });
    }
    if (result.problems.length > 0) result.verdict = 'failed';
    return result;
  } finally {
    if (staged) {
      await rm(staged.temporary, { force: true });
      untrack(staged.temporary);
    }
  }
}

/**
 * The release's NAME.sigstore.jsonl is not the bundle's own statements: the
 * report the command prints (text and --json) fails with it, so no output
 * says "verified" while the exit code says otherwise. It is reported as the
 * standard statements' check: what gh and cosign would read beside the
 * bundle is not what the bundle carries.
 */
function failReport(verification: VerifyResult, file: string, message: string): void {
  const { report } = verification;
  report.checks.push({
    id: 'standard',
    ok: false,
    code: 'STANDARD_MISMATCH',
    message: `SIGSTORE_JSONL_MISMATCH: ${message}`,
    path: file,
  });
  report.ok = false;
  report.verdict = 'failed';
  report.assessment = assess(report, verification.manifest?.entries);
}

/** Whether the first line of a JSON-lines file is, byte for byte, the other file (its trailing newline aside). */
async function firstLineIs(jsonl: string, json: string): Promise<boolean> {
  const [lines, one] = await Promise.all([readFile(jsonl), readFile(json)]);
  const end = lines.indexOf(0x0a);
  const first = end === -1 ? lines : lines.subarray(0, end);
  const single = one.at(-1) === 0x0a ? one.subarray(0, -1) : one;
  return first.equals(single);
}

/** Whether a JSON-lines file, after its first line, is exactly `rest`. */
async function restIs(jsonl: string, rest: Buffer): Promise<boolean> {
  const lines = await readFile(jsonl);
  const end = lines.indexOf(0x0a);
  return (end === -1 ? Buffer.alloc(0) : lines.subarray(end + 1)).equals(rest);
}

function chooseBundle(assets: ReleaseAsset[], options: FetchOptions): ReleaseAsset {
  const signed = assets.filter(
    (a) =>
      BUNDLE_ASSET.test(a.name) && assets.some((s) => s.name === `${a.name.replace(BUNDLE_ASSET, '')}.sigstore.json`),
  );
  if (options.name) {
    const wanted = options.name.replace(BUNDLE_ASSET, '');
    const found = assets.find((a) => BUNDLE_ASSET.test(a.name) && a.name.replace(BUNDLE_ASSET, '') === wanted);
    if (!found)
      throw new GitHubError(
        'ASSET_MISSING',
        `release ${options.tag} of ${options.repo} has no bundle named ${options.name} (it has: ${assets.map((a) => a.name).join(', ') || 'no assets'})`,
      );
    return found;
  }
  if (signed.length === 0)
    throw new GitHubError(
      'ASSET_MISSING',
      `release ${options.tag} of ${options.repo} has no signed evidence bundle (NAME.tar.gz with NAME.sigstore.json; it has: ${assets.map((a) => a.name).join(', ') || 'no assets'})`,
    );
  if (signed.length > 1)
    throw new GitHubError(
      'ASSET_AMBIGUOUS',
      `release ${options.tag} of ${options.repo} has ${signed.length} signed bundles (${signed.map((a) => a.name).join(', ')}); choose one with --name`,
    );
  return signed[0] as ReleaseAsset;
}

/** Asset names come from the server: only a plain file name may become a path. */
function safeName(name: string): string {
  if (name !== basename(name) || name === '.' || name === '..' || name.includes('\\') || name.startsWith('.')) {
    throw new GitHubError('GITHUB_RESPONSE_INVALID', `asset name ${JSON.stringify(name)} is not a plain file name`);
  }
  return name;
}

/** An asset downloaded whole and checked against GitHub's listing, still in its temporary file beside `file.path`. */
interface Staged {
  file: FetchedFile;
  temporary: string;
}

async function stage(
  client: ReleasesClient,
  asset: ReleaseAsset,
  target: string,
  options: FetchOptions,
  progress: (m: string) => void,
): Promise<Staged> {
  progress(`downloading ${asset.name} (${asset.size} bytes)`);
  let temporary = '';
  const file = await download(client, asset, target, options.force ?? false, options.onBytes, (tmp) => {
    temporary = tmp;
  });
  return { file, temporary };
}

/**
 * Downloads an asset beside `target` and puts it in place when whole and as
 * listed; with `keep`, it is left in its temporary file (handed to `keep`,
 * still tracked for removal on a signal) for the caller to place or remove.
 */
async function download(
  client: ReleasesClient,
  asset: ReleaseAsset,
  target: string,
  force: boolean,
  onBytes?: ByteProgress,
  keep?: (temporary: string) => void,
): Promise<FetchedFile> {
  if (!force && (await exists(target)))
    throw new FileError('OUTPUT_EXISTS', `${target}: already exists (use --force to replace it)`, target);
  const temporaries: string[] = [];
  await removeStaleLeftovers(dirname(target));
  try {
    let tmp = '';
    const got = await client.download(
      asset,
      () => {
        // A new, exclusive file for each attempt: never one that something else put there.
        tmp = temporaryBeside(target);
        temporaries.push(tmp);
        return createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
      },
      onBytes,
    );
    const { sha256 } = got;
    if (got.size !== asset.size)
      throw new GitHubError(
        'ASSET_MISMATCH',
        `${asset.name}: ${got.size} bytes downloaded, GitHub lists ${asset.size}`,
      );
    if (asset.digest && asset.digest !== `sha256:${sha256}`)
      throw new GitHubError(
        'ASSET_MISMATCH',
        `${asset.name}: downloaded sha256:${sha256}, GitHub lists ${asset.digest}`,
      );
    if (keep) {
      keep(tmp);
      temporaries.splice(temporaries.indexOf(tmp), 1);
    } else await putInPlace(tmp, target, force);
    return { name: asset.name, path: target, size: got.size, sha256 };
  } finally {
    await Promise.all(temporaries.map((t) => rm(t, { force: true })));
    temporaries.forEach(untrack);
  }
}

async function envelopesMatch(sigstorePath: string, intotoPath: string): Promise<boolean> {
  try {
    const bundle = JSON.parse(await readFile(sigstorePath, 'utf8')) as { dsseEnvelope?: unknown };
    const lines = (await readFile(intotoPath, 'utf8')).split('\n').filter((l) => l.trim());
    if (lines.length !== 1 || bundle.dsseEnvelope === undefined) return false;
    return canonicalize(JSON.parse(lines[0] as string)) === canonicalize(bundle.dsseEnvelope);
  } catch {
    return false;
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
    'cwd' | 'env' | 'attestation' | 'artifacts' | 'subjectsFile' | 'subjectDigests'
  >;
  downloadOnly?: boolean;
}

export interface FetchAttestationsResult {
  file: FetchedFile;
  count: number;
  verification?: AttestationSetReport;
}

/**
 * The Sigstore bundles GitHub's attestations API keeps for an artifact's
 * digest (what `attach --attestations-api` recorded), written as JSON lines
 * and, unless downloadOnly, verified against that digest. GitHub's answer
 * proves nothing by itself: every bundle is verified as any other.
 */
export async function fetchAttestations(options: FetchAttestationsOptions): Promise<FetchAttestationsResult> {
  const env = options.env ?? {};
  if (!options.verify && !options.downloadOnly) {
    throw new VerifyError(
      'IDENTITY_POLICY_REQUIRED',
      'fetch verifies what it downloads: name the signer (--certificate-identity and --certificate-oidc-issuer, or --key), or say --download-only',
    );
  }
  if (!/^sha256:[0-9a-f]{64}$/.test(options.subjectDigest))
    throw new VerifyError(
      'INVALID_OPTION',
      `--subject-digest: '${options.subjectDigest}' is not sha256:<64 lowercase hex>`,
    );
  const { owner, repo } = parseRepo(options.repo);
  const token = env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
  const progress = options.onProgress ?? (() => undefined);
  const client = new ReleasesClient({
    owner,
    repo,
    ...(token ? { token } : {}),
    apiUrl: options.apiUrl ?? env.GITHUB_API_URL,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    onRetry: progress,
  });
  const bundles = await client.attestationsFor(options.subjectDigest);
  if (bundles.length === 0)
    throw new GitHubError(
      'GITHUB_NOT_FOUND',
      `${options.repo} has no attestation for ${options.subjectDigest}${token ? '' : ' (or it is private: set GITHUB_TOKEN or GH_TOKEN)'}`,
      { status: 404 },
    );
  const dir = resolve(options.cwd, options.output ?? '.');
  const path = join(dir, `${options.subjectDigest.replace(':', '-')}.sigstore.jsonl`);
  if (!options.force && (await exists(path)))
    throw new FileError('OUTPUT_EXISTS', `${path}: already exists (use --force to replace it)`, path);
  const bytes = Buffer.from(bundles.map((b) => `${JSON.stringify(b)}\n`).join(''));
  await mkdir(dir, { recursive: true });
  await writeFileAtomically(path, bytes);
  const file: FetchedFile = { name: basename(path), path, size: bytes.length, sha256: sha256Hex(bytes) };
  progress(`wrote ${bundles.length} attestation${bundles.length === 1 ? '' : 's'} to ${path}`);
  if (!options.verify) return { file, count: bundles.length };
  const { report } = await verifyAttestationSet({
    ...options.verify,
    cwd: options.cwd,
    env,
    attestation: path,
    subjectDigests: [{ name: options.subjectDigest, digest: options.subjectDigest }],
  });
  return { file, count: bundles.length, verification: report };
}
