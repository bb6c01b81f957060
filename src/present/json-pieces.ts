/**
 * The text `JSON.stringify(value, null, 2)` writes, in pieces: the objects and arrays of the first `depth` levels a
 * member at a time, what lies deeper by JSON.stringify itself. A report of many releases (an audit's members) is
 * written without being one string first: at 500 releases the report's JSON was 3.8 MB, and making it whole, then
 * its bytes, added about 25 MiB to the audit's peak at its very end (docs/performance.md).
 *
 * Same text as JSON.stringify for what JSON.stringify writes: own enumerable string keys in their order, members
 * whose value is undefined, a function or a symbol left out (null in an array), `toJSON` honoured (such a value is
 * handed to JSON.stringify whole). Newlines only ever separate JSON's own lines (a string's are escaped), so a value
 * written by JSON.stringify is indented to its depth by indenting each of its lines.
 */
export function* jsonPieces(value: unknown, depth = 3, indent = ''): Generator<string> {
  if (
    depth <= 0 ||
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    const text = JSON.stringify(value, null, 2) as string | undefined;
    yield text === undefined ? 'null' : indent ? text.replaceAll('\n', `\n${indent}`) : text;
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
      yield* jsonPieces(omitted(value[i]) ? null : value[i], depth - 1, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const [key, member] of Object.entries(value)) {
    if (omitted(member)) continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* jsonPieces(member, depth - 1, inner);
  }
  yield first ? '{}' : `\n${indent}}`;
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
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
