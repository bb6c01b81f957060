/**
 * More classes of false disposition, and of unbounded work, from the second outside review of issue 26: a statement
 * never settles a finding it does not speak of (identity, product, version, time), and reading or applying VEX stays
 * bounded whatever the input's shape.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, VexDocument } from '../../src/formats/findings.js';
import { applyVex, parseVexDocument } from '../../src/formats/vex/index.js';
import { vulnerabilitiesDocument, vulnerabilityInputsFromBlobs } from '../../src/formats/vulnerability-evidence.js';
import { CSAF_TRACKING, codeOf, csafDocument, csafVulnerability, finding, openvexDocument } from '../helpers/vex.js';

const NOW = new Date('2026-12-01T00:00:00Z');
const RELEASE = ['pkg:generic/acme-web@1.0.0'];
const f = finding;
const apply = (findings: Finding[], ...docs: VexDocument[]) =>
  applyVex(
    findings,
    docs.map((doc, i) => ({ label: `vex${i}.json`, doc })),
    RELEASE,
  ).map((d) => d.status);
const tracking = CSAF_TRACKING;
const csaf = csafDocument;
const note = [{ category: 'description', text: 'x' }];
const openvex = openvexDocument;
const naStatement = (name: string, product: string, aliases: string[] = [], extra: Record<string, unknown> = {}) => ({
  vulnerability: { name, aliases },
  products: [{ '@id': product }],
  status: 'not_affected',
  justification: 'vulnerable_code_not_present',
  ...extra,
});
/** foo@1.0.0 affected by `name`, upgrade advised, dated `timestamp`. */
const affectedStatement = (name: string, timestamp: string) => ({
  vulnerability: { name },
  products: [{ '@id': 'pkg:npm/foo@1.0.0' }],
  status: 'affected',
  action_statement: 'upgrade',
  timestamp,
});
const read = (json: unknown, label = 'v.json') => parseVexDocument(json, label, NOW);
const code = codeOf;

describe('products: a statement is about what the document names, never wider', () => {
  it('a CSAF relationship\u2019s own versionless purl does not make a product\u2019s mitigation travel', () => {
    const tree = {
      full_product_names: [
        { name: 'RHEL 9', product_id: 'rhel9', product_identification_helper: { cpe: 'cpe:/o:redhat:rhel:9' } },
        {
          name: 'openssl',
          product_id: 'openssl',
          product_identification_helper: { purl: 'pkg:rpm/redhat/openssl@3.0.7-1.el9' },
        },
      ],
      relationships: [
        {
          category: 'default_component_of',
          product_reference: 'openssl',
          relates_to_product_reference: 'rhel9',
          full_product_name: {
            name: 'openssl in RHEL 9',
            product_id: 'rhel9:openssl',
            product_identification_helper: { purl: 'pkg:rpm/redhat/openssl' },
          },
        },
      ],
    };
    const doc = read(
      csaf(tree, [
        csafVulnerability(
          'CVE-2026-1000',
          { known_not_affected: ['rhel9:openssl'] },
          'inline_mitigations_already_exist',
        ),
      ]),
    );
    expect(
      apply(
        [
          f('CVE-2026-1000', 'pkg:rpm/redhat/openssl@1.1.1k-7.el8?arch=x86_64'),
          f('CVE-2026-1000', 'pkg:rpm/redhat/openssl@3.0.7-1.el9?arch=x86_64'),
        ],
        doc,
      ),
    ).toEqual([undefined, undefined]);
  });

  it('CSAF host, language and specification branches narrow a product further than its purl: it matches nothing', () => {
    for (const category of ['host_name', 'language', 'specification', 'legacy']) {
      const tree = {
        branches: [
          {
            category,
            name: 'x',
            branches: [
              {
                category: 'product_name',
                name: 'foo',
                product: {
                  name: 'foo',
                  product_id: 'p1',
                  product_identification_helper: { purl: 'pkg:npm/foo@1.0.0' },
                },
              },
            ],
          },
        ],
      };
      const doc = read(csaf(tree, [csafVulnerability('CVE-2026-1006', { known_not_affected: ['p1'] })]));
      expect(apply([f('CVE-2026-1006', 'pkg:npm/foo@1.0.0')], doc), category).toEqual([undefined]);
    }
  });

  it('a CycloneDX BOM about a product speaks of its components inside that product, not wherever they ship', () => {
    const bom = (root: string) =>
      read({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        metadata: {
          timestamp: '2026-01-01T00:00:00Z',
          component: { 'bom-ref': 'app', type: 'application', name: 'app', purl: root },
        },
        components: [{ 'bom-ref': 'lodash', type: 'library', name: 'lodash', purl: 'pkg:npm/lodash@4.17.20' }],
        vulnerabilities: [
          {
            id: 'CVE-2026-1004',
            analysis: { state: 'not_affected', justification: 'protected_by_mitigating_control', detail: 'a WAF' },
            affects: [{ ref: 'lodash' }],
          },
        ],
      });
    const lodash = f('CVE-2026-1004', 'pkg:npm/lodash@4.17.20');
    expect(
      apply(
        [lodash],
        bom('pkg:oci/vendor-app@sha256%3Aabc0000000000000000000000000000000000000000000000000000000000000'),
      ),
    ).toEqual([undefined]);
    // Our own BOM, about this release: it does.
    expect(apply([lodash], bom('pkg:generic/acme-web@1.0.0'))).toEqual(['not_affected']);
  });

  it('CycloneDX versions marked affected are not what a fixed or not_affected analysis speaks of', () => {
    const doc = read({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: { timestamp: '2026-01-01T00:00:00Z' },
      vulnerabilities: [
        {
          id: 'CVE-2026-1001',
          analysis: { state: 'resolved', detail: 'fixed in 1.1.0' },
          affects: [
            {
              ref: 'pkg:npm/foo',
              versions: [
                { version: '1.0.0', status: 'affected' },
                { version: '1.0.1' },
                { version: '1.1.0', status: 'unaffected' },
              ],
            },
          ],
        },
      ],
    });
    const at = (v: string) => f('CVE-2026-1001', `pkg:npm/foo@${v}`);
    expect(apply([at('1.0.0'), at('1.0.1'), at('1.1.0')], doc)).toEqual([undefined, undefined, 'fixed']);
  });

  it('a BOM-Link into another version of the same BOM names nothing here', () => {
    const doc = (version: number) =>
      read({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
        version,
        metadata: { timestamp: '2026-01-01T00:00:00Z' },
        components: [{ 'bom-ref': 'comp-1', type: 'library', name: 'foo', purl: 'pkg:npm/foo@2.0.0' }],
        vulnerabilities: [
          {
            id: 'CVE-2026-1005',
            analysis: { state: 'not_affected', justification: 'code_not_present' },
            affects: [{ ref: 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#comp-1' }],
          },
        ],
      });
    expect(apply([f('CVE-2026-1005', 'pkg:npm/foo@2.0.0')], doc(3))).toEqual([undefined]);
    expect(apply([f('CVE-2026-1005', 'pkg:npm/foo@2.0.0')], doc(1))).toEqual(['not_affected']);
  });

  it('someone else\u2019s product of the same generic name is not this release unless it names this version', () => {
    const any = read(openvex([naStatement('CVE-2026-1010', 'pkg:generic/acme-web')]));
    const findings = [f('CVE-2026-1010', 'pkg:npm/foo@1.0.0'), f('CVE-2026-1010', 'pkg:deb/debian/bar@2')];
    expect(apply(findings, any)).toEqual([undefined, undefined]);
    const exact = read(openvex([naStatement('CVE-2026-1010', 'pkg:generic/acme-web@1.0.0')]));
    expect(apply(findings, exact)).toEqual(['not_affected', 'not_affected']);
  });

  it('a draft CSAF document is refused: it is not a published statement', () => {
    const tree = {
      full_product_names: [
        { name: 'foo', product_id: 'foo', product_identification_helper: { purl: 'pkg:npm/foo@1.0.0' } },
      ],
    };
    const v = [
      {
        cve: 'CVE-2026-1012',
        notes: note,
        product_status: { known_not_affected: ['foo'] },
        flags: [{ label: 'vulnerable_code_not_present', product_ids: ['foo'] }],
      },
    ];
    expect(code(() => read(csaf(tree, v, 'draft')))).toBe('VEX_INVALID');
    expect(code(() => read(csaf(tree, v, 'interim')))).toBeUndefined();
  });
});

describe('identity: CVEs on both sides must agree', () => {
  it('a statement on one CVE does not settle an umbrella advisory aliasing it, nor the reverse', () => {
    const one = read(openvex([naStatement('CVE-2026-1002', 'pkg:npm/foo@1.0.0', ['GHSA-aaaa-bbbb-cccc'])]));
    const umbrellaFinding = f('GHSA-aaaa-bbbb-cccc', 'pkg:npm/foo@1.0.0', ['CVE-2026-1002', 'CVE-2026-1003']);
    expect(apply([umbrellaFinding], one)).toEqual([undefined]);
    const umbrella = read(
      openvex([naStatement('GHSA-aaaa-bbbb-cccc', 'pkg:pypi/foo@1.0.0', ['CVE-2026-1002', 'CVE-2026-1003'])]),
    );
    expect(
      apply([f('PYSEC-2026-1', 'pkg:pypi/foo@1.0.0', ['CVE-2026-1002', 'GHSA-aaaa-bbbb-cccc'])], umbrella),
    ).toEqual([undefined]);
    // A GHSA statement that names no CVE settles the scanner's finding for that GHSA (one CVE): nothing disagrees.
    const ghsa = read(openvex([naStatement('GHSA-aaaa-bbbb-cccc', 'pkg:npm/foo@1.0.0')]));
    expect(apply([f('GHSA-aaaa-bbbb-cccc', 'pkg:npm/foo@1.0.0', ['CVE-2026-1002'])], ghsa)).toEqual(['not_affected']);
  });
});

describe('time: statements are ordered only by dates they carry themselves', () => {
  const foo = (id: string) => f(id, 'pkg:npm/foo@1.0.0');

  it('an undated statement cannot be ordered: the one that claims least wins', () => {
    const undated = read({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      vulnerabilities: [
        {
          id: 'CVE-2026-1008',
          analysis: { state: 'exploitable', response: ['update'] },
          affects: [{ ref: 'pkg:npm/foo@1.0.0' }],
        },
      ],
    });
    const old = read(openvex([naStatement('CVE-2026-1008', 'pkg:npm/foo', [], { timestamp: '2000-01-01T00:00:00Z' })]));
    expect(apply([foo('CVE-2026-1008')], undated, old)).toEqual(['affected']);
  });

  it('a statement\u2019s last_updated orders it', () => {
    const updated = read(
      openvex([
        {
          vulnerability: { name: 'CVE-2026-1007' },
          products: [{ '@id': 'pkg:npm/foo@1.0.0' }],
          timestamp: '2026-01-01T00:00:00Z',
          last_updated: '2026-06-01T00:00:00Z',
          status: 'affected',
          action_statement: 'upgrade',
        },
      ]),
    );
    const march = read(
      openvex([naStatement('CVE-2026-1007', 'pkg:npm/foo@1.0.0', [], { timestamp: '2026-03-01T00:00:00Z' })]),
    );
    expect(apply([foo('CVE-2026-1007')], updated, march)).toEqual(['affected']);
    // Without it, the March statement is the later one.
    const january = read(openvex([affectedStatement('CVE-2026-1007', '2026-01-01T00:00:00Z')]));
    expect(apply([foo('CVE-2026-1007')], january, march)).toEqual(['not_affected']);
  });

  it('a document\u2019s date (a CSAF release date, re-issued for a typo) orders nothing', () => {
    const c = csaf(
      {
        full_product_names: [
          { name: 'foo', product_id: 'foo', product_identification_helper: { purl: 'pkg:npm/foo@1.0.0' } },
        ],
      },
      [csafVulnerability('CVE-2026-1011', { known_not_affected: ['foo'] })],
    );
    c.document.tracking = {
      ...tracking,
      version: '2',
      current_release_date: '2026-06-01T00:00:00Z',
      revision_history: [
        { date: '2026-01-01T00:00:00Z', number: '1', summary: 'first' },
        { date: '2026-06-01T00:00:00Z', number: '2', summary: 'typo' },
      ],
    };
    const affected = read(openvex([affectedStatement('CVE-2026-1011', '2026-03-01T00:00:00Z')]));
    expect(apply([foo('CVE-2026-1011')], read(c), affected)).toEqual(['affected']);
  });
});

describe('bounded work from small inputs (refused or linear, never left to run)', () => {
  const n = 20_000;
  const release = { name: 'acme-web', version: '1.0.0', products: RELEASE };
  const grype = (matches: unknown[]) => ({ matches, descriptor: { name: 'grype', version: '0.1' } });
  const match = (id: string, related: string[], purl: string, fix: string[] = [], loc = '/x') => ({
    vulnerability: { id, severity: 'High', fix: { versions: fix } },
    relatedVulnerabilities: related.map((r) => ({ id: r })),
    artifact: { name: 'foo', version: '1.0.0', type: 'npm', purl, locations: [{ path: loc }] },
  });
  const remake = (files: { path: string; kind: string; json: unknown }[]) => {
    const blobs = new Map(files.map((x, i) => [`d${i}`, Buffer.from(JSON.stringify(x.json))]));
    const entries = files.map((x, i) => ({ path: x.path, kind: x.kind, digest: `d${i}` }));
    return vulnerabilitiesDocument(vulnerabilityInputsFromBlobs(entries, (d) => blobs.get(d), release).inputs);
  };
  const scan = {
    path: 'scan/grype.json',
    kind: 'scan',
    json: grype([match('CVE-2026-0002', [], 'pkg:npm/foo@1.0.0')]),
  };
  const tooComplex = (fn: () => unknown) => expect(code(fn)).toBe('VEX_TOO_COMPLEX');

  it('many advisories of one CVE in one package merge into one finding in linear time', () => {
    const doc = remake([
      {
        path: 'scan/grype.json',
        kind: 'scan',
        json: grype(
          Array.from({ length: n }, (_, i) =>
            match(`GHSA-${i}`, ['CVE-2026-0001'], 'pkg:npm/foo@1.0.0', [`2.${i}.0`], `/app/${i}`),
          ),
        ),
      },
    ]);
    expect(doc.findings).toHaveLength(1);
    expect(doc.findings[0]?.sources).toHaveLength(n);
  });

  it('CSAF groups named again and again, or by many impact threats, are refused past the bound', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `p${i}`);
    const tree = {
      full_product_names: [
        { name: 'a', product_id: 'a', product_identification_helper: { purl: 'pkg:npm/foo@1.0.0' } },
      ],
      product_groups: [{ group_id: 'g', product_ids: [...ids, 'a'] }],
    };
    tooComplex(() =>
      remake([
        scan,
        {
          path: 'vex/t.json',
          kind: 'vex',
          json: csaf(tree, [
            {
              cve: 'CVE-2026-0002',
              notes: note,
              product_status: { known_not_affected: ['a'] },
              threats: Array.from({ length: 4000 }, () => ({ category: 'impact', details: 'x', group_ids: ['g'] })),
            },
          ]),
        },
      ]),
    );
    // A group named many times by one flag is expanded once.
    const doc = remake([
      scan,
      {
        path: 'vex/g.json',
        kind: 'vex',
        json: csaf(tree, [
          {
            cve: 'CVE-2026-0002',
            notes: note,
            product_status: { under_investigation: ['a'] },
            flags: [{ label: 'vulnerable_code_not_present', group_ids: Array<string>(n).fill('g') }],
          },
        ]),
      },
    ]);
    expect(doc.findings[0]?.status).toBe('under_investigation');
  });

  it('one status list of many products, or one affects entry of many versions, is read in linear time', () => {
    const fpn = Array.from({ length: n }, (_, i) => ({
      name: `p${i}`,
      product_id: `p${i}`,
      product_identification_helper: { purl: `pkg:npm/foo@${i}.0.0` },
    }));
    const statuses = remake([
      scan,
      {
        path: 'vex/p.json',
        kind: 'vex',
        json: csaf({ full_product_names: fpn }, [
          { cve: 'CVE-2026-0002', notes: note, product_status: { under_investigation: fpn.map((p) => p.product_id) } },
        ]),
      },
    ]);
    // foo@1.0.0 is among them.
    expect(statuses.findings[0]?.status).toBe('under_investigation');
    const versions = remake([
      scan,
      {
        path: 'vex/c.json',
        kind: 'vex',
        json: {
          bomFormat: 'CycloneDX',
          specVersion: '1.6',
          version: 1,
          vulnerabilities: [
            {
              id: 'CVE-2026-0002',
              analysis: { state: 'in_triage' },
              affects: [
                { ref: 'pkg:npm/foo', versions: Array.from({ length: n }, (_, i) => ({ version: `${i}.0.0` })) },
              ],
            },
          ],
        },
      },
    ]);
    expect(versions.findings[0]?.status).toBe('under_investigation');
  });

  it('subcomponents compared for every finding count against the bound', () => {
    const subs = Array.from({ length: 4000 }, (_, i) => ({ '@id': `pkg:npm/foo@9.${i}.0` }));
    tooComplex(() =>
      remake([
        {
          path: 'scan/grype.json',
          kind: 'scan',
          json: grype(Array.from({ length: 4000 }, (_, i) => match('CVE-2026-0006', [], `pkg:npm/foo@1.${i}.0`))),
        },
        {
          path: 'vex/s.json',
          kind: 'vex',
          json: openvex([
            {
              vulnerability: { name: 'CVE-2026-0006' },
              products: [{ '@id': 'pkg:generic/acme-web@1.0.0', subcomponents: subs }],
              status: 'under_investigation',
            },
          ]),
        },
      ]),
    );
  });
});

describe('third review: what remained', () => {
  const release = { name: 'acme-web', version: '1.0.0', products: RELEASE };
  const blobsOf = (files: { path: string; kind: string; json: unknown }[]) => {
    const blobs = new Map(files.map((x, i) => [`d${i}`, Buffer.from(JSON.stringify(x.json))]));
    const entries = files.map((x, i) => ({ path: x.path, kind: x.kind, digest: `d${i}` }));
    return () => vulnerabilitiesDocument(vulnerabilityInputsFromBlobs(entries, (d) => blobs.get(d), release).inputs);
  };
  const grypeOf = (n: number, id = 'CVE-2021-44228') => ({
    matches: Array.from({ length: n }, (_, i) => ({
      vulnerability: { id, severity: 'Critical' },
      artifact: { name: `p${i}`, version: '1.0.0', type: 'npm', purl: `pkg:npm/p${i}@1.0.0` },
    })),
    descriptor: { name: 'grype', version: '1' },
  });

  it('one long statement settling many findings is refused, not copied into every one', () => {
    const make = (n: number, size: number) =>
      blobsOf([
        { path: 'scan/g.json', kind: 'scan', json: grypeOf(n) },
        {
          path: 'vex/v.json',
          kind: 'vex',
          json: openvex([
            {
              vulnerability: { name: 'CVE-2021-44228' },
              products: [{ '@id': 'pkg:generic/acme-web@1.0.0' }],
              status: 'not_affected',
              impact_statement: 'x'.repeat(size),
            },
          ]),
        },
      ]);
    expect(code(make(2000, 1_000_000))).toBe('VEX_TOO_COMPLEX');
    expect(make(20, 1000)().findings.every((x) => x.status === 'not_affected')).toBe(true);
  });

  it('a CSAF impact text named by many products is joined once', () => {
    const n = 20_000;
    const names = Array.from({ length: n }, (_, i) => ({
      name: `p${i}`,
      product_id: `p${i}`,
      product_identification_helper: { purl: `pkg:npm/p${i}@1.0.0` },
    }));
    const doc = read(
      csaf({ full_product_names: names }, [
        {
          cve: 'CVE-2021-44228',
          notes: note,
          product_status: { known_not_affected: names.map((p) => p.product_id) },
          threats: [{ category: 'impact', details: 'y'.repeat(1_000_000) }],
        },
      ]),
    );
    expect(doc.statements).toHaveLength(1);
    expect(doc.statements[0]?.products).toHaveLength(n);
  });

  it('OSV groups are looked up once per package, whatever their number', () => {
    const n = 30_000;
    const osv = {
      results: [
        {
          source: { path: '/app/package-lock.json', type: 'lockfile' },
          packages: [
            {
              package: { name: 'foo', version: '1.0.0', ecosystem: 'npm' },
              vulnerabilities: Array.from({ length: n }, (_, i) => ({
                id: `GHSA-${i}`,
                modified: '2026-01-01T00:00:00Z',
              })),
              groups: Array.from({ length: n }, (_, i) => ({ ids: [`GHSA-${i}`], max_severity: '9.8' })),
            },
          ],
        },
      ],
    };
    const doc = blobsOf([{ path: 'scan/osv.json', kind: 'scan', json: osv }])();
    expect(doc.findings).toHaveLength(n);
    expect(doc.findings.every((x) => x.severity === 'critical')).toBe(true);
  });

  it('a CycloneDX BOM about a product no purl names: its components stand alone only for what travels with them', () => {
    const bom = (analysis: Record<string, unknown>, purl = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1') =>
      read({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        metadata: {
          timestamp: '2026-01-01T00:00:00Z',
          component: { type: 'application', name: 'VendorApp', cpe: 'cpe:/a:v:app:1' },
        },
        components: [{ 'bom-ref': 'log4j', type: 'library', name: 'log4j-core', purl }],
        vulnerabilities: [{ id: 'CVE-2021-44228', analysis, affects: [{ ref: 'log4j' }] }],
      });
    const log4j = f('CVE-2021-44228', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1');
    expect(
      apply([log4j], bom({ state: 'not_affected', justification: 'protected_at_perimeter', detail: 'WAF' })),
    ).toEqual([undefined]);
    expect(apply([log4j], bom({ state: 'not_affected', justification: 'code_not_present' }))).toEqual(['not_affected']);
    expect(
      apply([log4j], bom({ state: 'resolved', detail: 'patched' }, 'pkg:maven/org.apache.logging.log4j/log4j-core')),
    ).toEqual([undefined]);
  });

  it('relationships of a CSAF product its branches narrowed name nothing', () => {
    for (const category of ['product_version_range', 'host_name', 'language']) {
      const tree = {
        branches: [
          {
            category,
            name: 'x',
            product: { name: 'app', product_id: 'app', product_identification_helper: { purl: 'pkg:oci/app' } },
          },
        ],
        full_product_names: [
          { name: 'lib', product_id: 'lib', product_identification_helper: { purl: 'pkg:npm/lib@1.0.0' } },
        ],
        relationships: [
          {
            category: 'default_component_of',
            product_reference: 'lib',
            relates_to_product_reference: 'app',
            full_product_name: { name: 'lib in app', product_id: 'app:lib' },
          },
        ],
      };
      const doc = read(csaf(tree, [{ cve: 'CVE-2026-2000', notes: note, product_status: { fixed: ['app:lib'] } }]));
      expect(apply([f('CVE-2026-2000', 'pkg:npm/lib@1.0.0')], doc), category).toEqual([undefined]);
    }
  });

  it('an image named without its registry or version is nobody\u2019s: it is not the release', () => {
    const product =
      'pkg:oci/app@sha256%3Aabc0000000000000000000000000000000000000000000000000000000000000?repository_url=ghcr.io/acme/app';
    const statement = (id: string) => read(openvex([naStatement('CVE-2021-44228', id)]));
    const log4j = [f('CVE-2021-44228', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1')];
    const settled = (doc: VexDocument) => applyVex(log4j, [{ label: 'v', doc }], [...RELEASE, product])[0]?.status;
    expect(settled(statement('pkg:oci/app'))).toBeUndefined();
    expect(settled(statement('pkg:oci/app?repository_url=ghcr.io/acme/app'))).toBe('not_affected');
    expect(settled(statement(product))).toBe('not_affected');
  });

  it('many dated statements applying to one finding are ordered without running out of stack', () => {
    const statements = Array.from({ length: 200_000 }, (_, i) =>
      naStatement('CVE-2026-3000', 'pkg:npm/foo@1.0.0', [], {
        timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      }),
    );
    const docs = [0, 1].map((k) => ({
      label: `v${k}`,
      doc: read(openvex(statements.slice(k * 100_000, (k + 1) * 100_000))),
    }));
    const got = applyVex([f('CVE-2026-3000', 'pkg:npm/foo@1.0.0')], docs, RELEASE);
    expect(got[0]).toMatchObject({ status: 'not_affected', source: { document: 'v1', index: 99_999 } });
  });
});
