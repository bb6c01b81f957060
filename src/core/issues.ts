import * as z from 'zod';

/** One thing wrong with a document: where (`$.a[2].b`) and what. */
export interface Issue {
  path: string;
  message: string;
}

/** `$.entries[2].summary.tests` style paths for humans and reports. */
export function formatIssuePath(path: readonly PropertyKey[], root = '$'): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

/**
 * zod's issues as `{path, message}`, the one way every part of evidence
 * reports a schema failure. Where the parse was asked to report inputs
 * (`{ reportInput: true }`), the message ends with the offending value, so
 * that a user sees what is wrong, not only where. `root` prefixes the paths
 * (an item's place in a larger file, say).
 */
export function zodIssues(error: z.ZodError, root = '$'): Issue[] {
  return error.issues.map((i) => ({
    path: formatIssuePath(i.path, root),
    message: `${issueMessage(i)}${foundValue((i as { input?: unknown }).input)}`,
  }));
}

/** The first `limit` issues on one line, for messages that have no room for a list. */
export function issuesInline(issues: readonly Issue[], limit = 5): string {
  const shown = issues.slice(0, limit).map((i) => `${i.path}: ${i.message}`);
  if (issues.length > limit) shown.push(`and ${issues.length - limit} more`);
  return shown.join('; ');
}

function issueMessage(i: z.core.$ZodIssue): string {
  if (i.code === 'unrecognized_keys') return `unknown field${i.keys.length === 1 ? '' : 's'} ${i.keys.join(', ')}`;
  return i.message;
}

function foundValue(input: unknown): string {
  if (input === undefined || (typeof input === 'object' && input !== null)) return '';
  const shown = typeof input === 'function' || typeof input === 'symbol' ? String(input) : JSON.stringify(input);
  return ` (found ${shown.length > 120 ? `${shown.slice(0, 117)}…` : shown})`;
}

/** A message followed by its issues, one per indented line (at most `limit`). */
export function withIssues(message: string, issues: readonly Issue[], limit = 20): string {
  if (issues.length === 0) return message;
  const lines = issues.slice(0, limit).map((i) => `  ${i.path}: ${i.message}`);
  if (issues.length > limit) lines.push(`  … and ${issues.length - limit} more`);
  return `${message}\n${lines.join('\n')}`;
}

/**
 * `schema.safeParse(value, params)`, except that a document with so many problems that zod runs out of stack (it
 * spreads each array element's issues as call arguments: over about 125,000 under one element) fails with one issue
 * saying so, rather than throwing RangeError past every reader's error handling. Every schema is run through it.
 */
export function safeParseBounded<S extends z.ZodType>(
  schema: S,
  value: unknown,
  params?: Parameters<S['safeParse']>[1],
): z.ZodSafeParseResult<z.output<S>> {
  try {
    return schema.safeParse(value, params);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const error = new z.ZodError([
      { code: 'custom', path: [], message: 'too many problems to list: far from the format', input: undefined },
    ]);
    return { success: false, error } as z.ZodSafeParseResult<z.output<S>>;
  }
}
