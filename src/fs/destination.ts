import { win32, type PlatformPath } from 'node:path';
import { readdir, stat } from 'node:fs/promises';

/**
 * Where a logical path lands under `root` by the rules of `path` (posix or
 * win32), or undefined unless every segment is a plain name there (not empty,
 * '.' or '..', no separator, not absolute, and on Windows no drive or stream
 * ':') and the result lies strictly inside `root`.
 */
export function destinationWithin(root: string, logicalPath: string, path: PlatformPath): string | undefined {
  const segments = logicalPath.split('/');
  const plain = (seg: string): boolean =>
    seg !== '' &&
    seg !== '.' &&
    seg !== '..' &&
    path.basename(seg) === seg &&
    !path.isAbsolute(seg) &&
    !(path === win32 && seg.includes(':'));
  if (!segments.every(plain)) return undefined;
  const base = path.resolve(root);
  const dest = path.resolve(base, ...segments);
  const rel = path.relative(base, dest);
  if (rel === '' || path.isAbsolute(rel) || rel.split(path.sep).includes('..') || dest !== path.join(base, ...segments))
    return undefined;
  return dest;
}

/** Whether `dir` is absent, or an empty directory: where a whole folder may be written. */
export async function isEmptyOrAbsent(dir: string): Promise<boolean> {
  try {
    const info = await stat(dir);
    return info.isDirectory() && (await readdir(dir)).length === 0;
  } catch {
    return true;
  }
}
