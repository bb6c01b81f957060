import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { hashBuffers, hashFile } from './hash-file.js';

/**
 * SHA-256 of many files on every core: a tree of release artifacts (10,000
 * small files) is bound by per-file system calls and hashing, not by the
 * disk. Worker threads open, fstat, read and hash with synchronous calls (no
 * event-loop round trip per call) into one reused buffer each; files above
 * LARGE_FILE go back to the caller's thread, which hashes them with read-ahead
 * (hash-file.ts), as a single large artifact is hashed. Memory is one buffer
 * per thread and a result per file, whatever the files' sizes.
 */
export type PoolOutcome = { hex: string; size: number } | { failure: { code: string; message: string } };

/** Below this many files the threads cost more than they save. */
const MIN_FILES_FOR_THREADS = 64;
const BATCH = 32;
/** Files over this size are hashed on the calling thread, with read-ahead. */
export const LARGE_FILE = 8 * 1024 * 1024;

// The worker's code, as a string: it runs the same from src/ under a test
// runner, from dist/, and from the bundled action (no file to find).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync, fstatSync, statSync, constants } = require('node:fs');
const { createHash, hash } = require('node:crypto');
const LARGE = ${LARGE_FILE};
const BUFFER = 1024 * 1024;
const buf = Buffer.allocUnsafeSlow(BUFFER);
// Non-blocking: opening a FIFO does not wait for a writer (fstat then refuses it); no terminal becomes this process's.
const READ = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
// A path that is no symbolic link is opened at once: a walk yields no device, FIFO or socket but through a link, which
// (ELOOP) is looked at first, so that a link in a tree to a device is refused without being opened. A device the user
// names itself is opened (non-blocking, as above) and refused by the fstat after. Where the system has no O_NOFOLLOW
// every path is looked at first.
const NOFOLLOW = constants.O_NOFOLLOW;
const notFile = { failure: { code: 'ENOTFILE', message: 'not a regular file' } };
function open(file) {
  if (NOFOLLOW !== undefined) {
    try { return openSync(file, READ | NOFOLLOW); } catch (e) { if (!e || e.code !== 'ELOOP') throw e; }
  }
  return statSync(file).isFile() ? openSync(file, READ) : undefined;
}
parentPort.on('message', (batch) => {
  const out = [];
  for (const [i, file] of batch) {
    let fd;
    try {
      fd = open(file);
      if (fd === undefined) { out.push([i, notFile]); continue; }
      const st = fstatSync(fd);
      if (!st.isFile()) { out.push([i, notFile]); continue; }
      if (st.size > LARGE) { out.push([i, { large: true }]); continue; }
      let n = readSync(fd, buf, 0, BUFFER, null);
      // A regular file's read that returns less than asked has reached its end: a file read whole in one call (most of
      // a tree's) is hashed in one call, with no read more to find the end.
      if (n === st.size && n < BUFFER) { out.push([i, { hex: hash('sha256', buf.subarray(0, n), 'hex'), size: n }]); continue; }
      const h = createHash('sha256');
      let size = 0;
      for (; n > 0; n = readSync(fd, buf, 0, BUFFER, null)) { h.update(buf.subarray(0, n)); size += n; }
      out.push([i, { hex: h.digest('hex'), size }]);
    } catch (e) {
      out.push([i, { failure: { code: e && e.code ? String(e.code) : 'EIO', message: String(e && e.message ? e.message : e) } }]);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  parentPort.postMessage(out);
});
`;

type WorkerAnswer = [number, PoolOutcome | { large: true }][];

export async function hashFilesSha256(
  files: readonly string[],
  options: { threads?: number; onDone?: (index: number) => void } = {},
): Promise<PoolOutcome[]> {
  const results: PoolOutcome[] = new Array<PoolOutcome>(files.length);
  const large: number[] = [];
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), 8, Math.ceil(files.length / BATCH)));
  if (files.length < MIN_FILES_FOR_THREADS) {
    for (let i = 0; i < files.length; i++) large.push(i);
  } else {
    let next = 0;
    const take = (): [number, string][] => {
      const batch: [number, string][] = [];
      for (; next < files.length && batch.length < BATCH; next++) batch.push([next, files[next] as string]);
      return batch;
    };
    await Promise.all(
      Array.from({ length: threads }, async () => {
        // No inherited flags: --input-type=module (or a test runner's loader) would change how the source is read.
        const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
        try {
          await new Promise<void>((resolve, reject) => {
            const feed = (): void => {
              const batch = take();
              if (batch.length === 0) resolve();
              else worker.postMessage(batch);
            };
            worker.on('message', (answer: WorkerAnswer) => {
              for (const [i, r] of answer) {
                if ('large' in r) large.push(i);
                else {
                  results[i] = r;
                  options.onDone?.(i);
                }
              }
              feed();
            });
            worker.once('error', reject);
            worker.once('exit', (code) => code !== 0 && reject(new Error(`a hashing thread stopped (exit ${code})`)));
            feed();
          });
        } finally {
          await worker.terminate();
        }
      }),
    );
  }
  // Large files (and short lists): on this thread, two at a time, each with read-ahead.
  let k = 0;
  await Promise.all(
    Array.from({ length: Math.min(2, large.length) }, async () => {
      const buffers = hashBuffers();
      while (k < large.length) {
        const i = large[k++] as number;
        try {
          if (!(await stat(files[i] as string)).isFile())
            throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
          const { size, hex } = await hashFile(files[i] as string, ['sha256'], buffers);
          results[i] = { hex: hex.sha256, size };
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          results[i] = { failure: { code: err?.code ?? 'EIO', message: err?.message ?? String(e) } };
        }
        options.onDone?.(i);
      }
    }),
  );
  return results;
}
