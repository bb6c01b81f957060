/**
 * Releases that ship what a vulnerability's findings name though their own scans did not report it
 * (src/release-index/shipped.ts): same package and version by the purl specification's rules, never read as
 * unaffected.
 */
import { describe, expect, it } from 'vitest';
import { shippedAnswers, shippedQuestion, withShipped } from '../../src/release-index/shipped.js';
import { prefixCeiling } from '../../src/release-index/sql.js';

const digest = (v: string) => `sha256:${v.replace(/\./g, '').padStart(64, '0')}`;
const finding = (version: string, purl: string) => ({
  product: 'app',
  version,
  created: `2026-01-0${version.split('.')[1]}T00:00:00Z`,
  bundle_digest: digest(version),
  finding_id: 'GHSA-35jh-r3h4-6jhm',
  purl,
});
const component = (version: string, purl: string, scanned = 1, findingsRead: number | null = 1) => ({
  product: 'app',
  version,
  created: `2026-01-0${version.split('.')[1]}T00:00:00Z`,
  bundle_digest: digest(version),
  purl,
  package_key: 'npm//lodash',
  scanned,
  findings_read: findingsRead,
});

describe('a component a finding of the vulnerability names', () => {
  it('is found in a release whose scan did not report it, one without a scan, and one whose scan was not read', () => {
    const findings = [finding('1.6', 'pkg:npm/lodash@4.17.20')];
    // Narrowed to the version named: a component's canonical purl starts with it when it is that package at it.
    expect(shippedQuestion(findings, 'app')).toEqual({
      kind: 'components',
      packageKeys: ['npm//lodash'],
      purlPrefixes: ['pkg:npm/lodash@4.17.20'],
      product: 'app',
    });
    const answers = shippedAnswers(findings, [
      component('1.0', 'pkg:npm/lodash@4.17.20', 0),
      component('1.3', 'pkg:npm/lodash@4.17.20', 1, 0),
      component('1.4', 'pkg:npm/lodash@4.17.20'),
      // Its own scan reported it: an answer of its own, not this one.
      component('1.6', 'pkg:npm/lodash@4.17.20'),
      // Another version of the package is not what the finding names.
      component('1.5', 'pkg:npm/lodash@4.17.21'),
    ]);
    expect(answers.map((a) => [a.version, a.scan, a.found_by, a.named_by])).toEqual([
      ['1.0', 'not-scanned', 'sbom', 'app 1.6'],
      ['1.3', 'not-read', 'sbom', 'app 1.6'],
      ['1.4', 'not-reported', 'sbom', 'app 1.6'],
    ]);
    expect(answers[2]).toMatchObject({
      purl: 'pkg:npm/lodash@4.17.20',
      note: 'ships a component a finding of this vulnerability names (same package and version); its own scan did not report it',
    });
    expect(answers[2]).not.toHaveProperty('package_key');
    // With the scans' answers, in the index's order, each saying how it was found.
    expect(
      withShipped([{ ...finding('1.6', 'pkg:npm/lodash@4.17.20'), status: 'none' }], answers).map((a) => [
        a.version,
        a.found_by,
      ]),
    ).toEqual([
      ['1.0', 'sbom'],
      ['1.3', 'sbom'],
      ['1.4', 'sbom'],
      ['1.6', 'scan'],
    ]);
  });

  it('is compared by package and version as the purl specification reads them, not by qualifiers', () => {
    const findings = [
      finding('1.6', 'pkg:NPM/LoDash@4.17.20?arch=x'),
      finding('1.6', 'pkg:golang/github.com/x/net@0.7.0'),
    ];
    const go = (purl: string) => ({ ...component('1.4', purl), package_key: 'golang/github.com/x/net' });
    const answers = shippedAnswers(findings, [
      component('1.4', 'pkg:npm/lodash@4.17.20?arch=y'),
      // A Go module's version is `v` and a semantic version, however a scanner writes it.
      go('pkg:golang/github.com/x/net@v0.7.0'),
    ]);
    expect(answers.map((a) => a.purl)).toEqual(['pkg:npm/lodash@4.17.20?arch=y', 'pkg:golang/github.com/x/net@v0.7.0']);
  });

  it('names nothing when a purl does not read or gives no version: such releases stay as their scans leave them', () => {
    expect(shippedQuestion([finding('1.6', 'not a purl'), finding('1.6', 'pkg:npm/lodash')])).toBeUndefined();
    expect(shippedQuestion([])).toBeUndefined();
    const findings = [finding('1.6', 'pkg:npm/lodash@4.17.20')];
    expect(
      shippedAnswers(findings, [component('1.4', 'name:lodash@4.17.20'), component('1.3', 'pkg:npm/lodash')]),
    ).toEqual([]);
  });
});

describe('prefixCeiling: the least string above every string that starts with a prefix', () => {
  it('is the prefix with its last code point one higher, past the surrogates; undefined where there is none', () => {
    expect(prefixCeiling('pkg:npm/lodash@4.17.20')).toBe('pkg:npm/lodash@4.17.21');
    expect(prefixCeiling('pkg:npm/a@1.0.9')).toBe('pkg:npm/a@1.0.:');
    expect(prefixCeiling('a\u00ff')).toBe('a\u0100');
    expect(prefixCeiling('a\ud7ff')).toBe('a\ue000');
    expect(prefixCeiling('a\u{1f600}')).toBe('a\u{1f601}');
    expect(prefixCeiling('')).toBeUndefined();
    expect(prefixCeiling('a\u{10ffff}')).toBeUndefined();
    expect(prefixCeiling('a\udc00')).toBeUndefined();
    // Every string that starts with the prefix sorts below it, compared as UTF-8 bytes (as both stores compare).
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    for (const p of ['pkg:npm/x@1.2', 'a\u00ff', 'a\ud7ff', 'a\u{1f600}'])
      for (const tail of ['', '?arch=x', '\u{10ffff}', '\uffff', '#a'])
        expect(Buffer.compare(bytes(p + tail), bytes(prefixCeiling(p) as string))).toBe(-1);
  });
});
