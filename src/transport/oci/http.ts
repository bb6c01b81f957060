import { parseJsonShallow } from '../../core/strict-json.js';
import { safeParseBounded } from '../../core/issues.js';
import * as z from 'zod';

export { BodyTooLarge, MAX_SMALL_BODY, discard, readBounded, readErrorBody } from '../http/body.js';

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
    json = parseJsonShallow(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = safeParseBounded(errorBodySchema, json);
  if (!parsed.success) return undefined;
  const errors = parsed.data.errors.slice(0, 8);
  const codes = errors
    .map((e) => e.code)
    .filter((c): c is string => c !== undefined && /^[A-Z][A-Z0-9_]{0,63}$/.test(c));
  const summary = errors
    .map((e) => [e.code, e.message].filter((x) => x !== undefined && x !== '').join(': '))
    .filter((x) => x !== '')
    .join('; ');
  return { codes, summary };
}
