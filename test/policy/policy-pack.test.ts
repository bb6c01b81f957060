import { generateKeyPairSync, createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { collect, type CollectOptions } from '../../src/commands/collect.js';
import { sign } from '../../src/commands/sign.js';
import { verify } from '../../src/commands/verify.js';
import { fixture, useTmp } from '../helpers/tmp.js';
import { runCli } from '../helpers/io.js';
import { validateOscalAssessmentResults } from '../../src/formats/oscal.js';
import { controlResults } from '../../src/verifier/controls/index.js';

/**
 * examples/policies/: each policy of the pack against a bundle that passes it
 * and one that fails it, collected from real tool outputs here, key-signed,
 * and verified as an auditor would (the policy's verdict, and which rules).
 */

const tmp = useTmp();
const PACK = new URL('../../examples/policies/', import.meta.url).pathname;
const ISSUER = 'https://token.actions.githubusercontent.com';
const OWN_WORKFLOW = 'https://github.com/acme/web/.github/workflows/build.yml@refs/tags/v1.0.0';
const ISOLATED_BUILDER =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0';

let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});

/**
 * Collects, key-signs and verifies with a policy of the pack; the policy's verdict and the rules and requirements that
 * failed.
 */
async function judge(
  policy: string,
  inputs: Partial<CollectOptions>,
  dir?: string,
): Promise<{
  verdict: string | undefined;
  failed: string[];
  controls: string[];
  states: Record<string, string>;
  missing: Record<string, string[]>;
}> {
  const cwd = dir ?? (await tmp());
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(join(cwd, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(join(cwd, 'key.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  await collect({
    cwd,
    env: { SOURCE_DATE_EPOCH: '1780000000' },
    output: 'b.tar.gz',
    name: 'acme-web',
    version: '1.0.0',
    ...inputs,
  });
  await sign({ cwd, bundle: 'b.tar.gz', key: join(cwd, 'key.pem'), noStandard: true });
  const { report } = await verify({
    cwd,
    bundle: 'b.tar.gz',
    key: [join(cwd, 'key.pub.pem')],
    policy: join(PACK, policy),
    ...(inputs.trustedRoot ? { trustedRoot: inputs.trustedRoot } : {}),
  });
  expect(report.assessment?.authenticity.status).toBe('authentic');
  const p = report.policy;
  const failed = [
    ...(p?.requirements ?? []).filter((r) => r.status === 'fail').map((r) => `require ${r.kind}`),
    ...(p?.rules ?? []).filter((r) => r.status !== 'pass' && r.status !== 'waived').map((r) => r.name),
    ...(p?.crossChecks ?? []).filter((c) => c.status === 'fail').map((c) => `cross-check ${c.name}`),
  ];
  const controls = [
    ...new Set(
      [...(p?.requirements ?? []), ...(p?.rules ?? []), ...(p?.crossChecks ?? [])].flatMap((x) => x.controls ?? []),
    ),
  ].sort();
  const results = p ? controlResults(p) : [];
  return {
    verdict: report.verdict,
    failed,
    controls,
    states: Object.fromEntries(results.map((c) => [c.id, c.state])),
    missing: Object.fromEntries(results.map((c) => [c.id, c.missing])),
  };
}

/** SLSA v1 provenance of app.tgz signed keyless (local Sigstore) by `identity`. */
async function provenance(dir: string, identity: string): Promise<Partial<CollectOptions>> {
  await writeFile(join(dir, 'app.tgz'), 'the release artifact');
  const { keylessSigner } = await import('../../src/signer/sigstore.js');
  const signer = keylessSigner({
    identity: { getToken: () => Promise.resolve(fakeIdentityToken({ iss: ISSUER, sub: identity })) },
    ca: sigstore.url,
    tlogs: [{ url: sigstore.url, majorApiVersion: 1 }],
    tsas: [sigstore.url],
  });
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [
      { name: 'app.tgz', digest: { sha256: createHash('sha256').update('the release artifact').digest('hex') } },
    ],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: { buildType: 'https://actions.github.io/buildtypes/workflow/v1', externalParameters: {} },
      runDetails: { builder: { id: identity } },
    },
  };
  await writeFile(
    join(dir, 'app.provenance.sigstore.json'),
    JSON.stringify(await signer.signDsse(Buffer.from(JSON.stringify(statement)), 'application/vnd.in-toto+json')),
  );
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  return {
    subject: ['app.tgz'],
    attestation: ['app.provenance.sigstore.json'],
    identity: { certificateIdentity: identity, certificateOidcIssuer: ISSUER },
    trustedRoot: [join(dir, 'trusted_root.json')],
  };
}

describe('the policy pack (examples/policies/)', () => {
  it('soc2-cc8.1: a tested change passes; one with failing tests and a destructive migration fails, on CC8.1 and ISO A.8.29/A.8.32', async () => {
    const pass = await judge('soc2-cc8.1.yaml', {
      sbom: [fixture('sbom/npm-sbom.cdx.json')],
      junit: [fixture('junit/gradle-TEST-demo.StringsTest.junit.xml')],
    });
    expect(pass).toMatchObject({ verdict: 'verified', failed: [] });
    expect(pass.controls).toEqual(['ISO27001-A.8.29', 'ISO27001-A.8.32', 'SOC2-CC8.1']);
    const fail = await judge('soc2-cc8.1.yaml', {
      sbom: [fixture('sbom/npm-sbom.cdx.json')],
      junit: [fixture('junit/jest.junit.xml')],
      migrations: [fixture('migrations')],
    });
    expect(fail.verdict).toBe('policy-failed');
    expect(fail.failed).toEqual(['tests-green', 'no-destructive-migrations']);
  });

  it('soc2-cc8.1 on releases without the evidence its controls rest on: a rule over an empty list shows nothing, and CC8.1 is at most partly shown without change approvals', async () => {
    // No migrations and no Terraform plan: the policy holds (nothing destructive was shipped), but
    // ISO A.8.32 rests only on those two rules, so it is not shown; CC8.1 lacks approvals.
    const bare = await judge('soc2-cc8.1.yaml', {
      sbom: [fixture('sbom/npm-sbom.cdx.json')],
      junit: [fixture('junit/gradle-TEST-demo.StringsTest.junit.xml')],
    });
    expect(bare.verdict).toBe('verified');
    expect(bare.states).toEqual({
      'SOC2-CC8.1': 'partly-shown',
      'ISO27001-A.8.29': 'partly-shown',
      'ISO27001-A.8.32': 'not-shown',
    });
    expect(bare.missing['SOC2-CC8.1']?.join('\n')).toMatch(/approval of each change.*\(change-approvals\)/);
    expect(bare.missing['SOC2-CC8.1']?.join('\n')).toMatch(
      /rule no-destructive-migrations: it ranged over no migrations evidence/,
    );
    // The cross-check of the tests' commit did not apply (the bundle states no commit): that part is missing too.
    expect(bare.missing['SOC2-CC8.1']?.join('\n')).toMatch(/cross-check junit-commit: not applicable/);
    // ISO A.8.29 needs a security scan beside the tests.
    expect(bare.missing['ISO27001-A.8.29']?.join('\n')).toMatch(/scan.*\(sarif or scan or vulns\)/);
    // With a migration that is not destructive, A.8.32's migrations rule shows evidence; the plan is still missing.
    const dir = await tmp();
    await mkdir(join(dir, 'db'));
    await writeFile(join(dir, 'db', '001_add.sql'), 'ALTER TABLE users ADD COLUMN nickname text;\n');
    const some = await judge(
      'soc2-cc8.1.yaml',
      {
        sbom: [fixture('sbom/npm-sbom.cdx.json')],
        junit: [fixture('junit/gradle-TEST-demo.StringsTest.junit.xml')],
        migrations: ['db'],
      },
      dir,
    );
    expect(some.states['ISO27001-A.8.32']).toBe('partly-shown');
    expect(some.missing['ISO27001-A.8.32']?.join('\n')).toMatch(
      /no-infrastructure-destroyed: it ranged over no terraform evidence/,
    );
  });

  it('ssdf: a release with an SBOM, a clean scan and green tests passes; a critical finding fails RV.1/RV.2', async () => {
    const inputs = {
      sbom: [fixture('sbom/npm-sbom.cdx.json')],
      junit: [fixture('junit/gradle-TEST-demo.StringsTest.junit.xml')],
    };
    const pass = await judge('ssdf.yaml', { ...inputs, sarif: [fixture('sarif/eslint.sarif')] });
    expect(pass).toMatchObject({ verdict: 'verified', failed: [] });
    expect(pass.controls).toContain('SSDF-RV.1');
    const fail = await judge('ssdf.yaml', { ...inputs, sarif: [fixture('sarif/security-severity.handwritten.sarif')] });
    expect(fail.verdict).toBe('policy-failed');
    expect(fail.failed).toContain('no-critical-findings');
  });

  it('slsa-build-l2: provenance signed by the hosted builder passes; a release without provenance fails', async () => {
    const dir = await tmp();
    const pass = await judge('slsa-build-l2.yaml', await provenance(dir, OWN_WORKFLOW), dir);
    expect(pass).toMatchObject({ verdict: 'verified', failed: [] });
    const fail = await judge('slsa-build-l2.yaml', {
      junit: [fixture('junit/gradle-TEST-demo.StringsTest.junit.xml')],
    });
    expect(fail.failed).toEqual(['require attestation', 'provenance-exists', 'provenance-signed-by-hosted-builder']);
  }, 60_000);

  it("slsa-build-l3: provenance from the isolated builder passes; from the project's own workflow it is only L2", async () => {
    const dir = await tmp();
    const pass = await judge('slsa-build-l3.yaml', await provenance(dir, ISOLATED_BUILDER), dir);
    expect(pass).toMatchObject({ verdict: 'verified', failed: [] });
    const other = await tmp();
    const fail = await judge('slsa-build-l3.yaml', await provenance(other, OWN_WORKFLOW), other);
    expect(fail).toMatchObject({ verdict: 'policy-failed', failed: ['provenance-from-isolated-builder'] });
  }, 60_000);

  it("one release's reports show each control with what evidences it, and --format oscal writes assessment results that validate", async () => {
    const dir = await tmp();
    const fail = await judge(
      'soc2-cc8.1.yaml',
      { sbom: [fixture('sbom/npm-sbom.cdx.json')], junit: [fixture('junit/jest.junit.xml')] },
      dir,
    );
    expect(fail.verdict).toBe('policy-failed');
    const args = ['verify', 'b.tar.gz', '--key', 'key.pub.pem', '--policy', join(PACK, 'soc2-cc8.1.yaml')];
    const text = await runCli(args, { cwd: dir });
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(
      /SOC2-CC8\.1 \(Changes are authorised[^)]*\): FAILED; requirement junit pass, requirement sbom pass, rule tests-green fail/,
    );
    expect(text.stdout).toMatch(/ISO27001-A\.8\.32 \(Change management\): not shown \(no evidence\);/);
    const md = await runCli([...args, '--format', 'markdown'], { cwd: dir });
    expect(md.stdout).toContain('| `ISO27001-A.8.29` Security testing in development and acceptance |');
    const oscal = await runCli([...args, '--format', 'oscal'], { cwd: dir });
    expect(oscal.code).toBe(3);
    const doc = JSON.parse(oscal.stdout) as {
      'assessment-results': {
        results: {
          findings: { target: { 'target-id': string; status: { state: string } } }[];
          observations: { 'relevant-evidence': { href: string; description: string }[] }[];
        }[];
      };
    };
    expect(validateOscalAssessmentResults(doc)).toEqual({ ok: true });
    const result = doc['assessment-results'].results[0];
    expect(
      Object.fromEntries((result?.findings ?? []).map((f) => [f.target['target-id'], f.target.status.state])),
    ).toEqual({
      'SOC2-CC8.1': 'not-satisfied',
      'ISO27001-A.8.29': 'not-satisfied',
      'ISO27001-A.8.32': 'not-satisfied',
    });
    const { createHash } = await import('node:crypto');
    const { readFile } = await import('node:fs/promises');
    const digest = createHash('sha256')
      .update(await readFile(join(dir, 'b.tar.gz')))
      .digest('hex');
    expect(result?.observations[0]?.['relevant-evidence'].some((e) => e.description.includes(`sha256:${digest}`))).toBe(
      true,
    );
    // Signed with a key and no timestamp: its date is its signer's own claim, and said so; no risk claims production.
    expect(JSON.stringify(result?.observations)).toContain("dated by its signer's own created time");
    expect(oscal.stdout).not.toContain('production');
    // An assessment of controls on evidence nobody vouched for is refused rather than written.
    const unchecked = await runCli(
      [...args.filter((a) => a !== '--key' && a !== 'key.pub.pem'), '--integrity-only', '--format', 'oscal'],
      {
        cwd: dir,
      },
    );
    expect(unchecked.code).toBe(2);
    expect(unchecked.stderr).toContain('[USAGE]');
  });
});
