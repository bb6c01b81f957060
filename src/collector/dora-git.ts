import { CollectError } from './errors.js';
import type { Env } from '../core/env.js';
import { runGit } from './git.js';

/** The repository DORA's figures are measured in, and the environment git runs in. */
export interface Repo {
  dir: string;
  env: Env;
}

function git(repo: Repo, args: string[], stdin?: string): Promise<string> {
  return runGit(repo.dir, args, { env: repo.env, ...(stdin !== undefined ? { stdin } : {}) });
}

export async function gitHead(repo: Repo): Promise<string | null> {
  try {
    await git(repo, ['rev-parse', '--git-dir']);
  } catch (e) {
    throw new CollectError(
      'GIT_UNAVAILABLE',
      `${repo.dir} is not a git repository${e instanceof Error ? ` (${e.message.replace(/^.*?: /, '')})` : ''}`,
      { file: repo.dir, cause: e },
    );
  }
  try {
    return (await git(repo, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).trim() || null;
  } catch {
    return null; // a repository with no commits yet
  }
}

/**
 * Full sha of each name (full or short), in one `git cat-file --batch-check`;
 * missing names are absent, ambiguous ones map to `'ambiguous'` (not hex, so
 * never a sha).
 */
export async function resolveShas(repo: Repo, names: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  const text = await git(
    repo,
    ['cat-file', '--batch-check=%(objectname) %(objecttype)'],
    names.map((n) => `${n}^{commit}\n`).join(''),
  );
  const lines = text.split('\n');
  names.forEach((name, i) => {
    const line = lines[i] ?? '';
    const [oid, type] = line.split(' ');
    if (type === 'commit' && oid) out.set(name, oid);
    else if (line.endsWith(' ambiguous')) out.set(name, 'ambiguous');
  });
  return out;
}

export interface Commit {
  sha: string;
  time: number; // committer time, seconds
  parents: string[];
}

/**
 * Commits reachable from `include` and not from `exclude`, children before
 * parents, with their committer times: one `git rev-list`, whose lines are
 * `<committer time> <sha> <parent>…`.
 */
export async function listCommits(repo: Repo, include: string[], exclude: string[]): Promise<Commit[]> {
  if (include.length === 0) return [];
  const stdin = `${include.join('\n')}\n${exclude.map((s) => `^${s}\n`).join('')}`;
  const text = await git(repo, ['rev-list', '--stdin', '--topo-order', '--parents', '--timestamp'], stdin);
  const commits: Commit[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line === '') continue;
    const parts = line.split(' ');
    commits.push({ sha: parts[1] as string, time: Number(parts[0]), parents: parts.slice(2) });
  }
  return commits;
}
