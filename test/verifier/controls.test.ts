import { describe, expect, it } from 'vitest';
import {
  CATALOGS,
  CONTROL_ID,
  CONTROL_NEEDS,
  controlResults,
  lookupControl,
  needsOf,
} from '../../src/verifier/controls/index.js';
import { loadPolicy } from '../../src/verifier/policy/evaluate.js';
import { TOKEN } from '../../src/formats/oscal.js';
import type { PolicyResult } from '../../src/verifier/policy-result.js';

describe('the control catalogs', () => {
  it('hold unique ids that are OSCAL tokens, each with a title, and name their source', () => {
    for (const c of CATALOGS) {
      const ids = c.controls.map((x) => `${c.prefix}-${x.id}`);
      expect(new Set(ids).size, c.id).toBe(ids.length);
      for (const id of ids) {
        expect(TOKEN.test(id), id).toBe(true);
        expect(CONTROL_ID.test(id), id).toBe(true);
        expect(lookupControl(id).known, id).toBe(true);
      }
      expect(c.controls.every((x) => x.title.length > 5 && c.scope.test(x.id))).toBe(true);
      expect(c.source.url).toMatch(/^https:\/\//);
    }
    expect(CATALOGS.map((c) => c.controls.length)).toEqual([14, 9, 19, 8, 30]);
  });

  it('accepts an SSDF task as its practice, refuses a typo inside a listed range, and keeps controls outside it as written', () => {
    expect(lookupControl('SSDF-PS.3.2')).toMatchObject({ known: true, control: { id: 'PS.3' }, task: 'PS.3.2' });
    expect(lookupControl('SSDF-PW.3')).toMatchObject({ known: false, typo: true }); // folded into PW.4 in SSDF 1.1
    expect(lookupControl('SOC2-CC8.2')).toMatchObject({ known: false, typo: true });
    expect(lookupControl('SOC2-CC1.1')).toMatchObject({ known: false, typo: false });
    expect(lookupControl('ISO27001-A.8.8')).toMatchObject({ known: false, typo: false });
    expect(lookupControl('ISO27001-A.8.34')).toMatchObject({ known: false, typo: false });
    expect(lookupControl('ISO27001-A.8.30')).toMatchObject({ known: true });
    expect(lookupControl('CRA-I.P1.2n')).toMatchObject({ known: false, typo: true });
    expect(lookupControl('SRE-ERROR-BUDGET')).toEqual({ known: false, id: 'SRE-ERROR-BUDGET' });
  });

  it('refuses a policy citing a typo, by code', () => {
    const policy = (control: string): Buffer =>
      Buffer.from(`version: 1\nrules:\n  - name: r\n    expr: "true"\n    controls: [${control}]\n`);
    expect(() => loadPolicy(policy('SOC2-CC8.9'), 'p.yaml')).toThrow(
      expect.objectContaining({ code: 'POLICY_INVALID' }),
    );
    expect(() => loadPolicy(policy('SLSA-BUILD-L4'), 'p.yaml')).toThrow(
      expect.objectContaining({ code: 'POLICY_INVALID' }),
    );
    expect(loadPolicy(policy('SOC2-CC1.2'), 'p.yaml').policy.rules[0]?.controls).toEqual(['SOC2-CC1.2']);
    // Another case or punctuation of a listed id, a shipped prefix in another case, and ids that are not tokens are
    // refused too.
    for (const typo of [
      'SOC2-cc8.1',
      'ISO27001-A8.32',
      'soc2-CC8.1',
      'SLSA-build-L2',
      '"A B"',
      '"<b>x</b>"',
      '"SOC2-CC8.1 "',
    ]) {
      expect(() => loadPolicy(policy(typo), 'p.yaml'), typo).toThrow(
        expect.objectContaining({ code: 'POLICY_INVALID' }),
      );
    }
    expect(() => loadPolicy(policy('SOC2-cc8.1'), 'p.yaml')).toThrow(/did you mean 'SOC2-CC8\.1'/);
  });

  it('every shipped control says what evidence it needs at least, with the basis of that judgement', () => {
    for (const c of CATALOGS) {
      for (const x of c.controls) {
        const needs = needsOf(c.prefix, x.id);
        expect(needs, `${c.prefix}-${x.id}`).toBeDefined();
        for (const n of needs ?? []) expect(n.basis.length, `${c.prefix}-${x.id}`).toBeGreaterThan(5);
      }
    }
    expect(Object.keys(CONTROL_NEEDS).length).toBe(CATALOGS.reduce((n, c) => n + c.controls.length, 0));
    // CC8.1 is about authorising and approving changes.
    expect(needsOf('SOC2', 'CC8.1')?.some((n) => n.kinds.includes('change-approvals'))).toBe(true);
  });

  const result = (over: Partial<PolicyResult>): PolicyResult => ({
    ok: true,
    policy: { path: 'p', digest: 'sha256:0' },
    evaluatedAt: '2026-01-01T00:00:00Z',
    identity: { status: 'none', message: '' },
    requirements: [],
    rules: [],
    crossChecks: [],
    evidence: { kinds: {}, signed: true },
    ...over,
  });

  it('a control holds only when everything citing it passed on evidence that is there and everything it needs was shown', () => {
    const r = result({
      ok: false,
      requirements: [{ kind: 'junit', status: 'pass', message: '', count: 1, controls: ['SOC2-CC8.1', 'SSDF-PW.8'] }],
      rules: [
        { name: 'a', expr: 'true', status: 'waived', message: '', reads: [], controls: ['SSDF-PW.8'] },
        { name: 'b', expr: 'false', status: 'fail', message: '', reads: [], controls: ['ISO27001-A.8.29'] },
        {
          name: 'c',
          expr: 'sbom.all(x, x.components > 0)',
          status: 'pass',
          message: '',
          reads: [{ kind: 'sbom', count: 1 }],
          controls: ['SSDF-PS.3.2'],
        },
      ],
      crossChecks: [
        {
          name: 'sarif-commit',
          status: 'not-applicable',
          message: 'no evidence of that kind states it',
          controls: ['SSDF-RV.1'],
        },
      ],
    });
    expect(controlResults(r).map((c) => [c.id, c.state])).toEqual([
      // Tests are there, but no approvals and nothing documenting what shipped.
      ['SOC2-CC8.1', 'partly-shown'],
      ['ISO27001-A.8.29', 'failed'],
      ['SSDF-PS.3.2', 'held'],
      ['SSDF-PW.8', 'waived'],
      // A cross-check that did not apply shows nothing.
      ['SSDF-RV.1', 'not-shown'],
    ]);
    const cc81 = controlResults(r).find((c) => c.id === 'SOC2-CC8.1');
    expect(cc81?.missing).toHaveLength(2);
    expect(cc81?.missing[0]).toMatch(/approval/);
  });

  it('a rule over an empty list shows nothing, never a held control (class: vacuous truth)', () => {
    const vacuous = result({
      rules: [
        {
          name: 'm',
          expr: 'migrations.all(m, size(m.destructive) == 0)',
          status: 'pass',
          message: 'holds',
          reads: [{ kind: 'migrations', count: 0 }],
          controls: ['ISO27001-A.8.32', 'SSDF-PW.8'],
        },
      ],
    });
    expect(controlResults(vacuous).map((c) => c.state)).toEqual(['not-shown', 'not-shown']);
    // Two lists, one empty: shown in part.
    const half = result({
      evidence: { kinds: { junit: 1 }, signed: true },
      rules: [
        {
          name: 'm',
          expr: 'junit.all(j, j.failed == 0) && terraform.all(t, !t.destructive)',
          status: 'pass',
          message: 'holds',
          reads: [
            { kind: 'junit', count: 1 },
            { kind: 'terraform', count: 0 },
          ],
          controls: ['SSDF-PW.8'],
        },
      ],
    });
    expect(controlResults(half)[0]).toMatchObject({
      state: 'partly-shown',
      missing: [expect.stringMatching(/no terraform evidence/)],
    });
    // A requirement of none (min: 0) met by no entry shows nothing either.
    expect(
      controlResults(
        result({ requirements: [{ kind: 'junit', status: 'pass', message: '', count: 0, controls: ['SSDF-PW.8'] }] }),
      )[0]?.state,
    ).toBe('not-shown');
    // A report that does not record what a rule read shows nothing from it.
    const legacy = result({
      rules: [
        {
          name: 'x',
          expr: 'junit.size() > 0',
          status: 'pass',
          message: '',
          controls: ['SSDF-PW.8'],
        } as unknown as PolicyResult['rules'][number],
      ],
    });
    expect(controlResults(legacy)[0]?.state).toBe('not-shown');
  });

  it('a need met only by the signature is shown only when the signature was verified', () => {
    const req = { kind: 'sbom', status: 'pass' as const, message: '', count: 1, controls: ['SSDF-PS.2', 'SSDF-PS.3'] };
    expect(controlResults(result({ requirements: [req] })).map((c) => c.state)).toEqual(['held', 'held']);
    const unsigned = controlResults(result({ requirements: [req], evidence: { kinds: { sbom: 1 }, signed: false } }));
    expect(unsigned.map((c) => c.state)).toEqual(['partly-shown', 'held']);
    // A control release evidence cannot show is at most partly shown, whatever the policy says.
    expect(controlResults(result({ requirements: [{ ...req, controls: ['SOC2-CC6.4'] }] }))[0]).toMatchObject({
      state: 'partly-shown',
      missing: [expect.stringMatching(/cannot show/)],
    });
  });
});
