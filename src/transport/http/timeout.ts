import { EvidenceError } from '../../core/error.js';
/**
 * Every request this tool makes has two time limits.
 *
 * Silence, `timeoutMs`: a server that accepts and then says nothing must not
 * hang a release job until the runner kills it. One figure bounds both how
 * long a request may wait for its answer (connecting, sending, the server
 * thinking) without any progress, and how long a body may pause between two
 * chunks. Progress (a chunk of a request body sent, the response's headers, a
 * chunk of its body) restarts the clock.
 *
 * A deadline, overall: progress does not restart it, so a server that
 * trickles a byte every two seconds is cut off too. It covers the whole
 * request, headers and body. A request with a small answer (JSON, a token, a
 * manifest, an error) gets `deadlineMs`, by default the larger of 60 s and
 * twice the silence timeout (so `--timeout` raises it); a transfer (a blob or
 * release asset, up or down) gets that plus its size at `minBytesPerSecond`
 * (256 KiB/s by default: 1 GiB may take 69 minutes), so a large transfer
 * that keeps moving at any real network's speed is never cut.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The least overall limit on a request with a small answer. */
export const DEFAULT_DEADLINE_MS = 60_000;
/** The slowest average rate a transfer is given time for. */
export const DEFAULT_MIN_BYTES_PER_SECOND = 256 * 1024;
/** setTimeout's largest delay (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface DeadlineOptions {
  /**
   * Overall limit on a request with a small answer, headers and body (default: the larger of 60 s and twice the silence
   * timeout).
   */
  deadlineMs?: number;
  /** A transfer of N bytes gets `deadlineMs` plus N at this rate (default 256 KiB/s). */
  minBytesPerSecond?: number;
}

export type NetworkTimeoutCode = 'NETWORK_TIMEOUT' | 'NETWORK_DEADLINE';

export class NetworkTimeout extends EvidenceError<NetworkTimeoutCode> {
  constructor(
    readonly server: string,
    readonly ms: number,
    phase: 'answer' | 'body' | 'deadline',
  ) {
    super(
      'NetworkTimeout',
      phase === 'deadline' ? 'NETWORK_DEADLINE' : 'NETWORK_TIMEOUT',
      phase === 'deadline'
        ? `${server} took more than ${ms / 1000} s for one request in all (headers and body; --timeout raises the limit)`
        : `${server} ${phase === 'answer' ? 'did not answer' : 'stopped sending'} for ${ms / 1000} s (--timeout)`,
    );
  }
}

/**
 * The overall limit for a request that moves `bytes` (0: a small answer),
 * under the silence timeout `timeoutMs` and the options above. Throws
 * RangeError on options that are not positive numbers.
 */
export function deadlineFor(timeoutMs: number = DEFAULT_TIMEOUT_MS, options: DeadlineOptions = {}, bytes = 0): number {
  const base = options.deadlineMs ?? Math.max(DEFAULT_DEADLINE_MS, 2 * timeoutMs);
  const rate = options.minBytesPerSecond ?? DEFAULT_MIN_BYTES_PER_SECOND;
  if (!(Number.isFinite(base) && base > 0))
    throw new RangeError(`deadlineMs must be a positive number, got ${String(options.deadlineMs)}`);
  if (!(Number.isFinite(rate) && rate > 0))
    throw new RangeError(`minBytesPerSecond must be a positive number, got ${String(options.minBytesPerSecond)}`);
  const transfer = Number.isFinite(bytes) && bytes > 0 ? Math.ceil((bytes / rate) * 1000) : 0;
  return Math.min(MAX_TIMER_MS, base + transfer);
}

/**
 * Checks deadline options once, where a client is made, so that a bad figure fails there and not at the first request.
 */
export function checkDeadlineOptions(options: DeadlineOptions): DeadlineOptions {
  deadlineFor(DEFAULT_TIMEOUT_MS, options);
  return options;
}

type Fetch = typeof fetch;

function hostOf(input: Parameters<Fetch>[0]): string {
  return new URL(typeof input === 'string' || input instanceof URL ? input : input.url).host;
}

/** Links an outer abort signal (the caller's) to our controller. */
function follow(outer: AbortSignal | null | undefined, controller: AbortController): void {
  if (!outer) return;
  if (outer.aborted) controller.abort(outer.reason);
  else outer.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
}

/**
 * `fetch`, bounded by the silence rule above, and by an overall deadline when
 * `options.deadlineMs` is given (clients that decide it per request wrap
 * their calls in `withDeadline` instead).
 */
export function timedFetch(
  timeoutMs: number = DEFAULT_TIMEOUT_MS,
  inner: Fetch = fetch,
  options: { deadlineMs?: number } = {},
): Fetch {
  const timed = silenceBounded(timeoutMs, inner);
  return options.deadlineMs === undefined ? timed : withDeadline(options.deadlineMs, timed);
}

function silenceBounded(timeoutMs: number, inner: Fetch): Fetch {
  return async (input, init) => {
    const server = hostOf(input);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let phase: 'answer' | 'body' = 'answer';
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new NetworkTimeout(server, timeoutMs, phase)), timeoutMs);
      timer.unref?.();
    };
    follow(init?.signal, controller);
    let body = init?.body;
    if (body && typeof (body as ReadableStream).getReader === 'function')
      body = progressing(body as ReadableStream<Uint8Array>, arm);
    else if (
      body &&
      typeof body !== 'string' &&
      !ArrayBuffer.isView(body) &&
      typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function'
    ) {
      // A Node stream or an async generator (octokit's uploads, the registry client's chunks): each piece sent is
      // progress.
      body = progressingIterable(body as AsyncIterable<Uint8Array>, arm);
    }
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
    const watched = progressing(
      res.body,
      arm,
      () => clearTimeout(timer),
      () => (controller.signal.reason instanceof NetworkTimeout ? controller.signal.reason : undefined),
    );
    return withBody(res, watched);
  };
}

/**
 * `inner`, cut off `ms` after the call (headers and body together) with
 * NetworkTimeout NETWORK_DEADLINE, whatever progress the server makes. The
 * cut does not rely on `inner` honouring the abort signal: a pending answer
 * is rejected and a body in flight is errored here.
 */
export function withDeadline(ms: number, inner: Fetch = fetch): Fetch {
  return async (input, init) => {
    const server = hostOf(input);
    const controller = new AbortController();
    const expired = (): NetworkTimeout | undefined => {
      const r: unknown = controller.signal.reason;
      return r instanceof NetworkTimeout && r.code === 'NETWORK_DEADLINE' ? r : undefined;
    };
    let onExpire: ((reason: NetworkTimeout) => void) | undefined;
    const timer = setTimeout(
      () => {
        const reason = new NetworkTimeout(server, ms, 'deadline');
        controller.abort(reason);
        onExpire?.(reason);
      },
      Math.min(MAX_TIMER_MS, Math.max(1, ms)),
    );
    timer.unref?.();
    follow(init?.signal, controller);

    let res: Response;
    try {
      const answer = inner(input, { ...init, signal: controller.signal });
      res = await new Promise<Response>((resolve, reject) => {
        onExpire = (reason) => {
          reject(reason);
          // An answer that still comes is not read.
          answer.then(
            (late) => late.body?.cancel().catch(() => undefined),
            () => undefined,
          );
        };
        answer.then(resolve, reject);
      });
    } catch (e) {
      clearTimeout(timer);
      throw expired() ?? e;
    }
    if (!res.body) {
      clearTimeout(timer);
      return res;
    }
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let finished = false;
    const finish = (): void => {
      finished = true;
      clearTimeout(timer);
    };
    const bounded = new ReadableStream<Uint8Array>({
      start(c) {
        onExpire = (reason) => {
          if (finished) return;
          finish();
          c.error(reason);
          reader.cancel(reason).catch(() => undefined);
        };
      },
      async pull(c) {
        try {
          const { done, value } = await reader.read();
          if (finished) return;
          if (done) {
            finish();
            c.close();
            return;
          }
          c.enqueue(value);
        } catch (e) {
          if (finished) return;
          finish();
          c.error(expired() ?? e);
        }
      },
      cancel(why) {
        finish();
        return reader.cancel(why);
      },
    });
    return withBody(res, bounded);
  };
}

/** `res` with `body` in place of its own, for every way of reading it. */
function withBody(res: Response, body: ReadableStream<Uint8Array>): Response {
  return new Proxy(res, {
    get(target, prop) {
      if (prop === 'body') return body;
      if (prop === 'text' || prop === 'json' || prop === 'arrayBuffer' || prop === 'blob' || prop === 'bytes') {
        return () => new Response(body, { status: target.status, headers: target.headers })[prop as 'text']();
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** A stream that calls `onChunk` as each chunk passes, `onEnd` when it ends; an abort surfaces as the timeout. */
function progressing(
  stream: ReadableStream<Uint8Array>,
  onChunk: () => void,
  onEnd: () => void = () => undefined,
  reason: () => Error | undefined = () => undefined,
): ReadableStream<Uint8Array> {
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

/** The same for a request body given as an async iterable: each piece handed on is progress. */
async function* progressingIterable(
  source: AsyncIterable<Uint8Array>,
  onChunk: () => void,
): AsyncGenerator<Uint8Array> {
  for await (const piece of source) {
    onChunk();
    yield piece;
  }
}
