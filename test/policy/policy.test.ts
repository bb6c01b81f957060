import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const ISSUER = 'https://token.actions.githubusercontent.com';
const SIGNER = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const EXAMPLE = new URL('../../examples/acme-web/', import.meta.url).pathname;
// The bundle is created 6 hours after the SLO snapshot's instant (2026-11-01T00:00:00Z).
const CREATED = String(Date.parse('2026-11-01T06:00:00Z') / 1000);

let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});

/** A signed bundle with SARIF, JUnit (pytest: 1 failed, 1 errored), an SLO snapshot and migrations. */
async function bundle(): Promise<string> {
  const dir = await tmp();
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  const token = fakeIdentityToken({ iss: ISSUER, sub: SIGNER });
  const r = await runCli(
    [
      'collect',
      '-o',
      'b.tar.gz',
      '--name',
      'acme-web',
      '--version',
      '1.4.2',
      '--sarif',
      fixture('sarif/security-severity.handwritten.sarif'),
      '--junit',
      fixture('junit/pytest.junit.xml'),
      '--slo-snapshot',
      join(EXAMPLE, 'slo/availability.snapshot.json'),
      '--migrations',
      join(EXAMPLE, 'db-migrations'),
      '--source-commit',
      'a'.repeat(40),
      '--sign',
      '--identity-token',
      token,
      '--fulcio-url',
      sigstore.url,
      '--rekor-url',
      sigstore.url,
      '--tsa-url',
      sigstore.url,
      '-q',
    ],
    { cwd: dir, env: { SOURCE_DATE_EPOCH: CREATED } },
  );
  expect(r).toMatchObject({ code: 0, stderr: '' });
  return dir;
}

async function verifyWith(
  dir: string,
  policy: string,
  extra: string[] = [],
): Promise<{
  code: number;
  stderr: string;
  report: {
    ok: boolean;
    verdict: string;
    policy: {
      ok: boolean;
      requirements: { kind: string; status: string }[];
      rules: { name: string; status: string; waiver?: { expired: boolean } }[];
      crossChecks: { name: string; status: string }[];
      identity: { status: string };
    };
  };
}> {
  await writeFile(join(dir, 'policy.yaml'), policy);
  const r = await runCli(
    ['verify', 'b.tar.gz', '--trusted-root', 'trusted_root.json', '--policy', 'policy.yaml', '--json', ...extra],
    { cwd: dir },
  );
  return { code: r.code, stderr: r.stderr, report: r.stdout ? JSON.parse(r.stdout) : undefined };
}

const HEAD = `version: 1
identity:
  - issuer: ${ISSUER}
    subjectRegexp: ^https://github\\.com/acme/web/\\.github/workflows/release\\.yml@refs/tags/v.*$
`;

describe('verify --policy', () => {
  it("holds: exit 0; the policy's identity list stands in for the identity flags", async () => {
    const dir = await bundle();
    const r = await verifyWith(
      dir,
      `${HEAD}require:\n  - kind: sarif\n  - kind: slo\n    maxAge: 12h\nrules:\n  - name: sarif-present\n    expr: size(sarif) == 1\n`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.report.verdict).toBe('verified');
    expect(r.report.policy.identity.status).toBe('pass');
  });

  it('fails: exit 3, every failure listed, controls and waivers reported', async () => {
    const dir = await bundle();
    const policy = `${HEAD}require:
  - kind: sbom
  - kind: slo
    maxAge: 1h
rules:
  - name: no-critical-vulns
    expr: sarif.all(s, s.severities.critical == 0)
    controls: [SOC2-CC7.1]
  - name: tests-green
    expr: junit.all(j, j.failed == 0)
  - name: no-errored-tests
    expr: junit.all(j, j.errored == 0)
  - name: budget-left
    expr: slo.all(s, s.slos.all(o, o.errorBudget.remaining > 0))
waivers:
  - rule: tests-green
    reason: quarantined, see ACME-1
    expires: 2999-12-31
  - rule: no-errored-tests
    reason: was fine last year
    expires: 2020-01-01
`;
    const r = await verifyWith(dir, policy);
    expect(r.code).toBe(3);
    expect(r.report.verdict).toBe('policy-failed');
    const p = r.report.policy;
    expect(p.requirements.map((x) => `${x.kind}:${x.status}`)).toEqual(['sbom:fail', 'slo:fail']);
    // By the fixtures: the hand-written SARIF has 2 critical results; pytest has 1 failed and 1 errored test;
    // the example SLO snapshot leaves 70 % of its budget.
    expect(p.rules.map((x) => `${x.name}:${x.status}`)).toEqual([
      'no-critical-vulns:fail',
      'tests-green:waived',
      'no-errored-tests:fail',
      'budget-left:pass',
    ]);
    expect(p.rules[2]?.waiver?.expired).toBe(true);
  });

  it('a signer the policy does not allow fails authenticity (exit 1): who signed is not a matter of policy leniency', async () => {
    const dir = await bundle();
    const r = await verifyWith(
      dir,
      `version: 1\nidentity:\n  - issuer: ${ISSUER}\n    subject: https://github.com/acme/other/.github/workflows/release.yml@refs/heads/main\n`,
    );
    expect(r.code).toBe(1);
    expect(r.report.verdict).toBe('failed');
  });

  it('integrity-only: identity rules are reported as not checked; the rest is evaluated', async () => {
    const dir = await bundle();
    const r = await verifyWith(dir, `${HEAD}rules:\n  - name: sarif-present\n    expr: size(sarif) == 1\n`, [
      '--integrity-only',
    ]);
    expect(r.code).toBe(0);
    expect(r.report.policy.identity.status).toBe('not-checked');
  });

  it('cross-checks the evidence against the bundle where the evidence states it', async () => {
    const dir = await bundle();
    const r = await verifyWith(dir, `${HEAD}crossChecks: [sarif-commit, junit-commit, sbom-version]\n`);
    // None of these fixtures states a commit or describes a version: nothing to compare.
    expect(r.report.policy.crossChecks.map((c) => `${c.name}:${c.status}`)).toEqual([
      'sarif-commit:not-applicable',
      'junit-commit:not-applicable',
      'sbom-version:not-applicable',
    ]);
    expect(r.code).toBe(0);
  });

  it('an unauthentic bundle is exit 1 whatever the policy says', async () => {
    const dir = await bundle();
    await writeFile(
      join(dir, 'other.json'),
      JSON.stringify(
        (
          await startLocalSigstore().then(async (s) => {
            await s.close();
            return s;
          })
        ).trustedRoot,
      ),
    );
    await writeFile(join(dir, 'policy.yaml'), 'version: 1\n');
    const r = await runCli(
      [
        'verify',
        'b.tar.gz',
        '--trusted-root',
        'other.json',
        '--certificate-identity',
        SIGNER,
        '--certificate-oidc-issuer',
        ISSUER,
        '--policy',
        'policy.yaml',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).verdict).toBe('failed');
  });

  it.each([
    [
      'a rule that does not compile',
      'version: 1\nrules:\n  - name: broken\n    expr: "sarif.all(s, "\n',
      'POLICY_RULE_INVALID',
    ],
    [
      'a rule that is not a boolean',
      'version: 1\nrules:\n  - name: count\n    expr: size(sarif)\n',
      'POLICY_RULE_INVALID',
    ],
    [
      'a rule reading a field that is not there',
      'version: 1\nrules:\n  - name: typo\n    expr: sarif.all(s, s.severity.critical == 0)\n',
      'POLICY_RULE_INVALID',
    ],
    [
      'a waiver for no rule',
      'version: 1\nwaivers:\n  - rule: nope\n    reason: x\n    expires: 2030-01-01\n',
      'POLICY_INVALID',
    ],
    [
      'a waiver that expires on a day that does not exist',
      'version: 1\nrules:\n  - name: r\n    expr: "true"\nwaivers:\n  - rule: r\n    reason: x\n    expires: 2026-02-30\n',
      'POLICY_INVALID',
    ],
    ['an unknown key', 'version: 1\nrequires: []\n', 'POLICY_INVALID'],
    ['version 2', 'version: 2\n', 'POLICY_INVALID'],
  ])('refuses %s (exit 2), naming it', async (_n, policy, code) => {
    const dir = await bundle();
    const r = await verifyWith(dir, policy, ['--certificate-identity', SIGNER, '--certificate-oidc-issuer', ISSUER]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`[${code}]`);
  });
});
