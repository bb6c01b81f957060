import { EvidenceError } from './error.js';

/**
 * JSON as a verifier must read what others signed or wrote: JSON.parse keeps
 * the last of two duplicate keys, so two readers may see two documents in one
 * text. This refuses duplicate keys and nesting deeper than MAX_JSON_DEPTH
 * (checked before any recursive parser sees it), then parses with JSON.parse.
 */
export const MAX_JSON_DEPTH = 256;

export class StrictJsonError extends EvidenceError<'JSON_INVALID' | 'JSON_DUPLICATE_KEY' | 'JSON_TOO_DEEP'> {
  /** JSON path of the offending member, where there is one. */
  readonly path?: string;
  constructor(code: StrictJsonError['code'], message: string, path?: string) {
    super('StrictJsonError', code, message);
    if (path !== undefined) this.path = path;
  }
}

/**
 * JSON.parse of an answer a service gave (a registry, a token endpoint), refused as JSON_TOO_DEEP when nested deeper
 * than MAX_JSON_DEPTH: JSON.parse reads any depth, and whatever walks the value next (a schema, canonical JSON,
 * JSON.stringify) would overflow the stack. Duplicate keys are not looked for (see parseJsonStrict).
 */
export function parseJsonShallow(text: string): unknown {
  refuseTooDeep(text);
  return JSON.parse(text);
}

/** JSON_TOO_DEEP when `text` nests deeper than MAX_JSON_DEPTH, looked at before any recursive reader sees it. */
function refuseTooDeep(text: string): void {
  const depth = maxDepth(text);
  if (depth > MAX_JSON_DEPTH)
    throw new StrictJsonError('JSON_TOO_DEEP', `nested ${depth} levels deep; at most ${MAX_JSON_DEPTH} are read`);
}

export function parseJsonStrict(input: string | Uint8Array): unknown {
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new StrictJsonError('JSON_INVALID', 'not UTF-8 text');
  }
  refuseTooDeep(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new StrictJsonError('JSON_INVALID', (e as Error).message);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate)
    throw new StrictJsonError(
      'JSON_DUPLICATE_KEY',
      `the key '${duplicate.key}' appears twice in one object (at ${duplicate.path})`,
      duplicate.path,
    );
  return value;
}

/** The deepest nesting of arrays and objects, counted outside strings, in one pass. */
export function maxDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** An open array or object while the text is scanned: an object's keys so far, and which member or element is open. */
interface Frame {
  keys: Set<string> | undefined;
  key: string;
  index: number;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * The first key that appears twice in one object, with its JSON path, in one pass over text JSON.parse accepted (so
 * strings, numbers and literals are well formed). Memory holds the keys of the objects open at a point, not a syntax
 * tree: a 64 MiB document needs no more than its widest object's keys.
 */
function findDuplicateKey(text: string): { key: string; path: string } | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) {
          escaped = true;
          i++;
        }
      }
      const top = stack[stack.length - 1];
      if (top?.keys === undefined) continue;
      let j = i + 1;
      while (isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 0x3a) continue;
      const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
      if (top.keys.has(key)) {
        const path = stack
          .slice(0, -1)
          .map((f) => (f.keys ? `.${f.key}` : `[${f.index}]`))
          .join('');
        return { key, path: `$${path}.${key}` };
      }
      top.keys.add(key);
      top.key = key;
      i = j;
    } else if (c === 0x7b) stack.push({ keys: new Set(), key: '', index: 0 });
    else if (c === 0x5b) stack.push({ keys: undefined, key: '', index: 0 });
    else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top && top.keys === undefined) top.index++;
    }
  }
  return undefined;
}
