import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Change evidence's test world: a real git repository made in the test, and a GitHub REST API on loopback that
 * answers for it (test/collector/changes*.test.ts).
 */

export interface Who {
  name: string;
  email: string;
}
export const ALICE = { name: 'Alice', email: 'alice@example.com' };
export const BOB = { name: 'Bob', email: 'bob@example.com' };
export const DAVE = { name: 'Dave', email: 'Dave@Example.com' };
export const MAINTAINER = { name: 'Maintainer', email: 'maintainer@example.com' };

/**
 * A real repository, made here:
 *
 *   init (v1.0.0) ─ docs ─────────── Merge pull request #12 ─ Fix y (#13) ─ Hotfix (SSH-signed) (v1.1.0)
 *                        └─ feature x ┘
 *
 * `feature x` is Bob's, with a Reviewed-by trailer naming Carol; `Fix y (#13)` is a squash of Dave's with a
 * Co-authored-by trailer and an Approved-by trailer naming Dave himself; the hotfix carries `Emergency: yes`.
 */
export async function makeRepo(
  tmp: () => Promise<string>,
): Promise<{ dir: string; allowedSigners: string; shas: Record<string, string> }> {
  const dir = await tmp();
  const keys = await tmp();
  const key = join(keys, 'signing-key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice', '-f', key]);
  const allowedSigners = join(keys, 'allowed-signers');
  await writeFile(allowedSigners, `alice@example.com ${(await readFile(`${key}.pub`, 'utf8')).trim()}\n`);
  let tick = Date.parse('2026-11-01T10:00:00Z') / 1000;
  const git = (args: string[], who: Who = ALICE, committer: Who = who): string =>
    execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: who.name,
        GIT_AUTHOR_EMAIL: who.email,
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_AUTHOR_DATE: `@${tick} +0100`,
        GIT_COMMITTER_DATE: `@${(tick += 3600)} +0100`,
      },
    }).trim();
  const commit = async (file: string, message: string, who: Who, config: string[] = []): Promise<string> => {
    await writeFile(join(dir, file), `${message}\n`);
    git(['add', file], who);
    git([...config, 'commit', '-q', ...(config.length ? ['-S'] : []), '-m', message], who);
    return git(['rev-parse', 'HEAD'], who);
  };
  git(['init', '-q', '-b', 'main']);
  const shas: Record<string, string> = {};
  shas.init = await commit('a.txt', 'init', ALICE);
  git(['tag', 'v1.0.0']);
  shas.docs = await commit('docs.txt', 'docs', ALICE);
  git(['checkout', '-q', '-b', 'feature-x'], BOB);
  shas.featureX = await commit('x.txt', 'feature x\n\nReviewed-by: Carol <carol@example.com>', BOB);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--no-ff', 'feature-x', '-m', 'Merge pull request #12 from acme/feature-x'], MAINTAINER);
  shas.merge = git(['rev-parse', 'HEAD']);
  shas.squash = await commit(
    'y.txt',
    'Fix y (#13)\n\nCo-authored-by: Erin <erin@example.com>\nApproved-by: Dave <dave@example.com>',
    DAVE,
  );
  shas.hotfix = await commit('z.txt', 'Hotfix\n\nEmergency: yes', ALICE, [
    '-c',
    'gpg.format=ssh',
    '-c',
    `user.signingkey=${key}`,
  ]);
  git(['tag', 'v1.1.0']);
  return { dir, allowedSigners, shas };
}

export interface FakeGitHubOptions {
  /** Pull request #12 says it merged as another commit than git shows. */
  lie?: boolean;
  /** Pull request #12's reviews never end: every page full. */
  endlessReviews?: boolean;
  /** Carol approved #12 on a head that was force-pushed away; the merged head got only a comment. */
  forcePushed?: boolean;
  /** Carol committed #12's last commit herself, then approved. */
  approverPushed?: boolean;
  /** #13 went through a merge queue: nothing ran on its head, the required check passed on the commit that landed. */
  mergeQueue?: boolean;
  /** The ruleset's bypass actors are not shown (a token that may not edit it). */
  hiddenBypass?: boolean;
}

/**
 * A GitHub REST API on 127.0.0.1 for the routes --github-repo asks, its answers shaped as GitHub's REST
 * documentation gives them (API version 2022-11-28; @octokit/fixtures records none of these routes).
 */
export async function fakeGitHub(
  shas: Record<string, string>,
  options: FakeGitHubOptions = {},
): Promise<{ url: string; close: () => Promise<void>; asked: string[] }> {
  const asked: string[] = [];
  const user = (login: string, type = 'User'): Record<string, unknown> => ({ login, id: login.length, type });
  const commit = (sha: string, author: string, committer: string, verified: boolean): unknown => ({
    sha,
    commit: { verification: { verified, reason: verified ? 'valid' : 'unsigned', signature: null, payload: null } },
    author: user(author),
    committer: user(committer),
    parents: [],
  });
  const pull = (n: number, merge: string, head: string, author: string, labels: string[] = []): unknown => ({
    number: n,
    state: 'closed',
    merged_at: '2026-12-01T10:00:00Z',
    merge_commit_sha: options.lie && n === 12 ? 'f'.repeat(40) : merge,
    user: user(author),
    merged_by: options.mergeQueue && n === 13 ? user('github-merge-queue[bot]', 'Bot') : user('maintainer'),
    head: { sha: head, ref: `pr-${n}` },
    base: { ref: 'main' },
    labels: labels.map((name) => ({ name })),
  });
  const routes: Record<string, unknown> = {
    '/repos/acme/web': { full_name: 'acme/web', default_branch: 'main' },
    '/repos/acme/web/rules/branches/main': [
      {
        type: 'pull_request',
        ruleset_id: 1,
        parameters: {
          required_approving_review_count: 1,
          dismiss_stale_reviews_on_push: true,
          require_last_push_approval: false,
        },
      },
      { type: 'required_status_checks', ruleset_id: 1, parameters: { required_status_checks: [{ context: 'test' }] } },
      { type: 'non_fast_forward', ruleset_id: 1 },
    ],
    [`/repos/acme/web/commits/${shas.merge}/pulls`]: [pull(12, shas.merge as string, shas.featureX as string, 'bob')],
    [`/repos/acme/web/commits/${shas.squash}/pulls`]: [
      pull(13, shas.squash as string, 'e'.repeat(40), 'dave', ['hotfix']),
    ],
    '/repos/acme/web/rulesets/1': {
      id: 1,
      name: 'main',
      target: 'branch',
      enforcement: 'active',
      ...(options.hiddenBypass
        ? {}
        : { bypass_actors: [{ actor_id: 5, actor_type: 'RepositoryRole', bypass_mode: 'always' }] }),
    },
    // Newest first, as GET /repos/{o}/{r}/commits lists a branch; GitHub verified the SSH-signed hotfix only.
    '/repos/acme/web/commits': ['hotfix', 'squash', 'merge', 'featureX', 'docs', 'init'].map((k) =>
      commit(shas[k] as string, 'alice', 'alice', k === 'hotfix'),
    ),
    '/repos/acme/web/pulls/12/commits': [
      commit(shas.featureX as string, 'bob', options.approverPushed ? 'carol' : 'bob', false),
    ],
    '/repos/acme/web/pulls/13/commits': [commit('e'.repeat(40), 'dave', 'web-flow', true)],
    '/repos/acme/web/pulls/12/reviews': [
      options.forcePushed
        ? {
            id: 1,
            user: user('carol'),
            state: 'APPROVED',
            commit_id: 'c'.repeat(40),
            submitted_at: '2026-11-29T09:00:00Z',
          }
        : {
            id: 1,
            user: user('carol'),
            state: 'APPROVED',
            commit_id: shas.featureX,
            submitted_at: '2026-11-30T09:00:00Z',
          },
      ...(options.forcePushed
        ? [
            {
              id: 9,
              user: user('frank'),
              state: 'COMMENTED',
              commit_id: shas.featureX,
              submitted_at: '2026-11-30T09:30:00Z',
            },
          ]
        : []),
      {
        id: 2,
        user: user('dependabot[bot]', 'Bot'),
        state: 'APPROVED',
        commit_id: shas.featureX,
        submitted_at: '2026-11-30T09:00:00Z',
      },
    ],
    '/repos/acme/web/pulls/13/reviews': [
      { id: 3, user: user('dave'), state: 'APPROVED', commit_id: 'e'.repeat(40), submitted_at: '2026-11-30T09:00:00Z' },
    ],
    [`/repos/acme/web/commits/${shas.featureX}/check-runs`]: {
      total_count: 1,
      check_runs: [{ name: 'test', status: 'completed', conclusion: 'success' }],
    },
    [`/repos/acme/web/commits/${'e'.repeat(40)}/check-runs`]: options.mergeQueue
      ? { total_count: 0, check_runs: [] }
      : { total_count: 1, check_runs: [{ name: 'test', status: 'completed', conclusion: 'failure' }] },
    ...(options.mergeQueue
      ? {
          [`/repos/acme/web/commits/${shas.squash}/check-runs`]: {
            total_count: 1,
            check_runs: [{ name: 'test', status: 'completed', conclusion: 'success' }],
          },
        }
      : {}),
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/api\/v3/, '');
    asked.push(`${req.method} ${path} ${String(req.headers['x-github-api-version'])}`);
    let body: unknown = routes[path];
    // A pull request whose reviews never end: every page full.
    if (options.endlessReviews && path.endsWith('/pulls/12/reviews'))
      body = Array.from({ length: 100 }, (_, i) => ({
        id: i,
        user: user(`r${i}`),
        state: 'COMMENTED',
        commit_id: shas.featureX,
        submitted_at: '2026-11-30T09:00:00Z',
      }));
    if (body === undefined && /\/commits\/[0-9a-f]+\/pulls$/.test(path)) body = [];
    if (body === undefined && /\/commits\/[0-9a-f]+\/check-runs$/.test(path)) body = { total_count: 0, check_runs: [] };
    if (body === undefined && /\/commits\/[0-9a-f]+\/status$/.test(path))
      body = { state: 'pending', statuses: [], total_count: 0 };
    res.setHeader('content-type', 'application/json');
    if (body === undefined) {
      res.statusCode = 404;
      res.end(JSON.stringify({ message: path.endsWith('/protection') ? 'Branch not protected' : 'Not Found' }));
      return;
    }
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v3`,
    asked,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
