import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { sha256Hex } from '../core/digest.js';
import { putInPlace, writeFileAtomically } from './atomic.js';
import { release, removeStaleLeftovers, temporaryBeside } from './leftovers.js';

/**
 * The audit's download cache (docs/audit.md): files by their sha256, so an
 * interrupted audit resumes without downloading again. A file appears under
 * its digest only once whole and hashed (a temporary file beside it, put in
 * place by src/fs/atomic.ts); a cached file is hashed again before it is
 * used, and dropped if it differs. Temporaries are named and swept as every
 * writer's are (src/fs/leftovers.ts): a download names a new one per attempt,
 * from a callback that cannot wait, so the folders are swept once, first.
 * `refs/` maps a source's name for a file whose digest the source does not
 * list (a GitHub Enterprise asset) to the digest it had. A registry blob,
 * stored under the digest it must have, is src/transport/oci/audit-listing.ts's
 * BlobDownloadCache.
 */
export class DownloadCache {
  readonly dir: string;
  #ready: Promise<void> | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  #prepare(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(join(this.dir, 'sha256'), { recursive: true });
      await mkdir(join(this.dir, 'refs'), { recursive: true });
      // Downloads of a run killed with SIGKILL (writes to refs/ sweep their own folder too).
      await removeStaleLeftovers(join(this.dir, 'sha256'));
      await removeStaleLeftovers(join(this.dir, 'refs'));
    })();
    return this.#ready;
  }

  pathOf(hex: string): string {
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new RangeError(`not a sha256 hex digest: ${hex}`);
    return join(this.dir, 'sha256', hex);
  }

  /**
   * The cached file with this digest (and size, when the source lists one), hashed again; undefined when absent or
   * damaged (then removed).
   */
  async get(hex: string, size?: number): Promise<string | undefined> {
    await this.#prepare();
    const path = this.pathOf(hex);
    try {
      const info = await lstat(path);
      if (!info.isFile()) return undefined;
      if (size !== undefined && info.size !== size) {
        await rm(path, { force: true });
        return undefined;
      }
    } catch {
      return undefined;
    }
    const hash = createHash('sha256');
    await pipeline(createReadStream(path), hash);
    if (hash.digest('hex') === hex) return path;
    await rm(path, { force: true });
    return undefined;
  }

  /** The digest a source's name was last stored under, if any. */
  async ref(key: string): Promise<string | undefined> {
    await this.#prepare();
    try {
      const text = (await readFile(join(this.dir, 'refs', sha256Hex(Buffer.from(key))), 'utf8')).trim();
      return /^[0-9a-f]{64}$/.test(text) ? text : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Stores what `write` writes, under the digest it turns out to have. `write`
   * gets a fresh writable for each attempt and reports the digest and size
   * it saw; the caller checks them against what the source lists.
   */
  async put(
    write: (open: () => Writable) => Promise<{ sha256: string; size: number }>,
    key?: string,
  ): Promise<{ path: string; sha256: string; size: number }> {
    await this.#prepare();
    const temporaries: string[] = [];
    try {
      let tmp = '';
      const got = await write(() => {
        tmp = temporaryBeside(join(this.dir, 'sha256', 'download'));
        temporaries.push(tmp);
        return createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
      });
      const path = this.pathOf(got.sha256);
      // Replacing a file already there is fine: the same digest is the same bytes.
      await putInPlace(tmp, path, true);
      if (key !== undefined)
        await writeFileAtomically(join(this.dir, 'refs', sha256Hex(Buffer.from(key))), Buffer.from(`${got.sha256}\n`));
      return { path, ...got };
    } finally {
      await Promise.all(temporaries.map((t) => rm(t, { force: true })));
      temporaries.forEach(release);
    }
  }
}
