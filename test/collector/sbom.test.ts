import { describe, expect, it } from 'vitest';
import { sbomCollector } from '../../src/collector/sbom.js';
import { CollectError } from '../../src/collector/errors.js';
import { fixture } from '../helpers/tmp.js';

const collect = (name: string) => sbomCollector.collect({ file: fixture(`sbom/${name}`), label: name });

async function failure(name: string): Promise<CollectError> {
  try {
    await collect(name);
  } catch (e) {
    expect(e).toBeInstanceOf(CollectError);
    return e as CollectError;
  }
  throw new Error(`${name} was accepted`);
}

// Figures from test/fixtures/sbom/README.md, counted there with jq and xmllint:
// 11 components; license ids MIT, ISC, PSF-2.0 plus the expression
// (BSD-2-Clause OR MIT OR Apache-2.0); one component (indexof) with none.
const NPM_LICENSES = ['Apache-2.0', 'BSD-2-Clause', 'ISC', 'MIT', 'PSF-2.0'];

describe('sbom collector', () => {
  it.each([
    ['npm-sbom.cdx.json', '1.5', 'application/vnd.cyclonedx+json'],
    ['cdx-npm-1.2.cdx.json', '1.2', 'application/vnd.cyclonedx+json'],
    ['cdx-npm-1.6.cdx.json', '1.6', 'application/vnd.cyclonedx+json'],
    ['cdx-npm-1.4.cdx.xml', '1.4', 'application/vnd.cyclonedx+xml'],
    ['cdx-npm-1.6.cdx.xml', '1.6', 'application/vnd.cyclonedx+xml'],
  ])('summarises CycloneDX %s', async (name, specVersion, mediaType) => {
    const out = await collect(name);
    expect(out.kind).toBe('sbom');
    expect(out.mediaType).toBe(mediaType);
    // metadata.tools components (1.6) and metadata.component are not counted.
    expect(out.summary).toEqual({
      format: 'cyclonedx',
      specVersion,
      components: 11,
      licenses: NPM_LICENSES,
      unlicensed: 1,
    });
  });

  it('summarises SPDX 2.3 JSON from npm sbom, leaving out the package the document describes', async () => {
    const out = await collect('npm-sbom.spdx.json');
    expect(out.mediaType).toBe('application/spdx+json');
    // npm writes `created` with milliseconds (§6.9 writes none): tolerated, and recorded.
    expect(out.summary).toEqual({
      format: 'spdx',
      specVersion: '2.3',
      components: 11,
      licenses: NPM_LICENSES,
      unlicensed: 1,
      conformance: {
        count: 1,
        findings: [
          { path: '$.creationInfo.created', rule: expect.stringContaining('§6.9'), value: '2026-11-22T14:28:28.677Z' },
        ],
      },
    });
  });

  it('summarises SPDX 2.3 tag-value', async () => {
    const out = await collect('handwritten-2.3.spdx');
    expect(out.mediaType).toBe('text/spdx');
    expect(out.summary).toEqual({
      format: 'spdx',
      specVersion: '2.3',
      components: 2,
      licenses: ['MIT', 'WTFPL'],
      unlicensed: 1,
    });
  });

  it('refuses a CycloneDX schema violation, naming the JSON path', async () => {
    const e = await failure('broken-schema.cdx.json');
    expect(e.code).toBe('SBOM_INVALID');
    expect(e.file).toBe('broken-schema.cdx.json');
    expect(e.issues.map((i) => i.path)).toContain('$.components[0]');
  });

  it('refuses SPDX without spdxVersion as an unknown format', async () => {
    expect((await failure('broken-missing-spdxversion.spdx.json')).code).toBe('SBOM_FORMAT_UNKNOWN');
  });

  it('refuses truncated JSON', async () => {
    expect((await failure('broken-truncated.cdx.json')).code).toBe('JSON_INVALID');
  });

  it('refuses SPDX 2.1 (reuse) with the spdxVersion path', async () => {
    const e = await failure('reuse-spdx-2.1.spdx');
    expect(e.code).toBe('SBOM_INVALID');
    expect(e.issues.map((i) => i.path)).toContain('$.spdxVersion');
  });

  it('refuses a file that is no SBOM at all', async () => {
    const e = await sbomCollector
      .collect({ file: fixture('junit/vitest.junit.xml'), label: 'x.xml' })
      .catch((x: unknown) => x as CollectError);
    expect((e as CollectError).code).toBe('SBOM_FORMAT_UNKNOWN');
  });

  it('refuses a missing file with INPUT_NOT_FOUND', async () => {
    expect((await failure('nope.json')).code).toBe('INPUT_NOT_FOUND');
  });
});
