import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DATETIME_WITH_TZ,
  OSCAL_VERSION,
  TOKEN,
  UUID_PATTERN,
  oscalAssessmentResultsSchema,
  validateOscalAssessmentResults,
  type OscalAssessmentResultsDocument,
} from '../../src/formats/oscal.js';

const U = {
  ar: 'a0000000-0000-4000-8000-000000000001',
  result: 'a0000000-0000-4000-8000-000000000002',
  obsTests: 'a0000000-0000-4000-8000-000000000003',
  obsScan: 'a0000000-0000-4000-8000-000000000004',
  findingOk: 'a0000000-0000-4000-8000-000000000005',
  findingBad: 'a0000000-0000-4000-8000-000000000006',
  risk: 'a0000000-0000-4000-8000-000000000007',
  resJunit: 'a0000000-0000-4000-8000-000000000008',
  resSarif: 'a0000000-0000-4000-8000-000000000009',
  resPlan: 'a0000000-0000-4000-8000-00000000000a',
  party: 'a0000000-0000-4000-8000-00000000000b',
  tool: 'a0000000-0000-4000-8000-00000000000c',
};

const SHA256_A = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SHA256_B = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

/** A small but complete Assessment Results document; a fresh copy each call. */
function validDoc(): OscalAssessmentResultsDocument {
  return {
    'assessment-results': {
      uuid: U.ar,
      metadata: {
        title: 'Release 1.4.0 assessment',
        'last-modified': '2024-05-01T12:00:00Z',
        version: '1.4.0',
        'oscal-version': OSCAL_VERSION,
        roles: [{ id: 'assessor', title: 'Assessor' }],
        parties: [{ uuid: U.party, type: 'organization', name: 'Example Corp' }],
        'responsible-parties': [{ 'role-id': 'assessor', 'party-uuids': [U.party] }],
        props: [{ name: 'release', ns: 'https://example.com/ns/evidence', value: 'v1.4.0', class: 'build' }],
      },
      'import-ap': { href: `#${U.resPlan}` },
      results: [
        {
          uuid: U.result,
          title: 'Automated checks',
          description: 'Test and scan results collected for the release.',
          start: '2024-05-01T11:00:00.123+02:00',
          end: '2024-05-01T11:30:00Z',
          'reviewed-controls': {
            'control-selections': [
              {
                'include-controls': [
                  { 'control-id': 'si-2', 'statement-ids': ['si-2_smt.a'] },
                  { 'control-id': 'sa-11' },
                ],
              },
            ],
          },
          observations: [
            {
              uuid: U.obsTests,
              title: 'Unit tests',
              description: 'All 412 unit tests passed.',
              methods: ['TEST'],
              types: ['control-objective'],
              origins: [{ actors: [{ type: 'tool', 'actor-uuid': U.tool }] }],
              'relevant-evidence': [{ href: `#${U.resJunit}`, description: 'JUnit report' }],
              collected: '2024-05-01T11:10:00Z',
            },
            {
              uuid: U.obsScan,
              description: 'Static analysis reported one high-severity issue.',
              methods: ['TEST', 'EXAMINE'],
              'relevant-evidence': [
                {
                  href: `#${U.resSarif}`,
                  description: 'SARIF log',
                  links: [{ href: `#${U.resSarif}`, rel: 'reference', text: 'SARIF' }],
                },
              ],
              collected: '2024-05-01T11:20:00Z',
            },
          ],
          risks: [
            {
              uuid: U.risk,
              title: 'SQL injection in report export',
              description: 'A query is built by string concatenation.',
              statement: 'An attacker could read other tenants\u2019 data.',
              status: 'open',
              deadline: '2024-06-01T00:00:00Z',
              'related-observations': [{ 'observation-uuid': U.obsScan }],
            },
          ],
          findings: [
            {
              uuid: U.findingOk,
              title: 'SA-11 developer testing',
              description: 'Developer testing is performed and passes.',
              target: {
                type: 'statement-id',
                'target-id': 'sa-11_smt',
                status: { state: 'satisfied', reason: 'pass' },
              },
              'related-observations': [{ 'observation-uuid': U.obsTests }],
            },
            {
              uuid: U.findingBad,
              title: 'SI-2 flaw remediation',
              description: 'A known flaw is not remediated.',
              target: {
                type: 'objective-id',
                'target-id': 'si-2.a',
                status: { state: 'not-satisfied', reason: 'fail' },
              },
              'related-observations': [{ 'observation-uuid': U.obsScan }],
              'related-risks': [{ 'risk-uuid': U.risk }],
            },
          ],
        },
      ],
      'back-matter': {
        resources: [
          {
            uuid: U.resJunit,
            title: 'junit.xml',
            props: [{ name: 'type', value: 'evidence' }],
            rlinks: [
              {
                href: 'evidence/junit.xml',
                'media-type': 'application/xml',
                hashes: [{ algorithm: 'SHA-256', value: SHA256_A }],
              },
            ],
          },
          {
            uuid: U.resSarif,
            title: 'codeql.sarif',
            rlinks: [
              {
                href: 'evidence/codeql.sarif',
                'media-type': 'application/sarif+json',
                hashes: [{ algorithm: 'SHA-256', value: SHA256_B.toUpperCase() }],
              },
            ],
          },
          { uuid: U.resPlan, title: 'Assessment plan', rlinks: [{ href: 'https://example.com/ap.json' }] },
        ],
      },
    },
  };
}

type Doc = OscalAssessmentResultsDocument;
const result0 = (d: Doc) => d['assessment-results'].results[0]!;
const observation = (d: Doc, i: number) => result0(d).observations![i]!;
const finding = (d: Doc, i: number) => result0(d).findings![i]!;
const risk = (d: Doc, i: number) => result0(d).risks![i]!;
const resource = (d: Doc, i: number) => d['assessment-results']['back-matter']!.resources![i]!;
const hashesOf = (d: Doc, i: number) => resource(d, i).rlinks![0]!.hashes!;

/** The issues of a document that must fail validation. */
function issuesOf(doc: unknown) {
  const v = validateOscalAssessmentResults(doc);
  if (v.ok) throw new Error('expected the document to be invalid');
  return v.issues;
}

function paths(doc: unknown): string[] {
  return issuesOf(doc).map((i) => i.path);
}

const R = '$.assessment-results.results[0]';

describe('OSCAL 1.1.3 Assessment Results schema', () => {
  it('accepts a complete document and keeps its content', () => {
    const doc = validDoc();
    expect(validateOscalAssessmentResults(doc)).toEqual({ ok: true });
    const parsed: OscalAssessmentResultsDocument = oscalAssessmentResultsSchema.parse(doc);
    expect(parsed['assessment-results'].results[0]?.findings?.map((f) => f.target.status.state)).toEqual([
      'satisfied',
      'not-satisfied',
    ]);
    expect(parsed['assessment-results'].metadata['oscal-version']).toBe('1.1.3');
  });

  it('accepts UUIDs from crypto.randomUUID() and timestamps from toISOString()', () => {
    const doc = validDoc();
    const r = result0(doc);
    r.uuid = randomUUID();
    r.start = new Date().toISOString();
    expect(validateOscalAssessmentResults(doc)).toEqual({ ok: true });
  });

  it('exposes the datatype patterns', () => {
    expect(UUID_PATTERN.test('c232d7de-8f8d-51ee-b9d1-0242ac120002')).toBe(true); // v5
    expect(UUID_PATTERN.test('c232d7de-8f8d-11ee-b9d1-0242ac120002')).toBe(false); // v1
    expect(UUID_PATTERN.test('c232d7de-8f8d-41ee-c9d1-0242ac120002')).toBe(false); // variant c
    expect(DATETIME_WITH_TZ.test('2024-02-29T00:00:00+05:45')).toBe(true);
    expect(DATETIME_WITH_TZ.test('2023-02-29T00:00:00Z')).toBe(false);
    expect(DATETIME_WITH_TZ.test('2024-05-01T12:00Z')).toBe(false);
    expect(TOKEN.flags).toContain('u');
    expect(TOKEN.test('ac-2.a_smt')).toBe(true);
    expect(TOKEN.test('évidence')).toBe(true);
    expect(TOKEN.test('2fa')).toBe(false);
    expect(TOKEN.test('a:b')).toBe(false);
  });

  it('rejects a uuid that is not version 4 or 5', () => {
    const doc = validDoc();
    result0(doc).uuid = 'c232d7de-8f8d-11ee-b9d1-0242ac120002';
    expect(paths(doc)).toEqual([`${R}.uuid`]);
  });

  it('rejects a date-time without a timezone', () => {
    const doc = validDoc();
    observation(doc, 0).collected = '2024-05-01T11:10:00';
    expect(paths(doc)).toEqual([`${R}.observations[0].collected`]);
  });

  it('rejects an empty array where the key should be left out', () => {
    const doc = validDoc();
    (observation(doc, 1) as Record<string, unknown>).types = [];
    const issues = issuesOf(doc);
    expect(issues.map((i) => i.path)).toEqual([`${R}.observations[1].types`]);
    expect(issues[0]?.message).toMatch(/at least one item/);
  });

  it('rejects an empty required array (observation methods)', () => {
    const doc = validDoc();
    observation(doc, 0).methods = [];
    expect(paths(doc)).toEqual([`${R}.observations[0].methods`]);
  });

  it('rejects unknown keys', () => {
    const doc = validDoc();
    (finding(doc, 0) as Record<string, unknown>).severity = 'high';
    const issues = issuesOf(doc);
    expect(issues.map((i) => i.path)).toEqual([`${R}.findings[0]`]);
    expect(issues[0]?.message).toContain('severity');
  });

  it('rejects unknown keys on the root and in nested objects', () => {
    const root = { ...validDoc(), extra: true };
    expect(paths(root)).toEqual(['$']);
    const doc = validDoc();
    (finding(doc, 0).target.status as Record<string, unknown>).score = 3;
    expect(paths(doc)).toEqual([`${R}.findings[0].target.status`]);
  });

  it('requires reviewed-controls.control-selections', () => {
    const doc = validDoc();
    delete (result0(doc)['reviewed-controls'] as Record<string, unknown>)['control-selections'];
    expect(paths(doc)).toEqual([`${R}.reviewed-controls.control-selections`]);
  });

  it('requires exactly one of include-all and include-controls', () => {
    const both = validDoc();
    (result0(both)['reviewed-controls']['control-selections'][0] as Record<string, unknown>)['include-all'] = {};
    const issues = issuesOf(both);
    expect(issues.map((i) => i.path)).toEqual([`${R}.reviewed-controls.control-selections[0]`]);
    expect(issues[0]?.message).toMatch(/both include-all and include-controls/);

    const neither = validDoc();
    result0(neither)['reviewed-controls']['control-selections'] = [{ description: 'nothing selected' }];
    expect(paths(neither)).toEqual([`${R}.reviewed-controls.control-selections[0]`]);

    const allOnly = validDoc();
    result0(allOnly)['reviewed-controls']['control-selections'] = [{ 'include-all': {} }];
    expect(validateOscalAssessmentResults(allOnly)).toEqual({ ok: true });
  });

  it('rejects a related observation that is not in the same result', () => {
    const doc = validDoc();
    finding(doc, 1)['related-observations'] = [{ 'observation-uuid': 'b0000000-0000-4000-8000-000000000000' }];
    expect(paths(doc)).toEqual([`${R}.findings[1].related-observations[0].observation-uuid`]);
  });

  it('rejects a related risk that is not in the same result', () => {
    const doc = validDoc();
    finding(doc, 1)['related-risks'] = [{ 'risk-uuid': U.obsScan }];
    expect(paths(doc)).toEqual([`${R}.findings[1].related-risks[0].risk-uuid`]);
  });

  it('rejects a #uuid href that names no back-matter resource', () => {
    const doc = validDoc();
    observation(doc, 0)['relevant-evidence']![0]!.href = '#b0000000-0000-4000-8000-000000000000';
    const issues = issuesOf(doc);
    expect(issues.map((i) => i.path)).toEqual([`${R}.observations[0].relevant-evidence[0].href`]);
    expect(issues[0]?.message).toContain('#b0000000-0000-4000-8000-000000000000');
  });

  it('rejects a #uuid link href that names a risk instead of a back-matter resource', () => {
    const doc = validDoc();
    observation(doc, 1)['relevant-evidence']![0]!.links![0]!.href = `#${U.risk}`;
    expect(paths(doc)).toEqual([`${R}.observations[1].relevant-evidence[0].links[0].href`]);
  });

  it('rejects a SHA-256 hash that is not 64 hex characters', () => {
    const doc = validDoc();
    hashesOf(doc, 0)[0]!.value = SHA256_A.slice(0, 63);
    const issues = issuesOf(doc);
    expect(issues.map((i) => i.path)).toEqual([
      '$.assessment-results.back-matter.resources[0].rlinks[0].hashes[0].value',
    ]);
    expect(issues[0]?.message).toMatch(/SHA-256.*64 hex/);

    const notHex = validDoc();
    hashesOf(notHex, 0)[0]!.value = `${SHA256_A.slice(0, 63)}g`;
    expect(paths(notHex)).toEqual(['$.assessment-results.back-matter.resources[0].rlinks[0].hashes[0].value']);
  });

  it('checks SHA-512 lengths too, and leaves other algorithms alone', () => {
    const doc = validDoc();
    const hashes = hashesOf(doc, 0);
    hashes.push(
      { algorithm: 'SHA-512', value: SHA256_A },
      { algorithm: 'MD5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
    );
    expect(paths(doc)).toEqual(['$.assessment-results.back-matter.resources[0].rlinks[0].hashes[1].value']);
  });

  it('rejects a duplicate uuid anywhere in the document', () => {
    const doc = validDoc();
    resource(doc, 2).uuid = U.findingOk.toUpperCase();
    doc['assessment-results']['import-ap'].href = 'https://example.com/ap.json';
    const issues = issuesOf(doc);
    expect(issues.map((i) => i.path)).toEqual(['$.assessment-results.back-matter.resources[2].uuid']);
    expect(issues[0]?.message).toContain('$.assessment-results.results[0].findings[0].uuid');
  });

  it('requires the documented required fields', () => {
    const noVersion = validDoc();
    delete (noVersion['assessment-results'].metadata as Record<string, unknown>)['oscal-version'];
    expect(paths(noVersion)).toEqual(['$.assessment-results.metadata.oscal-version']);

    const noStatement = validDoc();
    delete (risk(noStatement, 0) as Record<string, unknown>).statement;
    expect(paths(noStatement)).toEqual([`${R}.risks[0].statement`]);

    const noEvidenceDescription = validDoc();
    delete (observation(noEvidenceDescription, 0)['relevant-evidence']![0] as Record<string, unknown>).description;
    expect(paths(noEvidenceDescription)).toEqual([`${R}.observations[0].relevant-evidence[0].description`]);

    const noResults = validDoc();
    noResults['assessment-results'].results = [];
    expect(paths(noResults)).toEqual(['$.assessment-results.results']);
  });

  it('enforces the closed enumerations and prop datatypes', () => {
    const state = validDoc();
    (finding(state, 0).target.status as { state: string }).state = 'partially-satisfied';
    expect(paths(state)).toEqual([`${R}.findings[0].target.status.state`]);

    const prop = validDoc();
    prop['assessment-results'].metadata.props![0] = {
      name: 'has space',
      ns: 'example',
      value: ' padded',
      class: 'build',
    };
    expect(paths(prop).sort()).toEqual([
      '$.assessment-results.metadata.props[0].name',
      '$.assessment-results.metadata.props[0].ns',
      '$.assessment-results.metadata.props[0].value',
    ]);
  });
});
