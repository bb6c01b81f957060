import { hashFilesSha256 } from '../fs/hash-pool.js';
import type { Subject } from '../core/manifest.js';
import { inputError } from './collector.js';
import { CollectError } from './errors.js';

export interface SubjectFile {
  /** Absolute path. */
  file: string;
  /** Name recorded in the manifest. */
  name: string;
}

/**
 * Hashes release artifacts on every core (fs/hash-pool.ts): small files in
 * worker threads, large ones streamed with read-ahead. Memory stays at one
 * read buffer per thread whatever the artifacts' sizes and number.
 */
export async function hashSubjects(
  files: SubjectFile[],
  options: { threads?: number; onDone?: (s: SubjectFile) => void } = {},
): Promise<Subject[]> {
  const byName = new Map<string, SubjectFile>();
  for (const f of files) {
    const other = byName.get(f.name);
    if (other && other.file !== f.file) {
      throw new CollectError(
        'DUPLICATE_SUBJECT',
        `subjects ${other.file} and ${f.file} would both be named '${f.name}'`,
        { file: f.file },
      );
    }
    byName.set(f.name, f);
  }
  const unique = [...byName.values()];
  const outcomes = await hashFilesSha256(
    unique.map((u) => u.file),
    {
      ...(options.threads ? { threads: options.threads } : {}),
      onDone: (i) => options.onDone?.(unique[i] as SubjectFile),
    },
  );
  const results: Subject[] = outcomes.map((o, i) => {
    const s = unique[i] as SubjectFile;
    if ('failure' in o) {
      if (o.failure.code === 'ENOTFILE')
        throw new CollectError('INPUT_UNREADABLE', `${s.file}: not a regular file`, { file: s.file });
      throw inputError({ label: s.file }, Object.assign(new Error(o.failure.message), { code: o.failure.code }));
    }
    // Members in canonical order (digest, name, size): canonical JSON writes the manifest without a sorted copy of each.
    return { digest: `sha256:${o.hex}`, name: s.name, size: o.size };
  });
  return results.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
