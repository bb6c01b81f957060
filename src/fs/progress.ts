import { Transform, type TransformCallback } from 'node:stream';

/**
 * Bytes done of a long piece of work (reading, writing, uploading,
 * downloading), for whoever shows progress: `label` names the file or the
 * step, `total` is what is expected, when known.
 */
export type ByteProgress = (event: { label: string; done: number; total?: number }) => void;

/** A pass-through stream that reports the bytes that have passed. */
export function countingStream(label: string, total: number | undefined, report: ByteProgress): Transform {
  let done = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      done += chunk.length;
      report({ label, done, ...(total !== undefined ? { total } : {}) });
      cb(null, chunk);
    },
  });
}
