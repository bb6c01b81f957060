import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ByteProgress } from '../../src/fs/progress.js';
import { withProgress } from '../../src/fs/progress-stream.js';

/** A stream counted for a progress display (src/fs/progress-stream.ts): no files. */

const read = async (stream: Readable): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString();
};

describe('withProgress', () => {
  it('without a listener, the stream itself', () => {
    const stream = Readable.from(['x']);
    expect(withProgress(stream, 'f', 1, undefined)).toBe(stream);
  });

  it('with one, the same bytes, each counted against the total', async () => {
    const events: Parameters<ByteProgress>[0][] = [];
    const out = withProgress(Readable.from([Buffer.from('abc'), Buffer.from('de')]), 'f', 5, (e) => events.push(e));
    expect(await read(out)).toBe('abcde');
    expect(events).toEqual([
      { label: 'f', done: 3, total: 5 },
      { label: 'f', done: 5, total: 5 },
    ]);
  });

  it("the source's error reaches the counted stream", async () => {
    const source = new PassThrough();
    const out = withProgress(source, 'f', 5, () => undefined);
    const failed = read(out);
    source.destroy(Object.assign(new Error('gone'), { code: 'EIO' }));
    await expect(failed).rejects.toMatchObject({ code: 'EIO' });
  });
});
