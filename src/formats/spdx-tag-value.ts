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
type ElementKind = "package" | "file" | "snippet";

/** Scalar document-creation tags (§6) → JSON key on the document or creationInfo. */
const DOCUMENT_SCALARS: Record<string, { key: string; creationInfo?: true }> = {
  SPDXVersion: { key: "spdxVersion" },
  DataLicense: { key: "dataLicense" },
  DocumentName: { key: "name" },
  DocumentNamespace: { key: "documentNamespace" },
  DocumentComment: { key: "comment" },
  LicenseListVersion: { key: "licenseListVersion", creationInfo: true },
  Created: { key: "created", creationInfo: true },
  CreatorComment: { key: "comment", creationInfo: true },
};

/** Scalar package tags (§7) → JSON key. */
const PACKAGE_SCALARS: Record<string, string> = {
  PackageVersion: "versionInfo",
  PackageFileName: "packageFileName",
  PackageSupplier: "supplier",
  PackageOriginator: "originator",
  PackageDownloadLocation: "downloadLocation",
  PackageHomePage: "homepage",
  PackageSourceInfo: "sourceInfo",
  PackageLicenseConcluded: "licenseConcluded",
  PackageLicenseDeclared: "licenseDeclared",
  PackageLicenseComments: "licenseComments",
  PackageCopyrightText: "copyrightText",
  PackageSummary: "summary",
  PackageDescription: "description",
  PackageComment: "comment",
  ReleaseDate: "releaseDate",
  BuiltDate: "builtDate",
  ValidUntilDate: "validUntilDate",
};

/** Repeatable package tags → JSON array key. */
const PACKAGE_LISTS: Record<string, string> = {
  PackageLicenseInfoFromFiles: "licenseInfoFromFiles",
  PackageAttributionText: "attributionTexts",
};

/** Scalar file tags (§8) → JSON key. */
const FILE_SCALARS: Record<string, string> = {
  LicenseConcluded: "licenseConcluded",
  LicenseComments: "licenseComments",
  FileCopyrightText: "copyrightText",
  FileComment: "comment",
  FileNotice: "noticeText",
};

/** Repeatable file tags → JSON array key. */
const FILE_LISTS: Record<string, string> = {
  FileType: "fileTypes",
  LicenseInfoInFile: "licenseInfoInFiles",
  FileContributor: "fileContributors",
  FileAttributionText: "attributionTexts",
  FileDependency: "fileDependencies",
};

/** Scalar snippet tags (§9) → JSON key. */
const SNIPPET_SCALARS: Record<string, string> = {
  SnippetFromFileSPDXID: "snippetFromFile",
  SnippetLicenseConcluded: "licenseConcluded",
  SnippetLicenseComments: "licenseComments",
  SnippetCopyrightText: "copyrightText",
  SnippetComment: "comment",
  SnippetName: "name",
};

const SNIPPET_LISTS: Record<string, string> = {
  LicenseInfoInSnippet: "licenseInfoInSnippets",
  SnippetAttributionText: "attributionTexts",
};

/** Extracted licensing info tags (§10), after a LicenseID. */
const LICENSE_SCALARS: Record<string, string> = {
  ExtractedText: "extractedText",
  LicenseName: "name",
  LicenseComment: "comment",
};

/** Annotation tags (§12), after an Annotator. */
const ANNOTATION_SCALARS: Record<string, string> = {
  AnnotationDate: "annotationDate",
  AnnotationType: "annotationType",
  SPDXREF: "spdxElementId",
  AnnotationComment: "comment",
};

/** Review tags (§13, deprecated), after a Reviewer. */
const REVIEW_SCALARS: Record<string, string> = {
  ReviewDate: "reviewDate",
  ReviewComment: "comment",
};

/** Deprecated §8.9-8.11 artifactOf tags → key on an artifactOfs entry. */
const ARTIFACT_OF_TAGS: Record<string, string> = {
  ArtifactOfProjectName: "name",
  ArtifactOfProjectHomePage: "homePage",
  ArtifactOfProjectURI: "projectUri",
};

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

/** Splits the text into tag/value entries, joining `<text>...</text>` blocks. */
function tokenize(text: string, issues: SpdxTagValueIssue[]): Line[] {
  const lines = text.split(/\r\n|\n|\r/);
  const out: Line[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const lineNo = i + 1;
    const m = TAG_LINE.exec(trimmed);
    if (!m) {
      issues.push({ line: lineNo, message: `expected "Tag: value", got "${truncate(trimmed)}"` });
      continue;
    }
    const tag = m[1] ?? "";
    let value = (m[2] ?? "").trim();
    if (value.startsWith("<text>")) {
      let rest = value.slice("<text>".length);
      const parts: string[] = [];
      let j = i;
      let end = rest.indexOf("</text>");
      while (end === -1 && j + 1 < lines.length) {
        parts.push(rest);
        j++;
        rest = lines[j] ?? "";
        end = rest.indexOf("</text>");
      }
      if (end === -1) {
        issues.push({ line: lineNo, message: `unterminated <text> value for ${tag} (no closing </text>)` });
        i = j;
        continue;
      }
      parts.push(rest.slice(0, end));
      const trailing = rest.slice(end + "</text>".length).trim();
      if (trailing !== "") {
        issues.push({ line: j + 1, message: `unexpected content after </text>: "${truncate(trailing)}"` });
      }
      value = parts.join("\n");
      i = j;
    }
    out.push({ line: lineNo, tag, value });
  }
  return out;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Parses an SPDX 2.3 tag-value document into an object shaped like the SPDX
 * JSON serialisation. Returns every syntax problem found, with line numbers.
 */
export function parseSpdxTagValue(text: string): SpdxTagValueResult {
  const issues: SpdxTagValueIssue[] = [];
  const entries = tokenize(text, issues);

  const doc: Obj = {};
  const creationInfo: Obj = {};
  const packages: Obj[] = [];
  const files: Obj[] = [];
  const snippets: Obj[] = [];
  const licenses: Obj[] = [];
  const relationships: Obj[] = [];
  const annotations: { obj: Obj; line: number }[] = [];
  const reviews: Obj[] = [];
  const snippetRanges: { snippet: Obj; kind: "offset" | "lineNumber"; start: number; end: number }[] = [];

  let element: { kind: ElementKind; obj: Obj } | undefined;
  /** §5 (composition): files belong to the package section that precedes them. */
  let currentPackage: Obj | undefined;
  const packageFiles: { pkg: Obj; file: Obj }[] = [];
  let license: Obj | undefined;
  let annotation: Obj | undefined;
  let review: Obj | undefined;
  let lastExternalRef: Obj | undefined;
  let lastRelationship: Obj | undefined;
  let lastArtifactOf: Obj | undefined;

  const issue = (line: number, message: string): void => {
    issues.push({ line, message });
  };

  const needElement = (kind: ElementKind, e: Line, starter: string): Obj | undefined => {
    if (element?.kind === kind) return element.obj;
    const seenKind = { package: packages, file: files, snippet: snippets }[kind].length > 0;
    issue(
      e.line,
      element !== undefined
        ? `${e.tag} is a ${kind} field but appears in a ${element.kind} section`
        : seenKind
          ? `${e.tag} is a ${kind} field but appears outside a ${kind} section`
          : `${e.tag} appears before any ${starter}`,
    );
    return undefined;
  };

  const parseChecksum = (e: Line): Obj | undefined => {
    const m = CHECKSUM_VALUE.exec(e.value);
    if (!m) {
      issue(e.line, `${e.tag} must be "ALGORITHM: value", got "${truncate(e.value)}"`);
      return undefined;
    }
    return { algorithm: m[1], checksumValue: m[2] };
  };

  for (const e of entries) {
    const { tag, value } = e;

    // §6 document creation information
    const docField = DOCUMENT_SCALARS[tag];
    if (docField) {
      (docField.creationInfo ? creationInfo : doc)[docField.key] = value;
      continue;
    }

    switch (tag) {
      case "Creator":
        pushTo(creationInfo, "creators", value);
        continue;

      case "ExternalDocumentRef": {
        // §6.6: DocumentRef-<id> <URI> <ALG>: <value>
        const m = /^(\S+)\s+(\S+)\s+([A-Za-z0-9-]+):\s*(\S+)$/.exec(value);
        if (!m) {
          issue(e.line, `ExternalDocumentRef must be "DocumentRef-<id> <document URI> <ALGORITHM>: <value>"`);
        } else {
          pushTo(doc, "externalDocumentRefs", {
            externalDocumentId: m[1],
            spdxDocument: m[2],
            checksum: { algorithm: m[3], checksumValue: m[4] },
          });
        }
        continue;
      }

      case "SPDXID":
        // §6.3 before any element, §7.2 / §8.2 inside a package / file.
        if (element && element.kind !== "snippet") {
          element.obj.SPDXID = value;
        } else if (element === undefined && doc.SPDXID === undefined) {
          doc.SPDXID = value;
        } else {
          issue(e.line, element ? "SPDXID inside a snippet section (use SnippetSPDXID)" : "SPDXID outside any package or file");
        }
        continue;

      // §7 packages
      case "PackageName":
        element = { kind: "package", obj: { name: value } };
        packages.push(element.obj);
        currentPackage = element.obj;
        license = undefined;
        lastExternalRef = undefined;
        continue;

      // §8 files
      case "FileName":
        element = { kind: "file", obj: { fileName: value } };
        files.push(element.obj);
        if (currentPackage) packageFiles.push({ pkg: currentPackage, file: element.obj });
        license = undefined;
        lastArtifactOf = undefined;
        continue;

      // §9 snippets
      case "SnippetSPDXID":
        element = { kind: "snippet", obj: { SPDXID: value } };
        snippets.push(element.obj);
        license = undefined;
        continue;

      // §10 other licensing information
      case "LicenseID":
        license = { licenseId: value };
        licenses.push(license);
        element = undefined;
        continue;

      case "LicenseCrossReference":
        if (!license) issue(e.line, "LicenseCrossReference appears before any LicenseID");
        else pushTo(license, "seeAlsos", value);
        continue;

      // §11 relationships
      case "Relationship": {
        const parts = value.split(/\s+/);
        if (parts.length !== 3) {
          issue(e.line, `Relationship must be "<SPDXID> <RELATIONSHIP_TYPE> <SPDXID>", got "${truncate(value)}"`);
          lastRelationship = undefined;
        } else {
          lastRelationship = { spdxElementId: parts[0], relationshipType: (parts[1] as string).toUpperCase(), relatedSpdxElement: parts[2] };
          relationships.push(lastRelationship);
        }
        continue;
      }

      case "RelationshipComment":
        if (!lastRelationship) issue(e.line, "RelationshipComment appears before any Relationship");
        else lastRelationship.comment = value;
        continue;

      // §12 annotations
      case "Annotator":
        annotation = { annotator: value };
        annotations.push({ obj: annotation, line: e.line });
        continue;

      // §13 review information (deprecated)
      case "Reviewer":
        review = { reviewer: value };
        reviews.push(review);
        continue;
    }

    const annotationKey = ANNOTATION_SCALARS[tag];
    if (annotationKey) {
      if (!annotation) issue(e.line, `${tag} appears before any Annotator`);
      else annotation[annotationKey] = value;
      continue;
    }

    const reviewKey = REVIEW_SCALARS[tag];
    if (reviewKey) {
      if (!review) issue(e.line, `${tag} appears before any Reviewer`);
      else review[reviewKey] = value;
      continue;
    }

    const licenseKey = LICENSE_SCALARS[tag];
    if (licenseKey) {
      if (!license) issue(e.line, `${tag} appears before any LicenseID`);
      else license[licenseKey] = value;
      continue;
    }

    // Package fields (§7).
    const pkgKey = PACKAGE_SCALARS[tag];
    const pkgList = PACKAGE_LISTS[tag];
    if (
      pkgKey ||
      pkgList ||
      ["FilesAnalyzed", "PackageVerificationCode", "PackageChecksum", "ExternalRef", "ExternalRefComment", "PrimaryPackagePurpose"].includes(tag)
    ) {
      const pkg = needElement("package", e, "PackageName");
      if (!pkg) continue;
      if (pkgKey) {
        pkg[pkgKey] = value;
      } else if (pkgList) {
        pushTo(pkg, pkgList, value);
      } else if (tag === "FilesAnalyzed") {
        // §7.8: boolean
        if (value === "true" || value === "false") pkg.filesAnalyzed = value === "true";
        else issue(e.line, `FilesAnalyzed must be "true" or "false", got "${truncate(value)}"`);
      } else if (tag === "PackageVerificationCode") {
        // §7.9: <hex> [(excludes: <file>[, <file>...])]
        const m = /^(\S+)(?:\s*\(\s*(?:excludes:)?\s*(.*?)\s*\))?$/.exec(value);
        if (!m) {
          issue(e.line, `PackageVerificationCode must be "<value> [(excludes: <files>)]"`);
        } else {
          const code: Obj = { packageVerificationCodeValue: m[1] };
          if (m[2]) code.packageVerificationCodeExcludedFiles = m[2].split(/\s*,\s*/).filter((f) => f !== "");
          pkg.packageVerificationCode = code;
        }
      } else if (tag === "PackageChecksum") {
        const checksum = parseChecksum(e);
        if (checksum) pushTo(pkg, "checksums", checksum);
      } else if (tag === "ExternalRef") {
        // §7.21: <category> <type> <locator>
        const parts = value.split(/\s+/);
        if (parts.length !== 3) {
          issue(e.line, `ExternalRef must be "<category> <type> <locator>", got "${truncate(value)}"`);
          lastExternalRef = undefined;
        } else {
          lastExternalRef = { referenceCategory: parts[0], referenceType: parts[1], referenceLocator: parts[2] };
          pushTo(pkg, "externalRefs", lastExternalRef);
        }
      } else if (tag === "ExternalRefComment") {
        // §7.22: applies to the preceding ExternalRef.
        if (!lastExternalRef) issue(e.line, "ExternalRefComment appears before any ExternalRef of this package");
        else lastExternalRef.comment = value;
      } else if (tag === "PrimaryPackagePurpose") {
        // §7.24: tag-value spells OPERATING-SYSTEM; the JSON form is OPERATING_SYSTEM.
        pkg.primaryPackagePurpose = value.replace(/-/g, "_");
      }
      continue;
    }

    // File fields (§8).
    const fileKey = FILE_SCALARS[tag];
    const fileList = FILE_LISTS[tag];
    const artifactKey = ARTIFACT_OF_TAGS[tag];
    if (fileKey || fileList || artifactKey || tag === "FileChecksum") {
      const file = needElement("file", e, "FileName");
      if (!file) continue;
      if (fileKey) {
        file[fileKey] = value;
      } else if (fileList) {
        pushTo(file, fileList, value);
      } else if (artifactKey) {
        if (tag === "ArtifactOfProjectName" || !lastArtifactOf) {
          lastArtifactOf = {};
          pushTo(file, "artifactOfs", lastArtifactOf);
        }
        lastArtifactOf[artifactKey] = value;
      } else {
        const checksum = parseChecksum(e);
        if (checksum) pushTo(file, "checksums", checksum);
      }
      continue;
    }

    // Snippet fields (§9).
    const snippetKey = SNIPPET_SCALARS[tag];
    const snippetList = SNIPPET_LISTS[tag];
    if (snippetKey || snippetList || tag === "SnippetByteRange" || tag === "SnippetLineRange") {
      const snippet = needElement("snippet", e, "SnippetSPDXID");
      if (!snippet) continue;
      if (snippetKey) {
        snippet[snippetKey] = value;
      } else if (snippetList) {
        pushTo(snippet, snippetList, value);
      } else {
        // §9.3 / §9.4: <start>:<end>
        const m = /^(\d+)\s*:\s*(\d+)$/.exec(value);
        if (!m) issue(e.line, `${tag} must be "<start>:<end>", got "${truncate(value)}"`);
        else
          snippetRanges.push({
            snippet,
            kind: tag === "SnippetByteRange" ? "offset" : "lineNumber",
            start: Number(m[1]),
            end: Number(m[2]),
          });
      }
      continue;
    }

    issue(e.line, `unknown tag "${tag}"`);
  }

  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line);
    return { ok: false, issues };
  }

  // Files following a package section are contained in it (JSON: hasFiles).
  for (const { pkg, file } of packageFiles) {
    if (typeof file.SPDXID === "string") pushTo(pkg, "hasFiles", file.SPDXID);
  }

  // Snippet ranges reference the snippet's file, which may be given after the range.
  for (const r of snippetRanges) {
    const reference = r.snippet.snippetFromFile;
    pushTo(r.snippet, "ranges", {
      startPointer: { reference, [r.kind]: r.start },
      endPointer: { reference, [r.kind]: r.end },
    });
  }

  // §12.4: annotations go onto the element they name; document-level (or
  // unresolved) annotations stay at the top level with their spdxElementId.
  const elementsById = new Map<unknown, Obj>();
  for (const el of [...packages, ...files, ...snippets]) elementsById.set(el.SPDXID, el);
  for (const { obj } of annotations) {
    const target = obj.spdxElementId === undefined ? undefined : elementsById.get(obj.spdxElementId);
    if (target) {
      const { spdxElementId: _omit, ...rest } = obj;
      pushTo(target, "annotations", rest);
    } else if (obj.spdxElementId === undefined || obj.spdxElementId === doc.SPDXID) {
      const { spdxElementId: _omit, ...rest } = obj;
      pushTo(doc, "annotations", rest);
    } else {
      pushTo(doc, "annotations", obj);
    }
  }

  if (Object.keys(creationInfo).length > 0) doc.creationInfo = creationInfo;
  if (packages.length > 0) doc.packages = packages;
  if (files.length > 0) doc.files = files;
  if (snippets.length > 0) doc.snippets = snippets;
  if (licenses.length > 0) doc.hasExtractedLicensingInfos = licenses;
  if (relationships.length > 0) doc.relationships = relationships;
  if (reviews.length > 0) doc.revieweds = reviews;

  return { ok: true, document: doc };
}
