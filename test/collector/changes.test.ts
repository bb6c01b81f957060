import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changesCollector } from '../../src/collector/changes.js';
import { collect } from '../../src/commands/collect.js';
import { groupChanges, parseTrailers, pullRequestOf, type CommitRecord } from '../../src/collector/changes-model.js';
import { changesSummarySchema, type ChangesSummary } from '../../src/core/summaries.js';
import { githubChangeHost } from '../../src/transport/github/changes.js';
import { ReleasesClient } from '../../src/transport/github/releases.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

interface Who {
  name: string;
  email: string;
}
const ALICE = { name: 'Alice', email: 'alice@example.com' };
const BOB = { name: 'Bob', email: 'bob@example.com' };
const DAVE = { name: 'Dave', email: 'Dave@Example.com' };
const MAINTAINER = { name: 'Maintainer', email: 'maintainer@example.com' };

/**
 * A real repository, made here:
 *
 *   init (v1.0.0) ─ docs ─────────── Merge pull request #12 ─ Fix y (#13) ─ Hotfix (SSH-signed) (v1.1.0)
 *                        └─ feature x ┘
 *
 * `feature x` is Bob's, with a Reviewed-by trailer naming Carol; `Fix y (#13)` is a squash of Dave's with a
 * Co-authored-by trailer and an Approved-by trailer naming Dave himself; the hotfix carries `Emergency: yes`.
 */
async function makeRepo(): Promise<{ dir: string; allowedSigners: string; shas: Record<string, string> }> {
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

async function collectChanges(options: Parameters<typeof changesCollector>[0]): Promise<ChangesSummary> {
  const out = await changesCollector(options).collect({ file: options.gitDir, label: options.range });
  return changesSummarySchema.parse(out.summary);
}

describe('--changes: every change a release brings, from git alone', () => {
  it('groups the range by the commits that landed on the first-parent line, with authors, trailers and signatures', async () => {
    const { dir, allowedSigners, shas } = await makeRepo();
    const s = await collectChanges({
      gitDir: dir,
      range: 'v1.0.0..v1.1.0',
      allowedSigners,
      emergencyTrailers: ['Emergency'],
    });
    expect(s.range).toEqual({ from: shas.init, to: shas.hotfix, fromRef: 'v1.0.0', toRef: 'v1.1.0', auto: false });
    expect(s.changes.map((c) => c.commit)).toEqual([shas.docs, shas.merge, shas.squash, shas.hotfix]);
    const [docs, merge, squash, hotfix] = s.changes;
    expect(merge).toMatchObject({
      via: 'merge',
      pullRequest: 12,
      commits: [shas.merge, shas.featureX],
      authors: ['bob@example.com'],
      mergedBy: 'maintainer@example.com',
      trailerApprovers: ['carol@example.com'],
      trailerApprovedByOther: true,
      signed: false,
      unsignedCommits: 2,
      emergency: false,
    });
    // Dave approving his own change is no approval by another; e-mail addresses compare without case.
    expect(squash).toMatchObject({
      via: 'commit',
      pullRequest: 13,
      authors: ['dave@example.com', 'erin@example.com'],
      trailerApprovers: ['dave@example.com'],
      trailerApprovedByOther: false,
    });
    expect(hotfix).toMatchObject({
      via: 'commit',
      pullRequest: null,
      signed: true,
      unsignedCommits: 0,
      emergency: true,
    });
    expect(docs).toMatchObject({ pullRequest: null, trailerApprovers: [], trailerApprovedByOther: false });
    // What only the code host can show was not asked: null, never false.
    for (const c of s.changes)
      expect([c.approvedByOther, c.approvedOnMergedHead, c.approvedBeforeMerge, c.checksPassed, c.directPush]).toEqual([
        null,
        null,
        null,
        null,
        null,
      ]);
    expect(s.totals).toEqual({
      changes: 4,
      commits: 5,
      pullRequests: 2,
      merges: 1,
      signedChanges: 1,
      unsignedCommits: 4,
      trailerApprovedByOther: 1,
      emergencies: 1,
    });
    // The landing commit's committer date (given here with a +01:00 offset), as a UTC instant.
    const committed = Number(execFileSync('git', ['-C', dir, 'log', '-1', '--format=%ct', shas.merge as string]));
    expect(merge?.landedAt).toBe(new Date(committed * 1000).toISOString().replace('.000Z', 'Z'));
  });

  it('without the allowed-signers file an SSH signature cannot be verified, and the change is not called signed', async () => {
    const { dir } = await makeRepo();
    const s = await collectChanges({ gitDir: dir, range: 'v1.0.0..v1.1.0' });
    expect(s.changes.at(-1)?.signed).toBe(false);
    expect(s.totals.signedChanges).toBe(0);
    expect(s.totals.emergencies).toBe(0);
  });

  it('auto: from the tag before the released commit (HEAD) up to it', async () => {
    const { dir, shas } = await makeRepo();
    const s = await collectChanges({ gitDir: dir, range: 'auto' });
    expect(s.range).toMatchObject({ from: shas.init, to: shas.hotfix, fromRef: 'v1.0.0', toRef: 'HEAD', auto: true });
    expect(s.totals.changes).toBe(4);
  });

  it('refuses a range whose ends are not commits, are not ancestors, or is no range (CHANGES_RANGE_INVALID)', async () => {
    const { dir } = await makeRepo();
    for (const range of ['v1.0.0..v9.9.9', 'v1.1.0..v1.0.0', 'v1.0.0', '..v1.1.0', 'v1.0.0..--output=x', 'nope'])
      await expect(changesCollector({ gitDir: dir, range }).collect({ file: dir, label: range })).rejects.toMatchObject(
        { code: 'CHANGES_RANGE_INVALID' },
      );
  });

  it('the CLI: a bad range is exit 2 naming it, and nothing is written', async () => {
    const { dir } = await makeRepo();
    const r = await runCli(['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--changes', 'v0..v1.1.0'], {
      cwd: dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[CHANGES_RANGE_INVALID]');
    expect(r.stderr).toContain('v0');
    await expect(readFile(join(dir, 'b.tar.gz'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the CLI: the changes are an entry, and a policy over a fact not checked fails rather than passes', async () => {
    const { dir, allowedSigners } = await makeRepo();
    const collected = await runCli(
      [
        'collect',
        '-o',
        'b.tar.gz',
        '--name',
        'a',
        '--version',
        '1.1.0',
        '--changes',
        'v1.0.0..v1.1.0',
        '--allowed-signers',
        allowedSigners,
      ],
      { cwd: dir },
    );
    expect(collected.code, collected.stderr).toBe(0);
    const policy = (expr: string): string =>
      `version: 1\nrules:\n  - name: r\n    expr: ${JSON.stringify(expr)}\n    controls: [SOC2-CC8.1]\n`;
    const verdict = async (expr: string): Promise<{ code: number; status: string | undefined }> => {
      await writeFile(join(dir, 'p.yaml'), policy(expr));
      const r = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--policy', 'p.yaml', '--json'], { cwd: dir });
      const report = JSON.parse(r.stdout) as { policy?: { rules: { status: string }[] } };
      return { code: r.code, status: report.policy?.rules[0]?.status };
    };
    expect(
      await verdict('changes.size() == 4 && changes.exists(c, c.pullRequest == 12 && c.trailerApprovedByOther)'),
    ).toEqual({ code: 0, status: 'pass' });
    // Approvals were not asked of a code host: the rule fails, it neither passes nor breaks.
    expect(await verdict('changes.all(c, c.approvedByOther && c.checksPassed)')).toEqual({ code: 3, status: 'fail' });
    expect(await verdict('changes.exists(c, c.directPush) == false')).toEqual({ code: 0, status: 'pass' });
    // The pack's form requires that a host was asked: from git alone it fails.
    expect(await verdict('changes.all(c, c.hostChecked && !c.directPush)')).toEqual({ code: 3, status: 'fail' });
    // Trailers are claims: a passing rule over changes from git alone does not show CC8.1's approvals.
    await writeFile(join(dir, 'p.yaml'), policy('changes.all(c, c.trailerApprovedByOther || c.via == "commit")'));
    const text = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--policy', 'p.yaml'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/SOC2-CC8\.1 .*partly shown/);
    expect(text.stdout).toContain('needs approval of each change by someone other than its author (change-approvals)');
  });

  it("changes-commit: the range must end at the bundle's source commit", async () => {
    const { dir, shas } = await makeRepo();
    await writeFile(join(dir, 'p.yaml'), 'version: 1\ncrossChecks: [changes-commit]\n');
    const statuses: (string | undefined)[] = [];
    for (const commit of [shas.hotfix, shas.squash]) {
      const argv = ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--changes', 'v1.0.0..v1.1.0'];
      expect((await runCli([...argv, '--source-commit', commit as string, '--force'], { cwd: dir })).code).toBe(0);
      const r = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--policy', 'p.yaml', '--json'], { cwd: dir });
      statuses.push(
        (JSON.parse(r.stdout) as { policy: { crossChecks: { status: string }[] } }).policy.crossChecks[0]?.status,
      );
    }
    expect(statuses).toEqual(['pass', 'fail']);
  });
});

describe('the pure parts', () => {
  it('finds the pull request in GitHub merge messages and squash titles only', () => {
    expect(pullRequestOf('Merge pull request #12 from acme/x')).toBe(12);
    expect(pullRequestOf('Fix y (#13)')).toBe(13);
    expect(pullRequestOf('Fix y (#13) and more')).toBeNull();
    expect(pullRequestOf('Merge branch main')).toBeNull();
    expect(pullRequestOf('Fix (#0)')).toBeNull();
  });

  it('reads trailers case-insensitively and ignores lines that are not trailers', () => {
    expect(parseTrailers('Reviewed-By: A <a@x>\nnot a trailer\nAcked-by:B')).toEqual([
      { key: 'reviewed-by', value: 'A <a@x>' },
      { key: 'acked-by', value: 'B' },
    ]);
  });

  it('gives a commit reachable from two merges to the earlier one, and leaves out commits outside the range', () => {
    const rec = (sha: string, parents: string[], subject = sha): CommitRecord => ({
      sha: sha.padEnd(40, '0'),
      parents: parents.map((p) => p.padEnd(40, '0')),
      author: { name: sha, email: `${sha}@x` },
      authoredAt: '2026-01-01T00:00:00Z',
      committer: { name: 'm', email: 'm@x' },
      committedAt: '2026-01-01T00:00:00Z',
      signature: 'none',
      signingKey: '',
      signer: '',
      subject,
      trailers: [],
    });
    // m1 merges f1; m2 merges f2, whose parent is f1 (already taken by m1); 'base' is outside the range.
    const commits = [
      rec('m2', ['m1', 'f2']),
      rec('f2', ['f1']),
      rec('m1', ['b', 'f1']),
      rec('f1', ['base']),
      rec('b', ['base']),
    ];
    const changes = groupChanges(
      commits,
      ['m2', 'm1', 'b'].map((s) => s.padEnd(40, '0')),
      { emergencyTrailers: [] },
    );
    expect(changes.map((c) => c.commits.map((s) => s.slice(0, 2)))).toEqual([['b0'], ['m1', 'f1'], ['m2', 'f2']]);
  });
});

describe("this repository's own history", () => {
  const root = new URL('../..', import.meta.url).pathname;
  const git = (args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
  const usable = ((): string | undefined => {
    try {
      if (git(['rev-parse', '--is-shallow-repository']) !== 'false') return 'a shallow clone';
      if (Number(git(['rev-list', '--count', 'HEAD'])) < 31) return 'fewer than 31 commits';
      return undefined;
    } catch {
      return 'not a git checkout';
    }
  })();
  if (usable) console.warn(`skipping the own-history check of --changes: ${usable}`);

  it.skipIf(usable !== undefined)('re-derives each field of the last 30 commits as the docs say, by hand', async () => {
    const s = await collectChanges({ gitDir: root, range: 'HEAD~30..HEAD' });
    const firstParent = git(['rev-list', '--first-parent', 'HEAD~30..HEAD']).split('\n');
    expect(s.changes.map((c) => c.commit)).toEqual([...firstParent].reverse());
    expect(s.totals.commits).toBe(Number(git(['rev-list', '--count', 'HEAD~30..HEAD'])));
    for (const c of s.changes) {
      const [ct, parents, subject, ce] = git(['log', '-1', '--format=%ct%x1f%P%x1f%s%x1f%ce', c.commit]).split('\x1f');
      expect(c.landedAt).toBe(new Date(Number(ct) * 1000).toISOString().replace('.000Z', 'Z'));
      expect(c.via).toBe((parents ?? '').split(' ').length > 1 ? 'merge' : 'commit');
      expect(c.title).toBe([...(subject ?? '')].slice(0, 200).join(''));
      expect(c.mergedBy).toBe((ce ?? '').toLowerCase());
    }
  });
});

/**
 * A GitHub REST API on 127.0.0.1 for the routes --github-repo asks, its answers shaped as GitHub's REST
 * documentation gives them (API version 2022-11-28; @octokit/fixtures records none of these routes).
 */
async function fakeGitHub(
  shas: Record<string, string>,
  options: { lie?: boolean; endlessReviews?: boolean } = {},
): Promise<{ url: string; close: () => Promise<void>; asked: string[] }> {
  const asked: string[] = [];
  const user = (login: string, type = 'User'): Record<string, unknown> => ({ login, id: login.length, type });
  const pull = (n: number, merge: string, head: string, author: string, labels: string[] = []): unknown => ({
    number: n,
    state: 'closed',
    merged_at: '2026-12-01T10:00:00Z',
    merge_commit_sha: options.lie && n === 12 ? 'f'.repeat(40) : merge,
    user: user(author),
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
    '/repos/acme/web/pulls/12/reviews': [
      { id: 1, user: user('carol'), state: 'APPROVED', commit_id: shas.featureX, submitted_at: '2026-11-30T09:00:00Z' },
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
    [`/repos/acme/web/commits/${'e'.repeat(40)}/check-runs`]: {
      total_count: 1,
      check_runs: [{ name: 'test', status: 'completed', conclusion: 'failure' }],
    },
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

describe('--changes --github-repo: how each change landed, from GitHub', () => {
  it('fills approvals, checks and direct pushes from the answers, keeps the answers by digest, and reads the rules', async () => {
    const { dir, shas } = await makeRepo();
    const gh = await fakeGitHub(shas);
    try {
      const argv = ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--changes', 'v1.0.0..v1.1.0'];
      const r = await runCli(
        [...argv, '--github-repo', 'acme/web', '--api-url', gh.url, '--emergency-label', 'hotfix'],
        {
          cwd: dir,
          env: { GITHUB_TOKEN: 'ghp_0123456789abcdefghij0123456789abcdef' },
        },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(gh.asked.every((a) => a.endsWith(' 2022-11-28'))).toBe(true);
      const x = await runCli(['extract', 'b.tar.gz', '-o', 'x', '--integrity-only'], { cwd: dir });
      expect(x.code, x.stderr).toBe(0);
      const blob = JSON.parse(await readFile(join(dir, 'x', 'changes', 'changes.json'), 'utf8')) as {
        summary: ChangesSummary;
        responses: { request: string; digest: string }[];
      };
      const s = changesSummarySchema.parse(blob.summary);
      expect(s.source).toBe('git+github');
      expect(s.host).toMatchObject({
        name: 'github',
        repository: 'acme/web',
        branch: 'main',
        rules: {
          known: true,
          requiredApprovals: 1,
          dismissStaleReviews: true,
          requiredChecks: ['test'],
          forcePushesBlocked: true,
        },
      });
      const [docs, merge, squash, hotfix] = s.changes;
      expect(docs).toMatchObject({ directPush: true, approvedByOther: false });
      expect(merge).toMatchObject({
        approvedByOther: true,
        approvedOnMergedHead: true,
        approvedBeforeMerge: true,
        checksPassed: true,
        directPush: false,
        host: { pullRequest: 12, approvers: ['carol'], problems: [] },
      });
      // Dave approved his own pull request, and its required check failed; its label marks an emergency.
      expect(squash).toMatchObject({ approvedByOther: false, checksPassed: false, directPush: false, emergency: true });
      expect(hotfix).toMatchObject({ directPush: true });
      // Every answer relied on is in the blob, by digest.
      const kept = new Set(blob.responses.map((a) => a.digest));
      for (const c of s.changes) for (const d of c.host?.responses ?? []) expect(kept.has(d)).toBe(true);
      expect(blob.responses.some((a) => a.request.startsWith('reviews of pull request #12'))).toBe(true);
      expect(JSON.stringify(blob)).not.toContain('ghp_0123456789');
    } finally {
      await gh.close();
    }
  });

  it('a pull request whose merge commit is not the one git shows is not taken as the change, and the report says so', async () => {
    const { dir, shas } = await makeRepo();
    const gh = await fakeGitHub(shas, { lie: true });
    try {
      const s = await changesCollector({
        gitDir: dir,
        range: 'v1.0.0..v1.1.0',
        host: githubChangeHost(new ReleasesClient({ owner: 'acme', repo: 'web', apiUrl: gh.url })),
      }).collect({ file: dir, label: 'r' });
      const merge = changesSummarySchema.parse(s.summary).changes[1];
      expect(merge).toMatchObject({ approvedByOther: null, directPush: null, host: { pullRequest: null } });
      expect(merge?.host?.problems.join()).toContain('#12');
    } finally {
      await gh.close();
    }
  });

  it("changes-rules-time: the branch rules must have been read within a day of the bundle's creation", async () => {
    const { dir, shas } = await makeRepo();
    const gh = await fakeGitHub(shas);
    try {
      await writeFile(join(dir, 'p.yaml'), 'version: 1\ncrossChecks: [changes-rules-time]\n');
      const statuses: (string | undefined)[] = [];
      // Created now, then created (SOURCE_DATE_EPOCH) two days before GitHub was asked.
      for (const env of [{}, { SOURCE_DATE_EPOCH: String(Math.floor(Date.now() / 1000) - 2 * 86400) }]) {
        const argv = ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--changes', 'v1.0.0..v1.1.0'];
        const c = await runCli([...argv, '--github-repo', 'acme/web', '--api-url', gh.url, '--force'], {
          cwd: dir,
          env,
        });
        expect(c.code, c.stderr).toBe(0);
        const r = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--policy', 'p.yaml', '--json'], {
          cwd: dir,
        });
        statuses.push(
          (JSON.parse(r.stdout) as { policy: { crossChecks: { status: string }[] } }).policy.crossChecks[0]?.status,
        );
      }
      expect(statuses).toEqual(['pass', 'fail']);
    } finally {
      await gh.close();
    }
  });

  it('--github-repo remote: the repository origin points at', async () => {
    const { dir, shas } = await makeRepo();
    const gh = await fakeGitHub(shas);
    try {
      execFileSync('git', ['-C', dir, 'remote', 'add', 'origin', 'http://127.0.0.1/acme/web.git']);
      const argv = ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--changes', 'v1.0.0..v1.1.0'];
      const r = await runCli([...argv, '--github-repo', 'remote', '--api-url', gh.url], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(gh.asked.some((a) => a.startsWith('GET /repos/acme/web/pulls/12/reviews'))).toBe(true);
      execFileSync('git', ['-C', dir, 'remote', 'set-url', 'origin', 'https://gitlab.com/acme/web.git']);
      const wrong = await runCli([...argv, '--github-repo', 'remote', '--api-url', gh.url, '--force'], { cwd: dir });
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('[GITHUB_REPO_INVALID]');
    } finally {
      await gh.close();
    }
  });

  it('a list longer than the cap is read to the cap, and the change says so', async () => {
    const { dir, shas } = await makeRepo();
    const gh = await fakeGitHub(shas, { endlessReviews: true });
    try {
      const s = await changesCollector({
        gitDir: dir,
        range: 'v1.0.0..v1.1.0',
        host: githubChangeHost(new ReleasesClient({ owner: 'acme', repo: 'web', apiUrl: gh.url })),
      }).collect({ file: dir, label: 'r' });
      const merge = changesSummarySchema.parse(s.summary).changes[1];
      expect(merge?.host?.problems.join()).toContain('the reviews of pull request #12: more than 1000');
      expect(gh.asked.filter((a) => a.includes('/pulls/12/reviews'))).toHaveLength(10);
    } finally {
      await gh.close();
    }
  });

  it('GitHub unreachable: GITHUB_UNREACHABLE (exit 2) naming it, nothing written', async () => {
    const { dir } = await makeRepo();
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const api = `http://127.0.0.1:${port}/api/v3`;
    const failed = await collect({
      cwd: dir,
      output: 'b.tar.gz',
      name: 'a',
      version: '1',
      changes: { git: '.', range: 'v1.0.0..v1.1.0', githubRepo: 'acme/web' },
      apiUrl: api,
      retry: { retries: 0 },
    }).catch((e: unknown) => e as { code?: string; message?: string });
    expect(failed).toMatchObject({ code: 'GITHUB_UNREACHABLE' });
    expect((failed as { message: string }).message).toContain(`127.0.0.1:${port}`);
    await expect(readFile(join(dir, 'b.tar.gz'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
