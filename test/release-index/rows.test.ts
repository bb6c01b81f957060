import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { verify, type VerifyResult } from '../../src/commands/verify.js';
import { blobsInMemory } from '../../src/fs/blob-memory.js';
import type { Manifest } from '../../src/core/manifest.js';
import { entryKind } from '../../src/core/summaries.js';
import { controlRows, notIndexable, releaseRows, rowBlobs } from '../../src/release-index/rows.js';
import { expressionIds, licenceIdsRead } from '../../src/formats/sbom.js';
import type { PolicyResult } from '../../src/verifier/policy-result.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

/** The rows the index keeps of the acme-web example, collected and signed with a key, then verified. */
const tmp = useTmp();
let dir: string;
let result: VerifyResult;
const kept = blobsInMemory(16 * 1024 * 1024, 64 * 1024 * 1024);
const blobs = kept.blobs;

/** The acme-web example collected into `at` as b.tar.gz, signed with a key made there (key.pub.pem verifies it). */
async function collectExample(at: string): Promise<void> {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(join(at, 'key.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  await writeFile(join(at, 'key.pub.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }).toString());
  const config = join(process.cwd(), 'examples/acme-web/evidence.yaml');
  const c = await runCli(['collect', '--config', config, '-o', 'b.tar.gz', '--sign', '--key', 'key.pem', '-q'], {
    cwd: at,
    env: { SOURCE_DATE_EPOCH: '1796371200' },
  });
  expect(c.code, c.stderr).toBe(0);
}

beforeAll(async () => {
  dir = await tmp();
  await collectExample(dir);
  result = await verify({
    cwd: dir,
    bundle: 'b.tar.gz',
    key: ['key.pub.pem'],
    blobSink: kept.sink,
  });
});

describe('what the index keeps of a verified release', () => {
  it('the release, its subjects, its SBOMs\u2019 components, its findings with dispositions, its kinds', async () => {
    expect(notIndexable(result.report)).toBeUndefined();
    const rows = releaseRows({
      report: result.report,
      manifest: result.manifest as Manifest,
      blobs,
      location: join(dir, 'b.tar.gz'),
      source: dir,
    });
    expect(rows.release).toMatchObject({
      bundleDigest: result.report.bundle.digest,
      product: 'acme-web',
      version: '1.4.2',
      policy: 'none',
    });
    expect(rows.release.signer).toMatch(/^key /);
    // What the rows are made of, and all the index's writer thread is given: the SBOMs and the vulnerabilities document.
    const manifest = result.manifest as Manifest;
    const made = manifest.entries.filter((e) => ['sbom', 'vulnerabilities'].includes(entryKind(e)));
    expect(made.length).toBe(3);
    expect([...rowBlobs(manifest)].sort()).toEqual(made.map((e) => e.digest.slice(7)).sort());
    // Its own signature (in the bundle): nothing outside it to record.
    expect(rows.release.signature).toBeUndefined();
    // Verified with a signature kept beside it: where it was read (the source's URL when it gives one) and its sha256.
    const beside = { ...result.report.signature, attestation: { uri: '/cache/x.json', sha256: 'a'.repeat(64) } };
    const report = { ...result.report, signature: beside } as typeof result.report;
    const input = { report, manifest: result.manifest as Manifest, blobs, location: 'l', source: 's' };
    expect(releaseRows(input).release.signature).toEqual({
      location: '/cache/x.json',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    expect(releaseRows({ ...input, signatureAt: 'https://x/a.sigstore.json' }).release.signature?.location).toBe(
      'https://x/a.sigstore.json',
    );
    expect(rows.subjects.map((s) => s.name)).toEqual(['acme-web-1.4.2.tgz']);
    // Two SBOMs of one product: each component once, by its purl as the purl specification writes it.
    expect(rows.components.length).toBeGreaterThan(0);
    expect(new Set(rows.components.map((c) => c.purl)).size).toBe(rows.components.length);
    const deepExtend = rows.components.find((c) => c.purl.startsWith('pkg:npm/deep-extend@'));
    expect(deepExtend).toMatchObject({ packageKey: 'npm//deep-extend', name: 'deep-extend' });
    expect(rows.findings.map((f) => [f.id, f.status])).toEqual([
      ['CVE-2018-3750', 'not_affected'],
      ['CVE-2022-25883', 'none'],
    ]);
    expect(rows.findings[0]?.ids).toContain('cve-2018-3750');
    // Who stated the disposition and when, as the VEX document says (examples/acme-web/vex/acme-web.openvex.json).
    expect(rows.findings[0]).toMatchObject({
      statusAuthor: 'Acme Product Security <psirt@acme.example>',
      statusAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      conflicts: '',
      conflictsTotal: 0,
    });
    expect(rows.release.componentsWithoutPurl).toBe(rows.components.filter((c) => !c.purl.startsWith('pkg:')).length);
    expect(rows.kinds).toContainEqual({ kind: 'sbom', count: 2, empty: 0 });
    expect(rows.kinds).toContainEqual({ kind: 'scan', count: 1, empty: 0 });
    // Nothing is indexed as fact from the same bundle verified for integrity only, or against another key.
    const integrity = await verify({ cwd: dir, bundle: 'b.tar.gz', integrityOnly: true });
    expect(notIndexable(integrity.report)).toMatch(/integrity only/);
    const wrongKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(join(dir, 'other.pub.pem'), wrongKey.publicKey.export({ format: 'pem', type: 'spki' }).toString());
    const failed = await verify({ cwd: dir, bundle: 'b.tar.gz', key: ['other.pub.pem'] });
    expect(notIndexable(failed.report)).toMatch(/^did not verify/);
  });
});

describe('an exact purl question', () => {
  it('is asked through its package\u2019s index, whoever asks it (schema 3 has no index of purls)', async () => {
    const { querySql } = await import('../../src/release-index/sql.js');
    const exact = querySql({ kind: 'purl', purl: 'pkg:npm/lodash@4.17.20' });
    expect(exact.text).toContain('c.package_key = ? AND c.purl = ?');
    expect(exact.params.slice(0, 2)).toEqual(['npm//lodash', 'pkg:npm/lodash@4.17.20']);
  });
});

describe("a control's row", () => {
  const policy = (crossCheck: 'pass' | 'fail' | 'not-applicable'): PolicyResult => ({
    ok: true,
    policy: { path: 'p.yaml', digest: `sha256:${'0'.repeat(64)}` },
    evaluatedAt: '2026-12-01T00:00:00Z',
    requirements: [{ kind: 'sbom', status: 'pass', message: '1 sbom', count: 1, controls: ['C-SBOM'] }],
    rules: [
      {
        name: 'licenses-allowed',
        expr: 'true',
        status: 'pass',
        message: '',
        controls: ['C-LIC'],
        reads: [{ kind: 'sbom', count: 1 }],
      },
    ],
    crossChecks: [{ name: 'sbom-version', status: crossCheck, message: 'x', controls: ['C-LIC'] }],
    identity: { status: 'none', message: '' },
    evidence: { kinds: { sbom: 1 }, signed: true },
  });

  it("is verify's verdict over everything citing it: a passing rule beside a failed cross-check is failed", () => {
    const rows = controlRows(policy('fail'));
    expect(rows.find((r) => r.control === 'C-LIC')).toEqual({
      control: 'C-LIC',
      check: 'rule licenses-allowed: pass; cross-check sbom-version: fail',
      status: 'failed',
      evidence: 1,
    });
    expect(rows.find((r) => r.control === 'C-SBOM')).toMatchObject({ status: 'held', evidence: 1 });
    // A cross-check that did not apply leaves the control partly shown, never held.
    expect(controlRows(policy('not-applicable')).find((r) => r.control === 'C-LIC')?.status).toBe('partly-shown');
    expect(controlRows(policy('pass')).find((r) => r.control === 'C-LIC')?.status).toBe('held');
  });
});

describe('a component whose licence expression does not read', () => {
  it('is counted as naming no licence id: `MIT / GPL-2.0-only` kept as one "id" that no licence question finds', () => {
    const manifest = result.manifest as Manifest;
    const sboms = manifest.entries.filter((e) => entryKind(e) === 'sbom');
    const spdx = (concluded: string) =>
      Buffer.from(
        JSON.stringify({
          spdxVersion: 'SPDX-2.3',
          dataLicense: 'CC0-1.0',
          SPDXID: 'SPDXRef-DOCUMENT',
          name: 'x',
          documentNamespace: 'https://example.test/x',
          creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: t'] },
          packages: [
            { SPDXID: 'SPDXRef-a', name: 'a', versionInfo: '1', downloadLocation: 'NONE', licenseConcluded: concluded },
          ],
        }),
      );
    const rowsWith = (concluded: string) => {
      const only = { ...sboms[0], mediaType: 'application/spdx+json', path: 'sbom/x.spdx.json' } as (typeof sboms)[0];
      const hex = only.digest.slice(7);
      const blobsOf = new Map([[hex, spdx(concluded)]]);
      return releaseRows({
        report: result.report,
        manifest: { ...manifest, entries: [only] },
        blobs: blobsOf,
        location: 'l',
        source: 's',
      });
    };
    const unread = rowsWith('MIT / GPL-2.0-only');
    expect(unread.components.map((c) => c.licenses)).toEqual([['MIT / GPL-2.0-only']]);
    expect(unread.release.componentsWithoutLicense).toBe(1);
    expect(rowsWith('GPL v2').release.componentsWithoutLicense).toBe(1);
    // Without spaces too (an outside review): no licence question finds `MIT/Apache-2.0` either.
    for (const written of ['MIT/Apache-2.0', 'MIT,Apache-2.0', 'MIT|GPL-2.0-only', 'MIT;BSD-3-Clause'])
      expect(rowsWith(written).release.componentsWithoutLicense, written).toBe(1);
    expect(rowsWith('GPL-2.0+').release.componentsWithoutLicense).toBe(0);
    expect(rowsWith('LicenseRef-acme-1 AND MIT').release.componentsWithoutLicense).toBe(0);
    // NOASSERTION names no licence, as a CycloneDX expression too.
    expect(licenceIdsRead(expressionIds('NOASSERTION'))).toBe(false);
    expect(licenceIdsRead(expressionIds('NONE'))).toBe(false);
    expect(licenceIdsRead(['DocumentRef-tool-1.2:LicenseRef-MIT-Style-2'])).toBe(true);
    // Operators in lower case read (as the parser takes them).
    expect(rowsWith('MIT or GPL-2.0-only').components.map((c) => c.licenses)).toEqual([['MIT', 'GPL-2.0-only']]);
    const read = rowsWith('MIT OR GPL-2.0-only');
    expect(read.components.map((c) => c.licenses)).toEqual([['MIT', 'GPL-2.0-only']]);
    expect(read.release.componentsWithoutLicense).toBe(0);
    // An id alone, whether SPDX lists it or not, is found by its name.
    expect(rowsWith('Acme-Proprietary-1.0').release.componentsWithoutLicense).toBe(0);
    expect(rowsWith('NOASSERTION').release.componentsWithoutLicense).toBe(1);
  });
});

describe('the policy verdict a release is indexed with', () => {
  // Its own bundle: the one made before all is removed after the first test.
  const rowsWith = async (
    at: string,
    name: string,
    rules: string,
  ): Promise<ReturnType<typeof releaseRows>['release']> => {
    await writeFile(join(at, name), `version: 1\nrules:\n${rules}`);
    const r = await verify({ cwd: at, bundle: 'b.tar.gz', key: ['key.pub.pem'], policy: name, blobSink: kept.sink });
    return releaseRows({ report: r.report, manifest: r.manifest as Manifest, blobs, location: 'b.tar.gz', source: at })
      .release;
  };
  const junit = `  - name: tests-green\n    expr: junit.all(j, j.tests > 0)\n    message: m\n    controls: [X-1]\n`;
  // acme-web carries no SLO snapshot: a rule over it ranges over an empty list, holds, and shows nothing.
  const slo = `  - name: budget-left\n    expr: slo.all(s, s.slos.all(o, o.errorBudget.remaining > 0))\n    message: m\n    controls: [X-2]\n`;

  it('keeps what a pass showed, as verify heads it: a policy over no evidence is no pass that showed anything', async () => {
    const at = await tmp();
    await collectExample(at);
    expect(await rowsWith(at, 'p-nothing.yaml', slo)).toMatchObject({ policy: 'pass', policyShows: 'nothing' });
    expect(await rowsWith(at, 'p-partial.yaml', junit + slo)).toMatchObject({ policy: 'pass', policyShows: 'partial' });
    expect(await rowsWith(at, 'p-evidence.yaml', junit)).toMatchObject({ policy: 'pass', policyShows: 'evidence' });
    // A failed policy, or none, has no pass to qualify.
    const failed = await rowsWith(
      at,
      'p-fail.yaml',
      `  - name: never\n    expr: junit.all(j, j.tests < 0)\n    message: m\n`,
    );
    expect(failed.policy).toBe('fail');
    expect(failed.policyShows).toBeUndefined();
  });
});
