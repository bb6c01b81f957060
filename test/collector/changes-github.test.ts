import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changesCollector } from '../../src/collector/changes.js';
import { collect } from '../../src/commands/collect.js';
import { changesSummarySchema, type ChangesSummary } from '../../src/core/summaries.js';
import { githubChangeHost } from '../../src/transport/github/changes.js';
import { ReleasesClient } from '../../src/transport/github/releases.js';
import { fakeGitHub, makeRepo as makeRepoIn, type FakeGitHubOptions } from '../helpers/change-repo.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const makeRepo = () => makeRepoIn(tmp);

/** The summary of v1.0.0..v1.1.0 of the test repository, with the fake GitHub's answers. */
async function collectFromGitHub(options: FakeGitHubOptions = {}): Promise<{ s: ChangesSummary; asked: string[] }> {
  const { dir, shas } = await makeRepo();
  const gh = await fakeGitHub(shas, options);
  try {
    const out = await changesCollector({
      gitDir: dir,
      range: 'v1.0.0..v1.1.0',
      host: githubChangeHost(new ReleasesClient({ owner: 'acme', repo: 'web', apiUrl: gh.url })),
    }).collect({ file: dir, label: 'r' });
    return { s: changesSummarySchema.parse(out.summary), asked: gh.asked };
  } finally {
    await gh.close();
  }
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
    const merge = (await collectFromGitHub({ lie: true })).s.changes[1];
    expect(merge).toMatchObject({ approvedByOther: null, directPush: null, host: { pullRequest: null } });
    expect(merge?.host?.problems.join()).toContain('#12');
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
    const { s: summary, asked } = await collectFromGitHub({ endlessReviews: true });
    expect(summary.changes[1]?.host?.problems.join()).toContain('the reviews of pull request #12: more than 1000');
    expect(asked.filter((a) => a.includes('/pulls/12/reviews'))).toHaveLength(10);
  });

  it('GitHub verifies each commit: the change whose commits it verified all is hostVerified, the others say why not', async () => {
    const { s } = await collectFromGitHub();
    const [docs, merge, , hotfix] = s.changes;
    expect(hotfix).toMatchObject({ hostVerified: true, host: { unverified: [] } });
    expect(docs).toMatchObject({
      hostVerified: false,
      host: { unverified: [{ commit: docs?.commit, reason: 'unsigned' }] },
    });
    // The merge commit and the commit it brought in, both unsigned.
    expect(merge?.host?.unverified.map((u) => u.commit)).toEqual(merge?.commits);
    expect(s.host?.responses.length).toBeGreaterThan(0);
  });

  it('approved by someone other than the committer of the merged head: not when the approver pushed the last commit', async () => {
    const plain = (await collectFromGitHub()).s.changes[1];
    expect(plain).toMatchObject({
      approvedByOther: true,
      approvedByOtherThanCommitter: true,
      host: { headCommitter: 'bob' },
    });
    const pushed = (await collectFromGitHub({ approverPushed: true })).s.changes[1];
    expect(pushed).toMatchObject({
      approvedByOther: true,
      approvedByOtherThanCommitter: false,
      host: { headCommitter: 'carol' },
    });
    // GitHub's web-flow committed #13's head: its author (Dave, who also approved) stands for the pusher.
    expect((await collectFromGitHub()).s.changes[2]).toMatchObject({
      approvedByOtherThanCommitter: false,
      host: { headCommitter: 'dave' },
    });
  });

  it('a force-pushed branch: the approval given before the force push is not one on the merged head', async () => {
    const merge = (await collectFromGitHub({ forcePushed: true })).s.changes[1];
    expect(merge).toMatchObject({ approvedByOther: true, approvedBeforeMerge: true, approvedOnMergedHead: false });
  });

  it('a merge queue: the required check ran on the commit that landed, not on the head, and passed there', async () => {
    const plain = (await collectFromGitHub()).s.changes[2];
    expect(plain).toMatchObject({ checksPassed: false, host: { checksOn: null } });
    const { s, asked } = await collectFromGitHub({ mergeQueue: true });
    expect(s.changes[2]).toMatchObject({ checksPassed: true, host: { checksOn: 'landed-commit' } });
    expect(asked.some((a) => a.includes(`/commits/${s.changes[2]?.commit}/check-runs`))).toBe(true);
    // The merged head's own checks were enough for #12: the landing commit was not asked.
    expect(s.changes[1]).toMatchObject({ checksPassed: true, host: { checksOn: 'merged-head' } });
    expect(asked.some((a) => a.includes(`/commits/${s.changes[1]?.commit}/check-runs`))).toBe(false);
  });

  it("the rules' bypass actors: listed when GitHub shows them, unknown (null) when it hides them", async () => {
    expect((await collectFromGitHub()).s.host?.rules.bypassActors).toEqual(['RepositoryRole 5 (always; ruleset 1)']);
    expect((await collectFromGitHub({ hiddenBypass: true })).s.host?.rules.bypassActors).toBeNull();
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
