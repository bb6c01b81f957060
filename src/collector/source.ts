import type { Source } from '../core/manifest.js';
import { stripUndefined } from '../core/objects.js';
import type { Env } from '../core/env.js';
import { runGit } from './git.js';

/**
 * Where the release comes from: the CI's own variables first (they name what
 * the job built, even in a shallow or detached checkout), then git.
 */
export async function detectSource(cwd: string, env: Env): Promise<Source> {
  const fromCi = sourceFromCi(env);
  if (fromCi.commit) return fromCi;
  const fromGit = await sourceFromGit(cwd, env);
  return { ...fromGit, ...stripUndefined(fromCi) };
}

export function sourceFromCi(env: Env): Source {
  if (env.GITHUB_ACTIONS === 'true' || env.GITHUB_SHA) {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    return stripUndefined({
      repository: env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}` : undefined,
      commit: env.GITHUB_SHA,
      ref: env.GITHUB_REF,
    });
  }
  if (env.GITLAB_CI === 'true' || env.CI_COMMIT_SHA) {
    return stripUndefined({
      repository: env.CI_PROJECT_URL,
      commit: env.CI_COMMIT_SHA,
      ref: env.CI_COMMIT_TAG
        ? `refs/tags/${env.CI_COMMIT_TAG}`
        : env.CI_COMMIT_BRANCH
          ? `refs/heads/${env.CI_COMMIT_BRANCH}`
          : undefined,
    });
  }
  return {};
}

/** git's trimmed output, or undefined where git fails (not a repository, no tag, no remote). */
async function git(cwd: string, env: Env, args: string[]): Promise<string | undefined> {
  try {
    const out = (await runGit(cwd, args, { env, timeoutMs: 10_000 })).trim();
    return out === '' ? undefined : out;
  } catch {
    return undefined;
  }
}

export async function sourceFromGit(cwd: string, env: Env): Promise<Source> {
  const commit = await git(cwd, env, ['rev-parse', '--verify', '-q', 'HEAD']);
  if (!commit) return {};
  const [branch, tag, remote] = await Promise.all([
    git(cwd, env, ['symbolic-ref', '-q', 'HEAD']),
    git(cwd, env, ['describe', '--tags', '--exact-match', 'HEAD']),
    git(cwd, env, ['remote', 'get-url', 'origin']),
  ]);
  return stripUndefined({
    repository: remote ? redactUrl(remote) : undefined,
    commit: /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit) ? commit : undefined,
    ref: tag ? `refs/tags/${tag}` : branch,
  });
}

/**
 * A repository URL as it may be recorded: scheme, host and path only. Remote
 * URLs carry tokens in the user information (https://x-access-token:…@host/…)
 * and in query strings or fragments (?access_token=…): none of it is kept.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (
      u.protocol === 'http:' ||
      u.protocol === 'https:' ||
      u.protocol === 'ssh:' ||
      u.protocol === 'git:' ||
      u.protocol.endsWith('+ssh:') ||
      u.protocol.startsWith('git+')
    ) {
      return `${u.protocol}//${u.host}${u.pathname}`.replace(/\/$/, '');
    }
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    // scp-like `git@host:owner/repo.git`, or not a URL at all: no credentials, no query.
    return url.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1').replace(/[?#].*$/, '');
  }
}
