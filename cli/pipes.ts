/**
 * `evidence inspect big.tar.gz | head` closes the pipe early: the next write
 * fails with EPIPE, which Node turns into an unhandled 'error' event and a
 * stack trace. A closed reader is not an error of ours: stop writing quietly
 * and let the command finish with its own exit code.
 */
export function quietOnClosedPipe(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
}
