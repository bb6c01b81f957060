import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { detectSource, redactUrl, sourceFromCi } from '../../src/collector/source.js';
import { useTmp } from '../helpers/tmp.js';

const exec = promisify(execFile);
const tmp = useTmp();

describe('source detection', () => {
  it('takes GitHub Actions variables', () => {
    expect(
      sourceFromCi({
        GITHUB_ACTIONS: 'true',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_SHA: 'a'.repeat(40),
        GITHUB_REF: 'refs/tags/v1.2.3',
      }),
    ).toEqual({
      repository: 'https://github.com/acme/app',
      commit: 'a'.repeat(40),
      ref: 'refs/tags/v1.2.3',
    });
  });

  it('takes GitLab CI variables', () => {
    expect(
      sourceFromCi({
        GITLAB_CI: 'true',
        CI_PROJECT_URL: 'https://gitlab.com/acme/app',
        CI_COMMIT_SHA: 'b'.repeat(40),
        CI_COMMIT_TAG: 'v2',
      }),
    ).toEqual({
      repository: 'https://gitlab.com/acme/app',
      commit: 'b'.repeat(40),
      ref: 'refs/tags/v2',
    });
  });

  it('reads git: commit, tag, and the remote without the token in its URL', async () => {
    const dir = await tmp();
    const git = (...args: string[]) =>
      exec('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
        cwd: dir,
      });
    await git('init', '-q', '-b', 'main');
    await writeFile(join(dir, 'f'), 'x');
    await git('add', 'f');
    await git('commit', '-q', '-m', 'c');
    await git('tag', 'v9.9.9');
    await git('remote', 'add', 'origin', 'https://x-access-token:ghs_SECRET123@github.com/acme/app.git');
    const { stdout } = await git('rev-parse', 'HEAD');
    const source = await detectSource(dir, {});
    expect(source).toEqual({
      repository: 'https://github.com/acme/app.git',
      commit: stdout.trim(),
      ref: 'refs/tags/v9.9.9',
    });
    expect(JSON.stringify(source)).not.toContain('SECRET');
  });

  it('is empty outside a repository', async () => {
    expect(await detectSource(await tmp(), {})).toEqual({});
  });

  it.each([
    ['https://user:pass@example.com/r.git', 'https://example.com/r.git'],
    ['https://token@example.com/r', 'https://example.com/r'],
    ['git@github.com:acme/app.git', 'git@github.com:acme/app.git'],
  ])('redacts %s', (url, want) => {
    expect(redactUrl(url)).toBe(want);
  });
});
