/** Reading HTTP response bodies that come from servers we do not trust: never more than asked for. */

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
  // fetch's bodies are bytes; the DOM-less typings say `any`.
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
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
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
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
