import { describe, expect, it } from 'vitest';
import { unverifiableSigstoreBundle } from '../helpers/craft.js';
import { attestationReport, attestationSetReport } from '../../src/verifier/attestation-verdict.js';
import {
  checkPolicyOptions,
  loadTrustRoots,
  parseDigestOption,
  publicGoodRoot,
  trustRootFiles,
} from '../../src/verifier/inputs.js';
import { PUBLIC_GOOD_SOURCE } from '../../src/verifier/public-good.js';
import { anchored } from '../../src/verifier/identity-policy.js';
import { releaseTagPattern } from '../../src/verifier/period-members.js';
import { sigstoreBundleDocuments } from '../../src/verifier/sigstore-lines.js';

/** What a verification is given, decided without a file: option checks, which trusted roots apply, bundle lines. */
function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

describe('checkPolicyOptions', () => {
  it('refuses a regular expression that does not compile (INVALID_OPTION), accepts the rest', () => {
    expect(codeOf(() => checkPolicyOptions({ certificateIdentityRegexp: '(' }))).toBe('INVALID_OPTION');
    expect(codeOf(() => checkPolicyOptions({ certificateOidcIssuerRegexp: '[' }))).toBe('INVALID_OPTION');
    expect(codeOf(() => checkPolicyOptions({ certificateIdentityRegexp: '^https://.*$' }))).toBeUndefined();
    expect(codeOf(() => checkPolicyOptions({ certificateIdentity: '(' }))).toBeUndefined();
    expect(codeOf(() => checkPolicyOptions({}))).toBeUndefined();
    // RE2's rules, as cosign's: a lookahead or a backreference is refused, not run by a backtracking engine.
    expect(codeOf(() => checkPolicyOptions({ certificateIdentityRegexp: '(?=https)https://.*' }))).toBe(
      'INVALID_OPTION',
    );
    expect(codeOf(() => checkPolicyOptions({ certificateIdentityRegexp: '(a)\\1' }))).toBe('INVALID_OPTION');
  });

  it('matches a whole identity in time linear in it, whatever the pattern (class: a signer-chosen identity)', () => {
    // JavaScript's engine takes exponential time here: 2^40 steps for an identity of 40 a's and a '!'.
    expect(anchored('(a+)+').test(`${'a'.repeat(40)}!`)).toBe(false);
    expect(anchored('(a|aa)+b').test(`${'a'.repeat(5000)}c`)).toBe(false);
    // Anchored at both ends, as documented.
    expect(anchored('https://github\\.com/acme/.*').test('https://github.com/acme/web')).toBe(true);
    expect(anchored('acme').test('xacme')).toBe(false);
    expect(anchored('a|b').test('ab')).toBe(false);
    // audit --tags reads every tag a registry lists through the same matcher.
    expect(releaseTagPattern('v[0-9]+(\\.[0-9]+)*')?.test('v1.2.3')).toBe(true);
    expect(releaseTagPattern('(x+x+)+y')?.test(`${'x'.repeat(5000)}`)).toBe(false);
  });
});

describe('parseDigestOption', () => {
  it('sha256 or sha512 of the right length, lowercased; anything else is INVALID_OPTION', () => {
    expect(parseDigestOption(`sha256:${'AB'.repeat(32)}`)).toEqual({ sha256: 'ab'.repeat(32) });
    expect(parseDigestOption(`sha512:${'0'.repeat(128)}`)).toEqual({ sha512: '0'.repeat(128) });
    for (const bad of [`sha256:${'a'.repeat(63)}`, `sha512:${'a'.repeat(64)}`, `md5:${'a'.repeat(32)}`, 'sha256:zz'])
      expect(
        codeOf(() => parseDigestOption(bad)),
        bad,
      ).toBe('INVALID_OPTION');
  });
});

describe('which trusted roots apply', () => {
  it('the files given, else the refreshed root, else none to read (the embedded one)', () => {
    const refreshed = { file: '/r.json', source: '/r.json (refreshed, origin not recorded)' };
    expect(trustRootFiles(['a.json', 'b.json'], refreshed)).toEqual([
      { file: 'a.json', source: 'a.json' },
      { file: 'b.json', source: 'b.json' },
    ]);
    expect(trustRootFiles([], refreshed)).toEqual([refreshed]);
    expect(trustRootFiles(undefined, refreshed)).toHaveLength(1);
    expect(trustRootFiles(undefined, undefined)).toEqual([]);
  });

  it('the embedded root loads; one that cannot be used is TRUSTED_ROOT_INVALID', () => {
    expect(loadTrustRoots([publicGoodRoot()]).map((r) => r.source)).toEqual([PUBLIC_GOOD_SOURCE]);
    expect(codeOf(() => loadTrustRoots([publicGoodRoot(), { source: 'x', json: { mediaType: 1 } }]))).toBe(
      'TRUSTED_ROOT_INVALID',
    );
  });
});

describe('a file of Sigstore bundles', () => {
  it('one per line, blank lines skipped, each with its line', () => {
    expect(sigstoreBundleDocuments(Buffer.from('{"a":1}\n\n{"b":2}\n'), 'f')).toEqual([
      { line: 1, json: { a: 1 } },
      { line: 3, json: { b: 2 } },
    ]);
  });

  it('a pretty-printed bundle is read whole', () => {
    expect(sigstoreBundleDocuments(Buffer.from('{\n  "a": 1\n}\n'), 'f')).toEqual([{ line: 1, json: { a: 1 } }]);
  });

  it('empty, not JSON, or duplicate keys: ATTESTATION_UNREADABLE', () => {
    // A line that is not JSON beside lines that are is listed, not refused (sigstore-lines.test.ts): only a file none
    // of whose lines is JSON is no JSON lines at all.
    for (const text of ['', '\n\n', 'not json\nnor this\n', '{"a":1,"a":2}'])
      expect(
        codeOf(() => sigstoreBundleDocuments(Buffer.from(text), 'f')),
        JSON.stringify(text),
      ).toBe('ATTESTATION_UNREADABLE');
  });
});

describe('attestation verdicts', () => {
  const roots = loadTrustRoots([publicGoodRoot()]);

  it('a document that is no Sigstore bundle fails, naming the artifact by its digests', () => {
    const report = attestationReport({
      json: { not: 'a bundle' },
      attestation: 'a.sigstore.json',
      digests: { sha256: 'ab'.repeat(32) },
      artifactFile: 'a.tgz',
      roots,
      keys: [],
      policy: {},
    });
    expect(report.ok).toBe(false);
    expect(report.artifact).toEqual({ file: 'a.tgz', digests: { sha256: 'ab'.repeat(32) } });
    expect(report.checks.some((c) => !c.ok)).toBe(true);
  });

  it('a set: a bundle that does not verify is listed and fails the run; no artifact is covered by it', () => {
    // A signature by a key not given: a Sigstore bundle that does not verify (one that is no bundle at all is
    // malformed: listed, not checked, and a file of nothing else is refused, sigstore-lines.test.ts).
    const unverifiable = unverifiableSigstoreBundle();
    const report = attestationSetReport({
      documents: [{ line: 1, json: unverifiable }],
      attestation: 'b.jsonl',
      artifacts: [{ name: 'a.tgz', digests: { sha256: 'ab'.repeat(32) } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      roots,
      keys: [],
      policy: {},
    });
    expect(report.ok).toBe(false);
    expect(report.bundles).toHaveLength(1);
    expect(report.bundles[0]?.ok).toBe(false);
    expect(report.bundles[0]?.malformed).toBeUndefined();
    expect(report.verdict).toBe('failed');
    expect(report.artifacts[0]).toMatchObject({ name: 'a.tgz', ok: false, coveredBy: [] });
    expect(report.predicateType).toBe('https://slsa.dev/provenance/v1');
  });
});
