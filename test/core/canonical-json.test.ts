import { describe, expect, it } from 'vitest';
import { canonicalize } from '../../src/core/canonical-json.js';
import { BundleError } from '../../src/core/errors.js';

describe('canonicalize (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops white space', () => {
    expect(canonicalize({ b: 1, a: [true, null, 'x'], A: { d: 2, c: 1 } })).toBe(
      '{"A":{"c":1,"d":2},"a":[true,null,"x"],"b":1}',
    );
  });

  it('sorts non-ASCII keys by code unit, not by locale', () => {
    // U+00E9 (é) is 0x00E9; U+1F600 is the surrogate pair D83D DE00; 'z' is 0x7A.
    expect(canonicalize({ '\u00e9': 1, z: 2, '\u{1F600}': 3 })).toBe('{"z":2,"\u00e9":1,"\u{1F600}":3}');
  });

  it('writes numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)', () => {
    // The RFC's 333333333.33333329 has more digits than a double holds: read as JavaScript reads it.
    expect(canonicalize([1e21, 1e-7, 0.000001, -0, Number('333333333.33333329'), 4.5])).toBe(
      '[1e+21,1e-7,0.000001,0,333333333.3333333,4.5]',
    );
  });

  it('escapes strings minimally', () => {
    expect(canonicalize('\u0000\n"\\/\u007f')).toBe('"\\u0000\\n\\"\\\\/\u007f"');
  });

  it('drops undefined members but keeps array holes as null', () => {
    expect(canonicalize({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], ['\ud800'], [new Date(0)], [() => 1], [10n]])(
    'refuses %s',
    (value) => {
      try {
        canonicalize({ v: value });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(BundleError);
        expect((e as BundleError).code).toBe('CANONICAL_JSON_UNSUPPORTED_VALUE');
      }
    },
  );
});
