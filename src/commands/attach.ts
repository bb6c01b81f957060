import type { ByteProgress } from '../fs/progress.js';
import { access, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitHubError, parseRepo } from '../transport/github/errors.js';
import { localAssets } from '../transport/github/local-assets.js';
import { clientFor, githubToken } from '../transport/github/client.js';
import { recordAttestations } from '../transport/github/attestations.js';
import { attachTarget, putAssets, type AttachedAsset, type LocalAsset } from '../transport/github/upload.js';
import type { RetryOptions } from '../transport/http/retry.js';
import type { Env } from '../core/env.js';

export interface AttachOptions {
  cwd: string;
  env?: Env;
  /** The signed bundle (.tar.gz); its .sigstore.json and .intoto.jsonl are beside it. */
  bundle: string;
  /** OWNER/NAME. */
  repo: string;
  tag: string;
  /** GitHub Enterprise Server: https://HOST/api/v3 (default GITHUB_API_URL, else api.github.com). */
  apiUrl?: string;
  /** Create the release when the tag has none. */
  create?: boolean;
  /** Replace assets of the same name. */
  clobber?: boolean;
  /** Leave a draft release a draft (otherwise it is published once every asset is read back). */
  keepDraft?: boolean;
  /** Attach a bundle that holds no attestation (alone, and said to be unsigned); refused otherwise (ATTACH_UNSIGNED). */
  allowUnsigned?: boolean;
  /** Attach the one-file verifier (evidence-verify.mjs) too. */
  withVerifier?: boolean;
  /** Where evidence-verify.mjs is (default: the one built beside this package). */
  verifierPath?: string;
  retry?: RetryOptions;
  /** Silence allowed before a request to GitHub fails; default 30 s. */
  timeoutMs?: number;
  onProgress?: (message: string) => void;
  /** Told of the bytes uploaded, for a progress display. */
  onBytes?: ByteProgress;
  /**
   * Also record each Sigstore bundle of NAME.sigstore.jsonl in GitHub's
   * artifact attestations API (`gh attestation verify ARTIFACT --owner O`
   * finds them online). Needs `attestations: write`.
   */
  attestationsApi?: boolean;
}

export type { AttachedAsset } from '../transport/github/upload.js';

export interface AttachResult {
  release: {
    tag: string;
    url: string;
    created: boolean;
    /** True when this run published the release (it was a draft). */
    published: boolean;
    draft: boolean;
    /** GitHub's `immutable`: its assets and tag can no longer change. */
    immutable: boolean;
  };
  /** False when the bundle holds no attestation (attached only with allowUnsigned): nothing vouches for who made it. */
  signed: boolean;
  assets: AttachedAsset[];
  /** With attestationsApi: each bundle recorded, by GitHub's id, in the order of NAME.sigstore.jsonl. */
  attestations?: { id: number; predicateType?: string }[];
}

/**
 * Attaches a signed bundle to a GitHub Release: the bundle,
 * NAME.sigstore.json and NAME.intoto.jsonl (and the one-file verifier), each
 * exactly what the bundle holds (src/transport/github/local-assets.ts); an
 * unsigned bundle only with allowUnsigned, alone. Every
 * name is checked before anything is uploaded, so a conflict leaves the
 * release as it was. Each file goes up under a temporary name and is read
 * back (size, listed digest, and the sha256 of the bytes downloaded) before
 * any final name changes; a failure removes what was uploaded. Only then are
 * old assets replaced (--clobber) and the new ones renamed.
 */
export async function attach(options: AttachOptions): Promise<AttachResult> {
  const env = options.env ?? {};
  const where = parseRepo(options.repo);
  if (!options.tag.trim()) throw new GitHubError('ATTACH_INPUT_MISSING', '--tag: must not be empty');
  const token = githubToken(env);
  if (!token)
    throw new GitHubError(
      'GITHUB_TOKEN_MISSING',
      'attach needs a token with `contents: write` in GITHUB_TOKEN or GH_TOKEN',
    );
  const progress = options.onProgress ?? (() => undefined);

  const verifier = options.withVerifier
    ? options.verifierPath
      ? resolve(options.cwd, options.verifierPath)
      : await findVerifier()
    : undefined;
  const { assets: local, signed } = await localAssets({ ...options, ...(verifier ? { verifier } : {}) });
  const client = clientFor(where, options, env, token, progress);

  const target = await attachTarget(client, options, env, local, progress);
  let { release } = target;
  const { created, before } = target;
  const assets = await putAssets(client, release, local, before, progress, options.onBytes);
  let published = false;
  if (release.draft && !options.keepDraft) {
    progress(`publishing release ${options.tag}`);
    release = await client.publishRelease(release);
    published = true;
  }
  const jsonl = options.attestationsApi ? await jsonlFor(local) : undefined;
  const attestations = jsonl ? await recordAttestations(client, jsonl.name, jsonl.bytes, progress) : undefined;
  return {
    release: {
      tag: release.tag_name,
      url: release.html_url,
      created,
      published,
      draft: release.draft === true,
      immutable: release.immutable === true,
    },
    signed,
    assets,
    ...(attestations ? { attestations } : {}),
  };
}

/** NAME.sigstore.jsonl, for GitHub's attestations API: required with attestationsApi. */
async function jsonlFor(local: LocalAsset[]): Promise<{ name: string; bytes: Buffer }> {
  const file = local.find((f) => f.name.endsWith('.sigstore.jsonl'));
  if (!file)
    throw new GitHubError(
      'ATTACH_INPUT_MISSING',
      'the attestations API needs NAME.sigstore.jsonl beside the bundle (sign it again with this version: evidence sign)',
    );
  return { name: file.name, bytes: await readFile(file.path) };
}

/**
 * dist/evidence-verify.mjs, wherever this module runs from (dist/src/commands, dist/action, or src/commands under tsx).
 */
export async function findVerifier(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, '..', 'evidence-verify.mjs'),
    join(here, '..', '..', 'evidence-verify.mjs'),
    join(here, '..', '..', 'dist', 'evidence-verify.mjs'),
  ];
  for (const c of candidates) {
    try {
      await access(c);
      return c;
    } catch {
      // next
    }
  }
  throw new GitHubError(
    'ATTACH_INPUT_MISSING',
    'evidence-verify.mjs: not found beside this package (run npm run build)',
  );
}
