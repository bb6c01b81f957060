/**
 * Zod schema for SPDX 2.3 documents in their JSON serialisation.
 *
 * Written from the SPDX 2.3 specification text (ISO/IEC 5962 successor,
 * https://spdx.github.io/spdx-spec/v2.3/). Section numbers in the comments
 * below refer to that edition: clause 6 document creation, 7 package, 8 file,
 * 9 snippet, 10 other licensing information, 11 relationships, 12 annotations,
 * 13 review (deprecated).
 *
 * Conventions:
 * - Every object is a loose object: unknown keys (tools add their own) are kept
 *   and not checked, while the fields the spec documents are type-checked.
 * - Cardinality 1..1 / 1..* fields are required; everything else is optional.
 * - "SPDX-2.2" is accepted as spdxVersion as well (its JSON shape is a subset
 *   of 2.3's for the fields checked here); use {@link spdxVersionNotice} to
 *   surface that to the user. 2.2-only requirements are not enforced.
 */
import * as z from 'zod';
import { isRfc3339 } from '../core/time.js';

// ---------------------------------------------------------------------------
// Scalar formats
// ---------------------------------------------------------------------------

/** §7.2 / §8.2 / §9.1: "SPDXRef-" followed by letters, numbers, `.` and/or `-`. */
export const SPDX_ID_PATTERN = /^SPDXRef-[A-Za-z0-9.-]+$/;

/**
 * §11.1 / §12.4: `[DocumentRef-[idstring]:]SPDXID`. The DocumentRef idstring
 * may also contain `+` (§6.6).
 */
const ELEMENT_REF_PATTERN = /^(?:DocumentRef-[A-Za-z0-9.\-+]+:)?SPDXRef-[A-Za-z0-9.-]+$/;

/** §6.6: "DocumentRef-" followed by letters, numbers, `.`, `-` and/or `+`. */
const DOCUMENT_REF_PATTERN = /^DocumentRef-[A-Za-z0-9.\-+]+$/;

/** §10.1: "LicenseRef-" followed by letters, numbers, `.` and/or `-`. */
export const LICENSE_REF_PATTERN = /^(?:DocumentRef-[A-Za-z0-9.\-+]+:)?LicenseRef-[A-Za-z0-9.-]+$/;

/**
 * §6.9, §7.25-7.27, §12.2 write `YYYY-MM-DDThh:mm:ssZ`; the SPDX 2.3 JSON schema
 * only asks for a date-time, and real producers (npm sbom) add milliseconds,
 * so fractional seconds are accepted. The time must still be UTC.
 */
const SPDX_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** The SPDX shape, naming a real instant (core/time.ts: real month lengths, no leap second). */
function isValidSpdxDate(value: string): boolean {
  return SPDX_DATE_PATTERN.test(value) && isRfc3339(value);
}

const spdxDate = z
  .string()
  .refine(isValidSpdxDate, { message: 'must be a UTC timestamp of the form YYYY-MM-DDThh:mm:ss[.fff]Z' });

/**
 * Identifiers are read tolerantly: "SPDXRef-" and then any characters but
 * white space and ":". Real generators write characters the idstring rule
 * (§7.2: letters, digits, "." and "-") does not allow, `npm sbom`'s
 * `SPDXRef-Package-string_decoder-1.3.0` among them, and the identifier means
 * the same. Each such deviation is a conformance finding (spdxConformance);
 * an identifier without the prefix, or with white space, is still refused.
 */
const TOLERATED_ID = /^SPDXRef-[^\s:]+$/;
const TOLERATED_ELEMENT_REF = /^(?:DocumentRef-[^\s:]+:)?SPDXRef-[^\s:]+$/;

const spdxId = z.string().regex(TOLERATED_ID, {
  message: 'must be "SPDXRef-" followed by an identifier (letters, digits, "." or "-"), without white space',
});

const elementRef = z.string().regex(TOLERATED_ELEMENT_REF, {
  message: 'must be an SPDX identifier, optionally prefixed by "DocumentRef-<id>:"',
});

const nonEmpty = z.string().min(1);

/** §7.5 / §7.6: NOASSERTION | "Person: ..." | "Organization: ..." (optional email). */
const packageAgent = z.string().regex(/^(?:NOASSERTION|(?:Person|Organization): \S.*)$/, {
  message: 'must be "NOASSERTION" or start with "Person: " or "Organization: "',
});

/** §6.8: "Person: ...", "Organization: ..." or "Tool: ...". */
const creator = z.string().regex(/^(?:Person|Organization|Tool): \S.*$/, {
  message: 'must start with "Tool: ", "Organization: " or "Person: "',
});

/**
 * §7.7: URL | VCS location (`<vcs_tool>+<transport>://...`) | NONE | NOASSERTION.
 * The URL / VCS forms are checked only for having a URI scheme.
 */
const downloadLocation = z.string().regex(/^(?:NONE|NOASSERTION|[A-Za-z][A-Za-z0-9+.-]*:\S+)$/, {
  message: 'must be a URL, a VCS location, "NONE" or "NOASSERTION"',
});

/** §7.11: URL | NONE | NOASSERTION. */
const homepage = z.string().regex(/^(?:NONE|NOASSERTION|[A-Za-z][A-Za-z0-9+.-]*:\S+)$/, {
  message: 'must be a URL, "NONE" or "NOASSERTION"',
});

/**
 * §6.5: absolute URI with a scheme and without a `#` part.
 */
const documentNamespace = z.string().superRefine((value, ctx) => {
  let ok: boolean;
  try {
    const url = new URL(value);
    ok = url.protocol.length > 1 && !/\s/.test(value);
  } catch {
    ok = false;
  }
  if (!ok) {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URI with a scheme' });
  } else if (value.includes('#')) {
    ctx.addIssue({ code: 'custom', message: 'must not contain a "#" part' });
  }
});

/**
 * License expressions (Annex D) are only checked to be non-empty strings;
 * NONE / NOASSERTION are valid values.
 */
const licenseExpression = nonEmpty;

// ---------------------------------------------------------------------------
// Shared sub-objects
// ---------------------------------------------------------------------------

/** §7.10 / §8.4 checksum algorithms (SPDX 2.3 list). */
export const SPDX_CHECKSUM_ALGORITHMS = [
  'SHA1',
  'SHA224',
  'SHA256',
  'SHA384',
  'SHA512',
  'SHA3-256',
  'SHA3-384',
  'SHA3-512',
  'BLAKE2b-256',
  'BLAKE2b-384',
  'BLAKE2b-512',
  'BLAKE3',
  'MD2',
  'MD4',
  'MD5',
  'MD6',
  'ADLER32',
] as const;

/** §7.10 / §8.4 / §6.6: checksum = algorithm + lowercase hexadecimal value. */
export const spdxChecksumSchema = z.looseObject({
  algorithm: z.enum(SPDX_CHECKSUM_ALGORITHMS),
  checksumValue: z.string().regex(/^[0-9a-f]+$/, { message: 'must be lowercase hexadecimal digits' }),
});

/** §12: annotation (on the document or on a package / file / snippet). */
export const spdxAnnotationSchema = z.looseObject({
  /** §12.1: "Person: ...", "Organization: ..." or "Tool: ...". */
  annotator: creator,
  /** §12.2 */
  annotationDate: spdxDate,
  /** §12.3 */
  annotationType: z.enum(['REVIEW', 'OTHER']),
  /** §12.5 */
  comment: z.string(),
  /** §12.4: only meaningful where the annotation is not nested in its element. */
  spdxElementId: elementRef.optional(),
});

// ---------------------------------------------------------------------------
// §6 Document creation information
// ---------------------------------------------------------------------------

/** §6.6: external document reference. */
export const spdxExternalDocumentRefSchema = z.looseObject({
  externalDocumentId: z.string().regex(DOCUMENT_REF_PATTERN, {
    message: 'must be "DocumentRef-" followed by letters, digits, ".", "-" or "+"',
  }),
  spdxDocument: documentNamespace,
  checksum: spdxChecksumSchema,
});

/** §6.7-6.10: creation information. */
export const spdxCreationInfoSchema = z.looseObject({
  /** §6.7: `M.N` */
  licenseListVersion: z
    .string()
    .regex(/^\d+\.\d+$/, { message: 'must be of the form M.N' })
    .optional(),
  /** §6.8: cardinality 1..* */
  creators: z.array(creator).min(1),
  /** §6.9 */
  created: spdxDate,
  /** §6.10 */
  comment: z.string().optional(),
});

// ---------------------------------------------------------------------------
// §7 Package information
// ---------------------------------------------------------------------------

/** §7.21: external reference categories. */
export const SPDX_EXTERNAL_REF_CATEGORIES = ['SECURITY', 'PACKAGE-MANAGER', 'PERSISTENT-ID', 'OTHER'] as const;

/**
 * §7.21 / §7.22: external reference. `PACKAGE_MANAGER` / `PERSISTENT_ID`
 * (underscore spellings used by the SPDX 2.2 JSON schema and some tools) are
 * accepted as aliases of the hyphenated 2.3 spellings.
 */
export const spdxExternalRefSchema = z.looseObject({
  referenceCategory: z.enum([...SPDX_EXTERNAL_REF_CATEGORIES, 'PACKAGE_MANAGER', 'PERSISTENT_ID']),
  referenceType: nonEmpty,
  /** "the unique string with no spaces" */
  referenceLocator: z.string().regex(/^\S+$/, { message: 'must be a non-empty string without spaces' }),
  comment: z.string().optional(),
});

/**
 * §7.24: primary package purpose. Tag-value spells `OPERATING-SYSTEM`; the
 * 2.3 JSON schema spells `OPERATING_SYSTEM`. Both are accepted.
 */
export const SPDX_PRIMARY_PACKAGE_PURPOSES = [
  'APPLICATION',
  'FRAMEWORK',
  'LIBRARY',
  'CONTAINER',
  'OPERATING_SYSTEM',
  'OPERATING-SYSTEM',
  'DEVICE',
  'FIRMWARE',
  'SOURCE',
  'ARCHIVE',
  'FILE',
  'INSTALL',
  'OTHER',
] as const;

/** §7.9: package verification code. */
export const spdxPackageVerificationCodeSchema = z.looseObject({
  packageVerificationCodeValue: z.string().regex(/^[0-9a-f]{40}$/, {
    message: 'must be 40 lowercase hexadecimal digits',
  }),
  packageVerificationCodeExcludedFiles: z.array(z.string()).optional(),
});

/** §7: package. */
export const spdxPackageSchema = z
  .looseObject({
    /** §7.1 */
    name: nonEmpty,
    /** §7.2 */
    SPDXID: spdxId,
    /** §7.3 */
    versionInfo: z.string().optional(),
    /** §7.4 */
    packageFileName: z.string().optional(),
    /** §7.5 */
    supplier: packageAgent.optional(),
    /** §7.6 */
    originator: packageAgent.optional(),
    /** §7.7 */
    downloadLocation: downloadLocation,
    /** §7.8 */
    filesAnalyzed: z.boolean().optional(),
    /** §7.9 */
    packageVerificationCode: spdxPackageVerificationCodeSchema.optional(),
    /** §7.10 */
    checksums: z.array(spdxChecksumSchema).optional(),
    /** §7.11 */
    homepage: homepage.optional(),
    /** §7.12 */
    sourceInfo: z.string().optional(),
    /** §7.13 */
    licenseConcluded: licenseExpression.optional(),
    /** §7.14 */
    licenseInfoFromFiles: z.array(licenseExpression).optional(),
    /** §7.15 */
    licenseDeclared: licenseExpression.optional(),
    /** §7.16 */
    licenseComments: z.string().optional(),
    /** §7.17 */
    copyrightText: z.string().optional(),
    /** §7.18 */
    summary: z.string().optional(),
    /** §7.19 */
    description: z.string().optional(),
    /** §7.20 */
    comment: z.string().optional(),
    /** §7.21 / §7.22 */
    externalRefs: z.array(spdxExternalRefSchema).optional(),
    /** §7.23 */
    attributionTexts: z.array(z.string()).optional(),
    /** §7.24 (cardinality 0..* in the spec text, a single value in JSON) */
    primaryPackagePurpose: z.enum(SPDX_PRIMARY_PACKAGE_PURPOSES).optional(),
    /** §7.25 */
    releaseDate: spdxDate.optional(),
    /** §7.26 */
    builtDate: spdxDate.optional(),
    /** §7.27 */
    validUntilDate: spdxDate.optional(),
    /** JSON: SPDX identifiers of the files contained in the package. */
    hasFiles: z.array(elementRef).optional(),
    /** §12 */
    annotations: z.array(spdxAnnotationSchema).optional(),
  })
  .superRefine((pkg, ctx) => {
    // §7.9 / §7.14: must be omitted when FilesAnalyzed is false (likewise files, §7.8).
    if (pkg.filesAnalyzed === false) {
      for (const key of ['packageVerificationCode', 'licenseInfoFromFiles', 'hasFiles'] as const) {
        if (pkg[key] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: `must be omitted when filesAnalyzed is false` });
        }
      }
    }
  });

// ---------------------------------------------------------------------------
// §8 File information
// ---------------------------------------------------------------------------

/** §8.3: file types. */
export const SPDX_FILE_TYPES = [
  'SOURCE',
  'BINARY',
  'ARCHIVE',
  'APPLICATION',
  'AUDIO',
  'IMAGE',
  'TEXT',
  'VIDEO',
  'DOCUMENTATION',
  'SPDX',
  'OTHER',
] as const;

/** §8: file. */
export const spdxFileSchema = z
  .looseObject({
    /** §8.1 */
    fileName: nonEmpty,
    /** §8.2 */
    SPDXID: spdxId,
    /** §8.3 */
    fileTypes: z.array(z.enum(SPDX_FILE_TYPES)).optional(),
    /** §8.4: required; exactly one SHA1, any number of others. */
    checksums: z.array(spdxChecksumSchema).min(1),
    /** §8.5 */
    licenseConcluded: licenseExpression.optional(),
    /** §8.6 */
    licenseInfoInFiles: z.array(licenseExpression).optional(),
    /** §8.7 */
    licenseComments: z.string().optional(),
    /** §8.8 */
    copyrightText: z.string().optional(),
    /** §8.9-8.11 (deprecated): objects, not checked further. */
    artifactOfs: z.array(z.looseObject({})).optional(),
    /** §8.12 */
    comment: z.string().optional(),
    /** §8.13 */
    noticeText: z.string().optional(),
    /** §8.14 */
    fileContributors: z.array(z.string()).optional(),
    /** §8.15 */
    attributionTexts: z.array(z.string()).optional(),
    /** §8.16 (deprecated) */
    fileDependencies: z.array(z.string()).optional(),
    /** §12 */
    annotations: z.array(spdxAnnotationSchema).optional(),
  })
  .superRefine((file, ctx) => {
    const sha1 = file.checksums.filter((c) => c.algorithm === 'SHA1').length;
    if (sha1 !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['checksums'],
        message: `must contain exactly one SHA1 checksum (found ${sha1})`,
      });
    }
  });

// ---------------------------------------------------------------------------
// §9 Snippet information
// ---------------------------------------------------------------------------

/** §9.3 / §9.4: a byte-offset or line-number pointer into a file. */
const snippetPointerSchema = z
  .looseObject({
    reference: elementRef,
    offset: z.int().min(1).optional(),
    lineNumber: z.int().min(1).optional(),
  })
  .refine((p) => (p.offset === undefined) !== (p.lineNumber === undefined), {
    message: 'must have exactly one of offset or lineNumber',
  });

/** §9.3 / §9.4: range (start and end are inclusive). */
const snippetRangeSchema = z.looseObject({
  startPointer: snippetPointerSchema,
  endPointer: snippetPointerSchema,
});

/** §9: snippet. */
export const spdxSnippetSchema = z.looseObject({
  /** §9.1 */
  SPDXID: spdxId,
  /** §9.2 */
  snippetFromFile: elementRef,
  /** §9.3 (byte range, required) and §9.4 (line range) */
  ranges: z.array(snippetRangeSchema).min(1),
  /** §9.5 */
  licenseConcluded: licenseExpression.optional(),
  /** §9.6 */
  licenseInfoInSnippets: z.array(licenseExpression).optional(),
  /** §9.7 */
  licenseComments: z.string().optional(),
  /** §9.8 */
  copyrightText: z.string().optional(),
  /** §9.9 */
  comment: z.string().optional(),
  /** §9.10 */
  name: z.string().optional(),
  /** §9.11 */
  attributionTexts: z.array(z.string()).optional(),
  /** §12 */
  annotations: z.array(spdxAnnotationSchema).optional(),
});

// ---------------------------------------------------------------------------
// §10 Other licensing information detected
// ---------------------------------------------------------------------------

/** §10: extracted (non-SPDX-list) licence. */
export const spdxExtractedLicensingInfoSchema = z.looseObject({
  /** §10.1 */
  licenseId: z.string().regex(LICENSE_REF_PATTERN, {
    message: 'must be "LicenseRef-" followed by letters, digits, "." or "-"',
  }),
  /** §10.2 */
  extractedText: z.string(),
  /** §10.3 */
  name: z.string().optional(),
  /** §10.4 */
  seeAlsos: z.array(z.string()).optional(),
  /** §10.5 */
  comment: z.string().optional(),
});

// ---------------------------------------------------------------------------
// §11 Relationships
// ---------------------------------------------------------------------------

/** §11.1 Table 68: relationship types. */
export const SPDX_RELATIONSHIP_TYPES = [
  'DESCRIBES',
  'DESCRIBED_BY',
  'CONTAINS',
  'CONTAINED_BY',
  'DEPENDS_ON',
  'DEPENDENCY_OF',
  'DEPENDENCY_MANIFEST_OF',
  'BUILD_DEPENDENCY_OF',
  'DEV_DEPENDENCY_OF',
  'OPTIONAL_DEPENDENCY_OF',
  'PROVIDED_DEPENDENCY_OF',
  'TEST_DEPENDENCY_OF',
  'RUNTIME_DEPENDENCY_OF',
  'EXAMPLE_OF',
  'GENERATES',
  'GENERATED_FROM',
  'ANCESTOR_OF',
  'DESCENDANT_OF',
  'VARIANT_OF',
  'DISTRIBUTION_ARTIFACT',
  'PATCH_FOR',
  'PATCH_APPLIED',
  'COPY_OF',
  'FILE_ADDED',
  'FILE_DELETED',
  'FILE_MODIFIED',
  'EXPANDED_FROM_ARCHIVE',
  'DYNAMIC_LINK',
  'STATIC_LINK',
  'DATA_FILE_OF',
  'TEST_CASE_OF',
  'BUILD_TOOL_OF',
  'DEV_TOOL_OF',
  'TEST_OF',
  'TEST_TOOL_OF',
  'DOCUMENTATION_OF',
  'OPTIONAL_COMPONENT_OF',
  'METAFILE_OF',
  'PACKAGE_OF',
  'AMENDS',
  'PREREQUISITE_FOR',
  'HAS_PREREQUISITE',
  'REQUIREMENT_DESCRIPTION_FOR',
  'SPECIFICATION_FOR',
  'OTHER',
] as const;

/** §11.1 / §11.2: relationship. The right-hand side may be NONE or NOASSERTION. */
export const spdxRelationshipSchema = z.looseObject({
  spdxElementId: elementRef,
  relationshipType: z.enum(SPDX_RELATIONSHIP_TYPES),
  relatedSpdxElement: z.union([z.literal('NONE'), z.literal('NOASSERTION'), elementRef]),
  comment: z.string().optional(),
});

// ---------------------------------------------------------------------------
// §13 Review information (deprecated)
// ---------------------------------------------------------------------------

/** §13.1-13.3 */
export const spdxReviewSchema = z.looseObject({
  reviewer: z.string().optional(),
  reviewDate: spdxDate,
  comment: z.string().optional(),
});

// ---------------------------------------------------------------------------
// Document
// ---------------------------------------------------------------------------

/** §6.1: accepted SPDX versions ("SPDX-2.3" is the target; "SPDX-2.2" tolerated). */
export const SPDX_SUPPORTED_VERSIONS = ['SPDX-2.3', 'SPDX-2.2'] as const;

/** The whole SPDX document (§6 fields at the top level plus the element arrays). */
export const spdxDocumentSchema = z
  .looseObject({
    /** §6.1 */
    spdxVersion: z.enum(SPDX_SUPPORTED_VERSIONS),
    /** §6.2 */
    dataLicense: z.literal('CC0-1.0'),
    /** §6.3 */
    SPDXID: z.literal('SPDXRef-DOCUMENT'),
    /** §6.4 */
    name: nonEmpty,
    /** §6.5 */
    documentNamespace: documentNamespace,
    /** §6.6 */
    externalDocumentRefs: z.array(spdxExternalDocumentRefSchema).optional(),
    /** §6.7-6.10 */
    creationInfo: spdxCreationInfoSchema,
    /** §6.11 */
    comment: z.string().optional(),
    /** JSON: SPDX identifiers of the elements the document describes (DESCRIBES). */
    documentDescribes: z.array(elementRef).optional(),
    /** §7 */
    packages: z.array(spdxPackageSchema).optional(),
    /** §8 */
    files: z.array(spdxFileSchema).optional(),
    /** §9 */
    snippets: z.array(spdxSnippetSchema).optional(),
    /** §10 */
    hasExtractedLicensingInfos: z.array(spdxExtractedLicensingInfoSchema).optional(),
    /** §11 */
    relationships: z.array(spdxRelationshipSchema).optional(),
    /** §12 (annotations on the document itself) */
    annotations: z.array(spdxAnnotationSchema).optional(),
    /** §13 (deprecated) */
    revieweds: z.array(spdxReviewSchema).optional(),
  })
  .superRefine((doc, ctx) => {
    // §6.3 / §7.2 / §8.2 / §9.1: SPDX identifiers are unique within the document.
    const seen = new Map<string, (string | number)[]>();
    const check = (id: string, path: (string | number)[]): void => {
      const first = seen.get(id);
      if (first) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `duplicate SPDX identifier "${id}" (first used at ${first.join('.')})`,
        });
      } else {
        seen.set(id, path);
      }
    };
    check(doc.SPDXID, ['SPDXID']);
    for (const key of ['packages', 'files', 'snippets'] as const) {
      doc[key]?.forEach((el, i) => check(el.SPDXID, [key, i, 'SPDXID']));
    }
  });

export type SpdxDocument = z.infer<typeof spdxDocumentSchema>;
export type SpdxPackage = z.infer<typeof spdxPackageSchema>;
export type SpdxFile = z.infer<typeof spdxFileSchema>;
export type SpdxRelationship = z.infer<typeof spdxRelationshipSchema>;

/**
 * A human-readable notice when a validated document is not SPDX 2.3 (i.e. it
 * was accepted as SPDX 2.2), otherwise undefined.
 */
export function spdxVersionNotice(doc: Pick<SpdxDocument, 'spdxVersion'>): string | undefined {
  return doc.spdxVersion === 'SPDX-2.3'
    ? undefined
    : `document declares ${doc.spdxVersion}; validated against the SPDX 2.3 field definitions`;
}

/**
 * The SPDX ids a document describes (the product, like CycloneDX's
 * metadata.component): documentDescribes, DESCRIBES from the document and
 * DESCRIBED_BY towards it.
 */
export function spdxDescribedIds(doc: {
  SPDXID?: string;
  documentDescribes?: unknown;
  relationships?: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
}): Set<string> {
  const self = doc.SPDXID ?? 'SPDXRef-DOCUMENT';
  const ids = new Set<string>(
    Array.isArray(doc.documentDescribes) ? doc.documentDescribes.filter((x): x is string => typeof x === 'string') : [],
  );
  for (const r of doc.relationships ?? []) {
    if (r.spdxElementId === self && r.relationshipType === 'DESCRIBES') ids.add(r.relatedSpdxElement);
    if (r.relatedSpdxElement === self && r.relationshipType === 'DESCRIBED_BY') ids.add(r.spdxElementId);
  }
  return ids;
}

/** A deviation from the SPDX 2.3 specification that does not change what the document means. */
export interface ConformanceFinding {
  /** JSON path of the value, e.g. `$.packages[8].SPDXID`. */
  path: string;
  /** The rule it breaks, with the specification's clause. */
  rule: string;
  /** The offending value. */
  value: string;
}

const RULES = {
  id: 'SPDX 2.3 §7.2/§8.2/§9.1: an SPDX identifier is "SPDXRef-" followed by letters, digits, "." and "-" only',
  created: 'SPDX 2.3 §6.9: created is written YYYY-MM-DDThh:mm:ssZ (no fractional seconds)',
  license: 'SPDX 2.3 §7.13/§7.15, Annex D: a license field is an SPDX license expression, NONE or NOASSERTION',
} as const;

/**
 * Every tolerated deviation in a document that spdxDocumentSchema accepted,
 * in document order: identifiers outside the idstring rule, a creation time
 * with fractional seconds, license fields that are not SPDX license
 * expressions (`isExpression` says which are). Strict conformance is then a
 * policy's choice (require: {kind: sbom, conformant: true}).
 */
export function spdxConformance(doc: SpdxDocument, isExpression: (value: string) => boolean): ConformanceFinding[] {
  const out: ConformanceFinding[] = [];
  const id = (path: string, value: unknown, ref = false): void => {
    if (typeof value !== 'string' || value === 'NONE' || value === 'NOASSERTION') return;
    if (!(ref ? ELEMENT_REF_PATTERN : SPDX_ID_PATTERN).test(value)) out.push({ path, rule: RULES.id, value });
  };
  const license = (path: string, value: unknown): void => {
    if (typeof value !== 'string' || value === 'NONE' || value === 'NOASSERTION') return;
    if (!isExpression(value)) out.push({ path, rule: RULES.license, value });
  };
  if (/\.\d+Z$/.test(doc.creationInfo.created))
    out.push({ path: '$.creationInfo.created', rule: RULES.created, value: doc.creationInfo.created });
  (doc.documentDescribes ?? []).forEach((v, i) => id(`$.documentDescribes[${i}]`, v, true));
  (doc.packages ?? []).forEach((p, i) => {
    id(`$.packages[${i}].SPDXID`, p.SPDXID);
    (p.hasFiles ?? []).forEach((v, j) => id(`$.packages[${i}].hasFiles[${j}]`, v, true));
    license(`$.packages[${i}].licenseConcluded`, p.licenseConcluded);
    license(`$.packages[${i}].licenseDeclared`, p.licenseDeclared);
  });
  (doc.files ?? []).forEach((f, i) => {
    id(`$.files[${i}].SPDXID`, f.SPDXID);
    license(`$.files[${i}].licenseConcluded`, (f as { licenseConcluded?: unknown }).licenseConcluded);
  });
  (doc.snippets ?? []).forEach((sn, i) => {
    id(`$.snippets[${i}].SPDXID`, sn.SPDXID);
    id(`$.snippets[${i}].snippetFromFile`, sn.snippetFromFile, true);
  });
  (doc.relationships ?? []).forEach((r, i) => {
    id(`$.relationships[${i}].spdxElementId`, r.spdxElementId, true);
    id(`$.relationships[${i}].relatedSpdxElement`, r.relatedSpdxElement, true);
  });
  return out;
}
