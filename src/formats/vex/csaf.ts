/**
 * CSAF 2.0 documents of the VEX profile (OASIS CSAF v2.0, https://docs.oasis-open.org/csaf/csaf/v2.0/csaf-v2.0.html),
 * read into the VEX model of `../findings.ts`. No CSAF validator is published on npm here, so the fields read are
 * checked by a zod schema written from the OASIS text: §3.1 (definitions: full product names, product ids and groups),
 * §3.2.1 (document), §3.2.2 (product tree), §3.2.3 (vulnerabilities); with the rules of §4.5 "Profile 5: VEX" and the
 * mandatory tests it leans on:
 * - `/document/category` is `csaf_vex` and `/document/csaf_version` is `2.0`;
 * - `/product_tree` and `/vulnerabilities` exist; each vulnerability has a `cve` or `ids`, `notes`, and a
 *   `product_status` listing at least one of fixed, known_affected, known_not_affected, under_investigation;
 * - each known_not_affected product has an impact statement: a flag (its label is the justification) or a threat of
 *   category `impact` (its details are the impact statement), by product id or by product group;
 * - each known_affected product has an action statement: a remediation (its details);
 * - every flag and every remediation names products or groups (§6.1.32, §6.1.29), and every product id the
 *   statuses name is defined in the product tree (§6.1.1).
 *
 * A threat of category `impact` naming neither products nor groups is read as about the whole vulnerability, so it
 * is the impact statement of each of its known_not_affected products. CSAF states no mandatory test for threats
 * without products (unlike flags and remediations), and Red Hat's documents write the vulnerability's impact rating
 * that way; a stricter reader would refuse them.
 *
 * Statuses map onto OpenVEX's: known_not_affected → not_affected, fixed and first_fixed → fixed, known_affected →
 * affected, under_investigation → under_investigation (first_affected, last_affected and recommended are not VEX
 * statuses and are not read). Product ids become purls through the product tree, never wider than the tree says:
 * - a product's purl is its `product_identification_helper.purl`, unless the branches above it narrow it further than
 *   the purl does: under a `product_version_range` (ranges are not compared here), under a version, patch level or
 *   service pack when the purl has no version, under an architecture when the purl has no `arch` qualifier;
 * - a product defined by a relationship (any category: a component in, on or with another product) is the relating
 *   product with the component as its subcomponent when both have purls, else the purl the relationship's own name
 *   gives. A component of a product known only by CPE (Red Hat's documents name products so) is matched by itself
 *   only when its purl names a version (one build) and the statement speaks of that build: fixed, affected,
 *   under_investigation, or not_affected because the vulnerable code is not present. Otherwise it matches nothing: a
 *   product's configuration or mitigations do not travel with the component to wherever else it ships;
 * A product with no usable purl is left out, and a statement left with no product is dropped: CSAF trees often
 * identify products by CPE only. A product id defined twice (§6.1.2), a product with two contradicting statuses for
 * one vulnerability (§6.1.6) and a CVE listed twice (§6.1.23) are refused. One statement is made for each
 * vulnerability and distinct (status, justification, impact, action), in the order the document lists them.
 * Every statement's timestamp is `/document/tracking/current_release_date`, a date of the whole document: it orders
 * nothing (no `orderedAt`). A `draft` document is refused: it is not a published statement.
 */
import { safeParseBounded } from '../../core/issues.js';
import * as z from 'zod';
import type { VexDocument, VexProduct, VexStatement, VexStatus } from '../findings.js';
import {
  MAX_VEX_DEPTH,
  MAX_VEX_STATEMENTS,
  VEX_JUSTIFICATIONS,
  checkVexTimestamp,
  isJsonObject,
  nestedDeeperThan,
  aloneHolds,
  otherIds,
  parseBudget,
  vexInvalid,
  vexName,
  vexPath,
  vexSchemaError,
} from './openvex.js';
import { parsePurl } from '../purl.js';

const nonEmpty = z.string().min(1);
/** Ids, purls, names copied into findings and dates: bounded (MAX_VEX_NAME); texts are bounded where they are joined. */
const idText = vexName.min(1);
const productIds = z.array(idText).min(1);

/** §3.1.3 full_product_name_t; §3.1.3.3 identification helper (only the purl is read; `cpe` and the rest pass). */
const fullProductNameSchema = z.looseObject({
  name: nonEmpty,
  product_id: idText,
  product_identification_helper: z.looseObject({ purl: idText.optional(), cpe: idText.optional() }).optional(),
});
type FullProductName = z.infer<typeof fullProductNameSchema>;

/** §3.1.2.1 branch categories. */
const BRANCH_CATEGORIES = [
  'architecture',
  'host_name',
  'language',
  'legacy',
  'patch_level',
  'product_family',
  'product_name',
  'product_version',
  'product_version_range',
  'service_pack',
  'specification',
  'vendor',
] as const;

/** §3.1.2 branches_t, recursive. */
interface Branch {
  category: (typeof BRANCH_CATEGORIES)[number];
  name: string;
  branches?: Branch[] | undefined;
  product?: FullProductName | undefined;
}

const branchSchema: z.ZodType<Branch> = z.lazy(() =>
  z.looseObject({
    category: z.enum(BRANCH_CATEGORIES),
    name: nonEmpty,
    branches: z.array(branchSchema).min(1).optional(),
    product: fullProductNameSchema.optional(),
  }),
);

/** §3.2.2.4 relationship categories. */
const RELATIONSHIP_CATEGORIES = [
  'default_component_of',
  'external_component_of',
  'installed_on',
  'installed_with',
  'optional_component_of',
] as const;

/** §3.2.2 product tree. */
const productTreeSchema = z.looseObject({
  branches: z.array(branchSchema).min(1).optional(),
  full_product_names: z.array(fullProductNameSchema).min(1).optional(),
  product_groups: z
    .array(z.looseObject({ group_id: idText, product_ids: productIds }))
    .min(1)
    .optional(),
  relationships: z
    .array(
      z.looseObject({
        category: z.enum(RELATIONSHIP_CATEGORIES),
        product_reference: idText,
        relates_to_product_reference: idText,
        full_product_name: fullProductNameSchema,
      }),
    )
    .min(1)
    .optional(),
});
type ProductTree = z.infer<typeof productTreeSchema>;

/** §3.2.1.12 tracking. */
const trackingSchema = z.looseObject({
  id: idText,
  status: z.enum(['draft', 'final', 'interim']),
  version: nonEmpty,
  initial_release_date: vexName,
  current_release_date: vexName,
  revision_history: z.array(z.looseObject({ date: vexName, number: nonEmpty, summary: nonEmpty })).min(1),
});

/** §3.2.1 document (category and version are checked before, for a clearer message). */
const documentSchema = z.looseObject({
  category: z.literal('csaf_vex'),
  csaf_version: z.literal('2.0'),
  publisher: z.looseObject({
    name: idText,
    namespace: nonEmpty,
    category: z.enum(['coordinator', 'discoverer', 'other', 'translator', 'user', 'vendor']),
  }),
  title: nonEmpty,
  tracking: trackingSchema,
});

/** §3.2.3.9 product status: each list optional, but never empty. */
const productStatusSchema = z.looseObject({
  first_affected: productIds.optional(),
  first_fixed: productIds.optional(),
  fixed: productIds.optional(),
  known_affected: productIds.optional(),
  known_not_affected: productIds.optional(),
  last_affected: productIds.optional(),
  recommended: productIds.optional(),
  under_investigation: productIds.optional(),
});

/** What flags, threats and remediations name: products and product groups. */
const productRefs = { product_ids: productIds.optional(), group_ids: productIds.optional() };

/** §3.2.3 vulnerability, with the fields the VEX profile asks for required. */
const vulnerabilitySchema = z.looseObject({
  cve: vexName.regex(/^CVE-[0-9]{4}-[0-9]{4,}$/).optional(),
  ids: z
    .array(z.looseObject({ system_name: nonEmpty, text: idText }))
    .min(1)
    .optional(),
  notes: z.array(z.looseObject({ category: nonEmpty, text: nonEmpty })).min(1),
  product_status: productStatusSchema,
  flags: z
    .array(z.looseObject({ label: z.enum(VEX_JUSTIFICATIONS), ...productRefs }))
    .min(1)
    .optional(),
  threats: z
    .array(
      z.looseObject({
        category: z.enum(['exploit_status', 'impact', 'target_set']),
        details: nonEmpty,
        ...productRefs,
      }),
    )
    .min(1)
    .optional(),
  remediations: z
    .array(
      z.looseObject({
        category: z.enum(['mitigation', 'no_fix_planned', 'none_available', 'vendor_fix', 'workaround']),
        details: nonEmpty,
        ...productRefs,
      }),
    )
    .min(1)
    .optional(),
});
type Vulnerability = z.infer<typeof vulnerabilitySchema>;

const csafSchema = z.looseObject({
  document: documentSchema,
  product_tree: productTreeSchema,
  vulnerabilities: z.array(vulnerabilitySchema).min(1),
});

/** The product_status lists read, and the status each maps to. */
const STATUS_OF: Partial<Record<string, VexStatus>> = {
  known_not_affected: 'not_affected',
  known_affected: 'affected',
  fixed: 'fixed',
  first_fixed: 'fixed',
  under_investigation: 'under_investigation',
};

/** The VEX profile's "at least one of" the product status lists. */
const PROFILE_STATUSES = ['fixed', 'known_affected', 'known_not_affected', 'under_investigation'] as const;

/** The product tree as lookups: each product id's purl (or none), and the relationships that define ids. */
interface Products {
  purls: Map<string, string | undefined>;
  /** Products whose purl the branches above them narrow: no purl of theirs may stand for them. */
  narrowed: Set<string>;
  relationships: Map<string, { component: string; product: string }>;
  groups: Map<string, string[]>;
}

/** Branch categories that make a product narrower than a purl without a version says (§3.1.2.1). */
const VERSION_BRANCHES = new Set<string>(['product_version', 'patch_level', 'service_pack']);

/** Branch categories that only name a product (who makes it, what it is), narrowing it to no version or platform. */
const NAMING_BRANCHES = new Set<string>(['vendor', 'product_family', 'product_name']);

/** Branch categories that name what a purl names anyway (who makes it, what it is), or what a purl can say. */
const PURL_BRANCHES = new Set<string>([
  'vendor',
  'product_family',
  'product_name',
  'architecture',
  ...VERSION_BRANCHES,
]);

/**
 * The purl a branch's product may be matched by, or undefined when the branches above it say more than the purl does:
 * under a `product_version_range` (versions this reader does not compare), a host name, a language, a specification
 * or a legacy branch (what a purl cannot say), under a version, patch level or service pack when the purl names no
 * version, or under an architecture when the purl names none. Matching such a purl would widen the statement to
 * versions, hosts or architectures the document does not speak of.
 */
function branchPurl(purl: string | undefined, categories: ReadonlySet<string>): string | undefined {
  if (purl === undefined) return undefined;
  if ([...categories].some((c) => !PURL_BRANCHES.has(c))) return undefined;
  const parsed = parsePurl(purl);
  if (parsed === undefined) return undefined;
  if ([...categories].some((c) => VERSION_BRANCHES.has(c)) && !parsed.version) return undefined;
  if (categories.has('architecture') && parsed.qualifiers?.arch === undefined) return undefined;
  return purl;
}

function productsOf(tree: ProductTree, label: string): Products {
  const purls = new Map<string, string | undefined>();
  const narrowed = new Set<string>();
  const define = (p: FullProductName, purl: string | undefined, path: string | (() => string)) => {
    if (purls.has(p.product_id)) {
      const at = typeof path === 'string' ? path : path();
      throw vexInvalid(label, at, `product id ${p.product_id} is defined more than once (CSAF 2.0 §6.1.2)`);
    }
    purls.set(p.product_id, purl);
  };
  // Each branch keeps its parent and index (its JSON path is made only for a message) and its categories' set, shared
  // by every child that adds no category: a copied path and set per branch would weigh many times the document.
  interface Walked {
    b: Branch;
    categories: ReadonlySet<string>;
    parent: Walked | undefined;
    index: number;
  }
  const pathOf = (w: Walked): (string | number)[] => {
    const parts: (string | number)[] = [];
    for (let at: Walked | undefined = w; at; at = at.parent) parts.unshift('branches', at.index);
    return ['product_tree', ...parts];
  };
  const stack: Walked[] = (tree.branches ?? []).map((b, index) => ({
    b,
    categories: new Set([b.category]),
    parent: undefined,
    index,
  }));
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { b, categories } = top;
    const w = top;
    if (b.product) {
      const helper = b.product.product_identification_helper?.purl;
      const purl = branchPurl(helper, categories);
      define(b.product, purl, () => vexPath(...pathOf(w), 'product', 'product_id'));
      // Narrowed: its purl says less than its branches, or it has none and its branches narrow it (a version, a range,
      // a host...): a relationship's own purl must not stand for it either.
      const named = [...categories].every((c) => NAMING_BRANCHES.has(c));
      if (purl === undefined && (helper !== undefined || !named)) narrowed.add(b.product.product_id);
    }
    const wider = new Map<string, ReadonlySet<string>>();
    (b.branches ?? []).forEach((child, index) => {
      let set = categories.has(child.category) ? categories : wider.get(child.category);
      if (set === undefined) wider.set(child.category, (set = new Set([...categories, child.category])));
      stack.push({ b: child, categories: set, parent: w, index });
    });
  }
  (tree.full_product_names ?? []).forEach((p, i) =>
    define(p, p.product_identification_helper?.purl, vexPath('product_tree', 'full_product_names', i, 'product_id')),
  );
  const relationships = new Map<string, { component: string; product: string }>();
  (tree.relationships ?? []).forEach((r, i) => {
    define(
      r.full_product_name,
      r.full_product_name.product_identification_helper?.purl,
      vexPath('product_tree', 'relationships', i, 'full_product_name', 'product_id'),
    );
    relationships.set(r.full_product_name.product_id, {
      component: r.product_reference,
      product: r.relates_to_product_reference,
    });
  });
  // A relationship built on a narrowed product is narrowed too, however deep: its own purl (or the relationship's
  // around it) would stand for versions or hosts the branches excluded. Walked once along the reverse edges.
  const usedBy = new Map<string, string[]>();
  for (const [id, r] of relationships) {
    push(usedBy, r.component, id);
    push(usedBy, r.product, id);
  }
  const queue = [...narrowed];
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    for (const user of usedBy.get(id) ?? []) {
      if (narrowed.has(user)) continue;
      narrowed.add(user);
      queue.push(user);
    }
  }
  const groups = new Map((tree.product_groups ?? []).map((g) => [g.group_id, g.product_ids]));
  return { purls, narrowed, relationships, groups };
}

/**
 * A product id as the model's product, or undefined when no purl identifies it. A product defined by a relationship
 * (a component in, on or with a product) is never the component wherever it ships:
 * - the relating product with the component as its subcomponent, when both have purls;
 * - else the purl the relationship gives itself (what the document calls the combination), with the component as
 *   its subcomponent when it has a purl;
 * - else the component `alone`, when the relating product is known only otherwise (by CPE, as Red Hat's documents name
 *   their products): what the statement says of it inside that product holds of it by itself only where
 *   `aloneHolds` allows. A relationship's own purl without a component purl is `alone` too.
 * A component whose branches narrowed its purl away (a range, a host) names nothing, whatever the relationship says.
 */
function resolveProduct(tree: Products, id: string): (VexProduct & { alone?: true }) | undefined {
  if (tree.narrowed.has(id)) return undefined;
  const own = tree.purls.get(id);
  const rel = tree.relationships.get(id);
  if (!rel) return own === undefined ? undefined : { purl: own, subcomponents: [] };
  if (tree.narrowed.has(rel.component) || tree.narrowed.has(rel.product)) return undefined;
  const component = tree.purls.get(rel.component);
  const product = tree.purls.get(rel.product);
  if (component !== undefined && product !== undefined) return { purl: product, subcomponents: [component] };
  if (own !== undefined)
    return component !== undefined
      ? { purl: own, subcomponents: [component] }
      : { purl: own, subcomponents: [], alone: true };
  return component === undefined ? undefined : { purl: component, subcomponents: [], alone: true };
}

/** The product ids an item (flag, threat, remediation) names, directly or through its groups. */
function namedIds(
  tree: Products,
  item: { product_ids?: string[] | undefined; group_ids?: string[] | undefined },
  spend: (n?: number) => void,
) {
  const ids = new Set(item.product_ids ?? []);
  for (const g of new Set(item.group_ids ?? [])) {
    const members = tree.groups.get(g) ?? [];
    spend(members.length);
    for (const id of members) ids.add(id);
  }
  spend(ids.size);
  return ids;
}

/** Appends to a list kept in a map (in place: copying the list on every item would be quadratic). */
function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** What the document says of one product for one vulnerability, beyond its status. */
interface Details {
  justification?: string;
  impactStatement?: string;
  actionStatement?: string;
}

/**
 * The details each product of a vulnerability gets: justification, impact statement, action statement, and `key`,
 * what products with the same details share. Texts are kept by the index of the threat or remediation they come from
 * and joined once per distinct list (joined per product, a long text named by many products would be quadratic); the
 * characters joined count against the document's budget.
 */
function detailsOf(tree: Products, v: Vulnerability, vi: number, label: string, spend: (n?: number) => void) {
  const at = (...rest: (string | number)[]) => vexPath('vulnerabilities', vi, ...rest);
  const justification = new Map<string, string>();
  (v.flags ?? []).forEach((f, i) => {
    if (f.product_ids === undefined && f.group_ids === undefined) {
      throw vexInvalid(label, at('flags', i), 'a flag must name product_ids or group_ids');
    }
    for (const id of namedIds(tree, f, spend)) if (!justification.has(id)) justification.set(id, f.label);
  });
  const threats = v.threats ?? [];
  const impact = new Map<string, number[]>();
  const wideImpact: number[] = [];
  threats.forEach((t, i) => {
    if (t.category !== 'impact') return;
    if (t.product_ids === undefined && t.group_ids === undefined) wideImpact.push(i);
    for (const id of namedIds(tree, t, spend)) push(impact, id, i);
  });
  const remediations = v.remediations ?? [];
  const action = new Map<string, number[]>();
  remediations.forEach((r, i) => {
    if (r.product_ids === undefined && r.group_ids === undefined) {
      throw vexInvalid(label, at('remediations', i), 'a remediation must name product_ids or group_ids');
    }
    for (const id of namedIds(tree, r, spend)) push(action, id, i);
  });
  // Each list of indexes is one array per product (or the one wide list): its key and its joined text are made once per
  // array, so a product named many times costs its list once, however long the list.
  const keys = new Map<readonly number[], string>();
  const keyOf = (kind: 't' | 'r', indexes: readonly number[]): string => {
    let key = keys.get(indexes);
    if (key === undefined) {
      spend(1 + indexes.length);
      key = `${kind}${indexes.join(',')}`;
      keys.set(indexes, key);
    }
    return key;
  };
  const joined = new Map<string, string>();
  const join = (kind: 't' | 'r', indexes: readonly number[]): string => {
    const key = keyOf(kind, indexes);
    let text = joined.get(key);
    if (text === undefined) {
      text = indexes.map((i) => (kind === 't' ? threats[i]?.details : remediations[i]?.details)).join('\n');
      spend(1 + text.length);
      joined.set(key, text);
    }
    return text;
  };
  return (id: string, status: VexStatus, path: string): Details & { key: string } => {
    if (status === 'not_affected') {
      const j = justification.get(id);
      const indexes = impact.get(id) ?? wideImpact;
      if (j === undefined && indexes.length === 0) {
        throw vexInvalid(
          label,
          path,
          `known_not_affected product ${id} has no impact statement (flag or impact threat)`,
        );
      }
      return {
        key: `${status} ${j ?? ''} ${indexes.length > 0 ? keyOf('t', indexes) : 't'}`,
        ...(j !== undefined && { justification: j }),
        ...(indexes.length > 0 && { impactStatement: join('t', indexes) }),
      };
    }
    if (status === 'affected') {
      const indexes = action.get(id) ?? [];
      if (indexes.length === 0) {
        throw vexInvalid(label, path, `known_affected product ${id} has no action statement (remediation)`);
      }
      return { key: `${status} ${keyOf('r', indexes)}`, actionStatement: join('r', indexes) };
    }
    return { key: status };
  };
}

/** §6.1.6's groups of product status: a product may be in one group only. */
const STATUS_GROUP: Partial<Record<string, string>> = {
  first_affected: 'affected',
  known_affected: 'affected',
  last_affected: 'affected',
  known_not_affected: 'not affected',
  first_fixed: 'fixed',
  fixed: 'fixed',
  under_investigation: 'under investigation',
};

/** VEX_INVALID when one product has two contradicting statuses for one vulnerability (CSAF 2.0 §6.1.6). */
function checkContradictions(status: Record<string, unknown>, label: string, path: string): void {
  const groupOf = new Map<string, string>();
  for (const [key, list] of Object.entries(status)) {
    const group = STATUS_GROUP[key];
    if (group === undefined || !Array.isArray(list)) continue;
    for (const id of list as string[]) {
      const seen = groupOf.get(id);
      if (seen !== undefined && seen !== group) {
        throw vexInvalid(label, path, `product ${id} is both ${seen} and ${group} (CSAF 2.0 §6.1.6)`);
      }
      groupOf.set(id, group);
    }
  }
}

/** The statements one vulnerability makes, grouped by status and details, in document order. */
function vulnerabilityStatements(
  tree: Products,
  v: Vulnerability,
  vi: number,
  label: string,
  timestamp: string,
  spend: (n?: number) => void,
): Omit<VexStatement, 'index'>[] {
  const at = (...rest: (string | number)[]) => vexPath('vulnerabilities', vi, ...rest);
  const ids = (v.ids ?? []).map((i) => i.text);
  const vulnerability = v.cve ?? ids[0];
  if (vulnerability === undefined) throw vexInvalid(label, at(), 'a vulnerability must give cve or ids');
  const status = v.product_status;
  if (!PROFILE_STATUSES.some((s) => status[s] !== undefined)) {
    throw vexInvalid(label, at('product_status'), `must list at least one of ${PROFILE_STATUSES.join(', ')}`);
  }
  checkContradictions(status, label, at('product_status'));
  const details = detailsOf(tree, v, vi, label, spend);
  // One list for every statement the vulnerability makes, shared, never copied per statement; charged once.
  spend(1 + ids.length);
  const aliases = otherIds(vulnerability, ids);
  const grouped = new Map<string, { statement: Omit<VexStatement, 'index'>; keys: Set<string> }>();
  const listed = new Set<string>();
  for (const [key, list] of Object.entries(status)) {
    const mapped = STATUS_OF[key];
    if (mapped === undefined || !Array.isArray(list)) continue;
    (list as string[]).forEach((id, k) => {
      const path = at('product_status', key, k);
      if (!tree.purls.has(id)) throw vexInvalid(label, path, `product id ${id} is not defined in the product tree`);
      // A product listed again under the same status says nothing more (§6.1.6 keeps it to one group of statuses).
      spend();
      if (listed.has(`${mapped} ${id}`)) return;
      listed.add(`${mapped} ${id}`);
      const d = details(id, mapped, path);
      const resolved = resolveProduct(tree, id);
      if (resolved === undefined) return;
      const { alone, ...product } = resolved;
      if (alone && !aloneHolds(product.purl, mapped, d.justification)) return;
      const { key: group, ...said } = d;
      let entry = grouped.get(group);
      if (entry === undefined) {
        const statement = { vulnerability, aliases, products: [], status: mapped, ...said, timestamp };
        grouped.set(group, (entry = { statement, keys: new Set() }));
      }
      const same = `${product.purl} ${product.subcomponents.join(' ')}`;
      if (!entry.keys.has(same)) {
        entry.keys.add(same);
        entry.statement.products.push(product);
      }
    });
  }
  return [...grouped.values()].map((g) => g.statement);
}

/** A CSAF 2.0 VEX document read into the model; VEX_INVALID, naming the field, where it breaks the profile. */
export function parseCsaf(json: unknown, label: string, now: Date): VexDocument {
  if (!isJsonObject(json) || !isJsonObject(json.document)) {
    throw vexInvalid(label, vexPath('document'), 'a CSAF document has a document object');
  }
  if (json.document.category !== 'csaf_vex') {
    throw vexInvalid(
      label,
      vexPath('document', 'category'),
      `${JSON.stringify(json.document.category)} is not csaf_vex: only CSAF documents of the VEX profile are VEX`,
    );
  }
  if (Array.isArray(json.vulnerabilities) && json.vulnerabilities.length > MAX_VEX_STATEMENTS) {
    throw vexInvalid(label, vexPath('vulnerabilities'), `more than ${MAX_VEX_STATEMENTS} vulnerabilities`);
  }
  if (isJsonObject(json.product_tree) && nestedDeeperThan(json.product_tree.branches, 'branches', MAX_VEX_DEPTH)) {
    throw vexInvalid(label, vexPath('product_tree', 'branches'), `nested deeper than ${MAX_VEX_DEPTH} levels`);
  }
  const parsed = safeParseBounded(csafSchema, json, { reportInput: true });
  if (!parsed.success) throw vexSchemaError(label, 'a CSAF 2.0 VEX document', parsed.error);
  const { document, product_tree, vulnerabilities } = parsed.data;
  const tracking = document.tracking;
  const at = (...rest: (string | number)[]) => vexPath('document', 'tracking', ...rest);
  if (tracking.status === 'draft')
    throw vexInvalid(
      label,
      at('status'),
      'a draft is not a published statement: apply the final (or interim) document',
    );
  checkVexTimestamp(label, at('initial_release_date'), tracking.initial_release_date, now);
  const timestamp = checkVexTimestamp(label, at('current_release_date'), tracking.current_release_date, now);
  tracking.revision_history.forEach((r, i) => checkVexTimestamp(label, at('revision_history', i, 'date'), r.date, now));

  const spend = parseBudget(label);
  const tree = productsOf(product_tree, label);
  const statements: VexStatement[] = [];
  const cves = new Set<string>();
  vulnerabilities.forEach((v, vi) => {
    if (v.cve !== undefined) {
      if (cves.has(v.cve)) {
        throw vexInvalid(label, vexPath('vulnerabilities', vi, 'cve'), `${v.cve} is listed twice (CSAF 2.0 §6.1.23)`);
      }
      cves.add(v.cve);
    }
    for (const s of vulnerabilityStatements(tree, v, vi, label, timestamp, spend)) {
      if (statements.length >= MAX_VEX_STATEMENTS) {
        throw vexInvalid(label, vexPath('vulnerabilities'), `makes more than ${MAX_VEX_STATEMENTS} statements`);
      }
      statements.push({ ...s, index: statements.length });
    }
  });
  return { format: 'csaf', id: tracking.id, author: document.publisher.name, timestamp, statements };
}
