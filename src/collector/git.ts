import { execFile } from 'node:child_process';
import type { Env } from '../core/env.js';
import { CollectError } from './errors.js';

export interface GitOptions {
  /** The environment git runs in; variables that would point git at another repository are removed. */
  env: Env;
  /** Written to git's standard input, which is closed either way. */
  stdin?: string;
  /** Kill git after this long (default: no limit). */
  timeoutMs?: number;
}

/** Variables that would make `git -C DIR` read another repository than DIR. */
const REDIRECTING = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
];

/**
 * The one way evidence runs git: `git -C DIR ARGS…` in the caller's
 * environment, never prompting for credentials. Resolves to standard output;
 * fails with `GIT_UNAVAILABLE`, naming the directory, the subcommand and
 * git's last line of error output (or that git is not installed).
 */
export function runGit(dir: string, args: string[], options: GitOptions): Promise<string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined && !REDIRECTING.includes(k)) env[k] = v;
  env.GIT_TERMINAL_PROMPT = '0';
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-C', dir, ...args],
      {
        maxBuffer: 2 * 1024 * 1024 * 1024,
        encoding: 'utf8',
        env,
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      },
      (error, stdout, stderr) => {
        if (error) {
          const e = error as NodeJS.ErrnoException;
          const detail =
            e.code === 'ENOENT' ? 'git is not installed' : stderr.trim().split('\n').pop() || error.message;
          reject(
            new CollectError('GIT_UNAVAILABLE', `git -C ${dir} ${args[0] ?? ''}: ${detail}`, {
              file: dir,
              cause: error,
            }),
          );
        } else resolve(stdout);
      },
    );
    if (child.stdin) {
      child.stdin.on('error', () => {}); // git exiting early shows up in the callback
      child.stdin.end(options.stdin ?? '');
    }
  });
}
