import { EvidenceError } from '../../core/error.js';
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
