import { z } from 'zod';

/** Token responses and error bodies are small; anything bigger is not read. */
export const MAX_SMALL_BODY = 64 * 1024;

/** Why a bounded read stopped: the body was larger than allowed. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`response body larger than ${limit} bytes`);
  }
}

/** Discards a response's body without reading it. */
export async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // already closed
  }
}

/**
 * Reads a response body of at most `limit` bytes: Content-Length is checked
 * first, then the bytes as they arrive. Throws BodyTooLarge (and cancels the
 * body) when there is more.
 */
export async function readBounded(res: Response, limit: number): Promise<Buffer> {
  const declared = res.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) {
    await discard(res);
    throw new BodyTooLarge(limit);
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge(limit);
    }
    parts.push(value);
  }
  return Buffer.concat(parts, total);
}

/** Reads at most `limit` bytes of an error body and drops the rest; never throws. */
export async function readErrorBody(res: Response, limit = MAX_SMALL_BODY): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < limit) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(parts, total);
      parts.push(value);
      total += value.byteLength;
    }
    await reader.cancel().catch(() => undefined);
  } catch {
    // a broken error body is still an error response
  }
  return Buffer.concat(parts).subarray(0, limit);
}

const errorBodySchema = z.object({
  errors: z.array(z.looseObject({ code: z.string().optional(), message: z.string().optional() })),
});

export interface RegistryErrorInfo {
  codes: string[];
  /** `CODE: message; …`, unscrubbed and unbounded: the caller scrubs and truncates. */
  summary: string;
}

/** The OCI error body `{errors: [{code, message}]}`, when the body is one. */
export function parseErrorBody(body: Buffer): RegistryErrorInfo | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return undefined;
  const errors = parsed.data.errors.slice(0, 8);
  const codes = errors.map((e) => e.code).filter((c): c is string => c !== undefined && /^[A-Z][A-Z0-9_]{0,63}$/.test(c));
  const summary = errors
    .map((e) => [e.code, e.message].filter((x) => x !== undefined && x !== '').join(': '))
    .filter((x) => x !== '')
    .join('; ');
  return { codes, summary };
}

/** `<url>; rel="next"` from a Link header (the referrers API pages with it). */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(',')) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(?:^|;)\s*rel\s*=\s*"?next"?\s*(?:;|$)/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}
