import { describe, expect, it } from 'vitest';
import { CATALOGS, CONTROL_ID, controlResults, lookupControl } from '../../src/verifier/controls/index.js';
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
    expect(CATALOGS.map((c) => c.controls.length)).toEqual([14, 9, 19, 4, 30]);
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
    const policy = (control: string): Buffer => Buffer.from(`version: 1\nrules:\n  - name: r\n    expr: "true"\n    controls: [${control}]\n`);
    expect(() => loadPolicy(policy('SOC2-CC8.9'), 'p.yaml')).toThrow(expect.objectContaining({ code: 'POLICY_INVALID' }));
    expect(() => loadPolicy(policy('SLSA-BUILD-L4'), 'p.yaml')).toThrow(expect.objectContaining({ code: 'POLICY_INVALID' }));
    expect(loadPolicy(policy('SOC2-CC1.2'), 'p.yaml').policy.rules[0]?.controls).toEqual(['SOC2-CC1.2']);
    // Another case or punctuation of a listed id, a shipped prefix in another case, and ids that are not tokens are refused too.
    for (const typo of ['SOC2-cc8.1', 'ISO27001-A8.32', 'soc2-CC8.1', 'SLSA-build-L2', '"A B"', '"<b>x</b>"', '"SOC2-CC8.1 "']) {
      expect(() => loadPolicy(policy(typo), 'p.yaml'), typo).toThrow(expect.objectContaining({ code: 'POLICY_INVALID' }));
    }
    expect(() => loadPolicy(policy('SOC2-cc8.1'), 'p.yaml')).toThrow(/did you mean 'SOC2-CC8\.1'/);
  });

  it('a control holds only when everything citing it passed; waived when one was waived; failed when one failed; n/a when nothing applied', () => {
    const result = {
      ok: false,
      policy: { path: 'p', digest: 'sha256:0' },
      evaluatedAt: '2026-01-01T00:00:00Z',
      identity: { status: 'none', message: '' },
      requirements: [{ kind: 'junit', status: 'pass', message: '', count: 1, controls: ['SOC2-CC8.1', 'SSDF-PW.8'] }],
      rules: [
        { name: 'a', expr: 'true', status: 'waived', message: '', controls: ['SSDF-PW.8'] },
        { name: 'b', expr: 'false', status: 'fail', message: '', controls: ['ISO27001-A.8.29'] },
      ],
      crossChecks: [{ name: 'sarif-commit', status: 'not-applicable', message: '', controls: ['SSDF-RV.1'] }],
    } satisfies PolicyResult;
    expect(controlResults(result).map((c) => [c.id, c.state])).toEqual([
      ['SOC2-CC8.1', 'held'],
      ['ISO27001-A.8.29', 'failed'],
      ['SSDF-PW.8', 'waived'],
      ['SSDF-RV.1', 'not-applicable'],
    ]);
  });
});
