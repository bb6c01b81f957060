import { describe, expect, it } from 'vitest';
import { spdxDocumentSchema, spdxVersionNotice, type SpdxDocument } from '../../src/formats/spdx.js';

function validDoc(): Record<string, unknown> {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'demo-1.0',
    documentNamespace: 'https://example.com/spdx/demo-1.0-2f1c',
    creationInfo: {
      created: '2024-01-01T00:00:00Z',
      creators: ['Tool: evidence-0.1.0', 'Organization: Example Corp (ops@example.com)'],
      licenseListVersion: '3.22',
    },
    documentDescribes: ['SPDXRef-Package-demo'],
    packages: [
      {
        SPDXID: 'SPDXRef-Package-demo',
        name: 'demo',
        versionInfo: '1.0.0',
        downloadLocation: 'git+https://github.com/example/demo.git@refs/tags/v1.0.0',
        supplier: 'Organization: Example Corp',
        originator: 'NOASSERTION',
        filesAnalyzed: false,
        licenseConcluded: 'Apache-2.0',
        licenseDeclared: 'Apache-2.0 OR MIT',
        copyrightText: 'Copyright 2024 Example Corp',
        primaryPackagePurpose: 'APPLICATION',
        externalRefs: [
          { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/demo@1.0.0' },
        ],
        checksums: [{ algorithm: 'SHA256', checksumValue: 'ab'.repeat(32) }],
        'x-vendor-extension': { anything: true },
      },
      {
        SPDXID: 'SPDXRef-Package-lodash-4.17.21',
        name: 'lodash',
        downloadLocation: 'NOASSERTION',
      },
    ],
    files: [
      {
        SPDXID: 'SPDXRef-File-index.js',
        fileName: './index.js',
        checksums: [{ algorithm: 'SHA1', checksumValue: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' }],
        fileTypes: ['SOURCE'],
      },
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Package-demo' },
      {
        spdxElementId: 'SPDXRef-Package-demo',
        relationshipType: 'DEPENDS_ON',
        relatedSpdxElement: 'SPDXRef-Package-lodash-4.17.21',
      },
      { spdxElementId: 'SPDXRef-Package-lodash-4.17.21', relationshipType: 'DEPENDS_ON', relatedSpdxElement: 'NONE' },
    ],
    hasExtractedLicensingInfos: [{ licenseId: 'LicenseRef-custom', extractedText: 'Custom terms' }],
    externalDocumentRefs: [
      {
        externalDocumentId: 'DocumentRef-base',
        spdxDocument: 'https://example.com/spdx/base',
        checksum: { algorithm: 'SHA1', checksumValue: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
      },
    ],
    annotations: [
      {
        annotator: 'Person: Jane Doe',
        annotationDate: '2024-01-02T03:04:05Z',
        annotationType: 'REVIEW',
        comment: 'ok',
      },
    ],
    'x-top-level-extension': 1,
  };
}

function issuePaths(input: unknown): string[] {
  const r = spdxDocumentSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => i.path.join('.'));
}

describe('spdxDocumentSchema', () => {
  it('accepts a valid SPDX 2.3 document and keeps unknown fields', () => {
    const r = spdxDocumentSchema.safeParse(validDoc());
    expect(r.success).toBe(true);
    const doc = r.data as SpdxDocument;
    expect(doc.packages?.[0]?.name).toBe('demo');
    expect(doc['x-top-level-extension']).toBe(1);
    expect(doc.packages?.[0]?.['x-vendor-extension']).toEqual({ anything: true });
    expect(spdxVersionNotice(doc)).toBeUndefined();
  });

  it('accepts the minimal required fields', () => {
    const doc = validDoc();
    const minimal = {
      spdxVersion: doc.spdxVersion,
      dataLicense: doc.dataLicense,
      SPDXID: doc.SPDXID,
      name: doc.name,
      documentNamespace: doc.documentNamespace,
      creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Person: Jane Doe'] },
    };
    expect(issuePaths(minimal)).toEqual([]);
  });

  it('accepts SPDX-2.2 and reports it', () => {
    const r = spdxDocumentSchema.safeParse({ ...validDoc(), spdxVersion: 'SPDX-2.2' });
    expect(r.success).toBe(true);
    expect(spdxVersionNotice(r.data as SpdxDocument)).toMatch(/SPDX-2\.2/);
  });

  it('rejects other versions, data licences and document ids', () => {
    const paths = issuePaths({ ...validDoc(), spdxVersion: 'SPDX-3.0', dataLicense: 'MIT', SPDXID: 'SPDXRef-X' });
    expect(paths.sort()).toEqual(['SPDXID', 'dataLicense', 'spdxVersion']);
  });

  it('reports missing required top-level fields', () => {
    const doc = validDoc();
    delete doc.name;
    delete doc.documentNamespace;
    delete doc.creationInfo;
    expect(issuePaths(doc).sort()).toEqual(['creationInfo', 'documentNamespace', 'name']);
  });

  it('checks documentNamespace is an absolute URI without a # part', () => {
    expect(issuePaths({ ...validDoc(), documentNamespace: 'not a uri' })).toEqual(['documentNamespace']);
    expect(issuePaths({ ...validDoc(), documentNamespace: 'https://example.com/doc#frag' })).toEqual([
      'documentNamespace',
    ]);
  });

  it('checks creationInfo.created format and creators prefixes', () => {
    const doc = validDoc();
    doc.creationInfo = { created: '2024-01-01 00:00:00', creators: ['Tool: x', 'Bob'] };
    expect(issuePaths(doc).sort()).toEqual(['creationInfo.created', 'creationInfo.creators.1']);
    doc.creationInfo = { created: '2024-02-30T00:00:00Z', creators: [] };
    expect(issuePaths(doc).sort()).toEqual(['creationInfo.created', 'creationInfo.creators']);
    doc.creationInfo = { created: '2024-01-01T00:00:00+01:00', creators: ['Person: A'] };
    expect(issuePaths(doc)).toEqual(['creationInfo.created']);
  });

  it('checks package fields', () => {
    const doc = validDoc();
    const pkgs = doc.packages as Record<string, unknown>[];
    pkgs[0] = {
      ...pkgs[0],
      SPDXID: 'SPDXRef-bad id',
      supplier: 'Example Corp',
      filesAnalyzed: 'false',
      externalRefs: [{ referenceCategory: 'BOGUS', referenceType: 'purl', referenceLocator: 'pkg:npm/x@1' }],
      checksums: [{ algorithm: 'SHA-256', checksumValue: 'ABC' }],
      primaryPackagePurpose: 'WIDGET',
    };
    delete pkgs[1]!.downloadLocation;
    expect(issuePaths(doc).sort()).toEqual([
      'packages.0.SPDXID',
      'packages.0.checksums.0.algorithm',
      'packages.0.checksums.0.checksumValue',
      'packages.0.externalRefs.0.referenceCategory',
      'packages.0.filesAnalyzed',
      'packages.0.primaryPackagePurpose',
      'packages.0.supplier',
      'packages.1.downloadLocation',
    ]);
  });

  it('accepts the JSON-schema spellings PACKAGE_MANAGER and OPERATING_SYSTEM', () => {
    const doc = validDoc();
    const pkg = (doc.packages as Record<string, unknown>[])[0]!;
    pkg.primaryPackagePurpose = 'OPERATING_SYSTEM';
    pkg.externalRefs = [{ referenceCategory: 'PACKAGE_MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/x' }];
    expect(issuePaths(doc)).toEqual([]);
  });

  it('forbids file-analysis fields when filesAnalyzed is false', () => {
    const doc = validDoc();
    const pkg = (doc.packages as Record<string, unknown>[])[0]!;
    pkg.hasFiles = ['SPDXRef-File-index.js'];
    expect(issuePaths(doc)).toEqual(['packages.0.hasFiles']);
  });

  it('requires exactly one SHA1 checksum on files', () => {
    const doc = validDoc();
    const file = (doc.files as Record<string, unknown>[])[0]!;
    file.checksums = [{ algorithm: 'SHA256', checksumValue: 'ab'.repeat(32) }];
    expect(issuePaths(doc)).toEqual(['files.0.checksums']);
    delete file.checksums;
    expect(issuePaths(doc)).toEqual(['files.0.checksums']);
  });

  it('checks relationships', () => {
    const doc = validDoc();
    doc.relationships = [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'USES', relatedSpdxElement: 'SPDXRef-Package-demo' },
      { spdxElementId: 'Package-demo', relationshipType: 'CONTAINS', relatedSpdxElement: 'DocumentRef-base:SPDXRef-x' },
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES' },
    ];
    expect(issuePaths(doc).sort()).toEqual([
      'relationships.0.relationshipType',
      'relationships.1.spdxElementId',
      'relationships.2.relatedSpdxElement',
    ]);
  });

  it('reports duplicate SPDX identifiers', () => {
    const doc = validDoc();
    (doc.files as Record<string, unknown>[])[0]!.SPDXID = 'SPDXRef-Package-demo';
    expect(issuePaths(doc)).toEqual(['files.0.SPDXID']);
  });

  it('checks extracted licences, external document refs and annotations', () => {
    const doc = validDoc();
    doc.hasExtractedLicensingInfos = [{ licenseId: 'custom' }];
    doc.externalDocumentRefs = [{ externalDocumentId: 'base', spdxDocument: 'https://x', checksum: {} }];
    doc.annotations = [{ annotator: 'Jane', annotationDate: '2024', annotationType: 'NOTE', comment: 'x' }];
    expect(issuePaths(doc).sort()).toEqual([
      'annotations.0.annotationDate',
      'annotations.0.annotationType',
      'annotations.0.annotator',
      'externalDocumentRefs.0.checksum.algorithm',
      'externalDocumentRefs.0.checksum.checksumValue',
      'externalDocumentRefs.0.externalDocumentId',
      'hasExtractedLicensingInfos.0.extractedText',
      'hasExtractedLicensingInfos.0.licenseId',
    ]);
  });

  it('rejects non-objects', () => {
    expect(spdxDocumentSchema.safeParse(null).success).toBe(false);
    expect(spdxDocumentSchema.safeParse([]).success).toBe(false);
  });
});
