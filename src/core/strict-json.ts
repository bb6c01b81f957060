import { EvidenceError } from './error.js';
import { parse as parseAst, type AnyNode } from '@humanwhocodes/momoa';

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

export function parseJsonStrict(input: string | Uint8Array): unknown {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  const depth = maxDepth(text);
  if (depth > MAX_JSON_DEPTH)
    throw new StrictJsonError('JSON_TOO_DEEP', `nested ${depth} levels deep; at most ${MAX_JSON_DEPTH} are read`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new StrictJsonError('JSON_INVALID', (e as Error).message);
  }
  const duplicate = findDuplicateKey(parseAst(text, { mode: 'json' }).body, '$');
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

function findDuplicateKey(node: AnyNode, path: string): { key: string; path: string } | undefined {
  // Depth is bounded above, so this recursion is too.
  if (node.type === 'Object') {
    const seen = new Set<string>();
    for (const m of node.members) {
      const key = m.name.type === 'String' ? m.name.value : m.name.name;
      const at = `${path}.${key}`;
      if (seen.has(key)) return { key, path: at };
      seen.add(key);
      const inner = findDuplicateKey(m.value, at);
      if (inner) return inner;
    }
  } else if (node.type === 'Array') {
    for (const [i, el] of node.elements.entries()) {
      const inner = findDuplicateKey(el.value, `${path}[${i}]`);
      if (inner) return inner;
    }
  }
  return undefined;
}
