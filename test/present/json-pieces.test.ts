import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gathered, jsonPieces } from '../../src/present/json-pieces.js';

const whole = (v: unknown, depth?: number) => [...jsonPieces(v, depth)].join('');

describe('jsonPieces', () => {
  it('writes what JSON.stringify(value, null, 2) writes, for any JSON value and any depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 6 }), (v, depth) => {
        expect(whole(v, depth)).toBe(JSON.stringify(v, null, 2));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves out what JSON.stringify leaves out, and honours toJSON, at every depth it walks', () => {
    const value = {
      a: undefined,
      b: () => 1,
      c: Symbol('s'),
      d: [undefined, () => 1, Symbol('t'), new Date(0), { toJSON: () => ({ x: [1, { y: 'z\n' }] }) }],
      e: { nested: { deeper: [[], {}, [{}], 'line\nbreak', -0, 1e21, NaN] } },
      'key "quoted"\n': 1,
    };
    for (const depth of [0, 1, 2, 3, 4, 8]) expect(whole(value, depth)).toBe(JSON.stringify(value, null, 2));
  });

  it('on the odd values an outside review found: toJSON giving undefined or reading its key, boxed primitives', () => {
    const fn = Object.assign(() => 1, { toJSON: () => 'a function that says' });
    const value = {
      gone: { toJSON: () => undefined },
      keyed: { toJSON: (key: string) => `member ${key}` },
      list: [{ toJSON: (key: string) => `item ${key}` }, { toJSON: () => undefined }],
      boxed: [new String('ab'), new Number(5), new Boolean(false), Object(BigInt(1)) as unknown],
      fn,
      inner: { deeper: { gone: { toJSON: () => undefined }, kept: 1 } },
    };
    // BigInt objects throw in JSON.stringify: both must throw alike.
    const { boxed, ...rest } = value;
    const plain = { ...rest, boxed: boxed.slice(0, 3) };
    for (const depth of [1, 2, 3, 4, 8]) expect(whole(plain, depth)).toBe(JSON.stringify(plain, null, 2));
    expect(() => whole(value, 3)).toThrow(TypeError);
    expect(() => JSON.stringify(value)).toThrow(TypeError);
  });

  it('yields the members of a long array one at a time, and gathers them into larger texts', () => {
    const report = { summary: { members: Array.from({ length: 1000 }, (_, i) => ({ id: `v${i}`, n: i })) } };
    const pieces = [...jsonPieces(report)];
    expect(pieces.length).toBeGreaterThan(1000);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(100);
    const texts = [...gathered(pieces, 4096)];
    expect(texts.length).toBeGreaterThan(5);
    expect(texts.join('')).toBe(JSON.stringify(report, null, 2));
    expect([...gathered([])]).toEqual([]);
  });
});
