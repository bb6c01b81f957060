import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/formats/errors.js';
import { detectVexFormat, parseVexDocument } from '../../src/formats/vex/index.js';

const NOW = new Date('2026-06-01T00:00:00Z');

function fixture(name: string) {
  return JSON.parse(readFileSync(new URL(`../fixtures/vex/${name}`, import.meta.url), 'utf8'));
}

/** The error parseVexDocument throws for a document (fails the test when it throws none, or another kind). */
function failure(json: unknown, now = NOW): FormatError {
  try {
    parseVexDocument(json, 'doc.json', now);
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('parseVexDocument accepted the document');
}

function codeOf(json: unknown, now = NOW): string {
  return failure(json, now).code;
}

/** A nested chain of `depth` levels under `key`, the innermost item given by `leaf`. */
function chain(key: string, depth: number, item: (level: number) => object, leaf: object): object[] {
  let inner: object[] = [{ ...item(depth), ...leaf }];
  for (let level = depth - 1; level >= 1; level--) inner = [{ ...item(level), [key]: inner }];
  return inner;
}

describe('detectVexFormat', () => {
  it('tells the three formats by their markers', () => {
    expect(detectVexFormat(fixture('openvex-valid.json'))).toBe('openvex');
    expect(detectVexFormat({ '@context': 'https://openvex.dev/ns' })).toBe('openvex');
    expect(detectVexFormat(fixture('csaf-vex-valid.json'))).toBe('csaf');
    expect(detectVexFormat(fixture('cyclonedx-vex-valid.json'))).toBe('cyclonedx');
  });

  it('knows nothing else', () => {
    for (const json of [null, [], 'x', 42, {}, { '@context': 'https://www.w3.org/ns/did/v1' }, { bomFormat: 'SPDX' }])
      expect(detectVexFormat(json)).toBeUndefined();
  });

  it('refuses other documents as VEX_UNKNOWN_FORMAT, naming the file', () => {
    const e = failure({ spdxVersion: 'SPDX-2.3' });
    expect(e.code).toBe('VEX_UNKNOWN_FORMAT');
    expect(e.message.startsWith('doc.json: ')).toBe(true);
    expect(e.file).toBe('doc.json');
    expect(codeOf(null)).toBe('VEX_UNKNOWN_FORMAT');
    expect(codeOf([fixture('openvex-valid.json')])).toBe('VEX_UNKNOWN_FORMAT');
  });
});

describe('OpenVEX 0.2.0', () => {
  it('reads a valid document', () => {
    const doc = parseVexDocument(fixture('openvex-valid.json'), 'openvex-valid.json', NOW);
    expect(doc).toMatchObject({
      format: 'openvex',
      id: 'https://example.com/vex/acme-web-2026-001',
      author: 'ACME Product Security <security@example.com>',
      timestamp: '2026-01-10T09:00:00Z',
    });
    expect(doc.statements).toEqual([
      {
        vulnerability: 'CVE-2021-44228',
        aliases: ['GHSA-jfh8-c2jp-5v3q'],
        products: [
          {
            purl: 'pkg:generic/acme-web@1.4.2',
            subcomponents: ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'],
          },
        ],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impactStatement: 'JNDI lookups are disabled in the shipped configuration.',
        timestamp: '2026-01-10T09:00:00Z',
        index: 0,
      },
      {
        vulnerability: 'CVE-2023-0001',
        aliases: [],
        products: [{ purl: 'pkg:npm/left-pad@1.3.0', subcomponents: [] }],
        status: 'affected',
        actionStatement: 'Upgrade left-pad to 1.3.1.',
        timestamp: '2026-01-12T10:00:00+01:00',
        // Its own date: what orders it against other statements (the others take the document's, which orders nothing).
        orderedAt: '2026-01-12T10:00:00+01:00',
        index: 1,
      },
      {
        vulnerability: 'CVE-2023-0002',
        aliases: [],
        products: [{ purl: 'pkg:pypi/Django_Foo@2.0', subcomponents: [] }],
        status: 'fixed',
        timestamp: '2026-01-10T09:00:00Z',
        index: 2,
      },
      {
        vulnerability: 'CVE-2023-0003',
        aliases: [],
        products: [{ purl: 'pkg:generic/acme-web@1.4.2', subcomponents: [] }],
        status: 'under_investigation',
        timestamp: '2026-01-10T09:00:00Z',
        index: 3,
      },
    ]);
  });

  it('takes the vulnerability @id as its name when name is absent (as Trivy writes it)', () => {
    const json = fixture('openvex-valid.json');
    json.statements[1].vulnerability = { '@id': 'CVE-2023-0001' };
    expect(parseVexDocument(json, 'x', NOW).statements[1]?.vulnerability).toBe('CVE-2023-0001');
    json.statements[1].vulnerability = { description: 'no id at all' };
    expect(codeOf(json)).toBe('VEX_INVALID');
  });

  it('refuses not_affected without a justification or an impact statement, naming the statement', () => {
    const json = fixture('openvex-valid.json');
    delete json.statements[0].justification;
    expect(parseVexDocument(json, 'x', NOW).statements[0]?.impactStatement).toMatch(/JNDI/);
    delete json.statements[0].impact_statement;
    const e = failure(json);
    expect(e.code).toBe('VEX_INVALID');
    expect(e.message).toMatch(/^doc\.json: \$\.statements\[0\]/);
    json.statements[0].impact_statement = '   ';
    expect(codeOf(json)).toBe('VEX_INVALID');
  });

  it('refuses affected without an action statement', () => {
    const json = fixture('openvex-valid.json');
    delete json.statements[1].action_statement;
    const e = failure(json);
    expect(e.code).toBe('VEX_INVALID');
    expect(e.message).toContain('$.statements[1]');
  });

  it('refuses an unknown status and an unknown justification', () => {
    const json = fixture('openvex-valid.json');
    json.statements[2].status = 'exploitable';
    const e = failure(json);
    expect(e.code).toBe('VEX_INVALID');
    expect(e.issues.map((i) => i.path)).toContain('$.statements[2].status');
    const other = fixture('openvex-valid.json');
    other.statements[0].justification = 'requires_configuration';
    expect(codeOf(other)).toBe('VEX_INVALID');
  });

  it('refuses a statement that names no product a purl identifies', () => {
    const none = fixture('openvex-valid.json');
    delete none.statements[3].products;
    expect(failure(none).message).toContain('$.statements[3].products');
    const cpeOnly = fixture('openvex-valid.json');
    cpeOnly.statements[3].products = [{ identifiers: { cpe23: 'cpe:2.3:a:acme:web:1.4.2:*:*:*:*:*:*:*' } }];
    expect(codeOf(cpeOnly)).toBe('VEX_INVALID');
    // Subcomponents named, none by purl: the product alone would widen the statement, so it is left out too.
    const subCpe = fixture('openvex-valid.json');
    subCpe.statements[0].products[0].subcomponents = [{ identifiers: { cpe22: 'cpe:/a:apache:log4j:2.14.1' } }];
    expect(codeOf(subCpe)).toBe('VEX_INVALID');
  });

  it('refuses timestamps in the future, and dates that do not exist', () => {
    const future = fixture('openvex-valid.json');
    future.timestamp = '2026-06-02T00:00:01Z';
    expect(failure(future).message).toMatch(/\$\.timestamp.*future/);
    future.timestamp = '2026-06-01T23:59:59Z'; // within the 24 h allowed for clocks
    expect(parseVexDocument(future, 'x', NOW).timestamp).toBe('2026-06-01T23:59:59Z');
    const statementFuture = fixture('openvex-valid.json');
    statementFuture.statements[1].timestamp = '2027-01-01T00:00:00Z';
    expect(codeOf(statementFuture)).toBe('VEX_INVALID');
    const badDate = fixture('openvex-valid.json');
    badDate.timestamp = '2026-02-30T00:00:00Z';
    expect(codeOf(badDate)).toBe('VEX_INVALID');
    const notRfc3339 = fixture('openvex-valid.json');
    notRfc3339.statements[0].timestamp = '2026-01-10 09:00';
    expect(codeOf(notRfc3339)).toBe('VEX_INVALID');
  });

  it('judges the future against the real clock by default', () => {
    const json = fixture('openvex-valid.json');
    json.timestamp = new Date(Date.now() + 3 * 86_400_000).toISOString();
    expect(() => parseVexDocument(json, 'x')).toThrow(FormatError);
    json.timestamp = new Date(Date.now() - 60_000).toISOString();
    expect(parseVexDocument(json, 'x').timestamp).toBe(json.timestamp);
  });

  it('refuses other OpenVEX contexts', () => {
    for (const context of [
      'https://openvex.dev/ns',
      'https://openvex.dev/ns/v0.0.1',
      'https://openvex.dev/ns/v0.3.0',
    ]) {
      const json = fixture('openvex-valid.json');
      json['@context'] = context;
      const e = failure(json);
      expect(e.code).toBe('VEX_INVALID');
      expect(e.message).toContain('$.@context');
    }
  });

  it('refuses a document without its required fields', () => {
    for (const field of ['@id', 'author', 'timestamp', 'version', 'statements']) {
      const json = fixture('openvex-valid.json');
      delete json[field];
      expect(codeOf(json), field).toBe('VEX_INVALID');
    }
  });

  it('refuses more than 100,000 statements', () => {
    const json = fixture('openvex-valid.json');
    json.statements = Array.from({ length: 100_001 }, () => json.statements[3]);
    expect(failure(json).message).toContain('100000');
  });
});

describe('CSAF 2.0 VEX profile', () => {
  it('reads a valid document: product tree, relationships, groups, flags, threats, remediations', () => {
    const doc = parseVexDocument(fixture('csaf-vex-valid.json'), 'csaf-vex-valid.json', NOW);
    expect(doc).toMatchObject({
      format: 'csaf',
      id: 'ACME-VEX-2026-0001',
      author: 'ACME Product Security',
      timestamp: '2026-02-01T12:00:00Z',
    });
    const ts = '2026-02-01T12:00:00Z';
    expect(doc.statements).toEqual([
      {
        vulnerability: 'CVE-2024-1111',
        aliases: ['GHSA-aaaa-bbbb-cccc'],
        products: [
          { purl: 'pkg:generic/acme-web@1.4.2', subcomponents: ['pkg:deb/debian/openssl@3.0.7?arch=amd64'] },
          { purl: 'pkg:generic/acme-web@1.4.3', subcomponents: ['pkg:deb/debian/openssl@3.0.7?arch=amd64'] },
        ],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impactStatement: 'ACME Web never verifies client certificates.',
        timestamp: ts,
        index: 0,
      },
      {
        vulnerability: 'CVE-2024-2222',
        aliases: [],
        products: [{ purl: 'pkg:npm/lodash@4.17.20', subcomponents: [] }],
        status: 'affected',
        actionStatement: 'Update ACME Appliance to 3.1.',
        timestamp: ts,
        index: 1,
      },
      {
        vulnerability: 'ACME-2024-0007',
        aliases: [],
        products: [{ purl: 'pkg:generic/acme-web@1.4.3', subcomponents: [] }],
        status: 'fixed',
        timestamp: ts,
        index: 2,
      },
      {
        vulnerability: 'ACME-2024-0007',
        aliases: [],
        products: [{ purl: 'pkg:generic/acme-web@1.4.2', subcomponents: [] }],
        status: 'under_investigation',
        timestamp: ts,
        index: 3,
      },
    ]);
  });

  it('maps first_fixed to fixed, and reads a product whose relationship has its own purl', () => {
    const json = fixture('csaf-vex-valid.json');
    json.product_tree.relationships[2].full_product_name.product_identification_helper = {
      purl: 'pkg:oci/appliance@sha256%3Aabc0000000000000000000000000000000000000000000000000000000000000?repository_url=registry.example.com/acme',
    };
    json.vulnerabilities[2].product_status = { first_fixed: ['APPLIANCE:LODASH-4.17.20'], fixed: ['WEB-1.4.3'] };
    const doc = parseVexDocument(json, 'x', NOW);
    expect(doc.statements[2]).toMatchObject({
      status: 'fixed',
      products: [
        // The relationship's own purl names lodash on the appliance: the appliance with lodash inside it.
        {
          purl: 'pkg:oci/appliance@sha256%3Aabc0000000000000000000000000000000000000000000000000000000000000?repository_url=registry.example.com/acme',
          subcomponents: ['pkg:npm/lodash@4.17.20'],
        },
        { purl: 'pkg:generic/acme-web@1.4.3', subcomponents: [] },
      ],
    });
    expect(doc.statements).toHaveLength(3);
  });

  it('drops products no purl identifies, and keeps a document that yields no statement', () => {
    const json = fixture('csaf-vex-valid.json');
    json.vulnerabilities = [json.vulnerabilities[0]];
    json.vulnerabilities[0].product_status.known_not_affected = ['TOOL'];
    const doc = parseVexDocument(json, 'x', NOW);
    expect(doc.format).toBe('csaf');
    expect(doc.statements).toEqual([]);
  });

  it('refuses a category other than csaf_vex, and another CSAF version', () => {
    const json = fixture('csaf-vex-valid.json');
    json.document.category = 'csaf_security_advisory';
    const e = failure(json);
    expect(e.code).toBe('VEX_INVALID');
    expect(e.message).toContain('$.document.category');
    const v21 = fixture('csaf-vex-valid.json');
    v21.document.csaf_version = '2.1';
    expect(codeOf(v21)).toBe('VEX_INVALID');
  });

  it('refuses a vulnerability without cve or ids, without notes, or without a VEX product status', () => {
    const noId = fixture('csaf-vex-valid.json');
    delete noId.vulnerabilities[1].cve;
    expect(failure(noId).message).toContain('$.vulnerabilities[1]');
    const noNotes = fixture('csaf-vex-valid.json');
    delete noNotes.vulnerabilities[0].notes;
    expect(codeOf(noNotes)).toBe('VEX_INVALID');
    const noStatus = fixture('csaf-vex-valid.json');
    noStatus.vulnerabilities[2].product_status = { first_affected: ['WEB-1.4.2'] };
    expect(failure(noStatus).message).toContain('$.vulnerabilities[2].product_status');
    const badCve = fixture('csaf-vex-valid.json');
    badCve.vulnerabilities[1].cve = 'CVE-24-2222';
    expect(codeOf(badCve)).toBe('VEX_INVALID');
  });

  it('refuses a known_not_affected product without an impact statement', () => {
    const json = fixture('csaf-vex-valid.json');
    json.vulnerabilities[0].flags = [json.vulnerabilities[0].flags[1]];
    json.vulnerabilities[0].threats[0].product_ids = ['WEB-1.4.2:OPENSSL-3.0.7'];
    const e = failure(json);
    expect(e.code).toBe('VEX_INVALID');
    expect(e.message).toContain('$.vulnerabilities[0].product_status.known_not_affected[1]');
    // A threat of another category is no impact statement.
    const exploit = fixture('csaf-vex-valid.json');
    exploit.vulnerabilities[0].flags = [exploit.vulnerabilities[0].flags[1]];
    exploit.vulnerabilities[0].threats[0].category = 'exploit_status';
    expect(codeOf(exploit)).toBe('VEX_INVALID');
  });

  it('reads an impact threat naming no product as about every product of the vulnerability', () => {
    const json = fixture('csaf-vex-valid.json');
    json.vulnerabilities[0].flags = [json.vulnerabilities[0].flags[1]];
    json.vulnerabilities[0].threats = [{ category: 'impact', details: 'Not reachable in any ACME product.' }];
    const s = parseVexDocument(json, 'x', NOW).statements[0];
    expect(s).toMatchObject({ status: 'not_affected', impactStatement: 'Not reachable in any ACME product.' });
    expect(s?.justification).toBeUndefined();
  });

  it('refuses a known_affected product without an action statement', () => {
    const json = fixture('csaf-vex-valid.json');
    delete json.vulnerabilities[1].remediations;
    expect(failure(json).message).toContain('$.vulnerabilities[1].product_status.known_affected[0]');
  });

  it('refuses flags and remediations that name no product (mandatory tests 6.1.32, 6.1.29)', () => {
    const flag = fixture('csaf-vex-valid.json');
    delete flag.vulnerabilities[0].flags[1].product_ids;
    expect(failure(flag).message).toContain('$.vulnerabilities[0].flags[1]');
    const remediation = fixture('csaf-vex-valid.json');
    delete remediation.vulnerabilities[1].remediations[0].product_ids;
    expect(failure(remediation).message).toContain('$.vulnerabilities[1].remediations[0]');
  });

  it('refuses a product id the product tree does not define (mandatory test 6.1.1)', () => {
    const json = fixture('csaf-vex-valid.json');
    json.vulnerabilities[2].product_status.fixed = ['WEB-9.9.9'];
    expect(failure(json).message).toContain('$.vulnerabilities[2].product_status.fixed[0]');
  });

  it('refuses dates that do not exist and dates in the future', () => {
    const bad = fixture('csaf-vex-valid.json');
    bad.document.tracking.current_release_date = '2026-02-30T12:00:00Z';
    expect(failure(bad).message).toContain('$.document.tracking.current_release_date');
    const future = fixture('csaf-vex-valid.json');
    future.document.tracking.revision_history[1].date = '2026-07-01T00:00:00Z';
    expect(failure(future).message).toMatch(/revision_history\[1\]\.date.*future/);
  });

  it('refuses a schema violation, naming the field', () => {
    const json = fixture('csaf-vex-valid.json');
    json.vulnerabilities[0].flags[0].label = 'not_vulnerable';
    const e = failure(json);
    expect(e.code).toBe('VEX_INVALID');
    expect(e.issues.map((i) => i.path)).toContain('$.vulnerabilities[0].flags[0].label');
  });

  it('reads branches 64 levels deep and refuses 65', () => {
    const at = (depth: number) => {
      const json = fixture('csaf-vex-valid.json');
      json.product_tree.branches = chain(
        'branches',
        depth,
        (level) => ({ category: 'product_family', name: `level ${level}` }),
        {
          product: {
            name: 'Deep',
            product_id: 'WEB-1.4.2',
            product_identification_helper: { purl: 'pkg:generic/deep@1' },
          },
        },
      );
      json.product_tree.full_product_names.push({ name: 'ACME Web 1.4.3', product_id: 'WEB-1.4.3' });
      json.product_tree.full_product_names.push({ name: 'Appliance', product_id: 'APPLIANCE' });
      return json;
    };
    const doc = parseVexDocument(at(64), 'x', NOW);
    expect(doc.statements.find((s) => s.status === 'under_investigation')?.products).toEqual([
      { purl: 'pkg:generic/deep@1', subcomponents: [] },
    ]);
    const e = failure(at(65));
    expect(e.code).toBe('VEX_INVALID');
    expect(e.message).toContain('64');
  });
});

describe('CycloneDX VEX', () => {
  it('reads analysed vulnerabilities, resolving bom-refs, purls and BOM-Links', () => {
    const doc = parseVexDocument(fixture('cyclonedx-vex-valid.json'), 'cdx.json', NOW);
    expect(doc).toMatchObject({
      format: 'cyclonedx',
      id: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      author: 'ACME Product Security',
      timestamp: '2026-01-20T08:00:00Z',
    });
    // The BOM describes acme-web (metadata.component): each statement is about components inside it, not about
    // those components wherever they ship.
    const log4j = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1';
    const log4jApi = 'pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1';
    const inWeb = (...subcomponents: string[]) => [{ purl: 'pkg:generic/acme-web@1.4.2', subcomponents }];
    expect(doc.statements).toEqual([
      {
        vulnerability: 'CVE-2021-44228',
        aliases: ['GHSA-jfh8-c2jp-5v3q'],
        products: inWeb(log4j, log4jApi),
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impactStatement: 'JNDI lookups are disabled by configuration.',
        timestamp: '2026-01-18T00:00:00Z',
        orderedAt: '2026-01-18T00:00:00Z',
        index: 0,
      },
      {
        vulnerability: 'CVE-2023-0010',
        aliases: [],
        products: inWeb('pkg:npm/lodash@4.17.20'),
        status: 'affected',
        actionStatement: 'update, workaround_available: Upgrade to 4.17.21, or disable template compilation.',
        timestamp: '2026-01-16T00:00:00Z',
        orderedAt: '2026-01-16T00:00:00Z',
        index: 1,
      },
      {
        vulnerability: 'CVE-2023-0011',
        aliases: [],
        products: inWeb('pkg:npm/minimist@1.2.6'),
        status: 'fixed',
        timestamp: '2026-01-20T08:00:00Z',
        index: 2,
      },
      {
        vulnerability: 'CVE-2023-0012',
        aliases: [],
        products: inWeb(),
        status: 'under_investigation',
        timestamp: '2026-01-20T08:00:00Z',
        index: 3,
      },
      {
        vulnerability: 'CVE-2023-0013',
        aliases: [],
        products: inWeb(log4j),
        status: 'not_affected',
        impactStatement: 'CycloneDX state false_positive',
        timestamp: '2026-01-20T08:00:00Z',
        index: 4,
      },
      {
        vulnerability: 'CVE-2023-0014',
        aliases: [],
        products: inWeb(log4j),
        status: 'not_affected',
        justification: 'vulnerable_code_cannot_be_controlled_by_adversary',
        impactStatement: 'CycloneDX justification requires_configuration',
        timestamp: '2026-01-20T08:00:00Z',
        index: 5,
      },
      {
        vulnerability: 'CVE-2023-0017',
        aliases: [],
        products: inWeb(log4jApi),
        status: 'fixed',
        timestamp: '2026-01-20T08:00:00Z',
        index: 6,
      },
    ]);
  });

  it('maps every justification onto OpenVEX names', () => {
    const expected: Record<string, string> = {
      code_not_present: 'vulnerable_code_not_present',
      code_not_reachable: 'vulnerable_code_not_in_execute_path',
      requires_configuration: 'vulnerable_code_cannot_be_controlled_by_adversary',
      requires_dependency: 'vulnerable_code_cannot_be_controlled_by_adversary',
      requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
      protected_by_compiler: 'inline_mitigations_already_exist',
      protected_at_runtime: 'inline_mitigations_already_exist',
      protected_at_perimeter: 'inline_mitigations_already_exist',
      protected_by_mitigating_control: 'inline_mitigations_already_exist',
    };
    for (const [cdx, openvex] of Object.entries(expected)) {
      const json = fixture('cyclonedx-vex-valid.json');
      json.vulnerabilities[0].analysis.justification = cdx;
      expect(parseVexDocument(json, 'x', NOW).statements[0]?.justification, cdx).toBe(openvex);
    }
  });

  it('makes no statement without an analysis state, nor without a product with a purl', () => {
    const json = fixture('cyclonedx-vex-valid.json');
    for (const v of json.vulnerabilities) delete v.analysis?.state;
    expect(parseVexDocument(json, 'x', NOW).statements).toEqual([]);
  });

  it('refuses an unknown state or justification, and an analysed vulnerability without id', () => {
    const state = fixture('cyclonedx-vex-valid.json');
    state.vulnerabilities[2].analysis.state = 'fixed';
    expect(failure(state).issues.map((i) => i.path)).toContain('$.vulnerabilities[2].analysis.state');
    const justification = fixture('cyclonedx-vex-valid.json');
    justification.vulnerabilities[0].analysis.justification = 'vulnerable_code_not_present';
    expect(codeOf(justification)).toBe('VEX_INVALID');
    const noId = fixture('cyclonedx-vex-valid.json');
    delete noId.vulnerabilities[3].id;
    expect(failure(noId).message).toContain('$.vulnerabilities[3].id');
  });

  it('refuses CycloneDX versions before 1.4', () => {
    const json = fixture('cyclonedx-vex-valid.json');
    json.specVersion = '1.3';
    expect(codeOf(json)).toBe('VEX_INVALID');
  });

  it('refuses dates that do not exist and dates in the future', () => {
    const bad = fixture('cyclonedx-vex-valid.json');
    bad.vulnerabilities[0].analysis.lastUpdated = '2026-02-30T00:00:00Z';
    expect(failure(bad).message).toContain('$.vulnerabilities[0].analysis.lastUpdated');
    const future = fixture('cyclonedx-vex-valid.json');
    future.metadata.timestamp = '2030-01-01T00:00:00Z';
    expect(failure(future).message).toContain('$.metadata.timestamp');
  });

  it('reads components 64 levels deep and refuses 65', () => {
    const at = (depth: number) => {
      const json = fixture('cyclonedx-vex-valid.json');
      json.components = chain('components', depth, (level) => ({ type: 'library', name: `c${level}` }), {
        'bom-ref': 'log4j',
        purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
      });
      return json;
    };
    expect(parseVexDocument(at(64), 'x', NOW).statements[0]?.products[0]?.subcomponents[0]).toBe(
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    );
    expect(failure(at(65)).message).toContain('64');
    const meta = fixture('cyclonedx-vex-valid.json');
    meta.metadata.component.components = chain('components', 64, () => ({ type: 'library', name: 'm' }), {});
    expect(codeOf(meta)).toBe('VEX_INVALID');
  });
});
