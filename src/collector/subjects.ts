import { hashFile } from '../fs/hash-file.js';
import type { Subject } from '../core/manifest.js';
import { inputError, statInput } from './collector.js';
import { CollectError } from './errors.js';

export interface SubjectFile {
  /** Absolute path. */
  file: string;
  /** Name recorded in the manifest. */
  name: string;
}


/**
 * Hashes release artifacts, streaming, several at a time. Memory stays at
 * `concurrency` read buffers whatever the artifacts' sizes.
 */
export async function hashSubjects(files: SubjectFile[], options: { concurrency?: number; onDone?: (s: SubjectFile) => void } = {}): Promise<Subject[]> {
  const byName = new Map<string, SubjectFile>();
  for (const f of files) {
    const other = byName.get(f.name);
    if (other && other.file !== f.file) {
      throw new CollectError('DUPLICATE_SUBJECT', `subjects ${other.file} and ${f.file} would both be named '${f.name}'`, { file: f.file });
    }
    byName.set(f.name, f);
  }
  const unique = [...byName.values()];
  const results: Subject[] = new Array(unique.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const i = next++;
      const s = unique[i] as SubjectFile;
      await statInput({ file: s.file, label: s.file });
      let hashed: { hex: { sha256: string }; size: number };
      try {
        hashed = await hashFile(s.file, ['sha256']);
      } catch (e) {
        throw inputError({ label: s.file }, e);
      }
      results[i] = { name: s.name, digest: `sha256:${hashed.hex.sha256}`, size: hashed.size };
      options.onDone?.(s);
    }
  };
  const n = Math.max(1, Math.min(options.concurrency ?? 4, unique.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
