import { EvidenceError } from '../../core/error.js';
import { isSecureOrLoopback } from '../../core/loopback.js';
/** Errors talking to GitHub (releases and their assets). All exit 2. */
export type GitHubErrorCode =
  | 'GITHUB_REPO_INVALID'
  | 'GITHUB_TOKEN_MISSING'
  | 'GITHUB_TOKEN_INVALID'
  | 'GITHUB_AUTH_FAILED'
  | 'GITHUB_FORBIDDEN'
  | 'GITHUB_RATE_LIMITED'
  | 'GITHUB_NOT_FOUND'
  | 'GITHUB_VALIDATION_FAILED'
  | 'GITHUB_ASSET_EXISTS'
  | 'GITHUB_UNREACHABLE'
  | 'GITHUB_REQUEST_FAILED'
  | 'GITHUB_RESPONSE_INVALID'
  /** An answer larger than this client reads (a page of releases, assets or attestations). */
  | 'GITHUB_RESPONSE_TOO_LARGE'
  | 'ASSET_MISSING'
  | 'ASSET_AMBIGUOUS'
  | 'ASSET_MISMATCH'
  | 'ATTACH_INPUT_MISSING'
  | 'ATTACH_INPUT_INVALID'
  /** A bundle that holds no attestation, attached without --allow-unsigned. */
  | 'ATTACH_UNSIGNED'
  | 'GITHUB_RELEASE_IMMUTABLE';

export class GitHubError extends EvidenceError<GitHubErrorCode> {
  /** The HTTP status GitHub answered with, when there was one. */
  readonly status: number | undefined;
  /** No `cause` on purpose: octokit's errors carry the request, headers and all. */
  constructor(code: GitHubErrorCode, message: string, options: { status?: number } = {}) {
    super('GitHubError', code, message);
    this.status = options.status;
  }
}

const OWNER_REPO = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/** `OWNER/NAME`, as GitHub spells repositories. */
export function parseRepo(text: string): { owner: string; repo: string } {
  if (!OWNER_REPO.test(text) || text.endsWith('/.') || text.endsWith('/..')) {
    throw new GitHubError('GITHUB_REPO_INVALID', `--repo ${JSON.stringify(text)}: expected OWNER/NAME (e.g. acme/web)`);
  }
  const [owner, repo] = text.split('/') as [string, string];
  return { owner, repo };
}

/** --api-url: an https URL without credentials (plain http only on loopback), without its trailing slashes. */
export function checkApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new GitHubError('GITHUB_REPO_INVALID', `--api-url ${JSON.stringify(text)}: not a URL`);
  }
  if (!isSecureOrLoopback(url)) {
    throw new GitHubError(
      'GITHUB_REPO_INVALID',
      `--api-url ${url.origin}: must be https (plain http only on loopback)`,
    );
  }
  if (url.username || url.password)
    throw new GitHubError('GITHUB_REPO_INVALID', '--api-url: must not carry credentials');
  return text.replace(/\/+$/, '');
}

/**
 * OWNER/NAME from a git remote's URL on `host` (github.com, or a GitHub Enterprise Server's host):
 * `https://HOST/O/N(.git)`, `ssh://git@HOST/O/N(.git)` or `git@HOST:O/N(.git)`. GITHUB_REPO_INVALID otherwise, naming
 * the remote without its credentials.
 */
export function repoFromRemote(url: string, host: string): { owner: string; repo: string } {
  const text = url.trim();
  const scp = /^[A-Za-z0-9._-]+@([^:/]+):(.+)$/.exec(text);
  let where: { host: string; path: string } | undefined;
  if (scp) where = { host: scp[1] as string, path: scp[2] as string };
  else {
    try {
      const u = new URL(text);
      if (['https:', 'http:', 'ssh:', 'git:'].includes(u.protocol)) where = { host: u.hostname, path: u.pathname };
    } catch {
      where = undefined;
    }
  }
  const shown = text.replace(/\/\/[^/@]*@/, '//');
  const path = where?.path
    .replace(/^\/+/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  if (!where || where.host.toLowerCase() !== host.toLowerCase() || !path || !OWNER_REPO.test(path))
    throw new GitHubError(
      'GITHUB_REPO_INVALID',
      `--github-repo remote: the remote ${JSON.stringify(shown)} is not a repository on ${host}; give --github-repo OWNER/NAME`,
    );
  return parseRepo(path);
}
