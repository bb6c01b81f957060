/**
 * The classes of false disposition an outside review found (issue 26): a statement must never settle a finding it
 * does not speak of, whatever the format, and applying statements stays bounded in work. Each case is a class, shown
 * on the smallest document that has it.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, VexDocument } from '../../src/formats/findings.js';
import { FormatError } from '../../src/formats/errors.js';
import { codeOf, csafDocument, finding } from '../helpers/vex.js';
import { MAX_VEX_WORK, applyVex, parseVexDocument } from '../../src/formats/vex/index.js';
import { mergeFindings, vulnerabilitiesDocument } from '../../src/formats/vulnerability-evidence.js';
import { parseKevCatalog } from '../../src/formats/scanners.js';

const NOW = new Date('2026-12-01T00:00:00Z');
const RELEASE = ['pkg:generic/acme-web@1.0.0'];

function dispositions(findings: Finding[], doc: VexDocument) {
  return applyVex(findings, [{ label: 'vex.json', doc }], RELEASE).map((d) => d.status);
}

const csaf = csafDocument;

const note = [{ category: 'description', text: 'x' }];

describe('CSAF: a statement is never wider than the product tree', () => {
  /** Red Hat's shape: products by CPE, each package a component of one of them by relationship. */
  function rhel(kernel: { el9: string; el6: string }, el6Flag = 'vulnerable_code_not_present') {
    const product = (name: string, id: string) => ({
      category: 'product_name',
      name,
      product: { name, product_id: id, product_identification_helper: { cpe: `cpe:/o:redhat:${id}` } },
    });
    const build = (id: string, purl: string) => ({
      category: 'product_version',
      name: id,
      product: { name: id, product_id: id, product_identification_helper: { purl } },
    });
    const component = (k: string, p: string) => ({
      category: 'default_component_of',
      product_reference: k,
      relates_to_product_reference: p,
      full_product_name: { name: `${k} in ${p}`, product_id: `${p}:${k}` },
    });
    return csaf(
      {
        branches: [
          {
            category: 'vendor',
            name: 'Red Hat',
            branches: [
              product('RHEL 9', 'rhel9'),
              product('RHEL 6', 'rhel6'),
              build('kernel-el9', kernel.el9),
              build('kernel-el6', kernel.el6),
            ],
          },
        ],
        relationships: [component('kernel-el9', 'rhel9'), component('kernel-el6', 'rhel6')],
      },
      [
        {
          cve: 'CVE-2026-22000',
          notes: note,
          product_status: { known_affected: ['rhel9:kernel-el9'], known_not_affected: ['rhel6:kernel-el6'] },
          flags: [{ label: el6Flag, product_ids: ['rhel6:kernel-el6'] }],
          remediations: [{ category: 'none_available', details: 'no fix yet', product_ids: ['rhel9:kernel-el9'] }],
        },
      ],
    );
  }
  const el9Kernel = 'pkg:rpm/redhat/kernel@5.14.0-427.el9?arch=x86_64';

  it('a component named without a version inside a CPE-only product matches nothing', () => {
    const doc = parseVexDocument(rhel({ el9: 'pkg:rpm/redhat/kernel', el6: 'pkg:rpm/redhat/kernel' }), 'rh.json', NOW);
    expect(doc.statements).toEqual([]);
    expect(dispositions([finding('CVE-2026-22000', el9Kernel)], doc)).toEqual([undefined]);
  });

  it('one build inside a CPE-only product stands alone only for what travels with the build', () => {
    const builds = { el9: 'pkg:rpm/redhat/kernel@5.14.0-427.el9', el6: 'pkg:rpm/redhat/kernel@2.6.32-754.el6' };
    const code = parseVexDocument(rhel(builds), 'rh.json', NOW);
    const el6Kernel = 'pkg:rpm/redhat/kernel@2.6.32-754.el6?arch=x86_64';
    // The el9 build is affected, the el6 build has not the vulnerable code: each holds of its build alone.
    expect(dispositions([finding('CVE-2026-22000', el9Kernel), finding('CVE-2026-22000', el6Kernel)], code)).toEqual([
      'affected',
      'not_affected',
    ]);
    // "Not in the execute path" is a fact about RHEL 6, not about the kernel build wherever it ships.
    const path = parseVexDocument(rhel(builds, 'vulnerable_code_not_in_execute_path'), 'rh.json', NOW);
    expect(dispositions([finding('CVE-2026-22000', el6Kernel)], path)).toEqual([undefined]);
  });

  it('a product under a version range, or a version branch with a versionless purl, matches nothing', () => {
    const tree = (category: string, purl: string) => ({
      branches: [
        {
          category: 'vendor',
          name: 'libfoo',
          branches: [
            {
              category: 'product_name',
              name: 'libfoo',
              branches: [
                {
                  category,
                  name: '>=2.0.0',
                  product: { name: 'libfoo', product_id: 'LIBFOO', product_identification_helper: { purl } },
                },
              ],
            },
          ],
        },
      ],
    });
    const vulnerability = {
      cve: 'CVE-2026-11111',
      notes: note,
      product_status: { known_not_affected: ['LIBFOO'] },
      flags: [{ label: 'vulnerable_code_not_present', product_ids: ['LIBFOO'] }],
    };
    const libfoo1 = finding('CVE-2026-11111', 'pkg:npm/libfoo@1.0.0');
    for (const [category, purl] of [
      ['product_version_range', 'pkg:npm/libfoo'],
      ['product_version_range', 'pkg:npm/libfoo@2.0.0'],
      ['product_version', 'pkg:npm/libfoo'],
      ['patch_level', 'pkg:npm/libfoo'],
    ] as const) {
      const doc = parseVexDocument(csaf(tree(category, purl), [vulnerability]), 'r.json', NOW);
      expect(dispositions([libfoo1], doc), `${category} ${purl}`).toEqual([undefined]);
    }
    // An architecture branch needs the purl to say which architecture.
    const arch = parseVexDocument(csaf(tree('architecture', 'pkg:npm/libfoo@1.0.0'), [vulnerability]), 'r.json', NOW);
    expect(dispositions([libfoo1], arch)).toEqual([undefined]);
    // A version branch whose purl names the version is that version.
    const pinned = parseVexDocument(
      csaf(tree('product_version', 'pkg:npm/libfoo@1.0.0'), [vulnerability]),
      'r.json',
      NOW,
    );
    expect(dispositions([libfoo1, finding('CVE-2026-11111', 'pkg:npm/libfoo@2.0.0')], pinned)).toEqual([
      'not_affected',
      undefined,
    ]);
  });

  it('refuses contradicting statuses (§6.1.6), a product id defined twice (§6.1.2) and a CVE listed twice (§6.1.23)', () => {
    const names = (...ids: [string, string][]) => ({
      full_product_names: ids.map(([product_id, purl]) => ({
        name: product_id,
        product_id,
        product_identification_helper: { purl },
      })),
    });
    const v = (status: Record<string, string[]>, cve = 'CVE-2026-00001') => ({
      cve,
      notes: note,
      product_status: status,
      flags: [{ label: 'component_not_present', product_ids: ['A'] }],
      remediations: [{ category: 'vendor_fix', details: 'update', product_ids: ['A'] }],
    });
    const a = names(['A', 'pkg:npm/a@1.0.0']);
    for (const status of [
      { known_not_affected: ['A'], known_affected: ['A'] },
      { known_affected: ['A'], known_not_affected: ['A'] },
      { fixed: ['A'], last_affected: ['A'] },
      { under_investigation: ['A'], first_fixed: ['A'] },
    ] as Record<string, string[]>[])
      expect(codeOf(() => parseVexDocument(csaf(a, [v(status)]), 'c.json', NOW))).toBe('VEX_INVALID');
    // The same product in two lists of one group is not a contradiction.
    expect(
      codeOf(() => parseVexDocument(csaf(a, [v({ known_affected: ['A'], last_affected: ['A'] })]), 'c.json', NOW)),
    ).toBeUndefined();
    const twice = names(['A', 'pkg:npm/a@1.0.0'], ['A', 'pkg:npm/zzz@9']);
    expect(codeOf(() => parseVexDocument(csaf(twice, [v({ known_not_affected: ['A'] })]), 'c.json', NOW))).toBe(
      'VEX_INVALID',
    );
    const cves = [v({ known_not_affected: ['A'] }), v({ known_affected: ['A'] })];
    expect(codeOf(() => parseVexDocument(csaf(a, cves), 'c.json', NOW))).toBe('VEX_INVALID');
  });
});

describe('CycloneDX: versions narrow a ref, bom-refs are unique, statements say why', () => {
  function bom(vulnerabilities: unknown[], components: unknown[] = []) {
    return {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: { timestamp: '2026-01-01T00:00:00Z' },
      components,
      vulnerabilities,
    };
  }
  const notAffected = { state: 'not_affected', justification: 'code_not_present' };

  it('affects[].versions limit the statement to those versions; a range names nothing', () => {
    const doc = parseVexDocument(
      bom([
        {
          id: 'CVE-2026-1',
          analysis: notAffected,
          affects: [{ ref: 'pkg:npm/a', versions: [{ version: '1.0.0', status: 'unaffected' }] }],
        },
        {
          id: 'CVE-2026-2',
          analysis: notAffected,
          affects: [{ ref: 'pkg:npm/a', versions: [{ range: 'vers:npm/>=2' }] }],
        },
        {
          id: 'CVE-2026-3',
          analysis: notAffected,
          affects: [{ ref: 'pkg:npm/a@1.0.0', versions: [{ version: '2.0.0', status: 'unaffected' }] }],
        },
        {
          id: 'CVE-2026-4',
          analysis: notAffected,
          affects: [{ ref: 'pkg:npm/a@1.0.0', versions: [{ version: '1.0.0', status: 'unaffected' }] }],
        },
      ]),
      'b.cdx.json',
      NOW,
    );
    const at = (id: string, v: string) => finding(id, `pkg:npm/a@${v}`);
    expect(
      dispositions(
        [
          at('CVE-2026-1', '1.0.0'),
          at('CVE-2026-1', '2.0.0'),
          at('CVE-2026-2', '2.0.0'),
          at('CVE-2026-3', '2.0.0'),
          at('CVE-2026-4', '1.0.0'),
        ],
        doc,
      ),
    ).toEqual(['not_affected', undefined, undefined, undefined, 'not_affected']);
  });

  it('refuses a bom-ref given twice, and statements OpenVEX could not restate', () => {
    const components = [
      { 'bom-ref': 'lib', purl: 'pkg:npm/a@1.0.0' },
      { 'bom-ref': 'lib', purl: 'pkg:npm/b@1.0.0' },
    ];
    expect(
      codeOf(() =>
        parseVexDocument(
          bom([{ id: 'CVE-2026-1', analysis: notAffected, affects: [{ ref: 'lib' }] }], components),
          'd.json',
          NOW,
        ),
      ),
    ).toBe('VEX_INVALID');
    const ref = [{ ref: 'pkg:npm/a@1.0.0' }];
    expect(
      codeOf(() =>
        parseVexDocument(bom([{ id: 'CVE-2026-1', analysis: { state: 'not_affected' }, affects: ref }]), 'd.json', NOW),
      ),
    ).toBe('VEX_INVALID');
    expect(
      codeOf(() =>
        parseVexDocument(bom([{ id: 'CVE-2026-1', analysis: { state: 'exploitable' }, affects: ref }]), 'd.json', NOW),
      ),
    ).toBe('VEX_INVALID');
    // With a detail, each says enough.
    expect(
      codeOf(() =>
        parseVexDocument(
          bom([{ id: 'CVE-2026-1', analysis: { state: 'not_affected', detail: 'Stubbed out.' }, affects: ref }]),
          'd.json',
          NOW,
        ),
      ),
    ).toBeUndefined();
    expect(
      codeOf(() =>
        parseVexDocument(
          bom([{ id: 'CVE-2026-1', analysis: { state: 'exploitable', response: ['update'] }, affects: ref }]),
          'd.json',
          NOW,
        ),
      ),
    ).toBeUndefined();
  });
});

describe('ids: one vulnerability, not an umbrella', () => {
  const openvex = (name: string, purl: string, aliases: string[] = []) =>
    parseVexDocument(
      {
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': `https://vex.example/${name}`,
        author: 'a',
        timestamp: '2026-01-01T00:00:00Z',
        version: 1,
        statements: [
          {
            vulnerability: { name, aliases },
            products: [{ '@id': purl }],
            status: 'not_affected',
            justification: 'vulnerable_code_not_present',
          },
        ],
      },
      `${name}.json`,
      NOW,
    );
  const scan = (path: string, format: 'trivy' | 'osv-scanner', findings: Finding[]) => ({
    path,
    digest: `sha256:${'0'.repeat(64)}`,
    report: { format, scanner: { name: format }, findings },
  });

  it('an advisory naming two CVEs is not merged into either, and a statement on one CVE settles neither', () => {
    const x = 'pkg:npm/x@1.0.0';
    const trivy = scan('scan/b-trivy.json', 'trivy', [finding('CVE-2026-10001', x), finding('CVE-2026-10002', x)]);
    const osv = scan('scan/a-osv.json', 'osv-scanner', [
      finding('GHSA-aaaa-bbbb-cccc', x, ['CVE-2026-10001', 'CVE-2026-10002']),
    ]);
    const doc = vulnerabilitiesDocument({
      release: { name: 'acme-web', version: '1.0.0', products: RELEASE },
      scans: [osv, trivy],
      vex: [{ path: 'vex/v.json', digest: `sha256:${'1'.repeat(64)}`, doc: openvex('CVE-2026-10002', x) }],
    });
    expect(doc.findings.map((f) => [f.id, f.status ?? 'none', f.sources.length])).toEqual([
      ['CVE-2026-10001', 'none', 1],
      ['CVE-2026-10002', 'not_affected', 1],
      ['GHSA-aaaa-bbbb-cccc', 'none', 1],
    ]);
    // A statement about the umbrella does not settle one of its CVEs either.
    const umbrella = openvex('GHSA-aaaa-bbbb-cccc', x, ['CVE-2026-10001', 'CVE-2026-10002']);
    expect(dispositions([finding('CVE-2026-10001', x), finding('GHSA-aaaa-bbbb-cccc', x)], umbrella)).toEqual([
      undefined,
      'not_affected',
    ]);
    // One CVE and its GHSA are one vulnerability: merged, and settled by a statement on either id.
    const one = mergeFindings([
      trivy,
      scan('scan/c-osv.json', 'osv-scanner', [finding('GHSA-dddd-eeee-ffff', x, ['CVE-2026-10001'])]),
    ]);
    expect(one.map((f) => [f.id, f.aliases, f.sources.length])).toEqual([
      ['CVE-2026-10001', ['GHSA-dddd-eeee-ffff'], 2],
      ['CVE-2026-10002', [], 1],
    ]);
    expect(dispositions([one[0] as Finding], openvex('GHSA-dddd-eeee-ffff', x))).toEqual(['not_affected']);
  });

  it('findings merge by purl as the purl specification reads it, a Go version with or without its v', () => {
    const merged = mergeFindings([
      scan('scan/a-osv.json', 'osv-scanner', [finding('CVE-2026-1', 'pkg:golang/github.com/acme/lib@1.2.3')]),
      scan('scan/b-trivy.json', 'trivy', [
        finding('CVE-2026-1', 'pkg:golang/github.com/acme/lib@v1.2.3'),
        finding('CVE-2026-2', 'pkg:npm/%40Acme/Lib@1.0.0'),
        finding('CVE-2026-2', 'pkg:npm/@acme/lib@1.0.0'),
      ]),
    ]);
    expect(merged.map((f) => [f.id, f.sources.length])).toEqual([
      ['CVE-2026-1', 2],
      ['CVE-2026-2', 1],
    ]);
    expect(merged[1]?.sources.map((s) => s.path)).toEqual(['scan/b-trivy.json']);
  });

  it('a KEV entry marks an advisory that names its CVE, and no other', () => {
    const kev = parseKevCatalog(
      {
        title: 'CISA Catalog of Known Exploited Vulnerabilities',
        catalogVersion: '2026.12.01',
        dateReleased: '2026-12-01T00:00:00.000Z',
        count: 1,
        vulnerabilities: [
          {
            cveID: 'CVE-2026-10001',
            vendorProject: 'x',
            product: 'x',
            vulnerabilityName: 'x',
            dateAdded: '2026-11-01',
            shortDescription: 'x',
            requiredAction: 'x',
            dueDate: '2026-11-22',
            knownRansomwareCampaignUse: 'Unknown',
            notes: '',
          },
        ],
      },
      'kev.json',
    );
    const x = 'pkg:npm/x@1.0.0';
    const doc = vulnerabilitiesDocument({
      release: { name: 'acme-web', version: '1.0.0', products: RELEASE },
      scans: [
        scan('scan/a.json', 'osv-scanner', [
          finding('GHSA-aaaa-bbbb-cccc', x, ['CVE-2026-10001']),
          finding('CVE-2026-10003', x),
        ]),
      ],
      vex: [],
      kev: { path: 'kev/kev.json', digest: `sha256:${'2'.repeat(64)}`, catalog: kev },
    });
    expect(doc.findings.map((f) => [f.id, f.knownExploited])).toEqual([
      ['CVE-2026-10003', false],
      ['GHSA-aaaa-bbbb-cccc', true],
    ]);
  });
});

/** A document of `n` not_affected statements about CVE-2026-1, the j-th about the package `purlOf(j)`. */
function statementsAbout(n: number, purlOf: (j: number) => string): VexDocument {
  return {
    format: 'openvex',
    id: 'x',
    statements: Array.from({ length: n }, (_, j) => ({
      vulnerability: 'CVE-2026-1',
      aliases: [],
      products: [{ purl: purlOf(j), subcomponents: [] }],
      status: 'not_affected' as const,
      justification: 'component_not_present',
      index: j,
    })),
  };
}

describe('bounded work', () => {
  it('many findings and statements of one vulnerability in different packages are matched through the index', () => {
    const n = 20_000;
    const findings = Array.from({ length: n }, (_, i) => finding('CVE-2026-1', `pkg:npm/p${i}@1.0.0`));
    const doc = statementsAbout(n, (j) => `pkg:npm/p${j + n / 2}@1.0.0`);
    // Comparing every finding with every statement would take n * n = 4e8 steps, a hundred times the bound.
    expect(n * n).toBeGreaterThanOrEqual(MAX_VEX_WORK * 100);
    const got = applyVex(findings, [{ label: 'v', doc }], RELEASE);
    expect(got.filter((d) => d.status === 'not_affected')).toHaveLength(n / 2);
  });

  it('statements the index cannot tell apart are refused beyond the bound, naming the document', () => {
    const n = 3_000;
    const findings = Array.from({ length: n }, (_, i) => finding('CVE-2026-1', `pkg:npm/p@1.0.${i}?a=${i}`));
    const doc = statementsAbout(n, (j) => `pkg:npm/p@2.0.${j}`);
    let error: unknown;
    try {
      applyVex(findings, [{ label: 'vex/many.json', doc }], RELEASE);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ code: 'VEX_TOO_COMPLEX', file: 'vex/many.json' });
  });

  it('a vulnerability with tens of thousands of aliases, and findings with tens of thousands of ratings, read in linear time', () => {
    const aliases = Array.from({ length: 80_000 }, (_, i) => `CVE-2026-${100000 + i}`);
    const doc = parseVexDocument(
      {
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'u',
        author: 'a',
        timestamp: '2026-01-01T00:00:00Z',
        version: 1,
        statements: [
          {
            vulnerability: { name: 'CVE-2026-1', aliases },
            products: [{ '@id': 'pkg:npm/a@1' }],
            status: 'under_investigation',
          },
        ],
      },
      'x.json',
      NOW,
    );
    expect(doc.statements[0]?.aliases).toHaveLength(80_000);
    const cvss = Array.from({ length: 20_000 }, (_, i) => ({
      version: '3.1',
      vector: 'CVSS:3.1/AV:N',
      score: 5,
      source: `s${i}`,
    }));
    const f = { ...finding('CVE-2026-1', 'pkg:npm/a@1'), cvss };
    const merged = mergeFindings([
      { path: 'a', digest: 'sha256:0', report: { format: 'trivy', scanner: { name: 'trivy' }, findings: [f] } },
      { path: 'b', digest: 'sha256:0', report: { format: 'grype', scanner: { name: 'grype' }, findings: [f] } },
    ]);
    expect(merged[0]?.cvss).toHaveLength(20_000);
  });
});
