import { describe, expect, it } from 'vitest';
import { parseSpdxTagValue } from '../../src/formats/spdx-tag-value.js';
import { spdxDocumentSchema } from '../../src/formats/spdx.js';

const SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';

const VALID = `## Document Information
SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: demo-1.0
DocumentNamespace: https://example.com/spdx/demo-1.0
ExternalDocumentRef: DocumentRef-base https://example.com/spdx/base SHA1: ${SHA1}
DocumentComment: <text>A document
spanning two lines.</text>

## Creation Information
Creator: Tool: evidence-0.1.0
Creator: Organization: Example Corp (ops@example.com)
Created: 2024-01-01T00:00:00Z
LicenseListVersion: 3.22

## Package
PackageName: demo
SPDXID: SPDXRef-Package-demo
PackageVersion: 1.0.0
PackageSupplier: Organization: Example Corp
PackageOriginator: NOASSERTION
PackageDownloadLocation: git+https://github.com/example/demo.git
FilesAnalyzed: true
PackageVerificationCode: ${SHA1} (excludes: ./package.spdx, ./other)
PackageChecksum: SHA256: ${'ab'.repeat(32)}
PackageHomePage: https://example.com
PackageLicenseConcluded: Apache-2.0
PackageLicenseDeclared: Apache-2.0 OR MIT
PackageLicenseInfoFromFiles: Apache-2.0
PackageLicenseInfoFromFiles: MIT
PackageCopyrightText: <text>Copyright 2024 Example Corp</text>
ExternalRef: PACKAGE-MANAGER purl pkg:npm/demo@1.0.0
ExternalRefComment: the npm package
ExternalRef: SECURITY cpe23Type cpe:2.3:a:example:demo:1.0.0:*:*:*:*:*:*:*
PrimaryPackagePurpose: OPERATING-SYSTEM
ReleaseDate: 2024-01-01T00:00:00Z
Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-demo

## File
FileName: ./index.js
SPDXID: SPDXRef-File-index
FileType: SOURCE
FileChecksum: SHA1: ${SHA1}
LicenseConcluded: Apache-2.0
LicenseInfoInFile: Apache-2.0
FileCopyrightText: NOASSERTION

## Snippet
SnippetSPDXID: SPDXRef-Snippet-1
SnippetFromFileSPDXID: SPDXRef-File-index
SnippetByteRange: 10:20
SnippetLineRange: 2:3
SnippetLicenseConcluded: MIT

PackageName: lodash
SPDXID: SPDXRef-Package-lodash
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false

## Licensing
LicenseID: LicenseRef-custom
ExtractedText: <text>Custom
terms
</text>
LicenseName: Custom
LicenseCrossReference: https://example.com/license

## Relationships
Relationship: SPDXRef-Package-demo DEPENDS_ON SPDXRef-Package-lodash
RelationshipComment: runtime
Relationship: SPDXRef-Package-demo CONTAINS SPDXRef-File-index

## Annotations
Annotator: Person: Jane Doe
AnnotationDate: 2024-01-02T03:04:05Z
AnnotationType: REVIEW
SPDXREF: SPDXRef-Package-demo
AnnotationComment: <text>Looks good.</text>
Annotator: Tool: reviewer-1
AnnotationDate: 2024-01-02T03:04:05Z
AnnotationType: OTHER
SPDXREF: SPDXRef-DOCUMENT
AnnotationComment: document note
`;

describe('parseSpdxTagValue', () => {
  it('maps a valid document to the SPDX JSON shape', () => {
    const r = parseSpdxTagValue(VALID);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const doc = r.document as Record<string, unknown>;
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    expect(doc.SPDXID).toBe('SPDXRef-DOCUMENT');
    expect(doc.name).toBe('demo-1.0');
    expect(doc.comment).toBe('A document\nspanning two lines.');
    expect(doc.creationInfo).toEqual({
      creators: ['Tool: evidence-0.1.0', 'Organization: Example Corp (ops@example.com)'],
      created: '2024-01-01T00:00:00Z',
      licenseListVersion: '3.22',
    });
    expect(doc.externalDocumentRefs).toEqual([
      {
        externalDocumentId: 'DocumentRef-base',
        spdxDocument: 'https://example.com/spdx/base',
        checksum: { algorithm: 'SHA1', checksumValue: SHA1 },
      },
    ]);
    expect(doc.packages).toHaveLength(2);
    const [demo, lodash] = doc.packages as unknown[];
    expect(demo).toMatchObject({
      name: 'demo',
      SPDXID: 'SPDXRef-Package-demo',
      versionInfo: '1.0.0',
      supplier: 'Organization: Example Corp',
      originator: 'NOASSERTION',
      downloadLocation: 'git+https://github.com/example/demo.git',
      filesAnalyzed: true,
      packageVerificationCode: {
        packageVerificationCodeValue: SHA1,
        packageVerificationCodeExcludedFiles: ['./package.spdx', './other'],
      },
      checksums: [{ algorithm: 'SHA256', checksumValue: 'ab'.repeat(32) }],
      homepage: 'https://example.com',
      licenseConcluded: 'Apache-2.0',
      licenseDeclared: 'Apache-2.0 OR MIT',
      licenseInfoFromFiles: ['Apache-2.0', 'MIT'],
      copyrightText: 'Copyright 2024 Example Corp',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: 'pkg:npm/demo@1.0.0',
          comment: 'the npm package',
        },
        {
          referenceCategory: 'SECURITY',
          referenceType: 'cpe23Type',
          referenceLocator: 'cpe:2.3:a:example:demo:1.0.0:*:*:*:*:*:*:*',
        },
      ],
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      releaseDate: '2024-01-01T00:00:00Z',
      hasFiles: ['SPDXRef-File-index'],
      annotations: [
        {
          annotator: 'Person: Jane Doe',
          annotationDate: '2024-01-02T03:04:05Z',
          annotationType: 'REVIEW',
          comment: 'Looks good.',
        },
      ],
    });
    expect(lodash).toEqual({
      name: 'lodash',
      SPDXID: 'SPDXRef-Package-lodash',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
    });
    expect(doc.files).toEqual([
      {
        fileName: './index.js',
        SPDXID: 'SPDXRef-File-index',
        fileTypes: ['SOURCE'],
        checksums: [{ algorithm: 'SHA1', checksumValue: SHA1 }],
        licenseConcluded: 'Apache-2.0',
        licenseInfoInFiles: ['Apache-2.0'],
        copyrightText: 'NOASSERTION',
      },
    ]);
    expect(doc.snippets).toEqual([
      {
        SPDXID: 'SPDXRef-Snippet-1',
        snippetFromFile: 'SPDXRef-File-index',
        licenseConcluded: 'MIT',
        ranges: [
          {
            startPointer: { reference: 'SPDXRef-File-index', offset: 10 },
            endPointer: { reference: 'SPDXRef-File-index', offset: 20 },
          },
          {
            startPointer: { reference: 'SPDXRef-File-index', lineNumber: 2 },
            endPointer: { reference: 'SPDXRef-File-index', lineNumber: 3 },
          },
        ],
      },
    ]);
    expect(doc.hasExtractedLicensingInfos).toEqual([
      {
        licenseId: 'LicenseRef-custom',
        extractedText: 'Custom\nterms\n',
        name: 'Custom',
        seeAlsos: ['https://example.com/license'],
      },
    ]);
    expect(doc.relationships).toEqual([
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Package-demo' },
      {
        spdxElementId: 'SPDXRef-Package-demo',
        relationshipType: 'DEPENDS_ON',
        relatedSpdxElement: 'SPDXRef-Package-lodash',
        comment: 'runtime',
      },
      { spdxElementId: 'SPDXRef-Package-demo', relationshipType: 'CONTAINS', relatedSpdxElement: 'SPDXRef-File-index' },
    ]);
    expect(doc.annotations).toEqual([
      {
        annotator: 'Tool: reviewer-1',
        annotationDate: '2024-01-02T03:04:05Z',
        annotationType: 'OTHER',
        comment: 'document note',
      },
    ]);
  });

  it('produces a document that spdxDocumentSchema accepts', () => {
    const r = parseSpdxTagValue(VALID);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = spdxDocumentSchema.safeParse(r.document);
    expect(v.success ? [] : v.error.issues).toEqual([]);
  });

  it('puts files into the preceding package, which the schema rejects when FilesAnalyzed is false', () => {
    const text = [
      'SPDXVersion: SPDX-2.3',
      'PackageName: a',
      'SPDXID: SPDXRef-a',
      'FilesAnalyzed: false',
      'FileName: ./x',
      'SPDXID: SPDXRef-x',
    ].join('\n');
    const r = parseSpdxTagValue(text);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const doc = r.document as { packages: [Record<string, unknown>]; files: [Record<string, unknown>] };
    expect(doc.packages[0].hasFiles).toEqual(['SPDXRef-x']);
    const v = spdxDocumentSchema.safeParse({
      ...doc,
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'n',
      documentNamespace: 'https://example.com/n',
      creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: t'] },
      packages: [{ ...doc.packages[0], downloadLocation: 'NONE' }],
      files: [{ ...doc.files[0], checksums: [{ algorithm: 'SHA1', checksumValue: SHA1 }] }],
    });
    expect(v.error?.issues.map((i) => i.path.join('.'))).toEqual(['packages.0.hasFiles']);
  });

  it('leaves semantic checks to the schema', () => {
    const r = parseSpdxTagValue(VALID.replace('DataLicense: CC0-1.0', 'DataLicense: MIT'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = spdxDocumentSchema.safeParse(r.document);
    expect(v.success).toBe(false);
    expect(v.error?.issues.map((i) => i.path.join('.'))).toEqual(['dataLicense']);
  });

  it('handles CRLF line endings and comment lines inside the document', () => {
    const text = VALID.replace(/\n/g, '\r\n');
    const r = parseSpdxTagValue(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect((r.document as Record<string, unknown>).comment).toBe('A document\nspanning two lines.');
  });

  it("keeps '#' lines inside <text> blocks", () => {
    const r = parseSpdxTagValue('DocumentComment: <text>line 1\n# not a comment\n</text>\n');
    expect(r).toEqual({ ok: true, document: { comment: 'line 1\n# not a comment\n' } });
  });

  it('collects every problem with its line number', () => {
    const text = [
      'SPDXVersion: SPDX-2.3', // 1
      'PackageVersion: 1.0', // 2: package field before any PackageName
      'this line has no tag', // 3
      '', // 4
      '# a comment', // 5
      'PackageName: a', // 6
      'FilesAnalyzed: maybe', // 7
      'PackageChecksum: SHA1 abc', // 8
      'ExternalRef: PACKAGE-MANAGER purl', // 9
      'FileChecksum: SHA1: abc', // 10: file field in a package section
      'Relationship: SPDXRef-a DEPENDS_ON', // 11
      'RelationshipComment: orphan', // 12
      'AnnotationDate: 2024-01-01T00:00:00Z', // 13: before any Annotator
      'NoSuchTag: x', // 14
      'FileName: f', // 15
      'PackageLicenseDeclared: MIT', // 16: package field in a file section
      'PackageComment: <text>never', // 17: unterminated
      'closed',
    ].join('\n');
    const r = parseSpdxTagValue(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.line)).toEqual([2, 3, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17]);
    expect(r.issues[0]?.message).toMatch(/PackageVersion appears before any PackageName/);
    expect(r.issues[1]?.message).toMatch(/Tag: value/);
    expect(r.issues[5]?.message).toMatch(/file field but appears in a package section/);
    expect(r.issues[9]?.message).toMatch(/unknown tag "NoSuchTag"/);
    expect(r.issues[10]?.message).toMatch(/package field but appears in a file section/);
    expect(r.issues[11]?.message).toMatch(/unterminated <text>/);
  });

  it('reports content after </text> and a package field outside a package section', () => {
    const text = [
      'PackageName: a', // 1
      'PackageComment: <text>x</text> trailing', // 2
      'LicenseID: LicenseRef-x', // 3
      'PackageVersion: 1', // 4
    ].join('\n');
    const r = parseSpdxTagValue(text);
    expect(r).toEqual({
      ok: false,
      issues: [
        { line: 2, message: expect.stringMatching(/after <\/text>/) },
        { line: 4, message: expect.stringMatching(/outside a package section/) },
      ],
    });
  });

  it('returns an empty document for empty input', () => {
    expect(parseSpdxTagValue('')).toEqual({ ok: true, document: {} });
  });

  it('takes no tag for a field because it names a property every object has', () => {
    for (const tag of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
      const r = parseSpdxTagValue(`SPDXVersion: SPDX-2.3\n${tag}: x\n`);
      expect(r).toEqual({ ok: false, issues: [{ line: 2, message: `unknown tag "${tag}"` }] });
    }
  });
});

describe('a hostile PackageVerificationCode line', () => {
  it('is read in one pass: 100,000 spaces and brackets give an issue, not a regular expression backtracking for hours', () => {
    // An outside review: the expression this was took 35 s on 800 spaces (the time grew with their cube).
    const line = `PackageVerificationCode: ${SHA1}(${' '.repeat(100_000)}x`;
    const r = parseSpdxTagValue(VALID.replace(/^PackageVerificationCode: .*$/m, line));
    if (r.ok) throw new Error('accepted');
    expect(r.issues.map((i) => i.message)).toContainEqual(expect.stringContaining('PackageVerificationCode must be'));
    const spaced = parseSpdxTagValue(
      VALID.replace(
        /^PackageVerificationCode: .*$/m,
        `PackageVerificationCode: ${SHA1}${' '.repeat(100_000)}(excludes:  a ,b )`,
      ),
    );
    if (!spaced.ok) throw new Error(JSON.stringify(spaced.issues));
    expect((spaced.document as { packages: [Record<string, unknown>] }).packages[0].packageVerificationCode).toEqual({
      packageVerificationCodeValue: SHA1,
      packageVerificationCodeExcludedFiles: ['a', 'b'],
    });
  });
});
