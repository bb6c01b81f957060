import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changesCollector } from '../../src/collector/changes.js';
import { groupChanges, parseTrailers, pullRequestOf, type CommitRecord } from '../../src/collector/changes-model.js';
import { changesSummarySchema, type ChangesSummary } from '../../src/core/summaries.js';
import { makeRepo as makeRepoIn } from '../helpers/change-repo.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const makeRepo = () => makeRepoIn(tmp);

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

  it("a GPG signature: good with the signer's key in the keyring git uses, unverifiable without it", async () => {
    const dir = await tmp();
    const withKey = await tmp();
    const without = await tmp();
    const gpg = (home: string, args: string[]): string =>
      execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, GNUPGHOME: home },
      });
    try {
      gpg(withKey, ['--quick-gen-key', 'Eve <eve@example.com>', 'ed25519', 'sign', 'never']);
      const git = (args: string[]): string =>
        execFileSync('git', ['-C', dir, ...args], {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH,
            HOME: dir,
            GNUPGHOME: withKey,
            GIT_CONFIG_GLOBAL: '/dev/null',
            GIT_CONFIG_NOSYSTEM: '1',
            GIT_AUTHOR_NAME: 'Eve',
            GIT_AUTHOR_EMAIL: 'eve@example.com',
            GIT_COMMITTER_NAME: 'Eve',
            GIT_COMMITTER_EMAIL: 'eve@example.com',
          },
        }).trim();
      git(['init', '-q', '-b', 'main']);
      git(['commit', '-q', '--allow-empty', '-m', 'init']);
      git(['commit', '-q', '--allow-empty', '-m', 'unsigned']);
      git(['-c', 'user.signingkey=eve@example.com', 'commit', '-q', '--allow-empty', '-S', '-m', 'signed']);
      const read = (home: string) => collectChanges({ gitDir: dir, range: 'HEAD~2..HEAD', env: { GNUPGHOME: home } });
      const good = await read(withKey);
      expect(good.changes.map((c) => c.signed)).toEqual([false, true]);
      const unknown = await read(without);
      expect(unknown.changes.map((c) => c.signed)).toEqual([false, false]);
      expect(unknown.totals.unsignedCommits).toBe(2);
    } finally {
      for (const home of [withKey, without])
        execFileSync('gpgconf', ['--kill', 'all'], { env: { PATH: process.env.PATH, GNUPGHOME: home } });
    }
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
