import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

/**
 * The files a pattern names from `base`: the path itself when it is no glob
 * (whether it exists is for its reader to say), otherwise the files matching
 * it (no dotfiles, no directories), absolute and sorted; none is an empty list.
 */
export async function expandPattern(pattern: string, base: string): Promise<string[]> {
  if (!isDynamicPattern(pattern)) return [resolve(base, pattern)];
  const found = await glob(pattern, {
    cwd: base,
    absolute: true,
    onlyFiles: true,
    dot: false,
    expandDirectories: false,
  });
  return found.map((f) => resolve(f)).sort();
}

/** A bundle file, or every `*.tar.gz` under a folder (sorted). */
export async function bundleFiles(path: string): Promise<string[]> {
  return (await stat(path)).isDirectory() ? expandPattern('**/*.tar.gz', path) : [path];
}
