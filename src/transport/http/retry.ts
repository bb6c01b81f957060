/**
 * The one retry loop of every HTTP client here (GitHub, Prometheus).
 * @octokit/plugin-retry and plugin-throttling do this for JSON calls, but
 * cannot replay a streamed upload body; one small loop that re-runs the whole
 * call (re-opening the file) serves both, and any other client.
 */
export interface RetryOptions {
  /** Attempts after the first (default 4). */
  retries?: number;
  /** First back-off; doubles each time (default 1 s). */
  baseDelayMs?: number;
  /** The longest wait a Retry-After may ask for before we give up (default 60 s). */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface HttpFailure {
  status: number;
  headers: Record<string, string | undefined>;
  message: string;
}

export type RetryDecision = { retry: false } | { retry: true; delayMs?: number };

/** 5xx, 429, and a 403 that asks to retry after (GitHub's secondary rate limit, which may only say so in words). */
export function shouldRetry(failure: HttpFailure): RetryDecision {
  const { status, headers } = failure;
  const after = retryAfterMs(headers);
  if (status >= 500) return after === undefined ? { retry: true } : { retry: true, delayMs: after };
  if (status === 429 || (status === 403 && (after !== undefined || /secondary rate limit/i.test(failure.message)))) {
    return { retry: true, delayMs: after ?? 60_000 };
  }
  return { retry: false };
}

function retryAfterMs(headers: Record<string, string | undefined>): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export async function withRetry<T>(
  call: () => Promise<T>,
  classify: (error: unknown) => HttpFailure | undefined,
  options: RetryOptions = {},
  onRetry?: (failure: HttpFailure, attempt: number, delayMs: number) => void,
): Promise<T> {
  const retries = options.retries ?? 4;
  const base = options.baseDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const failure = classify(e);
      if (!failure || attempt >= retries) throw e;
      const decision = shouldRetry(failure);
      if (!decision.retry) throw e;
      const wanted = decision.delayMs ?? base * 2 ** attempt;
      if (wanted > maxDelay) throw e;
      onRetry?.(failure, attempt + 1, wanted);
      await sleep(wanted);
    }
  }
}
