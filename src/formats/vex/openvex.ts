/**
 * OpenVEX 0.2.0 documents (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md), read into the VEX model of
 * `../findings.ts`; and the rules the three VEX readers share (OpenVEX's vocabulary is the model's: its statuses and
 * justification names are the ones CSAF's and CycloneDX's are mapped onto), so that they live in one place.
 *
 * Read as the specification writes it:
 * - `@context` must be `https://openvex.dev/ns/v0.2.0`; earlier contexts (`https://openvex.dev/ns`, `…/v0.0.1`) are
 *   refused, not guessed at;
 * - the document's `@id`, `author`, `timestamp` and `version` are required; each statement needs a `vulnerability`
 *   with a `name`, a `status` (one of the four labels) and, when `not_affected`, a `justification` (one of the five
 *   labels) or an `impact_statement`, and when `affected`, an `action_statement`;
 * - a product or subcomponent is matched by its purl: `identifiers.purl`, else `@id` when that is a purl. A product
 *   identified otherwise (CPE, hashes) cannot be matched and is left out, and so is a product whose subcomponents are
 *   all identified otherwise (keeping it without them would widen the statement to the whole product). A statement
 *   left with no product names none, which the specification forbids ("a valid statement MUST identify a product");
 * - fields not read here (`role`, `tooling`, `status_notes`, `supplier`, extensions) pass unchecked.
 */
import * as z from 'zod';
import { formatIssuePath, issuesInline, zodIssues, safeParseBounded } from '../../core/issues.js';
import { DAY_MS, parseRfc3339 } from '../../core/time.js';
import { FormatError } from '../errors.js';
import { parsePurl } from '../purl.js';
import { VEX_STATUSES, type VexDocument, type VexProduct, type VexStatement, type VexStatus } from '../findings.js';

// ---------------------------------------------------------------------------
// Shared by the three readers
// ---------------------------------------------------------------------------

/** The most statements one VEX document may produce (or carry) before it is refused. */
export const MAX_VEX_STATEMENTS = 100_000;

/** The deepest nesting of recursive structures (CSAF branches, CycloneDX components) a VEX document may have. */
export const MAX_VEX_DEPTH = 64;

/** OpenVEX 0.2.0's justification labels for `not_affected` (CSAF 2.0's VEX flag labels are the same five). */
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

/** The most steps (products named, texts joined) reading one VEX document may take before it is refused. */
export const MAX_VEX_PARSE_WORK = 4_000_000;

/** A counter of one document's reading work: VEX_TOO_COMPLEX, naming the file, past MAX_VEX_PARSE_WORK. */
export function parseBudget(label: string): (n?: number) => void {
  let work = 0;
  return (n = 1) => {
    work += n;
    if (work > MAX_VEX_PARSE_WORK)
      throw new FormatError(
        'VEX_TOO_COMPLEX',
        `${label}: reading it takes more than ${MAX_VEX_PARSE_WORK} steps (products named through groups, texts joined)`,
        { file: label },
      );
  };
}

/**
 * Whether a statement about a component inside a product with no purl holds of the component wherever it ships: only
 * when the component is one build (its purl names a version) and the statement is about that build rather than the
 * product around it: fixed, not_affected because the vulnerable code is not in it, or a status that settles nothing
 * (affected, under_investigation). A product's configuration, execution paths or mitigations do not travel with a
 * component, so not_affected for those reasons (or because a component is not present) stays with the product.
 */
export function aloneHolds(purl: string, status: VexStatus, justification: string | undefined): boolean {
  if (!parsePurl(purl)?.version) return false;
  return status !== 'not_affected' || justification === 'vulnerable_code_not_present';
}

/** A JSON path as messages write it: `$.statements[2].status`. */
export function vexPath(...parts: (string | number)[]): string {
  return formatIssuePath(parts);
}

/** VEX_INVALID for one field: the message starts with the file's label and names the field's path. */
export function vexInvalid(label: string, path: string, why: string): FormatError {
  return new FormatError('VEX_INVALID', `${label}: ${path}: ${why}`, { file: label });
}

/** VEX_INVALID from a schema's failure, its issues kept and the first few named in the message. */
export function vexSchemaError(label: string, what: string, error: z.ZodError): FormatError {
  const issues = zodIssues(error);
  return new FormatError('VEX_INVALID', `${label}: not ${what}: ${issuesInline(issues)}`, { file: label, issues });
}

/** The timestamp when it is an RFC 3339 date-time of a real instant at most 24 h after `now`; else VEX_INVALID. */
export function checkVexTimestamp(label: string, path: string, text: string, now: Date): string {
  const at = parseRfc3339(text);
  if (at === undefined) throw vexInvalid(label, path, `${JSON.stringify(text)} is not an RFC 3339 date-time`);
  if (at > now.getTime() + DAY_MS) {
    throw vexInvalid(label, path, `${text} is in the future (more than 24 h after ${now.toISOString()})`);
  }
  return text;
}

/** Whether arrays nested under `key` (branches, components) go deeper than `limit` levels, the top one being 1. */
export function nestedDeeperThan(items: unknown, key: string, limit: number): boolean {
  // Walked without recursion, before any schema reads the document (zod's recursion would meet the nesting first).
  const stack: [unknown, number][] = [[items, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [value, depth] = top;
    if (!Array.isArray(value)) continue;
    if (depth > limit) return true;
    for (const item of value as unknown[]) {
      if (item !== null && typeof item === 'object') stack.push([(item as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return false;
}

/** Whether the value is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Distinct, non-empty ids other than `main`, in the order given. */
export function otherIds(main: string, ids: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const id of ids) if (id !== '' && id !== main) out.add(id);
  return [...out];
}

/** Text that says something: trimmed, undefined when empty. */
export function someText(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? t : undefined;
}

// ---------------------------------------------------------------------------
// OpenVEX 0.2.0
// ---------------------------------------------------------------------------

/** The one context read: OpenVEX 0.2.0. */
export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';

/** The longest id, purl, author or date a VEX document may give: each is compared or copied per product or finding. */
export const MAX_VEX_NAME = 1024;

/** A string that names something (an id, a purl, an author, a date): at most MAX_VEX_NAME characters. */
export const vexName = z.string().max(MAX_VEX_NAME, { message: `longer than ${MAX_VEX_NAME} characters` });

/** Every OpenVEX context starts so; used to tell an OpenVEX document of another version from another format. */
export const OPENVEX_CONTEXT_PREFIX = 'https://openvex.dev/ns';

/** "Component Fields", shared by products and subcomponents. */
const componentFields = {
  '@id': vexName.optional(),
  identifiers: z
    .looseObject({ purl: vexName.optional(), cpe22: vexName.optional(), cpe23: vexName.optional() })
    .optional(),
  hashes: z.record(z.string(), z.string()).optional(),
};

const subcomponentSchema = z.looseObject(componentFields);
type OpenVexComponent = z.infer<typeof subcomponentSchema>;

const productSchema = z.looseObject({ ...componentFields, subcomponents: z.array(subcomponentSchema).optional() });

const statementSchema = z.looseObject({
  '@id': vexName.optional(),
  vulnerability: z.looseObject({
    '@id': vexName.optional(),
    name: vexName.optional(),
    description: z.string().optional(),
    aliases: z.array(vexName).optional(),
  }),
  timestamp: vexName.optional(),
  last_updated: vexName.optional(),
  products: z.array(productSchema).optional(),
  status: z.enum(VEX_STATUSES),
  justification: z.enum(VEX_JUSTIFICATIONS).optional(),
  impact_statement: z.string().optional(),
  action_statement: z.string().optional(),
});

const documentSchema = z.looseObject({
  '@context': z.literal(OPENVEX_CONTEXT),
  '@id': vexName.min(1),
  author: vexName.min(1),
  timestamp: vexName,
  last_updated: vexName.optional(),
  version: z.number().int().min(0),
  statements: z.array(statementSchema),
});

/** A component's purl: `identifiers.purl`, else its `@id` when that is a purl. */
function componentPurl(c: OpenVexComponent): string | undefined {
  const purl = someText(c.identifiers?.purl);
  if (purl) return purl;
  const id = c['@id'];
  return id?.startsWith('pkg:') ? id : undefined;
}

/** The statement's products as the model has them: only those a purl identifies. */
function products(products: z.infer<typeof productSchema>[]): VexProduct[] {
  const out: VexProduct[] = [];
  for (const p of products) {
    const purl = componentPurl(p);
    if (purl === undefined) continue;
    const listed = p.subcomponents ?? [];
    const subcomponents = listed.map(componentPurl).filter((s): s is string => s !== undefined);
    // Subcomponents were named but none by purl: the statement is about them, not the whole product.
    if (listed.length > 0 && subcomponents.length === 0) continue;
    out.push({ purl, subcomponents });
  }
  return out;
}

/** An OpenVEX 0.2.0 document read into the model; VEX_INVALID, naming the field, where it breaks the specification. */
export function parseOpenVex(json: unknown, label: string, now: Date): VexDocument {
  if (!isJsonObject(json)) throw vexInvalid(label, '$', 'an OpenVEX document is a JSON object');
  const context = json['@context'];
  if (context !== OPENVEX_CONTEXT) {
    throw vexInvalid(
      label,
      vexPath('@context'),
      `${JSON.stringify(context)} is not OpenVEX 0.2.0's context (${OPENVEX_CONTEXT}); other versions are not read`,
    );
  }
  if (Array.isArray(json.statements) && json.statements.length > MAX_VEX_STATEMENTS) {
    throw vexInvalid(label, vexPath('statements'), `more than ${MAX_VEX_STATEMENTS} statements`);
  }
  const parsed = safeParseBounded(documentSchema, json, { reportInput: true });
  if (!parsed.success) throw vexSchemaError(label, 'an OpenVEX 0.2.0 document', parsed.error);
  const doc = parsed.data;
  const timestamp = checkVexTimestamp(label, vexPath('timestamp'), doc.timestamp, now);
  if (doc.last_updated !== undefined) checkVexTimestamp(label, vexPath('last_updated'), doc.last_updated, now);

  const statements = doc.statements.map((s, i): VexStatement => {
    const at = (...rest: (string | number)[]) => vexPath('statements', i, ...rest);
    // The specification requires `name`; Trivy writes the vulnerability as `{"@id": "CVE-…"}` without one (its
    // OpenVEX output and its test fixtures do), so `@id` stands for the name when `name` is absent.
    const vulnerability = someText(s.vulnerability.name) ?? someText(s.vulnerability['@id']);
    if (vulnerability === undefined) throw vexInvalid(label, at('vulnerability', 'name'), 'names no vulnerability');
    const own = s.timestamp === undefined ? undefined : checkVexTimestamp(label, at('timestamp'), s.timestamp, now);
    const updated =
      s.last_updated === undefined ? undefined : checkVexTimestamp(label, at('last_updated'), s.last_updated, now);
    const impactStatement = someText(s.impact_statement);
    const actionStatement = someText(s.action_statement);
    if (s.status === 'not_affected' && s.justification === undefined && impactStatement === undefined) {
      throw vexInvalid(label, at(), 'a not_affected statement must give a justification or an impact_statement');
    }
    if (s.status === 'affected' && actionStatement === undefined) {
      throw vexInvalid(label, at(), 'an affected statement must give an action_statement');
    }
    const named = products(s.products ?? []);
    if (named.length === 0) throw vexInvalid(label, at('products'), 'names no product identified by a purl');
    return {
      vulnerability,
      aliases: otherIds(vulnerability, s.vulnerability.aliases ?? []),
      products: named,
      status: s.status,
      ...(s.justification !== undefined && { justification: s.justification }),
      ...(impactStatement !== undefined && { impactStatement }),
      ...(actionStatement !== undefined && { actionStatement }),
      timestamp: own ?? timestamp,
      ...((updated ?? own) !== undefined && { orderedAt: updated ?? own }),
      index: i,
    };
  });
  return { format: 'openvex', id: doc['@id'], author: doc.author, timestamp, statements };
}
