import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Issue } from '../core/issues.js';
import { FormatError } from '../formats/errors.js';
import { loadXsd, type XsdSchema } from '../formats/xsd.js';
import type { CollectorInput } from './collector.js';
import { CollectError } from './errors.js';

/*
 * CycloneDX XML against the XML Schemas that @cyclonedx/cyclonedx-library
 * ships (res/schema/bom-<version>.SNAPSHOT.xsd, and spdx.SNAPSHOT.xsd that
 * each imports), read from that folder and from nowhere else, through the
 * WebAssembly libxml2 of src/formats/xsd.ts: no native build, whichever Node
 * installed the packages. Each version's schema is compiled once, when the
 * first XML SBOM of that version is collected.
 */

const compiled = new Map<string, Promise<XsdSchema>>();

/** The folder of the library's schemas. */
export function cycloneDxSchemaFolder(): string {
  const manifest = createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library/package.json');
  return join(dirname(manifest), 'res', 'schema');
}

function schemaOf(version: string): Promise<XsdSchema> {
  let schema = compiled.get(version);
  if (!schema) {
    const folder = cycloneDxSchemaFolder();
    schema = loadXsd({ main: `bom-${version}.SNAPSHOT.xsd`, read: (name) => readSchema(folder, name) });
    schema.catch(() => compiled.delete(version));
    compiled.set(version, schema);
  }
  return schema;
}

/** A schema file of the folder, by plain name (an .xsd, no path): anything else is not served. */
function readSchema(folder: string, name: string): Uint8Array | undefined {
  if (!/^[\w.-]+\.xsd$/.test(name)) return undefined;
  try {
    return readFileSync(join(folder, name));
  } catch {
    return undefined;
  }
}

/**
 * Validates a CycloneDX XML document against its version's schema. Fails as
 * SBOM_INVALID (each finding with its line), XML_INVALID (not well-formed for
 * libxml2), XML_DOCTYPE_NOT_ALLOWED (a document type or an entity), or
 * SBOM_VALIDATOR_MISSING, with the real cause, when the schema cannot be had.
 */
export async function validateCycloneDxXml(input: CollectorInput, bytes: Buffer, version: string): Promise<void> {
  let schema: XsdSchema;
  try {
    schema = await schemaOf(version);
  } catch (e) {
    throw new CollectError(
      'SBOM_VALIDATOR_MISSING',
      `${input.label}: CycloneDX ${version} XML cannot be validated: ${(e as Error).message}`,
      { file: input.label, cause: e },
    );
  }
  let issues: Issue[];
  try {
    issues = schema.validate(input.label, bytes);
  } catch (e) {
    if (e instanceof FormatError && (e.code === 'XML_INVALID' || e.code === 'XML_DOCTYPE_NOT_ALLOWED'))
      throw new CollectError(e.code, e.message, { file: input.label, issues: e.issues, cause: e });
    throw new CollectError(
      'SBOM_INVALID',
      `${input.label}: not valid CycloneDX ${version} XML (${(e as Error).message})`,
      { file: input.label, cause: e },
    );
  }
  if (issues.length)
    throw new CollectError('SBOM_INVALID', `${input.label}: not valid CycloneDX ${version} XML`, {
      file: input.label,
      issues,
    });
}
