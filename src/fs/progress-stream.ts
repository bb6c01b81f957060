import type { Readable } from 'node:stream';
import { countingStream, type ByteProgress } from './progress.js';

/** The stream, counted for a progress display when one is listening. */
export function withProgress(
  stream: Readable,
  label: string,
  total: number,
  onBytes: ByteProgress | undefined,
): Readable {
  if (!onBytes) return stream;
  const counted = countingStream(label, total, onBytes);
  stream.on('error', (e: Error) => counted.destroy(e));
  return stream.pipe(counted);
}
