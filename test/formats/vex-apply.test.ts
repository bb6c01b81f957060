import { describe, expect, it } from 'vitest';
import type { Finding, VexDocument, VexProduct, VexStatement } from '../../src/formats/findings.js';
import { applyVex, parseVexDocument } from '../../src/formats/vex/index.js';

const RELEASE = [
  'pkg:generic/acme-web@1.4.2',
  'pkg:oci/web@sha256%3A0123abcd00000000000000000000000000000000000000000000000000000000?repository_url=ghcr.io/acme/web',
];

function finding(id: string, purl: string | undefined, aliases: string[] = []): Finding {
  return {
    id,
    aliases,
    ...(purl !== undefined && { purl }),
    severity: 'high',
    cvss: [],
    fixVersions: [],
    cwes: [],
  };
}

function product(purl: string, ...subcomponents: string[]): VexProduct {
  return { purl, subcomponents };
}

let counter = 0;

/** A document of statements (index in order), each defaulting to not_affected. */
function vex(statements: (Partial<VexStatement> & { vulnerability: string; products: VexProduct[] })[]): VexDocument {
  counter += 1;
  return {
    format: 'openvex',
    id: `https://example.com/vex/${counter}`,
    statements: statements.map((s, index) => ({
      aliases: [],
      status: 'not_affected',
      justification: 'component_not_present',
      // A statement given a timestamp here carries it as its own date (what orders statements).
      ...(s.timestamp !== undefined && { orderedAt: s.timestamp }),
      ...s,
      index,
    })),
  };
}

function apply(findings: Finding[], docs: VexDocument[], release = RELEASE) {
  return applyVex(
    findings,
    docs.map((doc, i) => ({ label: `vex-${i}.json`, doc })),
    release,
  );
}

const LOG4J = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1';

describe('applyVex: which statement is about which vulnerability', () => {
  it('matches the id or an alias on either side, case-insensitively', () => {
    const docs = [
      vex([{ vulnerability: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'], products: [product(LOG4J)] }]),
    ];
    const got = apply(
      [
        finding('CVE-2021-44228', LOG4J),
        finding('GHSA-JFH8-C2JP-5V3Q', LOG4J),
        finding('GO-2021-0001', LOG4J, ['cve-2021-44228']),
        finding('CVE-2021-45046', LOG4J, ['GHSA-7rjr-3q55-vv33']),
      ],
      docs,
    );
    expect(got.map((d) => d.status)).toEqual(['not_affected', 'not_affected', 'not_affected', undefined]);
    expect(got[0]).toEqual({
      status: 'not_affected',
      justification: 'component_not_present',
      source: { document: 'vex-0.json', documentId: docs[0]?.id, index: 0 },
    });
    expect(got[3]).toEqual({});
  });
});

describe('applyVex: which statement is about which package', () => {
  it('a package statement applies to that package wherever it ships, by the purl rules', () => {
    const docs = [
      vex([
        { vulnerability: 'CVE-1', products: [product('pkg:npm/lodash')] },
        { vulnerability: 'CVE-2', products: [product('pkg:npm/lodash@4.17.20')] },
        { vulnerability: 'CVE-3', products: [product('pkg:deb/debian/openssl@3.0.7?arch=amd64')] },
        { vulnerability: 'CVE-4', products: [product('pkg:pypi/Django_Foo@2.0')] },
        {
          vulnerability: 'CVE-5',
          products: [product('pkg:golang/github.com/docker/distribution@v2.7.1+incompatible')],
        },
        { vulnerability: 'CVE-6', products: [product('pkg:pypi/urllib3@1.0')] },
      ]),
    ];
    const cases: [Finding, string | undefined][] = [
      [finding('CVE-1', 'pkg:npm/lodash@4.17.20'), 'not_affected'],
      [finding('CVE-1', 'pkg:npm/lodash@3.0.0'), 'not_affected'],
      [finding('CVE-2', 'pkg:npm/lodash@4.17.20'), 'not_affected'],
      [finding('CVE-2', 'pkg:npm/lodash@4.17.21'), undefined],
      [finding('CVE-3', 'pkg:deb/debian/openssl@3.0.7?arch=amd64&distro=debian-12'), 'not_affected'],
      [finding('CVE-3', 'pkg:deb/debian/openssl@3.0.7?arch=arm64&distro=debian-12'), undefined],
      [finding('CVE-3', 'pkg:deb/debian/openssl@3.0.7'), undefined],
      [finding('CVE-4', 'pkg:pypi/django-foo@2.0'), 'not_affected'],
      [finding('CVE-5', 'pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible'), 'not_affected'],
      [finding('CVE-6', 'pkg:pypi/urllib3@1.0.0'), undefined],
      // The statement is about lodash; a finding in another package of the same vulnerability is untouched.
      [finding('CVE-1', 'pkg:npm/underscore@1.13.0'), undefined],
    ];
    const got = apply(
      cases.map(([f]) => f),
      docs,
    );
    cases.forEach(([f, status], i) => expect(got[i]?.status, `${f.id} ${f.purl}`).toBe(status));
  });

  it('a product with subcomponents that is not the release is not about the product itself', () => {
    const docs = [vex([{ vulnerability: 'CVE-1', products: [product('pkg:npm/express@4.0.0', 'pkg:npm/qs@6.0.0')] }])];
    const got = apply([finding('CVE-1', 'pkg:npm/express@4.0.0'), finding('CVE-1', 'pkg:npm/qs@6.0.0')], docs);
    expect(got.map((d) => d.status)).toEqual([undefined, undefined]);
  });

  it('the release as product, with a subcomponent: applies to that component in the release', () => {
    const docs = [vex([{ vulnerability: 'CVE-2021-44228', products: [product('pkg:generic/acme-web@1.4.2', LOG4J)] }])];
    const got = apply(
      [
        finding('CVE-2021-44228', LOG4J),
        finding('CVE-2021-44228', 'pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1'),
        finding('CVE-2021-44228', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.17.0'),
      ],
      docs,
    );
    expect(got.map((d) => d.status)).toEqual(['not_affected', undefined, undefined]);
  });

  it('the release as product, without subcomponents: covers every finding of the vulnerability in the release', () => {
    // Known by its image digest: one of the release's purls, whatever the qualifiers the release carries.
    const docs = [
      vex([
        {
          vulnerability: 'CVE-2023-0003',
          status: 'under_investigation',
          products: [product('pkg:oci/web@sha256:0123abcd00000000000000000000000000000000000000000000000000000000')],
        },
      ]),
    ];
    const got = apply(
      [
        finding('CVE-2023-0003', 'pkg:npm/a@1.0.0'),
        finding('CVE-2023-0003', 'pkg:golang/example.com/b@v2.0.0'),
        finding('CVE-2023-0004', 'pkg:npm/a@1.0.0'),
      ],
      docs,
    );
    expect(got.map((d) => d.status)).toEqual(['under_investigation', 'under_investigation', undefined]);
  });

  it('another version of the release changes nothing', () => {
    const docs = [
      vex([
        { vulnerability: 'CVE-2021-44228', products: [product('pkg:generic/acme-web@1.4.1', LOG4J)] },
        { vulnerability: 'CVE-2021-44228', products: [product('pkg:generic/acme-web@1.4.1')] },
        { vulnerability: 'CVE-2021-44228', products: [product('pkg:generic/other-app@1.4.2', LOG4J)] },
      ]),
    ];
    expect(apply([finding('CVE-2021-44228', LOG4J)], docs)).toEqual([{}]);
    // The same statements about the release itself do apply.
    expect(apply([finding('CVE-2021-44228', LOG4J)], docs, ['pkg:generic/acme-web@1.4.1'])[0]?.status).toBe(
      'not_affected',
    );
  });

  it('leaves findings without a purl untouched: VEX speaks of packages', () => {
    const docs = [vex([{ vulnerability: 'zap:10038', products: [product('pkg:generic/acme-web@1.4.2')] }])];
    const web = { ...finding('zap:10038', undefined), location: 'https://acme.example.com/login' };
    const audit = { ...finding('GHSA-aaaa-bbbb-cccc', undefined), package: { name: 'lodash', ecosystem: 'npm' } };
    expect(apply([web, audit], docs)).toEqual([{}, {}]);
  });
});

describe('applyVex: which statement wins', () => {
  const f = finding('CVE-2021-44228', LOG4J);
  const about = [product(LOG4J)];

  it('the latest timestamp wins across documents, and losers of another status are conflicts', () => {
    const older = vex([
      {
        vulnerability: 'CVE-2021-44228',
        products: about,
        status: 'affected',
        actionStatement: 'Upgrade',
        timestamp: '2026-01-01T00:00:00Z',
      },
    ]);
    const newer = vex([
      { vulnerability: 'CVE-2021-44228', products: about, status: 'fixed', timestamp: '2026-01-01T02:00:00+01:00' },
      {
        vulnerability: 'CVE-2021-44228',
        products: about,
        status: 'affected',
        actionStatement: 'x',
        timestamp: '2025-12-31T00:00:00Z',
      },
    ]);
    // 02:00+01:00 is 01:00Z, later than the first document's midnight, whatever the order of the documents.
    for (const docs of [
      [older, newer],
      [newer, older],
    ]) {
      const [d] = apply([f], docs);
      const newerAt = docs.indexOf(newer);
      const olderAt = docs.indexOf(older);
      expect(d?.status).toBe('fixed');
      expect(d?.timestamp).toBe('2026-01-01T02:00:00+01:00');
      expect(d?.source).toEqual({ document: `vex-${newerAt}.json`, documentId: newer.id, index: 0 });
      expect(d?.conflicts).toEqual(
        [
          { document: `vex-${olderAt}.json`, index: 0, status: 'affected' },
          { document: `vex-${newerAt}.json`, index: 1, status: 'affected' },
        ].sort((a, b) => a.document.localeCompare(b.document)),
      );
      expect(d?.actionStatement).toBeUndefined();
    }
  });

  it('a statement without timestamp counts as the oldest', () => {
    const undated = vex([{ vulnerability: 'CVE-2021-44228', products: about, status: 'fixed' }]);
    const dated = vex([
      {
        vulnerability: 'CVE-2021-44228',
        products: about,
        status: 'under_investigation',
        timestamp: '2020-01-01T00:00:00Z',
      },
    ]);
    expect(apply([f], [dated, undated])[0]?.status).toBe('under_investigation');
    expect(apply([f], [undated, dated])[0]?.status).toBe('under_investigation');
  });

  it('on a tie in time, the status that claims least wins, whatever the order of documents and statements', () => {
    const at = '2026-01-01T00:00:00Z';
    const a = vex([{ vulnerability: 'CVE-2021-44228', products: about, status: 'fixed', timestamp: at }]);
    const b = vex([
      { vulnerability: 'CVE-2021-44228', products: about, status: 'under_investigation', timestamp: at },
      { vulnerability: 'CVE-2021-44228', products: about, status: 'not_affected', timestamp: at },
    ]);
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const got = apply([f], order)[0];
      expect(got).toMatchObject({ status: 'under_investigation', source: { index: 0 } });
      expect(got?.conflicts?.map((c) => c.status).sort()).toEqual(['fixed', 'not_affected']);
    }
    const affected = vex([
      { vulnerability: 'CVE-2021-44228', products: about, status: 'not_affected', timestamp: at },
      { vulnerability: 'CVE-2021-44228', products: about, status: 'affected', timestamp: at },
    ]);
    expect(apply([f], [affected])[0]).toMatchObject({ status: 'affected', source: { index: 1 } });
    // Statements that agree still tie-break by position, so the texts shown are the last ones given.
    const later = vex([
      { vulnerability: 'CVE-2021-44228', products: about, status: 'fixed', timestamp: at },
      { vulnerability: 'CVE-2021-44228', products: about, status: 'fixed', timestamp: at },
    ]);
    expect(apply([f], [later])[0]).toMatchObject({ status: 'fixed', source: { index: 1 } });
    expect(apply([f], [later])[0]?.conflicts).toBeUndefined();
  });

  it('lists no conflicts when the losers agree with the winner', () => {
    const a = vex([{ vulnerability: 'CVE-2021-44228', products: about, timestamp: '2026-01-01T00:00:00Z' }]);
    const b = vex([
      {
        vulnerability: 'CVE-2021-44228',
        products: about,
        justification: 'vulnerable_code_not_present',
        impactStatement: 'Removed in our build.',
        timestamp: '2026-02-01T00:00:00Z',
      },
    ]);
    expect(apply([f], [a, b])[0]).toEqual({
      status: 'not_affected',
      justification: 'vulnerable_code_not_present',
      impactStatement: 'Removed in our build.',
      timestamp: '2026-02-01T00:00:00Z',
      orderedAt: '2026-02-01T00:00:00Z',
      source: { document: 'vex-1.json', documentId: b.id, index: 0 },
    });
  });

  it('a statement that does not apply is neither winner nor conflict', () => {
    const a = vex([{ vulnerability: 'CVE-2021-44228', products: about, timestamp: '2026-01-01T00:00:00Z' }]);
    const b = vex([
      {
        vulnerability: 'CVE-2021-44228',
        products: [product('pkg:generic/acme-web@1.4.1', LOG4J)],
        status: 'affected',
        timestamp: '2026-03-01T00:00:00Z',
      },
    ]);
    expect(apply([f], [a, b])[0]).toMatchObject({ status: 'not_affected' });
    expect(apply([f], [a, b])[0]?.conflicts).toBeUndefined();
  });
});

describe('applyVex over parsed documents', () => {
  it('applies a CSAF document whose products are the release with components', () => {
    const csaf = parseVexDocument(
      {
        document: {
          category: 'csaf_vex',
          csaf_version: '2.0',
          publisher: { category: 'vendor', name: 'ACME', namespace: 'https://example.com' },
          title: 'VEX',
          tracking: {
            id: 'ACME-1',
            status: 'final',
            version: '1',
            initial_release_date: '2026-01-01T00:00:00Z',
            current_release_date: '2026-01-01T00:00:00Z',
            revision_history: [{ date: '2026-01-01T00:00:00Z', number: '1', summary: 'Initial.' }],
          },
        },
        product_tree: {
          full_product_names: [
            { name: 'web', product_id: 'WEB', product_identification_helper: { purl: 'pkg:generic/acme-web@1.4.2' } },
            { name: 'log4j', product_id: 'LOG4J', product_identification_helper: { purl: LOG4J } },
          ],
          relationships: [
            {
              category: 'default_component_of',
              product_reference: 'LOG4J',
              relates_to_product_reference: 'WEB',
              full_product_name: { name: 'log4j in web', product_id: 'WEB:LOG4J' },
            },
          ],
        },
        vulnerabilities: [
          {
            cve: 'CVE-2021-44228',
            notes: [{ category: 'description', text: 'Log4Shell.' }],
            product_status: { known_not_affected: ['WEB:LOG4J'] },
            flags: [{ label: 'vulnerable_code_not_in_execute_path', product_ids: ['WEB:LOG4J'] }],
          },
        ],
      },
      'acme.csaf.json',
      new Date('2026-06-01T00:00:00Z'),
    );
    const got = applyVex(
      [
        finding('CVE-2021-44228', LOG4J),
        finding('CVE-2021-44228', 'pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1'),
      ],
      [{ label: 'acme.csaf.json', doc: csaf }],
      RELEASE,
    );
    expect(got[0]).toMatchObject({
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      source: { document: 'acme.csaf.json', documentId: 'ACME-1', index: 0 },
    });
    expect(got[1]).toEqual({});
    expect(
      applyVex([finding('CVE-2021-44228', LOG4J)], [{ label: 'x', doc: csaf }], ['pkg:generic/acme-web@1.4.3']),
    ).toEqual([{}]);
  });

  it('returns one disposition per finding, in order, and none without documents', () => {
    const findings = [finding('CVE-1', 'pkg:npm/a@1'), finding('CVE-2', undefined), finding('CVE-3', 'pkg:npm/c@1')];
    expect(applyVex(findings, [], RELEASE)).toEqual([{}, {}, {}]);
    const docs = [vex([{ vulnerability: 'CVE-3', products: [product('pkg:npm/c')] }])];
    expect(apply(findings, docs).map((d) => d.status)).toEqual([undefined, undefined, 'not_affected']);
  });
});
