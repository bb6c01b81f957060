import { loadAll } from 'js-yaml';

/**
 * YAML as every input of ours reads it (policies, evidence.yaml, SLO
 * definitions): YAML 1.2's core schema, so JSON is read as it is and a date
 * stays the text it was written as (no timestamps, no `<<` merges, no custom
 * tags); a key given twice is an error, not a silent override. Aliases are
 * capped (100 per document) and nesting too (100 levels), so a small file
 * cannot expand into a large one.
 *
 * js-yaml rather than eemeli/yaml: both read YAML 1.2, and js-yaml's reader
 * is 46 KB in the one-file verifier against 115 KB (docs/performance.md).
 */
const OPTIONS = { maxAliases: 100, maxDepth: 100 } as const;

/**
 * Every document of a stream; an empty document (`---` alone) is null. Throws js-yaml's YAMLException, which names line
 * and column.
 */
export function parseYamlDocuments(text: string): unknown[] {
  return loadAll(text, OPTIONS);
}

/** The one document of a stream, or null for an empty stream; more than one document is an error. */
export function parseYamlDocument(text: string): unknown {
  const docs = parseYamlDocuments(text);
  if (docs.length > 1) throw new Error(`${docs.length} YAML documents where one was expected`);
  return docs[0] ?? null;
}
