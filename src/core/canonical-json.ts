import { constants as bufferConstants } from 'node:buffer';
import { BundleError } from './errors.js';

const { MAX_STRING_LENGTH } = bufferConstants;

/**
 * Canonical JSON as RFC 8785 (JCS) defines it for the values this project
 * writes: object members sorted by UTF-16 code units, no white space,
 * ECMAScript number and string serialisation. `undefined` members are
 * dropped (as JSON.stringify does) so optional fields can be left unset.
 */
export function canonicalize(value: unknown): string {
  try {
    // JSON.stringify writes exactly JCS's numbers and strings; what it cannot do is sort members, so `inOrder` gives
    // it the value with every object's members in JCS order (copying only the objects that were not).
    return JSON.stringify(inOrder(value));
  } catch (error) {
    // A value canonical JSON cannot hold, or a member name JSON.stringify would reorder: the careful writer runs,
    // which names the path of what it cannot write (and throws).
    if (error !== CAREFUL) throw tooDeep(error);
    try {
      return serialize(value, '$');
    } catch (e) {
      throw tooDeep(e);
    }
  }
}

/**
 * A value nested deeper than the stack (hostile JSON: what JSON.parse reads, it reads to any depth), or whose JSON is
 * longer than a string can be, is refused as a value canonical JSON cannot hold, never a RangeError that no caller
 * tells from a bug.
 */
function tooDeep(error: unknown): unknown {
  return error instanceof RangeError
    ? new BundleError('CANONICAL_JSON_UNSUPPORTED_VALUE', `$: cannot be written as canonical JSON (${error.message})`, {
        path: '$',
        cause: error,
      })
    : error;
}

/** Thrown by `inOrder` where only the careful writer can go on; never leaves this module. */
const CAREFUL = new Error('canonical JSON: only the careful writer can say what is wrong here');

/**
 * The value, or a copy of it whose objects list their members in JCS order, for JSON.stringify to write (issue 28:
 * the manifest and statements of 10,000 subjects took 20 to 40 ms each written member by member in JavaScript, and a
 * tenth of that natively). Throws CAREFUL on anything `serialize` refuses, and on a member name that begins with a
 * digit: JavaScript lists array-index names first in numeric order, whatever order they are added in. Values are
 * plain data, as JSON.parse and object literals make them: a getter would be read here and again by JSON.stringify.
 */
function inOrder(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw CAREFUL;
      return value;
    case 'string':
      if (hasLoneSurrogate(value)) throw CAREFUL;
      return value;
    case 'object': {
      // JSON.stringify would call a toJSON (own, a class's, or one added to Object.prototype or Array.prototype);
      // canonical JSON writes the data: the careful writer, which never calls it, decides.
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw CAREFUL;
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const written = item === undefined ? null : inOrder(item);
          if (copy === undefined && written !== item) copy = value.slice(0, i);
          copy?.push(written);
        }
        return copy ?? value;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw CAREFUL;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      let sorted = true;
      for (let i = 0; i < keys.length; i++) {
        const c = keys[i]!.charCodeAt(0);
        if ((c >= 48 && c <= 57) || hasLoneSurrogate(keys[i]!)) throw CAREFUL;
        if (i > 0 && keys[i - 1]! > keys[i]!) sorted = false;
      }
      // A copy only where one is needed: members out of order, an undefined member to drop, or a member copied.
      let copy: Record<string, unknown> | undefined;
      const start = (upTo: number) => {
        // A plain object, which JSON.stringify writes on its fast path (one without a prototype is a dictionary, written
        // several times slower); prototype-less only when a member is named __proto__, so that it stays a member.
        copy = (keys.includes('__proto__') ? Object.create(null) : {}) as Record<string, unknown>;
        for (let j = 0; j < upTo; j++) copy[keys[j]!] = record[keys[j]!];
      };
      if (!sorted) {
        keys.sort(compareCodeUnits);
        start(0);
      }
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const member = record[k];
        if (member === undefined) {
          if (!copy) start(i);
          continue;
        }
        const written = inOrder(member);
        if (!copy && written !== member) start(i);
        if (copy) copy[k] = written;
      }
      return copy ?? value;
    }
    default:
      throw CAREFUL;
  }
}

export function canonicalBytes(value: unknown): Buffer {
  if (!holdsLongArray(value, 0)) return Buffer.from(canonicalize(value), 'utf8');
  // A manifest or statement of 100,000 subjects (issue 28): its text made a slice of an array at a time, each slice
  // bytes at once, so that no 12 MB string is made, nor the parts JSON.stringify joins into it (promoted to the old
  // generation while it works). Where that refuses a value, canonicalize decides, as it does for any other.
  const pieces: Buffer[] = [];
  const text = { length: 0 };
  try {
    writePieces(value, 0, pieces, text);
  } catch (error) {
    if (error !== CAREFUL) throw tooDeep(error);
    return Buffer.from(canonicalize(value), 'utf8');
  }
  // What canonicalize refuses, this refuses too: a text longer than a string can be (it is one string there).
  if (text.length > MAX_STRING_LENGTH) throw tooDeep(new RangeError('Invalid string length'));
  return Buffer.concat(pieces);
}

/** A piece of the text as bytes, its length (UTF-16 code units, as a string counts) added to `text`. */
function piece(s: string, text: { length: number }): Buffer {
  text.length += s.length;
  return Buffer.from(s, 'utf8');
}

/** Arrays longer than this are written a slice at a time by canonicalBytes; objects are looked into this deep. */
const SLICE = 512;
const PIECES_DEPTH = 3;

function holdsLongArray(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null || depth > PIECES_DEPTH) return false;
  if (Array.isArray(value)) return value.length > SLICE;
  for (const member of Object.values(value)) if (holdsLongArray(member, depth + 1)) return true;
  return false;
}

/**
 * The text canonicalize writes, as pieces: JSON.stringify over `inOrder`'s value writes an array as `[`, its items'
 * JSON joined by `,`, `]`, and a plain object as `{`, `"name":` and the member's JSON for each member not undefined in
 * the order of its members' names, joined by `,`, `}`. Throws CAREFUL where `inOrder` would.
 */
function writePieces(value: unknown, depth: number, out: Buffer[], text: { length: number }): void {
  if (!holdsLongArray(value, depth)) {
    out.push(piece(JSON.stringify(inOrder(value)), text));
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += SLICE) {
      const slice = JSON.stringify(inOrder(value.slice(i, i + SLICE)));
      out.push(piece(`${i === 0 ? '[' : ','}${slice.slice(1, -1)}${i + SLICE >= value.length ? ']' : ''}`, text));
    }
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function')
    throw CAREFUL;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(compareCodeUnits);
  let first = true;
  for (const k of keys) {
    const c = k.charCodeAt(0);
    if ((c >= 48 && c <= 57) || hasLoneSurrogate(k)) throw CAREFUL;
    if (record[k] === undefined) continue;
    out.push(piece(`${first ? '{' : ','}${JSON.stringify(k)}:`, text));
    first = false;
    writePieces(record[k], depth + 1, out, text);
  }
  out.push(piece(first ? '{}' : '}', text));
}

/**
 * The bytes a string takes in canonical JSON, without its quotes: what a bound on a written document must count (a
 * control character is six bytes escaped, most other characters up to three in UTF-8), not its UTF-16 length.
 */
export function jsonStringBytes(value: string): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8') - 2;
}

function serialize(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new BundleError('CANONICAL_JSON_UNSUPPORTED_VALUE', `${path}: ${value} cannot be written as JSON`, {
          path,
        });
      }
      return JSON.stringify(value);
    case 'string':
      if (hasLoneSurrogate(value)) {
        throw new BundleError('CANONICAL_JSON_UNSUPPORTED_VALUE', `${path}: string holds a lone UTF-16 surrogate`, {
          path,
        });
      }
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        // An index loop, not map: map skips an array's holes, which would write `[1,,3]`; a hole is null.
        const items: string[] = [];
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          items.push(serialize(item === undefined ? null : item, `${path}[${i}]`));
        }
        return `[${items.join(',')}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new BundleError(
          'CANONICAL_JSON_UNSUPPORTED_VALUE',
          `${path}: only plain objects can be written as canonical JSON`,
          { path },
        );
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort(compareCodeUnits);
      for (const k of keys)
        if (hasLoneSurrogate(k))
          throw new BundleError(
            'CANONICAL_JSON_UNSUPPORTED_VALUE',
            `${path}: a member name holds a lone UTF-16 surrogate (RFC 8785 §3.2.2.2)`,
            { path },
          );
      return `{${keys.map((k) => `${JSON.stringify(k)}:${serialize(record[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new BundleError(
        'CANONICAL_JSON_UNSUPPORTED_VALUE',
        `${path}: a ${typeof value} cannot be written as JSON`,
        { path },
      );
  }
}

/** JCS sorts by UTF-16 code units, which is what `<` on JS strings compares. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `String.prototype.isWellFormed` (Node 20 and later), a native scan, not a Unicode regular expression per string. */
function hasLoneSurrogate(s: string): boolean {
  return !(s as string & { isWellFormed(): boolean }).isWellFormed();
}
