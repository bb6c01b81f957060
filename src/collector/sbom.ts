import { createRequire } from 'node:module';
import parseSpdxExpression from 'spdx-expression-parse';
import { spdxConformance, spdxDocumentSchema, type SpdxDocument } from '../formats/spdx.js';
import { parseSpdxTagValue } from '../formats/spdx-tag-value.js';
import {
  MAX_LICENSE_EXPRESSION,
  MEDIA_TYPES,
  cycloneDxJsonContents,
  cycloneDxXmlContents,
  licenceTally,
  spdxContents,
  type SbomContents,
} from '../formats/sbom.js';
import { zodIssues, safeParseBounded } from '../core/issues.js';
import { MAX_CONFORMANCE_FINDINGS, type SbomSummary } from '../core/summaries.js';
import {
  outputFor,
  parseJson,
  readInput,
  stripBom,
  type Collector,
  type CollectorInput,
  type CollectorOutput,
} from './collector.js';
import { validateCycloneDxXml } from './cyclonedx-xml.js';
import { CollectError } from './errors.js';
import { attr, children, parseInputXml } from './xml.js';
import { PACKAGE_VERSION as COLLECTOR_VERSION } from '../version.js';

type CdxModule = typeof import('@cyclonedx/cyclonedx-library');
const require = createRequire(import.meta.url);

export const CYCLONEDX_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7'] as const;

export { MEDIA_TYPES };

/** CycloneDX (JSON, XML; 1.2–1.7) and SPDX 2.3 (JSON, tag-value), validated against their schemas. */
export const sbomCollector: Collector = {
  name: 'sbom',
  version: COLLECTOR_VERSION,
  async collect(input: CollectorInput): Promise<CollectorOutput> {
    const bytes = await readInput(input);
    const head = stripBom(bytes.subarray(0, 4096).toString('utf8')).trimStart();
    if (head.startsWith('<')) return collectCycloneDxXml(input, bytes);
    if (head.startsWith('{')) {
      const json = parseJson(input, bytes) as Record<string, unknown>;
      if (json && json.bomFormat === 'CycloneDX') return collectCycloneDxJson(input, bytes, json);
      if (json && typeof json.spdxVersion === 'string') return collectSpdx(input, bytes, json, MEDIA_TYPES.spdxJson);
      throw new CollectError(
        'SBOM_FORMAT_UNKNOWN',
        `${input.label}: JSON that is neither CycloneDX (no "bomFormat": "CycloneDX") nor SPDX (no "spdxVersion")`,
        { file: input.label },
      );
    }
    if (/^(#[^\n]*\n\s*)*SPDXVersion:/.test(head)) {
      const parsed = parseSpdxTagValue(stripBom(bytes.toString('utf8')));
      if (!parsed.ok) {
        throw new CollectError('SBOM_INVALID', `${input.label}: not valid SPDX tag-value`, {
          file: input.label,
          issues: parsed.issues.map((i) => ({ path: `line ${i.line}`, message: i.message })),
        });
      }
      return collectSpdx(input, bytes, parsed.document, MEDIA_TYPES.spdxTagValue);
    }
    throw new CollectError(
      'SBOM_FORMAT_UNKNOWN',
      `${input.label}: not a CycloneDX (JSON or XML) or SPDX (JSON or tag-value) document`,
      { file: input.label },
    );
  },
};

function loadCdx(): CdxModule {
  return require('@cyclonedx/cyclonedx-library') as CdxModule;
}

function cdxVersion(input: CollectorInput, version: string): (typeof CYCLONEDX_VERSIONS)[number] {
  if (!(CYCLONEDX_VERSIONS as readonly string[]).includes(version)) {
    throw new CollectError(
      'SBOM_UNSUPPORTED_VERSION',
      `${input.label}: CycloneDX ${version} is not supported (${CYCLONEDX_VERSIONS.join(', ')} are)`,
      { file: input.label },
    );
  }
  return version as (typeof CYCLONEDX_VERSIONS)[number];
}

/**
 * One CycloneDX JSON validator per spec version for the whole run: each compiles its JSON Schema (Ajv) on first use,
 * about 180 ms, which a release of several SBOMs paid for every one.
 */
const validators = new Map<string, { validate(data: string): Promise<unknown> }>();
function jsonValidator(version: string): { validate(data: string): Promise<unknown> } {
  let validator = validators.get(version);
  if (!validator) {
    validator = new (loadCdx().Validation.JsonValidator)(version as never);
    validators.set(version, validator);
  }
  return validator;
}

async function collectCycloneDxJson(
  input: CollectorInput,
  bytes: Buffer,
  json: Record<string, unknown>,
): Promise<CollectorOutput> {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any JSON value, shown in the error as String() shows it
  const version = cdxVersion(input, String(json.specVersion ?? ''));
  const errors = (await jsonValidator(version).validate(stripBom(bytes.toString('utf8')))) as
    { instancePath: string; message?: string; params?: AjvParams }[] | null;
  if (errors) {
    throw new CollectError('SBOM_INVALID', `${input.label}: not valid CycloneDX ${version} JSON`, {
      file: input.label,
      issues: errors.map((e) => ({
        path: `$${e.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}`,
        message: `${describeAjv(e)}${foundAt(json, e.instancePath)}`,
      })),
    });
  }
  return outputFor(
    bytes,
    'sbom',
    MEDIA_TYPES.cyclonedxJson,
    summary('cyclonedx', version, cycloneDxJsonContents(json)),
  );
}

/** ` (found VALUE)` for the scalar at a JSON pointer, so that an error shows what is wrong. */
function foundAt(json: unknown, pointer: string): string {
  let node: unknown = json;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return '';
    node = (node as Record<string, unknown>)[key];
  }
  if (node === undefined || (typeof node === 'object' && node !== null)) return '';
  const shown = JSON.stringify(node);
  return ` (found ${shown.length > 120 ? `${shown.slice(0, 117)}…` : shown})`;
}

/** The parameters of Ajv's errors that the message shows (Ajv's `additionalProperties` names the property). */
interface AjvParams {
  additionalProperty?: string;
  allowedValues?: unknown;
}

function describeAjv(e: { message?: string; params?: AjvParams }): string {
  const extra = e.params?.additionalProperty
    ? ` ('${e.params.additionalProperty}')`
    : e.params?.allowedValues
      ? ` (${JSON.stringify(e.params.allowedValues)})`
      : '';
  return `${e.message ?? 'invalid'}${extra}`;
}

async function collectCycloneDxXml(input: CollectorInput, bytes: Buffer): Promise<CollectorOutput> {
  const doc = parseInputXml(input, bytes);
  const bom = children(doc, 'bom')[0];
  if (!bom)
    throw new CollectError('SBOM_FORMAT_UNKNOWN', `${input.label}: XML whose root element is not a CycloneDX <bom>`, {
      file: input.label,
    });
  const ns = attr(bom, 'xmlns') ?? '';
  const m = /^http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)$/.exec(ns);
  if (!m)
    throw new CollectError(
      'SBOM_FORMAT_UNKNOWN',
      `${input.label}: <bom> is not in a CycloneDX namespace (xmlns="${ns}")`,
      { file: input.label },
    );
  const version = cdxVersion(input, m[1] as string);
  await validateCycloneDxXml(input, bytes, version);
  return outputFor(bytes, 'sbom', MEDIA_TYPES.cyclonedxXml, summary('cyclonedx', version, cycloneDxXmlContents(bom)));
}

function collectSpdx(input: CollectorInput, bytes: Buffer, json: unknown, mediaType: string): CollectorOutput {
  const parsed = safeParseBounded(spdxDocumentSchema, json, { reportInput: true });
  if (!parsed.success) {
    throw new CollectError('SBOM_INVALID', `${input.label}: not a valid SPDX 2.3 document`, {
      file: input.label,
      issues: zodIssues(parsed.error),
    });
  }
  const doc: SpdxDocument = parsed.data;
  const deviations = spdxConformance(doc, isLicenseExpression);
  const conformance = deviations.length
    ? { conformance: { count: deviations.length, findings: deviations.slice(0, MAX_CONFORMANCE_FINDINGS) } }
    : {};
  return outputFor(bytes, 'sbom', mediaType, {
    ...summary('spdx', doc.spdxVersion.replace(/^SPDX-/, ''), spdxContents(doc)),
    ...conformance,
  });
}

/** An SPDX license expression as Annex D defines it (license ids from the SPDX list, LicenseRef-…). */
function isLicenseExpression(value: string): boolean {
  // Parsing time grows with the square of the length (formats/sbom.ts): a longer text is not taken as one.
  if (value.trim().length > MAX_LICENSE_EXPRESSION) return false;
  try {
    parseSpdxExpression(value.trim());
    return true;
  } catch {
    return false;
  }
}

/** The summary from what formats/sbom.ts read: every component but the product, its licences, and those with none. */
function summary(format: SbomSummary['format'], specVersion: string, contents: SbomContents): SbomSummary {
  return { format, specVersion, components: contents.components.length, ...licenceTally(contents.components) };
}
