import { type FileError, readSmallFile } from '../fs/small-file.js';
import { stat } from 'node:fs/promises';
import { hashFile } from '../fs/hash-file.js';
import { sha256Hex } from '../core/digest.js';
import { parseJsonStrict, StrictJsonError } from '../core/strict-json.js';
import { stripBom } from '../formats/xml.js';
import { CollectError, type CollectErrorCode } from './errors.js';
import type * as z from 'zod';
import { zodIssues, safeParseBounded } from '../core/issues.js';

/** One evidence file handed to a collector. */
export interface CollectorInput {
  /** Absolute path to read. */
  file: string;
  /** The path as the user gave it, for messages. */
  label: string;
  /** The kind the user named (`--file F=KIND`). */
  kind?: string;
}

export interface CollectorOutput {
  kind: string;
  mediaType: string;
  summary: Record<string, unknown>;
  /** sha256 hex and size of the blob: the bytes read, or `bytes` when given. */
  hex: string;
  size: number;
  /**
   * Content the collector produced instead of the input file (a DORA or SLO
   * snapshot, a migrations report): stored as the blob.
   */
  bytes?: Buffer;
  /** File name for the entry's logical path (`<kind>/<name>`), when not the input's. */
  name?: string;
}

/**
 * Each evidence kind has one collector: it reads its input, refuses it with
 * a CollectError naming the file and field when it is not what it claims,
 * and summarises it for the manifest.
 */
export interface Collector {
  readonly name: string;
  readonly version: string;
  collect(input: CollectorInput): Promise<CollectorOutput>;
}

/** Parsed evidence (SBOMs, SARIF, JUnit) is read whole; beyond this it is refused. */
export const MAX_PARSED_INPUT_BYTES = 256 * 1024 * 1024;

export async function readInput(input: CollectorInput): Promise<Buffer> {
  try {
    return await readSmallFile(input.file, input.label, {
      what: 'evidence that is parsed (use --file for opaque files)',
      max: MAX_PARSED_INPUT_BYTES,
    });
  } catch (e) {
    const code = (e as FileError).code;
    if (code === 'FILE_TOO_LARGE')
      throw new CollectError('INPUT_TOO_LARGE', (e as Error).message, { file: input.label });
    if (code === 'FILE_NOT_FOUND')
      throw new CollectError('INPUT_NOT_FOUND', `${input.label}: no such file`, { file: input.label });
    throw new CollectError('INPUT_UNREADABLE', (e as Error).message, { file: input.label });
  }
}

export async function statInput(input: CollectorInput): Promise<{ size: number }> {
  try {
    const info = await stat(input.file);
    if (!info.isFile())
      throw new CollectError('INPUT_UNREADABLE', `${input.label}: not a regular file`, { file: input.label });
    return info;
  } catch (e) {
    if (e instanceof CollectError) throw e;
    throw inputError(input, e);
  }
}

export async function hashInput(input: CollectorInput): Promise<{ hex: string; size: number }> {
  await statInput(input);
  try {
    const { size, hex } = await hashFile(input.file, ['sha256']);
    return { size, hex: hex.sha256 };
  } catch (e) {
    throw inputError(input, e);
  }
}

export function inputError(input: { label: string }, e: unknown): CollectError {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT')
    return new CollectError('INPUT_NOT_FOUND', `${input.label}: no such file`, { file: input.label, cause: e });
  return new CollectError(
    'INPUT_UNREADABLE',
    `${input.label}: cannot be read (${err?.code ?? err?.message ?? String(e)})`,
    { file: input.label, cause: e },
  );
}

export function parseJson(input: CollectorInput, bytes: Buffer): unknown {
  try {
    // The strict reader: at most MAX_JSON_DEPTH levels (the schema validators and readers after it recurse, and a
    // document nested thousands deep overflowed the stack), and no key twice in one object (JSON.parse keeps the last
    // value, other readers the first: what the bundle summarises would not be what every reader sees).
    return parseJsonStrict(stripBom(bytes.toString('utf8')));
  } catch (e) {
    const code = e instanceof StrictJsonError && e.code !== 'JSON_INVALID' ? e.code : 'JSON_INVALID';
    throw new CollectError(
      code,
      code === 'JSON_INVALID'
        ? `${input.label}: not valid JSON (${(e as Error).message})`
        : `${input.label}: ${(e as Error).message}${code === 'JSON_DUPLICATE_KEY' ? '; readers differ on which counts' : ''}`,
      { file: input.label, cause: e },
    );
  }
}

/**
 * JSON read and checked against its schema in one step: the value, or CollectError `code` saying `what` with every
 * issue.
 */
export function parseJsonAs<T>(
  input: CollectorInput,
  bytes: Buffer,
  schema: z.ZodType<T>,
  code: CollectErrorCode,
  what: string,
): T {
  const parsed = safeParseBounded(schema, parseJson(input, bytes));
  if (!parsed.success)
    throw new CollectError(code, `${input.label}: ${what}`, { file: input.label, issues: zodIssues(parsed.error) });
  return parsed.data;
}

export { stripBom };

export function outputFor(
  bytes: Buffer,
  kind: string,
  mediaType: string,
  summary: Record<string, unknown>,
): CollectorOutput {
  return { kind, mediaType, summary, hex: sha256Hex(bytes), size: bytes.length };
}

/** An output whose blob is content the collector made (canonical JSON, typically). */
export function generatedOutput(
  bytes: Buffer,
  name: string,
  kind: string,
  mediaType: string,
  summary: Record<string, unknown>,
): CollectorOutput {
  return { ...outputFor(bytes, kind, mediaType, summary), bytes, name };
}
