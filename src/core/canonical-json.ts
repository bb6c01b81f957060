import { BundleError } from './errors.js';

/**
 * Canonical JSON as RFC 8785 (JCS) defines it for the values this project
 * writes: object members sorted by UTF-16 code units, no white space,
 * ECMAScript number and string serialisation. `undefined` members are
 * dropped (as JSON.stringify does) so optional fields can be left unset.
 */
export function canonicalize(value: unknown): string {
  return serialize(value, '$');
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
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
        return `[${value.map((item, i) => serialize(item === undefined ? null : item, `${path}[${i}]`)).join(',')}]`;
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
