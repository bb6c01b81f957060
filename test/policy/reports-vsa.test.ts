import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const ISSUER = 'https://token.actions.githubusercontent.com';
const SIGNER = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});

async function signed(): Promise<{ dir: string; services: string[]; token: string }> {
  const dir = await tmp();
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  const token = fakeIdentityToken({ iss: ISSUER, sub: SIGNER });
  const services = ['--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url];
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
      fixture('junit/vitest.junit.xml'),
      '--sign',
      '--identity-token',
      token,
      ...services,
      '-q',
    ],
    { cwd: dir },
  );
  expect(r.code).toBe(0);
  await writeFile(
    join(dir, 'policy.yaml'),
    'version: 1\nrules:\n  - name: no-critical-vulns\n    expr: sarif.all(s, s.severities.critical == 0)\n    controls: [SOC2-CC7.1]\n',
  );
  return { dir, services, token };
}

const who = [
  '--trusted-root',
  'trusted_root.json',
  '--certificate-identity',
  SIGNER,
  '--certificate-oidc-issuer',
  ISSUER,
];

describe('reports', () => {
  it('writes Markdown and HTML reports with --format and --output, and appends Markdown to the GitHub step summary', async () => {
    const { dir } = await signed();
    await writeFile(join(dir, 'summary.md'), '# earlier step\n');
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(dir, 'summary.md') };
    const md = await runCli(
      ['verify', 'b.tar.gz', ...who, '--policy', 'policy.yaml', '--format', 'markdown', '--output', 'report.md'],
      { cwd: dir, env },
    );
    expect(md.code).toBe(3);
    const markdown = await readFile(join(dir, 'report.md'), 'utf8');
    expect(markdown).toContain('no-critical-vulns');
    expect(markdown).toContain('SOC2-CC7.1');
    const summary = await readFile(join(dir, 'summary.md'), 'utf8');
    expect(summary.startsWith('# earlier step\n')).toBe(true);
    expect(summary).toContain('no-critical-vulns');
    const html = await runCli(['verify', 'b.tar.gz', ...who, '--format', 'html', '--output', 'report.html'], {
      cwd: dir,
    });
    expect(html.code).toBe(0);
    const page = await readFile(join(dir, 'report.html'), 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/i);
    expect(page).toContain('acme-web');
    expect(page).not.toMatch(/<script|https?:\/\/[^"'\s]*\.(css|js)/i);
  });

  it('evidence report writes the same report without a policy', async () => {
    const { dir } = await signed();
    const r = await runCli(['report', 'b.tar.gz', '-o', 'audit.html', ...who], { cwd: dir });
    expect(r.code).toBe(0);
    expect(await readFile(join(dir, 'audit.html'), 'utf8')).toContain(SIGNER);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^wrote audit\.html: VERIFIED/);
    // Without -o the report goes to standard output, like verify's.
    const md = await runCli(['report', 'b.tar.gz', '--format', 'markdown', ...who], { cwd: dir });
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^# Evidence audit: /);
    expect(md.stdout).toContain('| Is the bundle authentic? | ✅ yes');
  });

  it('a policy failure reads as a policy failure in every format, never as a verification failure', async () => {
    const { dir } = await signed();
    for (const format of ['text', 'json', 'markdown', 'html']) {
      const r = await runCli(['verify', 'b.tar.gz', ...who, '--policy', 'policy.yaml', '--format', format], {
        cwd: dir,
      });
      expect(r.code, format).toBe(3);
      expect(r.stdout.toLowerCase(), format).not.toContain('verification failed');
      if (format === 'json') {
        const report = JSON.parse(r.stdout);
        expect(report.verdict).toBe('policy-failed');
        expect(report.assessment.authenticity.status).toBe('authentic');
        expect(report.assessment.policy.status).toBe('failed');
      } else expect(r.stdout, format).toContain('POLICY FAILED');
    }
  });
});

describe('verification summary attestation', () => {
  it('writes a VSA whose subject is the bundle, signed and verifiable with verify-attestation', async () => {
    const { dir, services, token } = await signed();
    const r = await runCli(
      [
        'verify',
        'b.tar.gz',
        ...who,
        '--policy',
        'policy.yaml',
        '--json',
        '--vsa',
        'vsa.json',
        '--vsa-sign',
        '--identity-token',
        token,
        ...services,
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(3);
    const vsa = JSON.parse(await readFile(join(dir, 'vsa.json'), 'utf8'));
    const bundleSha = createHash('sha256')
      .update(await readFile(join(dir, 'b.tar.gz')))
      .digest('hex');
    expect(vsa).toMatchObject({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'b.tar.gz', digest: { sha256: bundleSha } }],
      predicateType: 'https://slsa.dev/verification_summary/v1',
      predicate: {
        verifier: { id: 'https://evidence-bundle.dev/verifier' },
        resourceUri: 'b.tar.gz',
        verificationResult: 'FAILED',
        policy: {
          uri: 'policy.yaml',
          digest: {
            sha256: createHash('sha256')
              .update(await readFile(join(dir, 'policy.yaml')))
              .digest('hex'),
          },
        },
      },
    });
    expect(vsa.predicate.inputAttestations[0].uri).toBe('attestations/evidence.sigstore.json');
    // Signed and about this bundle, but it says the verification FAILED: a gate that checks it must not pass.
    const check = await runCli(
      ['verify-attestation', 'vsa.sigstore.json', '--digest', `sha256:${bundleSha}`, ...who, '--json'],
      { cwd: dir },
    );
    expect(check.code).toBe(1);
    const failed = JSON.parse(check.stdout);
    expect(failed.ok).toBe(false);
    expect(failed.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { code: string }) => c.code)).toEqual([
      'VSA_NOT_PASSED',
    ]);
    // What the VSA says is apart from whether its signature verified and covers the bundle: that part is not denied.
    const failedText = await runCli(
      ['verify-attestation', 'vsa.sigstore.json', '--digest', `sha256:${bundleSha}`, ...who],
      {
        cwd: dir,
      },
    );
    expect(failedText.stdout).not.toContain('NOT VERIFIED');
    expect(failedText.stdout).toMatch(/^ok +statement /m);
    const passing = await runCli(
      ['verify', 'b.tar.gz', ...who, '--vsa', 'vsa2.json', '--vsa-sign', '--identity-token', token, ...services],
      { cwd: dir },
    );
    expect(passing.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'vsa2.json'), 'utf8')).predicate.verificationResult).toBe('PASSED');
    const passed = await runCli(
      ['verify-attestation', 'vsa2.sigstore.json', '--digest', `sha256:${bundleSha}`, ...who],
      {
        cwd: dir,
      },
    );
    expect(passed.code).toBe(0);
    expect(passed.stdout).toContain('the VSA says PASSED');
    // As lines of one file (gh attestation's form): the FAILED one fails its line and covers nothing.
    const lines = await Promise.all(
      ['vsa.sigstore.json', 'vsa2.sigstore.json'].map((f) => readFile(join(dir, f), 'utf8')),
    );
    await writeFile(join(dir, 'both.sigstore.jsonl'), lines.map((l) => JSON.stringify(JSON.parse(l))).join('\n'));
    const set = await runCli(
      ['verify-attestation', 'both.sigstore.jsonl', '--artifact', 'b.tar.gz', ...who, '--json'],
      {
        cwd: dir,
      },
    );
    expect(set.code).toBe(1);
    const report = JSON.parse(set.stdout);
    expect(report.bundles.map((b: { ok: boolean }) => b.ok)).toEqual([false, true]);
    expect(report.bundles[0].checks.find((c: { ok: boolean }) => !c.ok).code).toBe('VSA_NOT_PASSED');
    expect(report.artifacts[0].coveredBy.map((c: { line: number }) => c.line)).toEqual([2]);
  });

  it('records the signer it was checked against, and says PASSED only for a pinned signer and a policy that showed something', async () => {
    const { dir } = await signed();
    const vsaOf = async (args: string[], file: string) => {
      const r = await runCli(
        ['verify', 'b.tar.gz', '--trusted-root', 'trusted_root.json', ...args, '--vsa', file, '--json'],
        {
          cwd: dir,
        },
      );
      return { r, report: JSON.parse(r.stdout), vsa: JSON.parse(await readFile(join(dir, file), 'utf8')).predicate };
    };
    // No policy file: the VSA's policy is the signer alone, and names it.
    const plain = await vsaOf(['--certificate-identity', SIGNER, '--certificate-oidc-issuer', ISSUER], 'plain.json');
    expect(plain.r.code).toBe(0);
    expect(plain.vsa.verificationResult).toBe('PASSED');
    expect(plain.vsa.policy).toEqual({
      uri: 'https://evidence-bundle.dev/verifier/policy/signer-only',
      annotations: {
        signer: {
          certificateIdentity: SIGNER,
          certificateOidcIssuer: ISSUER,
          // Who signed, as the certificate that verified says: what a policy file's identity rules would leave unsaid.
          verifiedIdentity: SIGNER,
          verifiedIssuer: ISSUER,
        },
      },
    });
    // The signer asked for only by the policy file's identity rules, and a rule over load tests the bundle lacks: PASSED,
    // naming the certificate that verified and recording that part of the policy showed nothing.
    await writeFile(
      join(dir, 'partly.yaml'),
      [
        'version: 1',
        'identity:',
        `  - issuer: ${ISSUER}`,
        `    subject: ${SIGNER}`,
        'rules:',
        '  - name: tests-ran',
        '    expr: junit.all(j, j.passed > 0)',
        '  - name: load-thresholds',
        '    expr: k6.all(k, size(k.thresholds.failed) == 0)',
      ].join('\n'),
    );
    const partly = await vsaOf(['--policy', 'partly.yaml'], 'partly.json');
    expect(partly.report.assessment.policy).toMatchObject({ status: 'satisfied', shows: 'partial' });
    expect(partly.vsa.verificationResult).toBe('PASSED');
    expect(partly.vsa.policy.annotations).toEqual({
      signer: { verifiedIdentity: SIGNER, verifiedIssuer: ISSUER },
      policyShows: { shows: 'partial', summary: partly.report.assessment.policy.summary },
    });
    // A pattern that matches anyone: authentic, but who signed is not said; never VERIFIED, never PASSED.
    const loose = await vsaOf(
      ['--certificate-identity-regexp', '.*', '--certificate-oidc-issuer-regexp', '.*'],
      'loose.json',
    );
    expect(loose.r.code).toBe(0);
    expect(loose.report.assessment.authenticity).toMatchObject({ status: 'authentic' });
    expect(loose.report.assessment.authenticity.notPinned).toMatch(/matches any issuer|matches signers nobody named/);
    expect(loose.report.assessment.authenticity.summary).not.toMatch(/identity checked/);
    expect(loose.vsa.verificationResult).toBe('FAILED');
    expect(loose.r.stderr).toMatch(/the VSA says FAILED: the signer is not pinned/);
    expect(loose.vsa.policy.annotations.signer.certificateIdentityRegexp).toBe('.*');
    const text = await runCli(
      [
        'verify',
        'b.tar.gz',
        '--trusted-root',
        'trusted_root.json',
        '--certificate-identity-regexp',
        'https://github\\.com/.*',
        '--certificate-oidc-issuer',
        ISSUER,
      ],
      { cwd: dir },
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^SIGNER NOT PINNED/);
    const owner = await runCli(
      [
        'verify',
        'b.tar.gz',
        '--trusted-root',
        'trusted_root.json',
        '--certificate-identity-regexp',
        'https://github\\.com/acme/web/.*',
        '--certificate-oidc-issuer',
        ISSUER,
      ],
      { cwd: dir },
    );
    expect(owner.stdout).toMatch(/^VERIFIED/);
    // A policy whose every rule ranges over evidence the bundle lacks holds, shows nothing, and is no PASSED.
    await writeFile(
      join(dir, 'empty.yaml'),
      'version: 1\nrules:\n  - name: migrations-safe\n    expr: migrations.all(m, m.destructive.size() == 0)\n  - name: always\n    expr: "true"\n',
    );
    const empty = await vsaOf([...who.slice(2), '--policy', 'empty.yaml'], 'empty.json');
    expect(empty.r.code).toBe(0);
    expect(empty.report.assessment.policy).toMatchObject({ status: 'satisfied', shows: 'nothing' });
    expect(empty.report.assessment.policy.summary).toMatch(/holds, but shows nothing: none of its 2 /);
    expect(empty.vsa.verificationResult).toBe('FAILED');
    expect(empty.vsa.policy.uri).toBe('empty.yaml');
    // Neither is green in a report either.
    const looseArgs = ['--certificate-identity-regexp', '.*', '--certificate-oidc-issuer', ISSUER];
    const reportOf = (format: string, args: string[]) =>
      runCli(['verify', 'b.tar.gz', '--trusted-root', 'trusted_root.json', ...args, '--format', format], { cwd: dir });
    expect((await reportOf('markdown', looseArgs)).stdout).toContain(
      '| Is the bundle authentic? | ⚠️ signed, signer not pinned:',
    );
    expect((await reportOf('html', looseArgs)).stdout).toContain('Signed, but the signer is not pinned');
    const emptyArgs = [...who.slice(2), '--policy', 'empty.yaml'];
    expect((await reportOf('markdown', emptyArgs)).stdout).toContain(
      '| Did the policy hold? | ⚠️ holds, shows nothing:',
    );
    expect((await reportOf('html', emptyArgs)).stdout).toContain('Holds, but shows nothing');
    expect((await reportOf('text', emptyArgs)).stdout).toMatch(/^POLICY SHOWS NOTHING/);
    // One rule over evidence that is there, one over none: it holds, and says which showed nothing.
    await writeFile(
      join(dir, 'half.yaml'),
      'version: 1\nrules:\n  - name: migrations-safe\n    expr: migrations.all(m, m.destructive.size() == 0)\n  - name: sarif-clean\n    expr: sarif.all(s, s.severities.critical >= 0)\n',
    );
    const half = await vsaOf([...who.slice(2), '--policy', 'half.yaml'], 'half.json');
    expect(half.report.assessment.policy).toMatchObject({ status: 'satisfied', shows: 'partial' });
    expect(half.report.assessment.policy.summary).toMatch(
      /1 of its 2 .* show nothing \(rule migrations-safe: it ranged over no migrations evidence\)/,
    );
    expect(half.vsa.verificationResult).toBe('PASSED');
  });

  it('a VSA whose signing fails is not written at all: no unsigned vsa.json where a signed one was asked for', async () => {
    const { dir, services } = await signed();
    // No identity token and a signing key that is not there: signing fails after verification has run.
    const r = await runCli(
      ['verify', 'b.tar.gz', ...who, '--vsa', 'vsa.json', '--vsa-sign', '--vsa-key', 'missing.pem', ...services],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(2);
    await expect(readFile(join(dir, 'vsa.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(join(dir, 'vsa.sigstore.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
