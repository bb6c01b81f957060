import { describe, expect, it } from 'vitest';
import { commonJsExports } from '../../src/core/commonjs.js';

describe('commonJsExports', () => {
  it('takes the exports from what Node gives (names beside default) and what a bundle chunk gives (default only)', async () => {
    const native = await import('@sigstore/sign');
    expect(typeof commonJsExports(native).FulcioSigner).toBe('function');
    const exports = { FulcioSigner: class {} };
    const chunk = { default: exports } as unknown as typeof exports;
    expect(commonJsExports(chunk)).toBe(exports);
  });

  it('keeps the namespace when default is not an object', () => {
    const ns = { default: 'text', named: 1 };
    expect(commonJsExports(ns)).toBe(ns);
    const none = { named: 2 };
    expect(commonJsExports(none)).toBe(none);
  });
});
