import { describe, expect, it } from 'vitest';
import { unverifiableSigstoreBundle } from '../helpers/craft.js';
import { MAX_ATTESTATION_BYTES } from '../../src/core/layout.js';
import { sigstoreBundleDocuments, type SigstoreLine } from '../../src/verifier/sigstore-lines.js';
import { attestationSetReport } from '../../src/verifier/attestation-verdict.js';

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

/** One artifact against `documents`, read from `attestation` (delivered by `source`, when given). */
const setOf = (documents: SigstoreLine[], attestation: string, source?: string) =>
  attestationSetReport({
    documents,
    attestation,
    ...(source ? { source } : {}),
    artifacts: [{ name: 'app', digests: { sha256: '1'.repeat(64) } }],
    roots: [],
    keys: [],
    policy: {},
  });

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

describe('a file of JSON lines with lines that hold no Sigstore bundle', () => {
  it('each line that is not JSON is listed (unreadable), the others read; none of JSON refuses the file', () => {
    expect(sigstoreBundleDocuments(Buffer.from('{"a":1}\nnot json\n\n{"b":2}\n'), 'x.jsonl')).toEqual([
      { line: 1, json: { a: 1 } },
      { line: 2, unreadable: expect.stringMatching(/^not valid JSON \(/) },
      { line: 4, json: { b: 2 } },
    ]);
    expect(thrown(() => sigstoreBundleDocuments(Buffer.from('nope\nnor this\n'), 'x.jsonl'))).toMatchObject({
      code: 'ATTESTATION_UNREADABLE',
      path: 'x.jsonl',
    });
  });

  it('attestationSetReport: a malformed line is listed, not checked; a failed line outranks it; none at all refuses', () => {
    const bundle = unverifiableSigstoreBundle();
    const set = (documents: SigstoreLine[]) => setOf(documents, 'x.jsonl');
    const malformed = [
      { line: 1, unreadable: 'not valid JSON (x)' },
      { line: 2, json: { hello: 'world' } },
    ];
    expect(thrown(() => set(malformed))).toMatchObject({ code: 'ATTESTATION_MALFORMED', path: 'x.jsonl' });
    const r = set([...malformed, { line: 3, json: bundle }]);
    expect(r.bundles.map((b) => [b.line, b.ok, b.malformed ?? false])).toEqual([
      [1, false, true],
      [2, false, true],
      [3, false, false],
    ]);
    expect(r.bundles[0]?.checks).toEqual([
      expect.objectContaining({ code: 'ATTESTATION_MALFORMED', message: 'line 1: not valid JSON (x); not checked' }),
    ]);
    // A bundle that failed verification (1) outranks the lines that held none (2).
    expect(r.verdict).toBe('failed');
    // (Malformed lines beside lines that all verify: `incomplete`, exit 2, test/commands/many-artifacts.test.ts.)
  });
});

describe("lines a source delivered (fetch --subject-digest: GitHub's answer, one bundle a line)", () => {
  const SOURCE = 'https://api.github.com/repos/acme/web/attestations/sha256:abc';

  it('are read as JSON lines whatever the first holds, and a line too long or every line not JSON is listed, not thrown', () => {
    // A first line that is no object would read the file as one pretty-printed bundle: never for delivered lines.
    expect(sigstoreBundleDocuments(Buffer.from('"a string"\n{"a":1}\n'), 'd.jsonl', true)).toEqual([
      { line: 1, json: 'a string' },
      { line: 2, json: { a: 1 } },
    ]);
    const long = `{${' '.repeat(MAX_ATTESTATION_BYTES - 1)}}`;
    expect(sigstoreBundleDocuments(Buffer.from(`${long}\n{"a":1}\n`), 'd.jsonl', true)).toEqual([
      { line: 1, unreadable: `more than ${MAX_ATTESTATION_BYTES} bytes, more than a Sigstore bundle is` },
      { line: 2, json: { a: 1 } },
    ]);
    expect(sigstoreBundleDocuments(Buffer.from('nope\nnor this\n'), 'd.jsonl', true)).toEqual([
      { line: 1, unreadable: expect.stringMatching(/^not valid JSON/) as string },
      { line: 2, unreadable: expect.stringMatching(/^not valid JSON/) as string },
    ]);
  });

  it("attestationSetReport with a source: a line that holds no bundle fails the answer, named as the source's Nth, never refused", () => {
    const set = (documents: SigstoreLine[], source?: string) => setOf(documents, 'd.jsonl', source);
    const lines = [
      { line: 1, unreadable: 'not valid JSON (x)' },
      { line: 2, json: { hello: 'world' } },
    ];
    // None at all that is a bundle: an answer (failed), not ATTESTATION_MALFORMED thrown as for the user's file.
    const none = set(lines, SOURCE);
    expect(none).toMatchObject({ ok: false, verdict: 'failed', source: SOURCE });
    expect(none.bundles.map((b) => [b.line, b.ok, b.malformed])).toEqual([
      [1, false, true],
      [2, false, true],
    ]);
    expect(none.bundles[0]?.checks).toEqual([
      expect.objectContaining({
        code: 'ATTESTATION_MALFORMED',
        message: `line 1, attestation 1 of 2 from ${SOURCE}: not valid JSON (x); not checked`,
      }),
    ]);
    // The user's own file of the same lines is refused, and names no source.
    expect(thrown(() => set(lines))).toMatchObject({ code: 'ATTESTATION_MALFORMED', path: 'd.jsonl' });
    // Beside a bundle that failed, as beside one that verified (test/transport/github/attestations-api-fetch.test.ts):
    // failed, each line listed.
    const beside = set([...lines, { line: 3, json: unverifiableSigstoreBundle() }], SOURCE);
    expect(beside.verdict).toBe('failed');
    expect(beside.bundles.map((b) => b.malformed ?? false)).toEqual([true, true, false]);
  });
});
