/**
 * The text `JSON.stringify(value, null, 2)` writes, in pieces: the objects and arrays of the first `depth` levels a
 * member at a time, what lies deeper by JSON.stringify itself. A report of many releases (an audit's members) is
 * written without being one string first: at 500 releases the report's JSON was 3.8 MB, and making it whole, then
 * its bytes, added about 25 MiB to the audit's peak at its very end (docs/performance.md).
 *
 * The same text as JSON.stringify, for any value it writes as text: it walks only plain arrays and objects (own enumerable string keys, in their
 * order), and asks JSON.stringify itself for everything else, as the member it is (so a toJSON is given its key, and
 * what JSON.stringify leaves out is left out). Newlines only ever separate JSON's own lines (a string's are escaped),
 * so a value written by JSON.stringify is indented to its depth by indenting each of its lines.
 */
export function* jsonPieces(value: unknown, depth = 3, indent = '', key = ''): Generator<string> {
  if (depth <= 0 || !walkable(value)) {
    yield stringified(key, value, indent) ?? 'null';
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i ? ',' : ''}\n${inner}`;
      yield* jsonPieces(value[i], depth - 1, inner, String(i));
    }
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const [name, member] of Object.entries(value)) {
    // A member not walked into is asked of JSON.stringify first: left out when it writes nothing (undefined, a
    // function, a symbol, a toJSON that gives undefined).
    const walk = depth > 1 && walkable(member);
    const text = walk ? undefined : stringified(name, member, inner);
    if (!walk && text === undefined) continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(name)}: `;
    first = false;
    yield* text === undefined ? jsonPieces(member, depth - 1, inner, name) : [text];
  }
  yield first ? '{}' : `\n${indent}}`;
}

/**
 * An array or an object that JSON.stringify writes member by member as it is: no toJSON, not a boxed primitive (a
 * String, Number, Boolean or BigInt object), not a function.
 */
function walkable(v: unknown): v is object {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { toJSON?: unknown }).toJSON !== 'function' &&
    !(v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof BigInt)
  );
}

/**
 * What JSON.stringify writes of `value` as the member `key` of an object (its toJSON is given that key), indented to
 * `indent`; undefined where it writes nothing. Asked as `{ [key]: value }` and the member's text cut out: every line
 * of it after the first is indented by two spaces more than the member's own.
 */
function stringified(key: string, value: unknown, indent: string): string | undefined {
  const text = JSON.stringify({ [key]: value }, null, 2);
  if (text === '{}') return undefined;
  const member = text.slice(`{\n  ${JSON.stringify(key)}: `.length, -2);
  return member.replaceAll('\n  ', `\n${indent}`);
}

/** The pieces gathered into texts of about `size` characters: fewer, larger writes. */
export function* gathered(pieces: Iterable<string>, size = 64 * 1024): Generator<string> {
  let held: string[] = [];
  let length = 0;
  for (const p of pieces) {
    held.push(p);
    length += p.length;
    if (length >= size) {
      yield held.join('');
      held = [];
      length = 0;
    }
  }
  if (length) yield held.join('');
}
