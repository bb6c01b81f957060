import { EvidenceError } from '../../core/error.js';
/**
 * Every request this tool makes has a timeout: a server that accepts and then
 * says nothing must not hang a release job until the runner kills it. One
 * figure, `timeoutMs`, bounds both how long a request may wait for its answer
 * (connecting, sending, the server thinking) without any progress, and how
 * long a body may pause between two chunks. Progress (a chunk of a request
 * body sent, the response's headers, a chunk of its body) restarts the clock,
 * so a large upload or download that keeps moving is never cut.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

export class NetworkTimeout extends EvidenceError<'NETWORK_TIMEOUT'> {
  constructor(
    readonly server: string,
    readonly ms: number,
    phase: 'answer' | 'body',
  ) {
    super('NetworkTimeout', 'NETWORK_TIMEOUT', `${server} ${phase === 'answer' ? 'did not answer' : 'stopped sending'} for ${ms / 1000} s (--timeout)`);
  }
}

type Fetch = typeof fetch;

/** `fetch`, bounded by the silence rule above. */
export function timedFetch(timeoutMs: number = DEFAULT_TIMEOUT_MS, inner: Fetch = fetch): Fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const server = url.host;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let phase: 'answer' | 'body' = 'answer';
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new NetworkTimeout(server, timeoutMs, phase)), timeoutMs);
      timer.unref?.();
    };
    const outer = init?.signal;
    if (outer) {
      if (outer.aborted) controller.abort(outer.reason);
      else outer.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
    }
    let body = init?.body;
    if (body && typeof (body as ReadableStream).getReader === 'function') body = progressing(body as ReadableStream<Uint8Array>, arm);
    arm();
    let res: Response;
    try {
      res = await inner(input, { ...init, ...(body !== undefined ? { body } : {}), signal: controller.signal });
    } catch (e) {
      clearTimeout(timer);
      throw controller.signal.reason instanceof NetworkTimeout ? controller.signal.reason : e;
    }
    if (!res.body) {
      clearTimeout(timer);
      return res;
    }
    phase = 'body';
    arm();
    const watched = progressing(res.body, arm, () => clearTimeout(timer), () => (controller.signal.reason instanceof NetworkTimeout ? controller.signal.reason : undefined));
    return new Proxy(res, {
      get(target, prop) {
        if (prop === 'body') return watched;
        if (prop === 'text' || prop === 'json' || prop === 'arrayBuffer' || prop === 'blob' || prop === 'bytes') {
          return () => new Response(watched, { status: target.status, headers: target.headers })[prop as 'text']();
        }
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
}

/** A stream that calls `onChunk` as each chunk passes, `onEnd` when it ends; an abort surfaces as the timeout. */
function progressing(stream: ReadableStream<Uint8Array>, onChunk: () => void, onEnd: () => void = () => undefined, reason: () => Error | undefined = () => undefined): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          onEnd();
          c.close();
          return;
        }
        onChunk();
        c.enqueue(value);
      } catch (e) {
        onEnd();
        c.error(reason() ?? e);
      }
    },
    cancel(why) {
      onEnd();
      return reader.cancel(why);
    },
  });
}
