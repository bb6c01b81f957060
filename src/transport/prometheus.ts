import { parseJsonShallow } from '../core/strict-json.js';
import { CollectError } from '../collector/errors.js';
import type { PromQueryData, PrometheusClient } from '../core/services.js';
import {
  DEFAULT_TIMEOUT_MS,
  NetworkTimeout,
  deadlineFor,
  timedFetch,
  withDeadline,
  type DeadlineOptions,
} from './http/timeout.js';
import { BodyTooLarge, readBounded, readErrorBody } from './http/body.js';
import { headerSecrets, redactSecrets } from '../core/redact.js';
import { withRetry, type HttpFailure } from './http/retry.js';

/**
 * Prometheus's HTTP API behind the SLO collector's PrometheusClient: instant
 * queries over POST, with timeouts, retries (5xx, network, Retry-After),
 * basic auth from the URL and headers that are sent but never recorded or
 * printed. Fails as CollectError (PROMETHEUS_UNREACHABLE, PROMETHEUS_ERROR).
 * An answer is read up to MAX_PROMETHEUS_BODY (an error's: 64 KiB), within
 * the silence timeout and an overall deadline per attempt.
 */
/** An instant query's answer (the SLO collector asks for sums: a handful of samples). */
export const MAX_PROMETHEUS_BODY = 16 * 1024 * 1024;

export interface PrometheusOptions {
  url: string;
  /** `Name: value` headers (auth). Sent, never recorded or printed. */
  headers?: string[];
  timeoutMs?: number;
  /** Overall limit per attempt, headers and body (src/transport/http/timeout.ts). */
  deadline?: DeadlineOptions;
  retries?: number;
  fetch?: typeof fetch;
}

export function prometheusClient(options: PrometheusOptions): PrometheusClient {
  let base: URL;
  try {
    base = new URL(options.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new CollectError('PROMETHEUS_UNREACHABLE', `--prometheus: '${options.url}' is not an http(s) URL`);
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const h of options.headers ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new CollectError('CONFIG_INVALID', '--prometheus-header must be "Name: value"');
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  // Credentials in the URL are sent as basic auth, and left out of the record.
  if (base.username || base.password) {
    headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
    base.username = '';
    base.password = '';
  }
  const secrets = headerSecrets(Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'accept')));
  const shown = base.toString().replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = withDeadline(deadlineFor(timeoutMs, options.deadline), timedFetch(timeoutMs, options.fetch ?? fetch));
  const retries = options.retries ?? 3;

  return {
    url: shown,
    async query(expr, time) {
      const endpoint = new URL(`${base.pathname.replace(/\/$/, '')}/api/v1/query`, base);
      const body = new URLSearchParams({ query: expr, time: (time.getTime() / 1000).toFixed(3) });
      // The last 5xx answer, kept so that its message can be shown when the retries run out.
      let busy: Response | undefined;
      const once = async (): Promise<Response> => {
        await busy?.body?.cancel();
        busy = undefined;
        const res = await doFetch(endpoint, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
        if (res.status >= 500) {
          busy = res;
          throw new ServerBusy(res);
        }
        return res;
      };
      let res: Response;
      try {
        res = await withRetry(once, classify, { retries, baseDelayMs: 250, maxDelayMs: 10_000 });
      } catch (e) {
        if (!(e instanceof ServerBusy) || !busy) {
          const why =
            e instanceof NetworkTimeout
              ? e.code === 'NETWORK_DEADLINE'
                ? e.message
                : `no answer for ${timeoutMs / 1000} s; --timeout`
              : ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
          throw new CollectError('PROMETHEUS_UNREACHABLE', `Prometheus at ${shown} cannot be reached (${why})`);
        }
        res = busy;
      }
      let bytes: Buffer;
      try {
        // A refusal's words are quoted at most 500 characters: its first 64 KiB are plenty.
        bytes = res.ok ? await readBounded(res, MAX_PROMETHEUS_BODY) : await readErrorBody(res);
      } catch (e) {
        if (e instanceof BodyTooLarge)
          throw new CollectError(
            'PROMETHEUS_ERROR',
            `Prometheus at ${shown} answered the query ${expr} with more than ${MAX_PROMETHEUS_BODY} bytes; not read`,
          );
        throw new CollectError(
          'PROMETHEUS_UNREACHABLE',
          `Prometheus at ${shown}: the answer to the query ${expr} broke off (${e instanceof NetworkTimeout ? e.message : 'the connection failed'})`,
        );
      }
      const json = parseJson(bytes) as
        { status?: string; data?: PromQueryData; error?: string; errorType?: string } | undefined;
      if (!res.ok || json?.status !== 'success' || !json.data) {
        // The server's words may echo our request, headers included: redacted, and cut short.
        const said = json?.error
          ? `${json.errorType ?? 'error'}: ${String(json.error).slice(0, 500)}`
          : `HTTP ${res.status}`;
        throw new CollectError(
          'PROMETHEUS_ERROR',
          `Prometheus at ${shown} refused the query ${expr} (${redactSecrets(said, secrets)})`,
        );
      }
      return json.data;
    },
  };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return parseJsonShallow(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A 5xx answer, thrown so that the shared loop retries it. */
class ServerBusy extends Error {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  constructor(res: Response) {
    super(`HTTP ${res.status}`);
    this.status = res.status;
    this.headers = Object.fromEntries(res.headers.entries());
  }
}

/**
 * 5xx answers (with their Retry-After) are retried, and so is every failure of fetch itself (refused, reset, silent),
 * like a 503.
 */
function classify(e: unknown): HttpFailure {
  if (e instanceof ServerBusy) return { status: e.status, headers: e.headers, message: e.message };
  return { status: 503, headers: {}, message: 'network' };
}
