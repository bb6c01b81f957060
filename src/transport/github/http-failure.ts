import type { HttpFailure } from '../http/retry.js';

/**
 * How a request of src/transport/github/releases.ts failed, told apart: a
 * fetch that never reached GitHub, a non-2xx answer to a request made without
 * octokit, and octokit's own HttpError (classify). Nothing here quotes a
 * header or the token.
 */

export class FetchFailure extends Error {}

/** The Content-Length of a request body that is not a string (an upload), or 0. */
export function uploadSize(init: RequestInit | undefined): number {
  if (init?.body === undefined || init.body === null || typeof init.body === 'string') return 0;
  const headers = new Headers(init.headers);
  const length = Number(headers.get('content-length'));
  return Number.isSafeInteger(length) && length > 0 ? length : 0;
}

/** A non-2xx answer to a request made without octokit. */
export class HttpStatusFailure extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    message: string,
  ) {
    super(message);
  }
}

const NETWORK = /fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|UND_ERR/;

export function classify(e: unknown): (HttpFailure & { detail?: string; network?: boolean }) | undefined {
  if (e instanceof HttpStatusFailure) return { status: e.status, headers: e.headers, message: e.message };
  if (e instanceof FetchFailure) return { status: 503, headers: {}, message: '', network: true };
  const err = e as {
    name?: unknown;
    status?: unknown;
    response?: { headers?: Record<string, string>; data?: unknown };
    message?: unknown;
  };
  if (!err || err.name !== 'HttpError' || typeof err.status !== 'number') return undefined;
  // Octokit dresses fetch's own failures (refused connection, a bad header) as a 500 with no response: not GitHub's
  // answer. A network failure is retried like a 503; anything else (a bad header) is not.
  if (!err.response)
    return NETWORK.test(String(err.message)) ? { status: 503, headers: {}, message: '', network: true } : undefined;
  const data = err.response?.data as { message?: unknown; errors?: unknown } | undefined;
  const message = typeof data?.message === 'string' ? data.message : typeof err.message === 'string' ? err.message : '';
  const detail = data && Array.isArray(data.errors) ? jsonOrUndefined(data.errors) : undefined;
  return { status: err.status, headers: err.response?.headers ?? {}, message, ...(detail ? { detail } : {}) };
}

/** GitHub's own words in an error body: its `message`, else the text with its spaces folded. */
export function messageOf(text: string): string {
  try {
    const data = JSON.parse(text) as { message?: unknown };
    if (typeof data.message === 'string') return data.message;
  } catch {
    // not JSON
  }
  return text.replace(/\s+/g, ' ').trim();
}

export function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  return typeof cause?.code === 'string' && /^[A-Z_]+$/.test(cause.code) ? cause.code : 'network error';
}

export function resetAt(headers: Record<string, string | undefined>): string {
  const reset = Number(headers['x-ratelimit-reset']);
  return Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : '';
}

/** JSON text of a value from an answer, or undefined when it holds what JSON cannot write (a BigInt octokit parsed). */
function jsonOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
