import { PassThrough, type Readable } from 'node:stream';

/**
 * Two readers of one stream, each at its own pace; the source waits for the slower. A reader that is gone (destroyed,
 * or failed) no longer holds it back.
 */
export function tee(source: Readable): [PassThrough, PassThrough] {
  const outs = [
    new PassThrough({ highWaterMark: 1024 * 1024 }),
    new PassThrough({ highWaterMark: 1024 * 1024 }),
  ] as const;
  // A reader not attached yet when the source fails (push's upload starts after a request) must not turn the
  // failure into an uncaught event: the stream keeps its error (`errored`), which its reader's pipeline reports.
  for (const o of outs) o.on('error', () => undefined);
  source.on('data', (chunk: Buffer) => {
    const full = outs.filter((o) => !o.destroyed && !o.write(chunk));
    if (full.length === 0) return;
    source.pause();
    let waiting = full.length;
    const go = (): void => {
      if (--waiting === 0) source.resume();
    };
    for (const o of full) {
      const done = (): void => {
        o.off('drain', done);
        o.off('close', done);
        go();
      };
      o.once('drain', done);
      o.once('close', done);
    }
  });
  let ended = false;
  source.once('end', () => {
    ended = true;
    outs.forEach((o) => o.end());
  });
  source.once('error', (e) => outs.forEach((o) => o.destroy(e)));
  // Closed before its end (destroyed without an error): the readers must not wait for more.
  source.once(
    'close',
    () => ended || outs.forEach((o) => o.destroyed || o.destroy(new Error('the bundle stopped being read'))),
  );
  return [outs[0], outs[1]];
}
