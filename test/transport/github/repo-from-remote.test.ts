import { describe, expect, it } from 'vitest';
import { repoFromRemote } from '../../../src/transport/github/errors.js';

describe('repoFromRemote: OWNER/NAME from a git remote', () => {
  it('reads https, ssh and scp-like remotes on the host, with or without .git', () => {
    for (const url of [
      'https://github.com/acme/web.git',
      'https://github.com/acme/web',
      'https://x-access-token:secret@github.com/acme/web.git',
      'ssh://git@github.com/acme/web.git',
      'git@github.com:acme/web.git',
      'git@github.com:acme/web\n',
    ])
      expect(repoFromRemote(url, 'github.com'), url).toEqual({ owner: 'acme', repo: 'web' });
    expect(repoFromRemote('https://ghe.example.com/acme/web.git', 'ghe.example.com')).toEqual({
      owner: 'acme',
      repo: 'web',
    });
  });

  it('refuses another host, a path that is not OWNER/NAME, or no URL (GITHUB_REPO_INVALID), never quoting credentials', () => {
    for (const url of [
      'https://gitlab.com/acme/web.git',
      'https://github.com/acme/web/extra',
      'https://github.com/acme',
      '/srv/git/web.git',
      'not a url',
    ])
      expect(() => repoFromRemote(url, 'github.com'), url).toThrow(
        expect.objectContaining({ code: 'GITHUB_REPO_INVALID' }),
      );
    let message = '';
    try {
      repoFromRemote('https://user:hunter2@gitlab.com/acme/web.git', 'github.com');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('gitlab.com/acme/web.git');
    expect(message).not.toContain('hunter2');
  });
});
