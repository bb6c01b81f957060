/**
 * Parser for the SPDX 2.3 tag-value serialisation.
 *
 * It produces a plain object shaped like the SPDX JSON document so that
 * `spdxDocumentSchema` (./spdx.js) can validate it. It checks only the
 * tag-value syntax (and the shape of structured values such as checksums and
 * relationships); field semantics are left to the schema.
 *
 * Mapping choices (tag-value has no JSON counterpart for these):
 * - files that follow a package section belong to it (spec clause 5) and are
 *   listed in that package's `hasFiles`;
 * - `PrimaryPackagePurpose: OPERATING-SYSTEM` becomes the JSON spelling
 *   `OPERATING_SYSTEM`;
 * - annotations (`Annotator:` ... `SPDXREF:`) are nested in the package /
 *   file / snippet they name; document annotations, and those naming an
 *   element not in this document, go to the top-level `annotations` (the
 *   latter keep `spdxElementId`);
 * - the first `SPDXID:` before any element is the document's.
 *
 * Pure: no I/O. Every problem is collected with its 1-based line number;
 * unknown tags are reported too.
 */

export interface SpdxTagValueIssue {
  line: number;
  message: string;
}

export type SpdxTagValueResult = { ok: true; document: unknown } | { ok: false; issues: SpdxTagValueIssue[] };

type Obj = Record<string, unknown>;
type ElementKind = 'package' | 'file' | 'snippet';

/** Scalar document-creation tags (§6) → JSON key on the document or creationInfo. */
/** A lookup table with no prototype: a tag such as `toString` or `__proto__` is no field of any. */
function table<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

const DOCUMENT_SCALARS: Record<string, { key: string; creationInfo?: true }> = table({
  SPDXVersion: { key: 'spdxVersion' },
  DataLicense: { key: 'dataLicense' },
  DocumentName: { key: 'name' },
  DocumentNamespace: { key: 'documentNamespace' },
  DocumentComment: { key: 'comment' },
  LicenseListVersion: { key: 'licenseListVersion', creationInfo: true },
  Created: { key: 'created', creationInfo: true },
  CreatorComment: { key: 'comment', creationInfo: true },
});

/** Scalar package tags (§7) → JSON key. */
const PACKAGE_SCALARS: Record<string, string> = table({
  PackageVersion: 'versionInfo',
  PackageFileName: 'packageFileName',
  PackageSupplier: 'supplier',
  PackageOriginator: 'originator',
  PackageDownloadLocation: 'downloadLocation',
  PackageHomePage: 'homepage',
  PackageSourceInfo: 'sourceInfo',
  PackageLicenseConcluded: 'licenseConcluded',
  PackageLicenseDeclared: 'licenseDeclared',
  PackageLicenseComments: 'licenseComments',
  PackageCopyrightText: 'copyrightText',
  PackageSummary: 'summary',
  PackageDescription: 'description',
  PackageComment: 'comment',
  ReleaseDate: 'releaseDate',
  BuiltDate: 'builtDate',
  ValidUntilDate: 'validUntilDate',
});

/** Repeatable package tags → JSON array key. */
const PACKAGE_LISTS: Record<string, string> = table({
  PackageLicenseInfoFromFiles: 'licenseInfoFromFiles',
  PackageAttributionText: 'attributionTexts',
});

/** Scalar file tags (§8) → JSON key. */
const FILE_SCALARS: Record<string, string> = table({
  LicenseConcluded: 'licenseConcluded',
  LicenseComments: 'licenseComments',
  FileCopyrightText: 'copyrightText',
  FileComment: 'comment',
  FileNotice: 'noticeText',
});

/** Repeatable file tags → JSON array key. */
const FILE_LISTS: Record<string, string> = table({
  FileType: 'fileTypes',
  LicenseInfoInFile: 'licenseInfoInFiles',
  FileContributor: 'fileContributors',
  FileAttributionText: 'attributionTexts',
  FileDependency: 'fileDependencies',
});

/** Scalar snippet tags (§9) → JSON key. */
const SNIPPET_SCALARS: Record<string, string> = table({
  SnippetFromFileSPDXID: 'snippetFromFile',
  SnippetLicenseConcluded: 'licenseConcluded',
  SnippetLicenseComments: 'licenseComments',
  SnippetCopyrightText: 'copyrightText',
  SnippetComment: 'comment',
  SnippetName: 'name',
});

const SNIPPET_LISTS: Record<string, string> = table({
  LicenseInfoInSnippet: 'licenseInfoInSnippets',
  SnippetAttributionText: 'attributionTexts',
});

/** Extracted licensing info tags (§10), after a LicenseID. */
const LICENSE_SCALARS: Record<string, string> = table({
  ExtractedText: 'extractedText',
  LicenseName: 'name',
  LicenseComment: 'comment',
});

/** Annotation tags (§12), after an Annotator. */
const ANNOTATION_SCALARS: Record<string, string> = table({
  AnnotationDate: 'annotationDate',
  AnnotationType: 'annotationType',
  SPDXREF: 'spdxElementId',
  AnnotationComment: 'comment',
});

/** Review tags (§13, deprecated), after a Reviewer. */
const REVIEW_SCALARS: Record<string, string> = table({
  ReviewDate: 'reviewDate',
  ReviewComment: 'comment',
});

/** Deprecated §8.9-8.11 artifactOf tags → key on an artifactOfs entry. */
const ARTIFACT_OF_TAGS: Record<string, string> = table({
  ArtifactOfProjectName: 'name',
  ArtifactOfProjectHomePage: 'homePage',
  ArtifactOfProjectURI: 'projectUri',
});

const TAG_LINE = /^([A-Za-z][A-Za-z0-9]*):(.*)$/;
const CHECKSUM_VALUE = /^([A-Za-z0-9-]+):\s*(\S+)$/;

interface Line {
  line: number;
  tag: string;
  value: string;
}

function pushTo(obj: Obj, key: string, value: unknown): void {
  const existing = obj[key];
  if (Array.isArray(existing)) existing.push(value);
  else obj[key] = [value];
}

/** An annotation without its spdxElementId: where it is placed (its element, or the document) says it. */
function withoutElementId(annotation: Obj): Obj {
  const rest = { ...annotation };
  delete rest.spdxElementId;
  return rest;
}

/** Splits the text into tag/value entries, joining `<text>...</text>` blocks. */
function tokenize(text: string, issues: SpdxTagValueIssue[]): Line[] {
  const lines = text.split(/\r\n|\n|\r/);
  const out: Line[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const lineNo = i + 1;
    const m = TAG_LINE.exec(trimmed);
    if (!m) {
      issues.push({ line: lineNo, message: `expected "Tag: value", got "${truncate(trimmed)}"` });
      continue;
    }
    const tag = m[1] ?? '';
    let value = (m[2] ?? '').trim();
    if (value.startsWith('<text>')) {
      let rest = value.slice('<text>'.length);
      const parts: string[] = [];
      let j = i;
      let end = rest.indexOf('</text>');
      while (end === -1 && j + 1 < lines.length) {
        parts.push(rest);
        j++;
        rest = lines[j] ?? '';
        end = rest.indexOf('</text>');
      }
      if (end === -1) {
        issues.push({ line: lineNo, message: `unterminated <text> value for ${tag} (no closing </text>)` });
        i = j;
        continue;
      }
      parts.push(rest.slice(0, end));
      const trailing = rest.slice(end + '</text>'.length).trim();
      if (trailing !== '') {
        issues.push({ line: j + 1, message: `unexpected content after </text>: "${truncate(trailing)}"` });
      }
      value = parts.join('\n');
      i = j;
    }
    out.push({ line: lineNo, tag, value });
  }
  return out;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

type SnippetRange = { snippet: Obj; kind: 'offset' | 'lineNumber'; start: number; end: number };

/**
 * Parser state: the document being built plus the element / licence /
 * annotation / review currently open. `read` handles one tag-value entry;
 * `finish` assembles the document.
 */
class TagValueReader {
  readonly issues: SpdxTagValueIssue[] = [];

  private readonly doc: Obj = {};
  private readonly creationInfo: Obj = {};
  private readonly packages: Obj[] = [];
  private readonly files: Obj[] = [];
  private readonly snippets: Obj[] = [];
  private readonly licenses: Obj[] = [];
  private readonly relationships: Obj[] = [];
  private readonly annotations: { obj: Obj; line: number }[] = [];
  private readonly reviews: Obj[] = [];
  private readonly snippetRanges: SnippetRange[] = [];

  private element: { kind: ElementKind; obj: Obj } | undefined;
  /** §5 (composition): files belong to the package section that precedes them. */
  private currentPackage: Obj | undefined;
  private readonly packageFiles: { pkg: Obj; file: Obj }[] = [];
  private license: Obj | undefined;
  private annotation: Obj | undefined;
  private review: Obj | undefined;
  private lastExternalRef: Obj | undefined;
  private lastRelationship: Obj | undefined;
  private lastArtifactOf: Obj | undefined;

  private issue(line: number, message: string): void {
    this.issues.push({ line, message });
  }

  private needElement(kind: ElementKind, e: Line, starter: string): Obj | undefined {
    const element = this.element;
    if (element?.kind === kind) return element.obj;
    const seenKind = { package: this.packages, file: this.files, snippet: this.snippets }[kind].length > 0;
    this.issue(
      e.line,
      element !== undefined
        ? `${e.tag} is a ${kind} field but appears in a ${element.kind} section`
        : seenKind
          ? `${e.tag} is a ${kind} field but appears outside a ${kind} section`
          : `${e.tag} appears before any ${starter}`,
    );
    return undefined;
  }

  private parseChecksum(e: Line): Obj | undefined {
    const m = CHECKSUM_VALUE.exec(e.value);
    if (!m) {
      this.issue(e.line, `${e.tag} must be "ALGORITHM: value", got "${truncate(e.value)}"`);
      return undefined;
    }
    return { algorithm: m[1], checksumValue: m[2] };
  }

  /** Handles one entry; the section handlers are tried in turn. */
  read(e: Line): void {
    const handled =
      this.documentField(e) ||
      this.sectionStart(e) ||
      this.relationshipField(e) ||
      this.annotationField(e) ||
      this.reviewField(e) ||
      this.licenseField(e) ||
      this.packageField(e) ||
      this.fileField(e) ||
      this.snippetField(e);
    if (!handled) this.issue(e.line, `unknown tag "${e.tag}"`);
  }

  /** §6 document creation information. */
  private documentField(e: Line): boolean {
    const { tag, value } = e;
    const docField = DOCUMENT_SCALARS[tag];
    if (docField) {
      (docField.creationInfo ? this.creationInfo : this.doc)[docField.key] = value;
      return true;
    }
    switch (tag) {
      case 'Creator':
        pushTo(this.creationInfo, 'creators', value);
        return true;

      case 'ExternalDocumentRef': {
        // §6.6: DocumentRef-<id> <URI> <ALG>: <value>
        const m = /^(\S+)\s+(\S+)\s+([A-Za-z0-9-]+):\s*(\S+)$/.exec(value);
        if (!m) {
          this.issue(e.line, `ExternalDocumentRef must be "DocumentRef-<id> <document URI> <ALGORITHM>: <value>"`);
        } else {
          pushTo(this.doc, 'externalDocumentRefs', {
            externalDocumentId: m[1],
            spdxDocument: m[2],
            checksum: { algorithm: m[3], checksumValue: m[4] },
          });
        }
        return true;
      }

      case 'SPDXID': {
        // §6.3 before any element, §7.2 / §8.2 inside a package / file.
        const element = this.element;
        if (element && element.kind !== 'snippet') {
          element.obj.SPDXID = value;
        } else if (element === undefined && this.doc.SPDXID === undefined) {
          this.doc.SPDXID = value;
        } else {
          this.issue(
            e.line,
            element ? 'SPDXID inside a snippet section (use SnippetSPDXID)' : 'SPDXID outside any package or file',
          );
        }
        return true;
      }
    }
    return false;
  }

  /** Tags that open a new package, file, snippet, licence, annotation or review. */
  private sectionStart(e: Line): boolean {
    const { value } = e;
    switch (e.tag) {
      // §7 packages
      case 'PackageName':
        this.element = { kind: 'package', obj: { name: value } };
        this.packages.push(this.element.obj);
        this.currentPackage = this.element.obj;
        this.license = undefined;
        this.lastExternalRef = undefined;
        return true;

      // §8 files
      case 'FileName':
        this.element = { kind: 'file', obj: { fileName: value } };
        this.files.push(this.element.obj);
        if (this.currentPackage) this.packageFiles.push({ pkg: this.currentPackage, file: this.element.obj });
        this.license = undefined;
        this.lastArtifactOf = undefined;
        return true;

      // §9 snippets
      case 'SnippetSPDXID':
        this.element = { kind: 'snippet', obj: { SPDXID: value } };
        this.snippets.push(this.element.obj);
        this.license = undefined;
        return true;

      // §10 other licensing information
      case 'LicenseID':
        this.license = { licenseId: value };
        this.licenses.push(this.license);
        this.element = undefined;
        return true;

      // §12 annotations
      case 'Annotator':
        this.annotation = { annotator: value };
        this.annotations.push({ obj: this.annotation, line: e.line });
        return true;

      // §13 review information (deprecated)
      case 'Reviewer':
        this.review = { reviewer: value };
        this.reviews.push(this.review);
        return true;
    }
    return false;
  }

  /** §11 relationships. */
  private relationshipField(e: Line): boolean {
    const { value } = e;
    switch (e.tag) {
      case 'Relationship': {
        const parts = value.split(/\s+/);
        if (parts.length !== 3) {
          this.issue(e.line, `Relationship must be "<SPDXID> <RELATIONSHIP_TYPE> <SPDXID>", got "${truncate(value)}"`);
          this.lastRelationship = undefined;
        } else {
          this.lastRelationship = {
            spdxElementId: parts[0],
            relationshipType: (parts[1] as string).toUpperCase(),
            relatedSpdxElement: parts[2],
          };
          this.relationships.push(this.lastRelationship);
        }
        return true;
      }

      case 'RelationshipComment':
        if (!this.lastRelationship) this.issue(e.line, 'RelationshipComment appears before any Relationship');
        else this.lastRelationship.comment = value;
        return true;
    }
    return false;
  }

  /** §12 annotation fields, after an Annotator. */
  private annotationField(e: Line): boolean {
    const annotationKey = ANNOTATION_SCALARS[e.tag];
    if (!annotationKey) return false;
    if (!this.annotation) this.issue(e.line, `${e.tag} appears before any Annotator`);
    else this.annotation[annotationKey] = e.value;
    return true;
  }

  /** §13 review fields (deprecated), after a Reviewer. */
  private reviewField(e: Line): boolean {
    const reviewKey = REVIEW_SCALARS[e.tag];
    if (!reviewKey) return false;
    if (!this.review) this.issue(e.line, `${e.tag} appears before any Reviewer`);
    else this.review[reviewKey] = e.value;
    return true;
  }

  /** §10 other licensing information fields, after a LicenseID. */
  private licenseField(e: Line): boolean {
    if (e.tag === 'LicenseCrossReference') {
      if (!this.license) this.issue(e.line, 'LicenseCrossReference appears before any LicenseID');
      else pushTo(this.license, 'seeAlsos', e.value);
      return true;
    }
    const licenseKey = LICENSE_SCALARS[e.tag];
    if (!licenseKey) return false;
    if (!this.license) this.issue(e.line, `${e.tag} appears before any LicenseID`);
    else this.license[licenseKey] = e.value;
    return true;
  }

  /** Package fields (§7). */
  private packageField(e: Line): boolean {
    const { tag, value } = e;
    const pkgKey = PACKAGE_SCALARS[tag];
    const pkgList = PACKAGE_LISTS[tag];
    if (
      !pkgKey &&
      !pkgList &&
      ![
        'FilesAnalyzed',
        'PackageVerificationCode',
        'PackageChecksum',
        'ExternalRef',
        'ExternalRefComment',
        'PrimaryPackagePurpose',
      ].includes(tag)
    ) {
      return false;
    }
    const pkg = this.needElement('package', e, 'PackageName');
    if (!pkg) return true;
    if (pkgKey) {
      pkg[pkgKey] = value;
    } else if (pkgList) {
      pushTo(pkg, pkgList, value);
    } else if (tag === 'FilesAnalyzed') {
      // §7.8: boolean
      if (value === 'true' || value === 'false') pkg.filesAnalyzed = value === 'true';
      else this.issue(e.line, `FilesAnalyzed must be "true" or "false", got "${truncate(value)}"`);
    } else if (tag === 'PackageVerificationCode') {
      this.packageVerificationCode(pkg, e);
    } else if (tag === 'PackageChecksum') {
      const checksum = this.parseChecksum(e);
      if (checksum) pushTo(pkg, 'checksums', checksum);
    } else if (tag === 'ExternalRef') {
      this.externalRef(pkg, e);
    } else if (tag === 'ExternalRefComment') {
      // §7.22: applies to the preceding ExternalRef.
      if (!this.lastExternalRef)
        this.issue(e.line, 'ExternalRefComment appears before any ExternalRef of this package');
      else this.lastExternalRef.comment = value;
    } else if (tag === 'PrimaryPackagePurpose') {
      // §7.24: tag-value spells OPERATING-SYSTEM; the JSON form is OPERATING_SYSTEM.
      pkg.primaryPackagePurpose = value.replace(/-/g, '_');
    }
    return true;
  }

  /** §7.9: <hex> [(excludes: <file>[, <file>...])] */
  private packageVerificationCode(pkg: Obj, e: Line): void {
    const m = verificationCode(e.value);
    if (!m) {
      this.issue(e.line, `PackageVerificationCode must be "<value> [(excludes: <files>)]"`);
    } else {
      const code: Obj = { packageVerificationCodeValue: m.value };
      if (m.excludes)
        code.packageVerificationCodeExcludedFiles = m.excludes
          .split(',')
          .map((f) => f.trim())
          .filter((f) => f !== '');
      pkg.packageVerificationCode = code;
    }
  }

  /** §7.21: <category> <type> <locator> */
  private externalRef(pkg: Obj, e: Line): void {
    const parts = e.value.split(/\s+/);
    if (parts.length !== 3) {
      this.issue(e.line, `ExternalRef must be "<category> <type> <locator>", got "${truncate(e.value)}"`);
      this.lastExternalRef = undefined;
    } else {
      this.lastExternalRef = { referenceCategory: parts[0], referenceType: parts[1], referenceLocator: parts[2] };
      pushTo(pkg, 'externalRefs', this.lastExternalRef);
    }
  }

  /** File fields (§8). */
  private fileField(e: Line): boolean {
    const { tag, value } = e;
    const fileKey = FILE_SCALARS[tag];
    const fileList = FILE_LISTS[tag];
    const artifactKey = ARTIFACT_OF_TAGS[tag];
    if (!fileKey && !fileList && !artifactKey && tag !== 'FileChecksum') return false;
    const file = this.needElement('file', e, 'FileName');
    if (!file) return true;
    if (fileKey) {
      file[fileKey] = value;
    } else if (fileList) {
      pushTo(file, fileList, value);
    } else if (artifactKey) {
      if (tag === 'ArtifactOfProjectName' || !this.lastArtifactOf) {
        this.lastArtifactOf = {};
        pushTo(file, 'artifactOfs', this.lastArtifactOf);
      }
      this.lastArtifactOf[artifactKey] = value;
    } else {
      const checksum = this.parseChecksum(e);
      if (checksum) pushTo(file, 'checksums', checksum);
    }
    return true;
  }

  /** Snippet fields (§9). */
  private snippetField(e: Line): boolean {
    const { tag, value } = e;
    const snippetKey = SNIPPET_SCALARS[tag];
    const snippetList = SNIPPET_LISTS[tag];
    if (!snippetKey && !snippetList && tag !== 'SnippetByteRange' && tag !== 'SnippetLineRange') return false;
    const snippet = this.needElement('snippet', e, 'SnippetSPDXID');
    if (!snippet) return true;
    if (snippetKey) {
      snippet[snippetKey] = value;
    } else if (snippetList) {
      pushTo(snippet, snippetList, value);
    } else {
      // §9.3 / §9.4: <start>:<end>
      const m = /^(\d+)\s*:\s*(\d+)$/.exec(value);
      if (!m) this.issue(e.line, `${tag} must be "<start>:<end>", got "${truncate(value)}"`);
      else
        this.snippetRanges.push({
          snippet,
          kind: tag === 'SnippetByteRange' ? 'offset' : 'lineNumber',
          start: Number(m[1]),
          end: Number(m[2]),
        });
    }
    return true;
  }

  /** Reports the collected issues, or assembles the JSON-shaped document. */
  finish(): SpdxTagValueResult {
    const issues = this.issues;
    if (issues.length > 0) {
      issues.sort((a, b) => a.line - b.line);
      return { ok: false, issues };
    }
    this.linkPackageFiles();
    this.addSnippetRanges();
    this.placeAnnotations();
    return { ok: true, document: this.assemble() };
  }

  /** Files following a package section are contained in it (JSON: hasFiles). */
  private linkPackageFiles(): void {
    for (const { pkg, file } of this.packageFiles) {
      if (typeof file.SPDXID === 'string') pushTo(pkg, 'hasFiles', file.SPDXID);
    }
  }

  /** Snippet ranges reference the snippet's file, which may be given after the range. */
  private addSnippetRanges(): void {
    for (const r of this.snippetRanges) {
      const reference = r.snippet.snippetFromFile;
      pushTo(r.snippet, 'ranges', {
        startPointer: { reference, [r.kind]: r.start },
        endPointer: { reference, [r.kind]: r.end },
      });
    }
  }

  /**
   * §12.4: annotations go onto the element they name; document-level (or
   * unresolved) annotations stay at the top level with their spdxElementId.
   */
  private placeAnnotations(): void {
    const doc = this.doc;
    const elementsById = new Map<unknown, Obj>();
    for (const el of [...this.packages, ...this.files, ...this.snippets]) elementsById.set(el.SPDXID, el);
    for (const { obj } of this.annotations) {
      const target = obj.spdxElementId === undefined ? undefined : elementsById.get(obj.spdxElementId);
      if (target) {
        pushTo(target, 'annotations', withoutElementId(obj));
      } else if (obj.spdxElementId === undefined || obj.spdxElementId === doc.SPDXID) {
        pushTo(doc, 'annotations', withoutElementId(obj));
      } else {
        pushTo(doc, 'annotations', obj);
      }
    }
  }

  /** Attaches the non-empty collections to the document. */
  private assemble(): Obj {
    const doc = this.doc;
    if (Object.keys(this.creationInfo).length > 0) doc.creationInfo = this.creationInfo;
    if (this.packages.length > 0) doc.packages = this.packages;
    if (this.files.length > 0) doc.files = this.files;
    if (this.snippets.length > 0) doc.snippets = this.snippets;
    if (this.licenses.length > 0) doc.hasExtractedLicensingInfos = this.licenses;
    if (this.relationships.length > 0) doc.relationships = this.relationships;
    if (this.reviews.length > 0) doc.revieweds = this.reviews;
    return doc;
  }
}

/**
 * Parses an SPDX 2.3 tag-value document into an object shaped like the SPDX
 * JSON serialisation. Returns every syntax problem found, with line numbers.
 */
export function parseSpdxTagValue(text: string): SpdxTagValueResult {
  const reader = new TagValueReader();
  const entries = tokenize(text, reader.issues);
  for (const e of entries) reader.read(e);
  return reader.finish();
}

/** The excludes list of `(…)` at the start of `r` (after spaces) when `r` is that group to its end, else undefined. */
function excludesGroup(r: string): string | undefined {
  const t = r.trimStart();
  if (t.length < 2 || !t.startsWith('(') || !t.endsWith(')')) return undefined;
  let inner = t.slice(1, -1).trimStart();
  if (inner.startsWith('excludes:')) inner = inner.slice('excludes:'.length).trimStart();
  return inner.trimEnd();
}

/**
 * A PackageVerificationCode line's value and excludes, as /^(\S+)(?:\s*\(\s*(?:excludes:)?\s*(.*?)\s*\))?$/ matched
 * them (the same answers on a million generated lines), in time linear in the line: the expression's adjacent \s* and
 * lazy group took 35 s on a line of 800 spaces, which a hostile bundle's SBOM can hold.
 */
function verificationCode(v: string): { value: string; excludes?: string } | undefined {
  const space = v.search(/\s/);
  const run = space === -1 ? v.length : space;
  if (run === 0) return undefined;
  if (run === v.length) return { value: v };
  // The longest leading value whose rest is the group: the whole run, else up to a '(' within it.
  for (let at = run; at >= 1; at = v.lastIndexOf('(', at - 1)) {
    if (at < run && v[at] !== '(') break;
    const excludes = excludesGroup(v.slice(at));
    if (excludes !== undefined) return { value: v.slice(0, at), excludes };
    if (at === 0) break;
  }
  return undefined;
}
