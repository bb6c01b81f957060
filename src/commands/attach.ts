import { countingStream, type ByteProgress } from '../fs/progress.js';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashFile } from '../fs/hash-file.js';
import { parseJsonStrict } from '../core/strict-json.js';
import { bundleLines, dsseContent } from '../formats/intoto.js';
import { GitHubError, parseRepo } from '../transport/github/errors.js';
import { ReleasesClient, type Release, type ReleaseAsset } from '../transport/github/releases.js';
import type { RetryOptions } from '../transport/http/retry.js';
import { requireIntegrity } from '../verifier/verify-bundle.js';
import { exists } from '../fs/atomic.js';
import { openBundle } from './open-bundle.js';
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

export interface AttachedAsset {
  name: string;
  size: number;
  sha256: string;
  /** 'replaced' when an asset of that name was there and --clobber was given. */
  action: 'uploaded' | 'replaced';
  url: string;
}

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
  assets: AttachedAsset[];
  /** With attestationsApi: each bundle recorded, by GitHub's id, in the order of NAME.sigstore.jsonl. */
  attestations?: { id: number; predicateType?: string }[];
}

interface LocalAsset {
  name: string;
  path: string;
  contentType: string;
  size: number;
  sha256: string;
}

/**
 * Attaches a signed bundle to a GitHub Release: the bundle,
 * NAME.sigstore.json and NAME.intoto.jsonl (and the one-file verifier). Every
 * name is checked before anything is uploaded, so a conflict leaves the
 * release as it was. Each file goes up under a temporary name and is read
 * back (size, listed digest, and the sha256 of the bytes downloaded) before
 * any final name changes; a failure removes what was uploaded. Only then are
 * old assets replaced (--clobber) and the new ones renamed.
 */
export async function attach(options: AttachOptions): Promise<AttachResult> {
  const env = options.env ?? {};
  const { owner, repo } = parseRepo(options.repo);
  if (!options.tag.trim()) throw new GitHubError('ATTACH_INPUT_MISSING', '--tag: must not be empty');
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (!token)
    throw new GitHubError(
      'GITHUB_TOKEN_MISSING',
      'attach needs a token with `contents: write` in GITHUB_TOKEN or GH_TOKEN',
    );
  const progress = options.onProgress ?? (() => undefined);

  const local = await localAssets(options);
  const client = new ReleasesClient({
    owner,
    repo,
    token,
    apiUrl: options.apiUrl ?? env.GITHUB_API_URL,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    onRetry: progress,
  });

  let release = await client.releaseByTag(options.tag);
  let created = false;
  // Immutable releases (GitHub): once published, no asset may be added,
  // replaced or removed. Said before anything is uploaded, with what to do.
  if (release && !release.draft && release.immutable) {
    throw new GitHubError(
      'GITHUB_RELEASE_IMMUTABLE',
      `release ${options.tag} of ${options.repo} is published and immutable: its assets cannot change. Attach to a draft instead: create the release as a draft (gh release create ${options.tag} --draft, or let evidence attach --create make one), attach, and it is published after every asset is read back`,
      { status: 422 },
    );
  }
  if (!release) {
    if (!options.create)
      throw new GitHubError(
        'GITHUB_NOT_FOUND',
        `${options.repo} has no release for tag ${options.tag} (use --create to make one)`,
        { status: 404 },
      );
    // As a draft, published only once every asset is up and read back: what
    // immutable releases require, and atomic for the others.
    progress(`creating release ${options.tag} as a draft`);
    release = await client.createRelease(options.tag, {
      draft: true,
      ...(env.GITHUB_SHA ? { targetCommitish: env.GITHUB_SHA } : {}),
    });
    created = true;
  }

  const before = await client.listAssets(release);
  const clashes = local.filter((a) => before.some((b) => b.name === a.name));
  if (clashes.length > 0 && !options.clobber) {
    throw new GitHubError(
      'GITHUB_ASSET_EXISTS',
      `release ${options.tag} of ${options.repo} already has ${clashes.map((c) => c.name).join(', ')} (use --clobber to replace)`,
      { status: 422 },
    );
  }

  // Every file goes up under a temporary name and is read back before any
  // final name changes: a failure on the way leaves the release as it was.
  const staged: Array<{ file: LocalAsset; asset: ReleaseAsset }> = [];
  try {
    for (const file of local) {
      const temporary = `${file.name}.partial-${randomBytes(4).toString('hex')}`;
      staged.push({ file, asset: await upload(client, release, file, temporary, progress, options.onBytes) });
    }
    await readBack(client, release, staged, progress);
  } catch (e) {
    for (const { asset } of staged) await client.deleteAsset(asset).catch(() => undefined);
    throw e;
  }

  const assets: AttachedAsset[] = [];
  let done = 0;
  try {
    for (const { file, asset } of staged) {
      const old = before.find((b) => b.name === file.name);
      if (old) {
        progress(`replacing ${file.name}`);
        await client.deleteAsset(old);
      }
      const renamed = await client.renameAsset(asset, file.name);
      if (renamed.name !== file.name || renamed.size !== file.size)
        throw new GitHubError(
          'ASSET_MISMATCH',
          `${file.name}: after the rename GitHub has ${renamed.name} with ${renamed.size} bytes`,
        );
      done++;
      assets.push({
        name: file.name,
        size: file.size,
        sha256: file.sha256,
        action: old ? 'replaced' : 'uploaded',
        url: renamed.browser_download_url,
      });
    }
  } catch (e) {
    for (const { asset } of staged.slice(done)) await client.deleteAsset(asset).catch(() => undefined);
    throw e;
  }
  let published = false;
  if (release.draft && !options.keepDraft) {
    progress(`publishing release ${options.tag}`);
    release = await client.publishRelease(release);
    published = true;
  }
  const attestations = options.attestationsApi ? await recordAttestations(client, local, progress) : undefined;
  return {
    release: {
      tag: release.tag_name,
      url: release.html_url,
      created,
      published,
      draft: release.draft === true,
      immutable: release.immutable === true,
    },
    assets,
    ...(attestations ? { attestations } : {}),
  };
}

/** Each line of NAME.sigstore.jsonl, posted to GitHub's attestations API, in order. */
async function recordAttestations(
  client: ReleasesClient,
  local: LocalAsset[],
  progress: (m: string) => void,
): Promise<{ id: number; predicateType?: string }[]> {
  const file = local.find((f) => f.name.endsWith('.sigstore.jsonl'));
  if (!file)
    throw new GitHubError(
      'ATTACH_INPUT_MISSING',
      'the attestations API needs NAME.sigstore.jsonl beside the bundle (sign it again with this version: evidence sign)',
    );
  const lines = bundleLines(await readFile(file.path));
  const out: { id: number; predicateType?: string }[] = [];
  for (const [i, line] of lines.entries()) {
    let bundle: unknown;
    try {
      bundle = parseJsonStrict(line);
    } catch (e) {
      throw new GitHubError(
        'ATTACH_INPUT_INVALID',
        `${file.name}: line ${i + 1} is not valid JSON (${(e as Error).message})`,
      );
    }
    const predicateType = dsseContent(line)?.predicateType;
    progress(`recording attestation ${i + 1} of ${lines.length}${predicateType ? ` (${predicateType})` : ''}`);
    const { id } = await client.createAttestation(bundle);
    out.push({ id, ...(predicateType ? { predicateType } : {}) });
  }
  return out;
}

async function upload(
  client: ReleasesClient,
  release: Release,
  file: LocalAsset,
  name: string,
  progress: (m: string) => void,
  onBytes?: ByteProgress,
): Promise<ReleaseAsset> {
  progress(`uploading ${name} (${file.size} bytes)`);
  const open = (): ReturnType<typeof createReadStream> => {
    const stream = createReadStream(file.path);
    if (!onBytes) return stream;
    const counted = countingStream(file.name, file.size, onBytes);
    stream.on('error', (e) => counted.destroy(e));
    return stream.pipe(counted) as unknown as ReturnType<typeof createReadStream>;
  };
  const asset = await client.uploadAsset(release, name, file.size, file.contentType, open);
  if (asset.size !== file.size)
    throw new GitHubError('ASSET_MISMATCH', `${name}: GitHub stored ${asset.size} bytes of the ${file.size} uploaded`);
  return asset;
}

async function readBack(
  client: ReleasesClient,
  release: Release,
  staged: Array<{ file: LocalAsset; asset: ReleaseAsset }>,
  progress: (m: string) => void,
): Promise<void> {
  const listed = await client.listAssets(release);
  for (const { file, asset: uploaded } of staged) {
    const asset = listed.find((a) => a.id === uploaded.id);
    if (!asset) throw new GitHubError('ASSET_MISMATCH', `${file.name}: the uploaded asset is not on the release`);
    if (asset.size !== file.size)
      throw new GitHubError(
        'ASSET_MISMATCH',
        `${file.name}: GitHub lists ${asset.size} bytes, ${file.size} were uploaded`,
      );
    if (asset.state !== undefined && asset.state !== 'uploaded')
      throw new GitHubError('ASSET_MISMATCH', `${file.name}: GitHub says the upload is ${asset.state}, not uploaded`);
    if (asset.digest && asset.digest !== `sha256:${file.sha256}`)
      throw new GitHubError(
        'ASSET_MISMATCH',
        `${file.name}: GitHub lists digest ${asset.digest}, the file is sha256:${file.sha256}`,
      );
    progress(`reading back ${file.name}`);
    const read = await client.download(asset);
    if (read.size !== file.size || read.sha256 !== file.sha256) {
      throw new GitHubError(
        'ASSET_MISMATCH',
        `${file.name}: read back ${read.size} bytes with sha256 ${read.sha256}; uploaded ${file.size} bytes with sha256 ${file.sha256}`,
      );
    }
  }
}

async function localAssets(options: AttachOptions): Promise<LocalAsset[]> {
  const bundlePath = resolve(options.cwd, options.bundle);
  if (!/\.(tar\.gz|tgz)$/.test(bundlePath))
    throw new GitHubError('ATTACH_INPUT_MISSING', `${options.bundle}: expected a bundle named *.tar.gz or *.tgz`);
  const stem = join(dirname(bundlePath), basename(bundlePath).replace(/\.(tar\.gz|tgz)$/, ''));
  const files: Array<{ path: string; label: string; contentType: string; hint: string }> = [
    { path: bundlePath, label: options.bundle, contentType: 'application/gzip', hint: 'no such file' },
    {
      path: `${stem}.sigstore.json`,
      label: `${basename(stem)}.sigstore.json`,
      contentType: 'application/json',
      hint: 'not beside the bundle (sign it first: evidence sign, or collect --sign)',
    },
    {
      path: `${stem}.intoto.jsonl`,
      label: `${basename(stem)}.intoto.jsonl`,
      contentType: 'application/jsonl',
      hint: 'not beside the bundle (sign it first: evidence sign, or collect --sign)',
    },
  ];
  // Every Sigstore bundle of the signing, one per line (gh attestation verify --bundle); absent for bundles signed before it existed.
  if (options.attestationsApi || (await exists(`${stem}.sigstore.jsonl`))) {
    files.push({
      path: `${stem}.sigstore.jsonl`,
      label: `${basename(stem)}.sigstore.jsonl`,
      contentType: 'application/jsonl',
      hint: 'not beside the bundle (sign it again with this version: evidence sign)',
    });
  }
  if (options.withVerifier) {
    const verifier = options.verifierPath ? resolve(options.cwd, options.verifierPath) : await findVerifier();
    files.push({
      path: verifier,
      label: 'evidence-verify.mjs',
      contentType: 'text/javascript',
      hint: 'not found (run npm run build)',
    });
  }
  for (const f of files) {
    if (!(await exists(f.path))) throw new GitHubError('ATTACH_INPUT_MISSING', `${f.label}: ${f.hint}`);
  }
  // Publishing a bundle that doesn't verify helps nobody; checked before anything is uploaded.
  const { stream } = await openBundle(options.cwd, options.bundle);
  const { contents } = await requireIntegrity(stream, options.bundle, 'not attached');
  // The detached copies must be the bundle's own attestations: a release must not carry one thing inside and another beside.
  const inside = contents.attestationBytes;
  if (inside && !(await readFile(`${stem}.sigstore.json`)).equals(inside)) {
    throw new GitHubError(
      'ATTACH_INPUT_INVALID',
      `${basename(stem)}.sigstore.json is not the attestation inside ${options.bundle} (sign again to write both)`,
    );
  }
  const jsonl = files.find((f) => f.path.endsWith('.sigstore.jsonl'));
  if (
    jsonl &&
    inside &&
    !(await readFile(jsonl.path)).equals(Buffer.concat([inside, contents.standardBytes ?? Buffer.alloc(0)]))
  ) {
    throw new GitHubError(
      'ATTACH_INPUT_INVALID',
      `${basename(stem)}.sigstore.jsonl is not the attestations inside ${options.bundle} (sign again to write both)`,
    );
  }
  const out: LocalAsset[] = [];
  for (const f of files) {
    const { size, hex } = await hashFile(f.path, ['sha256']);
    out.push({ name: basename(f.path), path: f.path, contentType: f.contentType, size, sha256: hex.sha256 });
  }
  return out;
}

/** dist/evidence-verify.mjs, wherever this module runs from (dist/src/commands, dist/action, or src/commands under tsx). */
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
