/**
 * The fourth outside review of issue 26: what a bundle or a VEX document gives once and the work copies many times
 * (the purls a release is known as, lists of texts, ids, authors and dates) is bounded where it is read, and a CSAF
 * relationship built on a relationship of a narrowed product is as narrow as the product.
 */
import { describe, expect, it } from 'vitest';
import type { VexDocument, VexStatement } from '../../src/formats/findings.js';
import { MAX_VEX_NAME } from '../../src/formats/vex/openvex.js';
import { MAX_VEX_TEXT, applyVex, parseVexDocument } from '../../src/formats/vex/index.js';
import {
  MAX_PRODUCTS,
  MAX_PRODUCT_PURL,
  checkReleaseProducts,
  vulnerabilitiesDocument,
  vulnerabilityInputsFromBlobs,
} from '../../src/formats/vulnerability-evidence.js';
import { CSAF_TRACKING, codeOf, csafDocument, finding, openvexDocument } from '../helpers/vex.js';

const NOW = new Date('2026-12-01T00:00:00Z');
const RELEASE = 'pkg:generic/acme-web@1.0.0';
const read = (json: unknown) => parseVexDocument(json, 'v.json', NOW);
const note = [{ category: 'description', text: 'x' }];
const openvex = (extra: Record<string, unknown> = {}, statements: unknown[] = [naAbout(RELEASE)]) =>
  openvexDocument(statements, extra);
function naAbout(product: string, name = 'CVE-2021-44228') {
  return {
    vulnerability: { name },
    products: [{ '@id': product }],
    status: 'not_affected',
    justification: 'vulnerable_code_not_present',
  };
}
/** Grype's JSON with `n` findings of `id`, one package each. */
const grype = (n: number, id = 'CVE-2021-44228', version = '1.0.0') => ({
  matches: Array.from({ length: n }, (_, i) => ({
    vulnerability: { id, severity: 'Critical' },
    artifact: { name: `p${i}`, version, type: 'npm', purl: `pkg:npm/p${i}@${version}` },
  })),
  descriptor: { name: 'grype', version: '0.80.0' },
});
/** The vulnerabilities document of a release known as `products` from these files, as collect and verify make it. */
function documentOf(products: string[], files: { path: string; kind: string; json: unknown }[]) {
  const blobs = new Map(files.map((x, i) => [`d${i}`, Buffer.from(JSON.stringify(x.json))]));
  const entries = files.map((x, i) => ({ path: x.path, kind: x.kind, digest: `d${i}` }));
  const release = { name: 'acme-web', version: '1.0.0', products };
  return vulnerabilitiesDocument(vulnerabilityInputsFromBlobs(entries, (d) => blobs.get(d), release, NOW).inputs);
}

describe('the purls a release is known as', () => {
  it('are at most MAX_PRODUCTS besides its own, each a purl of at most MAX_PRODUCT_PURL characters', () => {
    const more = Array.from({ length: MAX_PRODUCTS }, (_, i) => `pkg:npm/r${i}@1.0.0`);
    expect(codeOf(() => checkReleaseProducts([RELEASE, ...more]))).toBeUndefined();
    expect(codeOf(() => checkReleaseProducts([RELEASE, ...more, 'pkg:npm/one-more@1.0.0']))).toBe('PRODUCT_INVALID');
    const long = `pkg:npm/${'a'.repeat(MAX_PRODUCT_PURL)}@1.0.0`;
    expect(codeOf(() => checkReleaseProducts([RELEASE, long]))).toBe('PRODUCT_INVALID');
    expect(codeOf(() => checkReleaseProducts([RELEASE, 'acme-web 1.0.0']))).toBe('PRODUCT_INVALID');
    expect(codeOf(() => checkReleaseProducts([RELEASE, 7 as unknown as string]))).toBe('PRODUCT_INVALID');
  });

  it('are checked where the document is made, whoever gives them (a bundle\u2019s findings blob too)', () => {
    const products = [RELEASE, ...Array.from({ length: 20_000 }, (_, i) => `pkg:npm/r${i}@1`)];
    const files = [
      { path: 'scan/g.json', kind: 'scan', json: grype(1) },
      { path: 'vex/v.json', kind: 'vex', json: openvex() },
    ];
    expect(codeOf(() => documentOf(products, files))).toBe('PRODUCT_INVALID');
  });

  it('are charged to the work budget each time a statement\u2019s product is compared with them', () => {
    const release = [RELEASE, ...Array.from({ length: 50_000 }, (_, i) => `pkg:npm/r${i}@1`)];
    const statement: VexStatement = {
      vulnerability: 'CVE-2021-44228',
      aliases: [],
      products: Array.from({ length: 100 }, (_, i) => ({ purl: `pkg:npm/x${i}@1`, subcomponents: [] })),
      status: 'affected',
      actionStatement: 'upgrade',
      index: 0,
    };
    const doc: VexDocument = { format: 'openvex', id: 'urn:x', statements: [statement] };
    const apply = (r: string[]) =>
      codeOf(() => applyVex([finding('CVE-2021-44228', 'pkg:npm/x1@1')], [{ label: 'v', doc }], r));
    expect(apply(release.slice(0, 10))).toBeUndefined();
    expect(apply(release)).toBe('VEX_TOO_COMPLEX');
  });

  it('times the settled findings make an OpenVEX document of bounded size', () => {
    const long = (i: number) => `pkg:npm/${String(i).padStart(1900, 'r')}@1.0.0`;
    const products = [RELEASE, ...Array.from({ length: MAX_PRODUCTS }, (_, i) => long(i))];
    // Each finding another vulnerability, each settled by its own statement: one OpenVEX statement each.
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `CVE-2021-${10_000 + i}`);
    const files = (n: number) => [
      {
        path: 'scan/g.json',
        kind: 'scan',
        json: {
          ...grype(0),
          matches: ids(n).flatMap((id, i) =>
            grype(1, id).matches.map((m) => ({
              ...m,
              artifact: { ...m.artifact, name: `p${i}`, purl: `pkg:npm/p${i}@1.0.0` },
            })),
          ),
        },
      },
      {
        path: 'vex/v.json',
        kind: 'vex',
        json: openvex(
          {},
          ids(n).map((id) => naAbout(RELEASE, id)),
        ),
      },
    ];
    const settled = documentOf(products, files(50)).findings.filter((x) => x.status === 'not_affected');
    expect(settled).toHaveLength(50);
    expect(codeOf(() => documentOf(products, files(400)))).toBe('VULNERABILITIES_TOO_LARGE');
    expect(codeOf(() => documentOf([RELEASE], files(400)))).toBeUndefined();
  });
});

describe('strings a VEX document gives once and findings carry many times', () => {
  const tooLong = 'a'.repeat(MAX_VEX_NAME + 1);
  it('OpenVEX ids, authors, purls and dates longer than MAX_VEX_NAME are refused, naming the field', () => {
    expect(codeOf(() => read(openvex({ author: 'a'.repeat(MAX_VEX_NAME) })))).toBeUndefined();
    for (const extra of [
      { author: tooLong },
      { '@id': `urn:${tooLong}` },
      { timestamp: `2026-01-01T00:00:00.${'0'.repeat(MAX_VEX_NAME)}Z` },
    ]) {
      expect(
        codeOf(() => read(openvex(extra))),
        Object.keys(extra)[0],
      ).toBe('VEX_INVALID');
    }
    expect(codeOf(() => read(openvex({}, [naAbout(`pkg:npm/${tooLong}@1`)])))).toBe('VEX_INVALID');
    expect(codeOf(() => read(openvex({}, [naAbout(RELEASE, `CVE-2021-${'4'.repeat(MAX_VEX_NAME)}`)])))).toBe(
      'VEX_INVALID',
    );
  });

  it('so are CSAF publisher names, tracking ids and dates, and CycloneDX serial numbers and authors', () => {
    const tree = {
      full_product_names: [{ name: 'p', product_id: 'p', product_identification_helper: { purl: RELEASE } }],
    };
    const vulns = [{ cve: 'CVE-2026-0001', notes: note, product_status: { fixed: ['p'] } }];
    const csaf = (edit: (doc: ReturnType<typeof csafDocument>) => void) => {
      const doc = csafDocument(tree, vulns);
      edit(doc);
      return codeOf(() => read(doc));
    };
    expect(csaf(() => undefined)).toBeUndefined();
    expect(csaf((d) => (d.document.publisher.name = tooLong))).toBe('VEX_INVALID');
    expect(csaf((d) => (d.document.tracking = { ...CSAF_TRACKING, id: tooLong }))).toBe('VEX_INVALID');
    expect(
      csaf(
        (d) =>
          (d.document.tracking = {
            ...CSAF_TRACKING,
            current_release_date: `2026-01-01T00:00:00.${'0'.repeat(MAX_VEX_NAME)}Z`,
          }),
      ),
    ).toBe('VEX_INVALID');
    const bom = (extra: Record<string, unknown>) => ({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      components: [{ 'bom-ref': 'c', purl: 'pkg:npm/foo@1.0.0' }],
      vulnerabilities: [{ id: 'CVE-2026-0001', analysis: { state: 'resolved' }, affects: [{ ref: 'c' }] }],
      ...extra,
    });
    expect(codeOf(() => read(bom({})))).toBeUndefined();
    expect(codeOf(() => read(bom({ serialNumber: `urn:uuid:${tooLong}` })))).toBe('VEX_INVALID');
    expect(codeOf(() => read(bom({ metadata: { authors: [{ name: tooLong }] } })))).toBe('VEX_INVALID');
  });

  it('what a disposition copies (author, id, path, date, contradictions) counts against MAX_VEX_TEXT', () => {
    const author = 'a'.repeat(1024 * 1024);
    const statement: VexStatement = {
      vulnerability: 'CVE-2021-44228',
      aliases: [],
      products: [{ purl: RELEASE, subcomponents: [] }],
      status: 'not_affected',
      justification: 'vulnerable_code_not_present',
      index: 0,
    };
    const doc: VexDocument = { format: 'openvex', id: 'urn:x', author, statements: [statement] };
    const findings = (n: number) => Array.from({ length: n }, (_, i) => finding('CVE-2021-44228', `pkg:npm/p${i}@1`));
    const fits = Math.floor(MAX_VEX_TEXT / author.length) - 1;
    expect(codeOf(() => applyVex(findings(fits), [{ label: 'v', doc }], [RELEASE]))).toBeUndefined();
    expect(codeOf(() => applyVex(findings(fits + 2), [{ label: 'v', doc }], [RELEASE]))).toBe('VEX_TOO_COMPLEX');
  });
});

describe('CSAF texts and lists named many times', () => {
  it('a product listed again under its status, with a long list of texts, costs its list once', () => {
    // Joined per entry, 200,000 entries of a list of 4,000 texts ran for minutes, past the test's timeout.
    const tree = {
      full_product_names: [
        { name: 'p', product_id: 'p', product_identification_helper: { purl: 'pkg:npm/foo@1.0.0' } },
      ],
    };
    const threats = Array.from({ length: 4000 }, (_, i) => ({ category: 'impact', details: `reason ${i}` }));
    const remediations = Array.from({ length: 4000 }, (_, i) => ({
      category: 'workaround',
      details: `step ${i}`,
      product_ids: ['q'],
    }));
    const treeQ = {
      full_product_names: [
        ...tree.full_product_names,
        { name: 'q', product_id: 'q', product_identification_helper: { purl: 'pkg:npm/bar@1.0.0' } },
      ],
    };
    const v = {
      cve: 'CVE-2026-0001',
      notes: note,
      product_status: { known_not_affected: Array(200_000).fill('p'), known_affected: Array(200_000).fill('q') },
      threats,
      remediations,
    };
    const doc = read(csafDocument(treeQ, [v]));
    expect(doc.statements.map((s) => [s.status, s.products.map((p) => p.purl)])).toEqual([
      ['affected', ['pkg:npm/bar@1.0.0']],
      ['not_affected', ['pkg:npm/foo@1.0.0']],
    ]);
    expect(doc.statements[1]?.impactStatement?.split('\n')).toHaveLength(4000);
    expect(doc.statements[0]?.actionStatement?.split('\n')).toHaveLength(4000);
  });
});

describe('CSAF relationships built on relationships', () => {
  const narrowedChain = (depth: number) => {
    const relationships = [
      {
        category: 'default_component_of',
        product_reference: 'foo-range',
        relates_to_product_reference: 'host',
        full_product_name: {
          name: 'foo in host',
          product_id: 'r1',
          product_identification_helper: { purl: 'pkg:npm/foo' },
        },
      },
      ...Array.from({ length: depth - 1 }, (_, i) => ({
        category: 'default_component_of',
        product_reference: `r${i + 1}`,
        relates_to_product_reference: 'acme',
        full_product_name: {
          name: `r${i + 1} in acme`,
          product_id: `r${i + 2}`,
          product_identification_helper: { purl: 'pkg:npm/foo' },
        },
      })),
    ];
    return {
      branches: [
        {
          category: 'vendor',
          name: 'x',
          branches: [
            {
              category: 'product_version_range',
              name: '<2.0.0',
              product: {
                name: 'foo <2',
                product_id: 'foo-range',
                product_identification_helper: { purl: 'pkg:npm/foo' },
              },
            },
          ],
        },
      ],
      full_product_names: [
        { name: 'host', product_id: 'host', product_identification_helper: { cpe: 'cpe:/a:x:host:1' } },
        { name: 'acme', product_id: 'acme', product_identification_helper: { purl: RELEASE } },
      ],
      relationships,
    };
  };
  it('are as narrow as the product under them, however deep: foo 3.0.0 is not settled by a statement on foo <2', () => {
    for (const depth of [1, 2, 5]) {
      const top = `r${depth}`;
      const doc = read(
        csafDocument(narrowedChain(depth), [
          {
            cve: 'CVE-2026-0001',
            notes: note,
            product_status: { known_not_affected: [top] },
            flags: [{ label: 'vulnerable_code_not_present', product_ids: [top] }],
          },
        ]),
      );
      const got = applyVex([finding('CVE-2026-0001', 'pkg:npm/foo@3.0.0')], [{ label: 'c', doc }], [RELEASE]);
      expect(got[0]?.status, `depth ${depth}`).toBeUndefined();
    }
  });

  it('a relationship on a relationship of products with purls still names its component inside the release', () => {
    const tree = {
      full_product_names: [
        { name: 'lib', product_id: 'lib', product_identification_helper: { purl: 'pkg:npm/lib@1.0.0' } },
        { name: 'acme', product_id: 'acme', product_identification_helper: { purl: RELEASE } },
      ],
      relationships: [
        {
          category: 'default_component_of',
          product_reference: 'lib',
          relates_to_product_reference: 'acme',
          full_product_name: {
            name: 'lib in acme',
            product_id: 'r1',
            product_identification_helper: { purl: 'pkg:npm/lib@1.0.0' },
          },
        },
        {
          category: 'default_component_of',
          product_reference: 'r1',
          relates_to_product_reference: 'acme',
          full_product_name: { name: 'r1 in acme', product_id: 'r2' },
        },
      ],
    };
    const doc = read(
      csafDocument(tree, [
        {
          cve: 'CVE-2026-0001',
          notes: note,
          product_status: { known_not_affected: ['r2'] },
          flags: [{ label: 'vulnerable_code_not_present', product_ids: ['r2'] }],
        },
      ]),
    );
    const got = applyVex([finding('CVE-2026-0001', 'pkg:npm/lib@1.0.0')], [{ label: 'c', doc }], [RELEASE]);
    expect(got[0]?.status).toBe('not_affected');
  });
});
