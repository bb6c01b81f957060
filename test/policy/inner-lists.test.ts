import { describe, expect, it } from 'vitest';
import type { Manifest, ManifestEntry } from '../../src/core/manifest.js';
import { controlResults } from '../../src/verifier/controls/index.js';
import { evaluatePolicy, loadPolicy } from '../../src/verifier/policy/evaluate.js';
import { baselineManifest } from '../helpers/craft.js';
import { summaryEntry } from '../helpers/entries.js';

/**
 * Class: a rule that holds over lists inside the entries (an SBOM's licences, a snapshot's SLOs, a change's
 * approvers) when those lists are empty. CEL answers true for `all` over nothing, so the policy holds; what the rule
 * was about was never seen, and no control it cites may read as shown by it.
 */
const entry = summaryEntry;

const sbom = (n: number, licenses: string[]): ManifestEntry =>
  entry('sbom', n, { components: 3, format: 'cyclonedx', specVersion: '1.5', licenses, unlicensed: 3 });

function manifest(...entries: ManifestEntry[]): Manifest {
  const m = baselineManifest();
  return { ...m, entries: [...m.entries, ...entries].sort((a, b) => (a.path < b.path ? -1 : 1)) };
}

function evaluate(expr: string, m: Manifest, controls = ['SSDF-PS.3']) {
  const loaded = loadPolicy(Buffer.from(JSON.stringify({ version: 1, rules: [{ name: 'r', expr, controls }] })), 'p');
  const result = evaluatePolicy(loaded, { manifest: m, blobs: new Map(), mode: 'signed', now: new Date() });
  return { rule: result.rules[0], control: controlResults(result)[0] };
}

const ALLOWED = 'sbom.all(b, b.licenses.all(l, l in ["MIT", "Apache-2.0"]))';

describe('rules over lists inside entries', () => {
  it('an SBOM that names no licence holds the licence rule but shows nothing for its control', () => {
    const { rule, control } = evaluate(ALLOWED, manifest(sbom(1, [])));
    expect(rule?.status).toBe('pass');
    expect(rule?.reads).toEqual([
      { kind: 'sbom', count: 1 },
      { kind: 'sbom.licenses', count: 0, lists: 1, empty: 1 },
    ]);
    expect(control).toMatchObject({ state: 'not-shown' });
    expect(control?.items[0]).toMatchObject({ shows: 'nothing' });
    expect(control?.missing.join(' ')).toMatch(/no licenses in the sbom evidence/);
  });

  it('one SBOM with licences and one without: shown in part, each list counted once', () => {
    const { rule, control } = evaluate(ALLOWED, manifest(sbom(1, ['MIT']), sbom(2, [])));
    expect(rule?.status).toBe('pass');
    expect(rule?.reads).toContainEqual({ kind: 'sbom.licenses', count: 1, lists: 2, empty: 1 });
    expect(control?.items[0]).toMatchObject({ shows: 'partial' });
    expect(control?.missing.join(' ')).toMatch(/1 of the 2 sbom items it read list no licenses/);
    // Every SBOM names a licence: the rule shows evidence.
    const full = evaluate(ALLOWED, manifest(sbom(1, ['MIT']), sbom(2, ['Apache-2.0'])));
    expect(full.rule?.reads).toContainEqual({ kind: 'sbom.licenses', count: 2, lists: 2, empty: 0 });
    expect(full.control?.items[0]).toMatchObject({ shows: 'evidence' });
  });

  it('membership over an empty list (`!("GPL-3.0" in b.licenses)`) is a read of that list too', () => {
    const { rule, control } = evaluate('sbom.all(b, !("GPL-3.0" in b.licenses))', manifest(sbom(1, [])));
    expect(rule?.status).toBe('pass');
    expect(control?.items[0]).toMatchObject({ shows: 'nothing' });
  });

  it('a list the rule only measures, or never reached, is not a read', () => {
    // size() reads no element: a rule that asks for licences fails on none, and one that counts them reads nothing.
    expect(evaluate('sbom.all(b, size(b.licenses) > 0)', manifest(sbom(1, []))).rule?.status).toBe('fail');
    const counted = evaluate('sbom.all(b, size(b.licenses) >= 0)', manifest(sbom(1, [])));
    expect(counted.rule?.reads).toEqual([{ kind: 'sbom', count: 1 }]);
    // Short-circuited: the list was not reached, so not read.
    const guarded = evaluate('sbom.all(b, b.components == 0 || b.licenses.all(l, l == "MIT"))', manifest(sbom(1, [])));
    expect(guarded.rule?.reads).toContainEqual({ kind: 'sbom.licenses', count: 0, lists: 1, empty: 1 });
    const skipped = evaluate('sbom.all(b, b.components > 0 || b.licenses.all(l, l == "MIT"))', manifest(sbom(1, [])));
    expect(skipped.rule?.reads).toEqual([{ kind: 'sbom', count: 1 }]);
  });

  it('an empty list of failures is a finding: no failed threshold shows evidence', () => {
    const k6 = entry('k6', 1, {
      checks: { failed: 0, passed: 10 },
      httpReqDuration: { p90: 1, p95: 2, p99: 3 },
      httpReqFailedRate: 0,
      thresholds: { failed: [], passed: ['checks:rate>0.95'] },
    });
    const { rule, control } = evaluate('k6.all(k, k.thresholds.failed.all(t, false))', manifest(k6));
    expect(rule?.status).toBe('pass');
    expect(rule?.reads).toEqual([{ kind: 'k6', count: 1 }]);
    expect(control?.items[0]).toMatchObject({ shows: 'evidence' });
  });

  it('a snapshot without SLOs shows nothing for a rule over its SLOs (the documented example)', () => {
    const slo = entry('slo', 1, { asOf: '2026-11-01T00:00:00Z', live: false, slos: [] });
    const { rule, control } = evaluate(
      'slo.all(s, s.slos.all(o, o.errorBudget.remaining > 0 && !o.alerts.page))',
      manifest(slo),
      ['SOC2-CC7.1'],
    );
    expect(rule?.status).toBe('pass');
    expect(control?.state).toBe('not-shown');
  });

  it('the lists are counted afresh for every rule', () => {
    const loaded = loadPolicy(
      Buffer.from(
        JSON.stringify({
          version: 1,
          rules: [
            { name: 'a', expr: ALLOWED },
            { name: 'b', expr: 'sbom.all(b, b.components > 0)' },
          ],
        }),
      ),
      'p',
    );
    const result = evaluatePolicy(loaded, {
      manifest: manifest(sbom(1, [])),
      blobs: new Map(),
      mode: 'signed',
      now: new Date(),
    });
    expect(result.rules.map((r) => r.reads.map((x) => x.kind))).toEqual([['sbom', 'sbom.licenses'], ['sbom']]);
  });
});

/**
 * Class: entries of the right kind that hold nothing to judge (a JUnit report without tests, an SBOM without
 * components, a SARIF log without runs). The kind is there, the evidence is not: a requirement or rule citing a
 * control over them shows nothing for it, whatever the policy says.
 */
describe('entries that hold nothing to judge', () => {
  const junit = (n: number, tests: number): ManifestEntry =>
    entry('junit', n, { tests, passed: tests, failed: 0, errored: 0, skipped: 0, durationSeconds: 0 });

  function judged(policy: Record<string, unknown>, ...entries: ManifestEntry[]) {
    const loaded = loadPolicy(Buffer.from(JSON.stringify({ version: 1, ...policy })), 'p');
    const result = evaluatePolicy(loaded, {
      manifest: manifest(...entries),
      blobs: new Map(),
      mode: 'signed',
      now: new Date(),
    });
    return { result, controls: controlResults(result) };
  }

  it('a requirement met by a test report without tests passes the policy and shows nothing for its control', () => {
    const { result, controls } = judged({ require: [{ kind: 'junit', controls: ['SSDF-PW.8'] }] }, junit(1, 0));
    expect(result.ok).toBe(true);
    expect(result.requirements[0]).toMatchObject({ status: 'pass', count: 1, empty: 1 });
    expect(result.requirements[0]?.message).toMatch(/1 of them hold nothing \(a test report in which no test ran/);
    expect(controls[0]).toMatchObject({ state: 'not-shown' });
    // One report with tests beside it: shown in part.
    const half = judged({ require: [{ kind: 'junit', controls: ['SSDF-PW.8'] }] }, junit(1, 0), junit(2, 5));
    expect(half.controls[0]?.items[0]).toMatchObject({ shows: 'partial' });
  });

  it('a test report whose tests were all skipped holds nothing too: a rule over it shows nothing', () => {
    const skipped = entry('junit', 1, { tests: 3, passed: 0, failed: 0, errored: 0, skipped: 3, durationSeconds: 0 });
    const { result, controls } = judged(
      { rules: [{ name: 'r', expr: 'junit.all(j, j.tests > 0 && j.failed == 0)', controls: ['SSDF-PW.8'] }] },
      skipped,
    );
    expect(result.rules[0]).toMatchObject({ status: 'pass', reads: [{ kind: 'junit', count: 1, empty: 1 }] });
    expect(controls[0]).toMatchObject({ state: 'not-shown' });
    // One test that ran beside the skipped ones: the report holds something.
    const one = entry('junit', 2, { tests: 3, passed: 1, failed: 0, errored: 0, skipped: 2, durationSeconds: 0 });
    expect(judged({ require: [{ kind: 'junit', controls: ['SSDF-PW.8'] }] }, one).controls[0]).toMatchObject({
      state: 'held',
    });
  });

  it('a rule over SBOMs without components, or SARIF logs without runs, shows nothing', () => {
    const { result, controls } = judged(
      { rules: [{ name: 'r', expr: 'sbom.all(b, b.components >= 0)', controls: ['SSDF-PS.3'] }] },
      entry('sbom', 1, { components: 0, format: 'cyclonedx', specVersion: '1.5', licenses: [], unlicensed: 0 }),
    );
    expect(result.rules[0]).toMatchObject({ status: 'pass', reads: [{ kind: 'sbom', count: 1, empty: 1 }] });
    expect(controls[0]).toMatchObject({ state: 'not-shown' });
    const sarif = judged(
      { rules: [{ name: 'r', expr: 'sarif.all(s, s.severities.critical == 0)', controls: ['SSDF-RV.1'] }] },
      entry('sarif', 1, {
        tools: [],
        results: 0,
        levels: { error: 0, warning: 0, note: 0, none: 0 },
        severities: { critical: 0, high: 0, medium: 0, low: 0 },
      }),
    );
    expect(sarif.controls[0]?.items[0]).toMatchObject({ shows: 'nothing' });
  });

  it('a rule that reads no evidence list shows nothing; scan, vex and kev are lists a rule reads, empty when absent', () => {
    const none = judged({ rules: [{ name: 't', expr: 'true', controls: ['SSDF-PW.8'] }] });
    expect(none.controls[0]).toMatchObject({ state: 'not-shown' });
    expect(none.controls[0]?.missing.join(' ')).toMatch(/reads no evidence list/);
    // Without a scan the rule holds over an empty list (as docs/policy.md says of an absent kind), not a policy error.
    const scans = judged({
      rules: [{ name: 's', expr: 'scan.all(x, x.severities.critical == 0) && vex.size() >= 0 && kev.size() >= 0' }],
    });
    expect(scans.result.rules[0]).toMatchObject({
      status: 'pass',
      reads: [
        { kind: 'scan', count: 0 },
        { kind: 'vex', count: 0 },
        { kind: 'kev', count: 0 },
      ],
    });
  });
});
