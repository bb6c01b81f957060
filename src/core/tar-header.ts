/**
 * What GNU tar (src/list.c, from_header) accepts in a ustar header's numeric
 * fields, so that a bundle this reader accepts is one `tar xzf` reads the
 * same way (docs/verify-by-hand.md): one optional leading NUL, optional
 * leading white space, then octal digits ended by a NUL, white space or the
 * field's end (no digits at all, before a NUL, is 0); or GNU's base-256
 * (0x80 for a positive value, 0xff for a negative one). A blank field, a
 * digit 8 or 9, any other character, or old GNU base-64 is refused.
 * tar-stream reads such fields leniently; this decides instead.
 */
export const NUMERIC_FIELDS = [
  ['mode', 100, 8],
  ['uid', 108, 8],
  ['gid', 116, 8],
  ['size', 124, 12],
  ['mtime', 136, 12],
  ['chksum', 148, 8],
] as const;

export type NumericField = (typeof NUMERIC_FIELDS)[number][0];

export interface HeaderProblem {
  field: NumericField | 'checksum';
  /** The field's bytes, as printable text. */
  value: string;
  message: string;
}

/** The numeric value of a field by GNU tar's rules (from_header), or a reason it is refused. */
export function numericField(
  block: Uint8Array,
  offset: number,
  length: number,
): { value: bigint } | { problem: string } {
  const field = block.subarray(offset, offset + length);
  let i = 0;
  // One leading NUL is skipped (old tars wrote one when the previous field overflowed).
  if (field[0] === 0) i = 1;
  while (i < field.length && isSpace(field[i] as number)) i++;
  if (i === field.length) return { problem: 'is blank' };
  const first = field[i] as number;
  if (first === 0x80 || first === 0xff) {
    // Base-256, big-endian two's complement over the remaining bytes (GNU extension).
    let v = 0n;
    for (let j = i + 1; j < field.length; j++) v = (v << 8n) | BigInt(field[j] as number);
    if (first === 0xff) v -= 1n << BigInt(8 * (field.length - i - 1));
    return { value: v };
  }
  if (first === 0x2b || first === 0x2d)
    return { problem: `begins with '${String.fromCharCode(first)}' (old GNU base-64, not read here)` };
  let v = 0n;
  while (i < field.length && (field[i] as number) >= 0x30 && (field[i] as number) <= 0x37) {
    v = v * 8n + BigInt((field[i] as number) - 0x30);
    i++;
  }
  if (i < field.length && field[i] !== 0 && !isSpace(field[i] as number))
    return { problem: `has '${String.fromCharCode(field[i] as number)}' where an octal digit or its end is expected` };
  return { value: v };
}

/** C's isspace: space, tab, newline, vertical tab, form feed, carriage return. */
function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

/**
 * Every numeric field of a header, checked; and the checksum, which GNU tar
 * accepts as the unsigned or the signed sum of the header with the checksum
 * field read as spaces.
 */
export function headerProblems(block: Uint8Array): HeaderProblem[] {
  const out: HeaderProblem[] = [];
  const values = new Map<string, bigint>();
  for (const [name, offset, length] of NUMERIC_FIELDS) {
    const r = numericField(block, offset, length);
    if ('problem' in r)
      out.push({
        field: name,
        value: printable(block.subarray(offset, offset + length)),
        message: `the ${name} field ${r.problem}`,
      });
    else values.set(name, r.value);
  }
  const size = values.get('size');
  if (size !== undefined && size < 0n)
    out.push({ field: 'size', value: String(size), message: 'the size field is negative' });
  const stated = values.get('chksum');
  if (stated !== undefined) {
    let unsigned = 0n;
    let signed = 0n;
    for (let i = 0; i < 512; i++) {
      const b = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
      unsigned += BigInt(b);
      signed += BigInt(b > 127 ? b - 256 : b);
    }
    if (stated !== unsigned && stated !== signed)
      out.push({
        field: 'checksum',
        value: String(stated),
        message: `the header checksum is ${stated}, but the header sums to ${unsigned}`,
      });
  }
  return out;
}

/** The size a header states, by GNU tar's rules; undefined when the field is refused. */
export function headerSize(block: Uint8Array): bigint | undefined {
  const r = numericField(block, 124, 12);
  return 'value' in r && r.value >= 0n ? r.value : undefined;
}

function printable(bytes: Uint8Array): string {
  return [...bytes]
    .map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`))
    .join('');
}
