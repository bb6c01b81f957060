import type { Transform, TransformCallback } from 'node:stream';
import { builtinModule } from './builtin.js';

/**
 * Bytes done of a long piece of work (reading, writing, uploading,
 * downloading), for whoever shows progress: `label` names the file or the
 * step, `total` is what is expected, when known.
 */
export type ByteProgress = (event: { label: string; done: number; total?: number }) => void;

/** A pass-through stream that reports the bytes that have passed. */
export function countingStream(label: string, total: number | undefined, report: ByteProgress): Transform {
  let done = 0;
  // Node's own module, taken when a stream is made (src/fs/builtin.ts): the command line's progress bar imports this file.
  const { Transform: PassThrough } = builtinModule('node:stream');
  return new PassThrough({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      done += chunk.length;
      report({ label, done, ...(total !== undefined ? { total } : {}) });
      cb(null, chunk);
    },
  });
}

/**
 * A rate over less time than this is noise: the first sample comes a moment after a read started, with a whole buffer
 * already done.
 */
export const MIN_RATE_MS = 100;
/** Below this, not even a finished piece of work has a rate worth showing (timer resolution, one buffer). */
const MIN_FINISHED_MS = 10;

/**
 * Bytes per second since a start (the work's, or the step's when a new one
 * begins), for a progress display. Undefined until MIN_RATE_MS have passed,
 * so the first sample shows no rate rather than a buffer over a millisecond;
 * work that is already whole (`done` of a known `total`) has its average.
 */
export class RateMeter {
  #at: number;
  #done: number;
  readonly #minMs: number;

  constructor(start: number, options: { minMs?: number } = {}) {
    this.#at = start;
    this.#done = 0;
    this.#minMs = options.minMs ?? MIN_RATE_MS;
  }

  /** A new step begins at `now` with `done` bytes already counted. */
  restart(now: number, done: number): void {
    this.#at = now;
    this.#done = done;
  }

  /** Bytes per second from the start to `now`, when enough time has passed to say. */
  rate(now: number, done: number, total?: number): number | undefined {
    const ms = now - this.#at;
    const finished = total !== undefined && done >= total;
    if (done < this.#done || ms < (finished ? MIN_FINISHED_MS : this.#minMs)) return undefined;
    return ((done - this.#done) * 1000) / ms;
  }
}
