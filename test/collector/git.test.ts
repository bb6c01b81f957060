import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CollectError } from '../../src/collector/errors.js';
import { runGit } from '../../src/collector/git.js';
import { useTmp } from '../helpers/tmp.js';

const exec = promisify(execFile);
const tmp = useTmp();

async function repo(): Promise<string> {
  const dir = await tmp();
  await exec('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  return dir;
}

describe('the git runner', () => {
  it('runs git in the environment it is given, not this process’s', async () => {
    const dir = await repo();
    const probe = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'evidence.probe', GIT_CONFIG_VALUE_0: 'from-env' };
    expect((await runGit(dir, ['config', 'evidence.probe'], { env: probe })).trim()).toBe('from-env');
    // Without the variables the key is not set: git exits 1, which is GIT_UNAVAILABLE naming the directory.
    const e = await runGit(dir, ['config', 'evidence.probe'], { env: {} }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CollectError);
    expect((e as CollectError).code).toBe('GIT_UNAVAILABLE');
    expect((e as CollectError).file).toBe(dir);
  });

  it('reads the directory it is pointed at even when the environment names another repository', async () => {
    const dir = await repo();
    const other = await repo();
    await exec('git', ['config', 'evidence.which', 'this'], { cwd: dir });
    await exec('git', ['config', 'evidence.which', 'other'], { cwd: other });
    const env = { GIT_DIR: `${other}/.git`, GIT_WORK_TREE: other };
    expect((await runGit(dir, ['config', '--local', 'evidence.which'], { env })).trim()).toBe('this');
  });

  it('passes standard input and never prompts', async () => {
    const dir = await repo();
    const out = await runGit(dir, ['hash-object', '--stdin'], { env: {}, stdin: 'hello\n' });
    expect(out.trim()).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('a directory that is not a repository fails with GIT_UNAVAILABLE and git’s own reason', async () => {
    const dir = await tmp();
    const e = (await runGit(dir, ['rev-parse', '--git-dir'], { env: { GIT_CEILING_DIRECTORIES: dir } }).catch(
      (x: unknown) => x,
    )) as CollectError;
    expect(e.code).toBe('GIT_UNAVAILABLE');
    expect(e.message).toMatch(/not a git repository/);
  });
});
