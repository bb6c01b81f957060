import { describe, expect, it } from 'vitest';
import { MAX_ATTESTATION_BYTES } from '../../src/core/layout.js';
import { sigstoreBundleDocuments } from '../../src/verifier/sigstore-lines.js';

/**
 * A file of Sigstore bundles is counted and measured before any of it is
 * parsed: a pretty-printed bundle too large for one, more lines than bundles
 * a file may hold, or one line too long for a bundle is refused outright.
 */
const MAX_BUNDLES = 10_000;

function thrown(f: () => unknown): { code?: string; path?: string } | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e as { code?: string; path?: string };
  }
}

describe('sigstoreBundleDocuments: the size caps', () => {
  it('a pretty-printed bundle of exactly the cap is read whole', () => {
    const head = Buffer.from('{\n  "a": 1\n');
    const tail = Buffer.from('}\n');
    const pad = Buffer.alloc(MAX_ATTESTATION_BYTES - head.length - tail.length, 0x20);
    const bytes = Buffer.concat([head, pad, tail]);
    expect(bytes.length).toBe(MAX_ATTESTATION_BYTES);
    expect(sigstoreBundleDocuments(bytes, 'b.json')).toEqual([{ line: 1, json: { a: 1 } }]);
  });

  it('a pretty-printed bundle over the cap is ATTESTATION_UNREADABLE', () => {
    const head = Buffer.from('{\n  "a": 1\n');
    const tail = Buffer.from('}\n');
    const pad = Buffer.alloc(MAX_ATTESTATION_BYTES - head.length - tail.length + 1, 0x20);
    const bytes = Buffer.concat([head, pad, tail]);
    expect(bytes.length).toBe(MAX_ATTESTATION_BYTES + 1);
    expect(thrown(() => sigstoreBundleDocuments(bytes, 'big.json'))).toMatchObject({
      code: 'ATTESTATION_UNREADABLE',
      path: 'big.json',
    });
  });

  it(`${MAX_BUNDLES} bundles, one a line, are read; one more is ATTESTATION_UNREADABLE`, () => {
    const at = sigstoreBundleDocuments(Buffer.from('{}\n'.repeat(MAX_BUNDLES)), 'many.jsonl');
    expect(at).toHaveLength(MAX_BUNDLES);
    expect(at.at(-1)).toEqual({ line: MAX_BUNDLES, json: {} });
    expect(
      thrown(() => sigstoreBundleDocuments(Buffer.from('{}\n'.repeat(MAX_BUNDLES + 1)), 'many.jsonl')),
    ).toMatchObject({ code: 'ATTESTATION_UNREADABLE', path: 'many.jsonl' });
  });

  it('blank lines do not count towards the bundles a file may hold', () => {
    const text = '{}\n\n'.repeat(MAX_BUNDLES);
    expect(sigstoreBundleDocuments(Buffer.from(text), 'spaced.jsonl')).toHaveLength(MAX_BUNDLES);
  });

  it('one line over the byte cap is ATTESTATION_UNREADABLE, before any line is parsed', () => {
    // The long line is valid JSON: only its size refuses it.
    const long = Buffer.concat([Buffer.from('{'), Buffer.alloc(MAX_ATTESTATION_BYTES - 1, 0x20), Buffer.from('}')]);
    expect(long.length).toBe(MAX_ATTESTATION_BYTES + 1);
    const bytes = Buffer.concat([Buffer.from('{"a":1}\n'), long, Buffer.from('\n')]);
    expect(thrown(() => sigstoreBundleDocuments(bytes, 'long.jsonl'))).toMatchObject({
      code: 'ATTESTATION_UNREADABLE',
      path: 'long.jsonl',
    });
  });

  it('a line of exactly the byte cap is read', () => {
    const line = Buffer.concat([Buffer.from('{'), Buffer.alloc(MAX_ATTESTATION_BYTES - 2, 0x20), Buffer.from('}')]);
    const bytes = Buffer.concat([Buffer.from('{"a":1}\n'), line, Buffer.from('\n')]);
    expect(sigstoreBundleDocuments(bytes, 'long.jsonl')).toEqual([
      { line: 1, json: { a: 1 } },
      { line: 2, json: {} },
    ]);
  });
});
