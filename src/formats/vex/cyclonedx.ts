/**
 * CycloneDX VEX (https://cyclonedx.org/capabilities/vex/): the `vulnerabilities` of a CycloneDX 1.4 to 1.7 JSON BOM
 * whose `analysis` states their impact, read into the VEX model of `../findings.ts`. The fields read are checked by a
 * zod schema written from the CycloneDX JSON reference (https://cyclonedx.org/docs/1.6/json/): `bomFormat`,
 * `specVersion`, `serialNumber`, `metadata.timestamp`, `metadata.authors`, `metadata.component`, `components`
 * (recursive: `bom-ref`, `purl`, `components`) and `vulnerabilities[]` (`id`, `references[].id`, `analysis`,
 * `affects[].ref`). Anything else (ratings, advisories, properties, extensions) passes unchecked.
 *
 * - A vulnerability without `analysis.state` states nothing (an SBOM's scan results, say) and makes no statement.
 * - States map onto OpenVEX's: `resolved` and `resolved_with_pedigree` → fixed, `exploitable` → affected,
 *   `in_triage` → under_investigation, `not_affected` and `false_positive` → not_affected.
 * - Justifications map onto OpenVEX's: `code_not_present` → vulnerable_code_not_present, `code_not_reachable` →
 *   vulnerable_code_not_in_execute_path, `requires_configuration`, `requires_dependency` and `requires_environment` →
 *   vulnerable_code_cannot_be_controlled_by_adversary, `protected_by_compiler`, `protected_at_runtime`,
 *   `protected_at_perimeter` and `protected_by_mitigating_control` → inline_mitigations_already_exist. The impact
 *   statement is `analysis.detail`; without one, it names what the mapping loses (`false_positive`, the original
 *   justification).
 * - The action statement is `analysis.response` (`update`, `workaround_available`, …) followed by `analysis.detail`.
 * - `affects[].ref` is the bom-ref of a component of this BOM (`metadata.component` included), a purl, or a BOM-Link
 *   (`urn:cdx:<serial>/<version>#<bom-ref>`) into this very BOM (its serial number and its version). Refs that resolve
 *   to no purl are dropped, and a statement left with no product is dropped. A BOM that describes a product
 *   (`metadata.component` with a purl) speaks of its components inside that product: the statement's product is that
 *   purl with the components as subcomponents (a mitigation of the product does not travel with its components).
 * - An `affects[]` entry that lists `versions` is about those versions only: the ref's purl at each listed `version`
 *   whose `status` agrees with the analysis (`unaffected` for not_affected and resolved, any other, `affected` by
 *   default, for the rest); a `range` is not compared and names nothing. Two components with one bom-ref are refused,
 *   as the specification requires bom-refs to be unique.
 * - OpenVEX's rules hold for what is restated as OpenVEX: `not_affected` (and `false_positive`) needs a justification
 *   or a detail, `exploitable` a response or a detail.
 * - The timestamp is `analysis.lastUpdated`, else `analysis.firstIssued`, else `metadata.timestamp`; only the first two
 *   order the statement against others (`orderedAt`): the BOM's own date says nothing of when this analysis was made.
 */
import { appendAll } from '../../core/objects.js';
import { safeParseBounded } from '../../core/issues.js';
import { PackageURL } from 'packageurl-js';
import * as z from 'zod';
import { parsePurl } from '../purl.js';
import type { VexDocument, VexProduct, VexStatement, VexStatus } from '../findings.js';
import {
  MAX_VEX_DEPTH,
  MAX_VEX_STATEMENTS,
  checkVexTimestamp,
  isJsonObject,
  nestedDeeperThan,
  aloneHolds,
  otherIds,
  parseBudget,
  someText,
  vexInvalid,
  vexName,
  vexPath,
  vexSchemaError,
} from './openvex.js';

/** The CycloneDX versions whose vulnerabilities carry an `analysis`. */
const SPEC_VERSION = /^1\.[4-7]$/;

/** The part of a component read here, recursive. */
interface Component {
  'bom-ref'?: string | undefined;
  purl?: string | undefined;
  components?: Component[] | undefined;
}

const componentSchema: z.ZodType<Component> = z.lazy(() =>
  z.looseObject({
    'bom-ref': vexName.optional(),
    purl: vexName.optional(),
    components: z.array(componentSchema).optional(),
  }),
);

const CDX_STATES = [
  'resolved',
  'resolved_with_pedigree',
  'exploitable',
  'in_triage',
  'false_positive',
  'not_affected',
] as const;
type CdxState = (typeof CDX_STATES)[number];

const STATUS_OF: Record<CdxState, VexStatus> = {
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
  false_positive: 'not_affected',
  not_affected: 'not_affected',
};

const JUSTIFICATION_OF = {
  code_not_present: 'vulnerable_code_not_present',
  code_not_reachable: 'vulnerable_code_not_in_execute_path',
  requires_configuration: 'vulnerable_code_cannot_be_controlled_by_adversary',
  requires_dependency: 'vulnerable_code_cannot_be_controlled_by_adversary',
  requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_compiler: 'inline_mitigations_already_exist',
  protected_at_runtime: 'inline_mitigations_already_exist',
  protected_at_perimeter: 'inline_mitigations_already_exist',
  protected_by_mitigating_control: 'inline_mitigations_already_exist',
} as const;
type CdxJustification = keyof typeof JUSTIFICATION_OF;
const CDX_JUSTIFICATIONS = Object.keys(JUSTIFICATION_OF) as [CdxJustification, ...CdxJustification[]];

/** Justifications whose OpenVEX name says the same thing: nothing is lost in the mapping. */
const ONE_TO_ONE = new Set<CdxJustification>(['code_not_present', 'code_not_reachable']);

const analysisSchema = z.looseObject({
  state: z.enum(CDX_STATES).optional(),
  justification: z.enum(CDX_JUSTIFICATIONS).optional(),
  response: z.array(z.enum(['can_not_fix', 'will_not_fix', 'update', 'rollback', 'workaround_available'])).optional(),
  detail: z.string().optional(),
  firstIssued: vexName.optional(),
  lastUpdated: vexName.optional(),
});

const vulnerabilitySchema = z.looseObject({
  'bom-ref': vexName.optional(),
  id: vexName.optional(),
  references: z.array(z.looseObject({ id: vexName })).optional(),
  analysis: analysisSchema.optional(),
  affects: z
    .array(
      z.looseObject({
        ref: vexName,
        versions: z
          .array(
            z.looseObject({
              version: vexName.optional(),
              range: vexName.optional(),
              status: z.enum(['affected', 'unaffected', 'unknown']).optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});
type Vulnerability = z.infer<typeof vulnerabilitySchema>;

const bomSchema = z.looseObject({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string().regex(SPEC_VERSION, { message: 'must be a CycloneDX version from 1.4 to 1.7' }),
  serialNumber: vexName.optional(),
  version: z.number().int().min(1).optional(),
  metadata: z
    .looseObject({
      timestamp: vexName.optional(),
      authors: z.array(z.looseObject({ name: vexName.optional() })).optional(),
      component: componentSchema.optional(),
    })
    .optional(),
  components: z.array(componentSchema).optional(),
  vulnerabilities: z.array(vulnerabilitySchema).optional(),
});

/** bom-ref → purl of every component of the BOM that has both; VEX_INVALID when a bom-ref is given twice. */
function bomRefs(roots: Component[], label: string): Map<string, string> {
  const refs = new Map<string, string>();
  const seen = new Set<string>();
  const stack = [...roots];
  for (let c = stack.pop(); c !== undefined; c = stack.pop()) {
    const ref = c['bom-ref'];
    if (ref !== undefined) {
      // The specification requires bom-refs to be unique in a BOM: which of two a statement names is not known.
      if (seen.has(ref))
        throw vexInvalid(label, vexPath('components'), `bom-ref ${JSON.stringify(ref)} is given twice`);
      seen.add(ref);
      const purl = someText(c.purl);
      if (purl !== undefined) refs.set(ref, purl);
    }
    appendAll(stack, c.components ?? []);
  }
  return refs;
}

const BOM_LINK = /^urn:cdx:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/([1-9][0-9]*)#(.+)$/i;

/**
 * The purl an `affects[].ref` names, or undefined when it names none this BOM can tell: a bom-ref of this BOM, a
 * purl, or a BOM-Link into this very BOM (its serial number and its version: bom-refs may name other components in
 * other versions of a BOM).
 */
function resolveRef(
  ref: string,
  refs: Map<string, string>,
  bom: { serialNumber: string | undefined; version: number | undefined },
): string | undefined {
  const direct = refs.get(ref);
  if (direct !== undefined) return direct;
  if (ref.startsWith('pkg:')) return ref;
  const link = BOM_LINK.exec(ref);
  if (!link || bom.serialNumber?.toLowerCase() !== `urn:uuid:${link[1]}`.toLowerCase()) return undefined;
  if (Number(link[2]) !== bom.version) return undefined;
  try {
    return refs.get(decodeURIComponent(link[3] as string));
  } catch {
    return undefined;
  }
}

/**
 * The purls an `affects[]` entry's `versions` narrow its ref to: the ref at each listed version (the ref itself when it
 * names that version already). Ranges are not compared here, and a version other than the one a versioned ref names
 * is not that component: both name nothing, so the statement is never widened to versions it does not list. Only
 * versions whose `status` agrees with the statement are listed (`listed`): a version the BOM calls affected is not
 * one a not_affected or fixed analysis speaks of.
 */
function versionedPurls(
  purl: string,
  versions: { version?: string | undefined; range?: string | undefined; status?: string | undefined }[],
  listed: (status: string) => boolean,
  spend: (n?: number) => void,
) {
  const parsed = parsePurl(purl);
  if (parsed === undefined) return [];
  const out: string[] = [];
  for (const { version, range, status } of versions) {
    spend();
    if (range !== undefined || version === undefined || version === '' || !listed(status ?? 'affected')) continue;
    if (parsed.version) {
      if (parsed.version === version) out.push(purl);
      continue;
    }
    try {
      const built = new PackageURL(
        parsed.type,
        parsed.namespace,
        parsed.name,
        version,
        parsed.qualifiers,
        parsed.subpath,
      ).toString();
      // Each version makes a purl of its own (escaped, longer than the ref it comes from): its characters count.
      spend(Math.ceil(built.length / 8));
      out.push(built);
    } catch {
      // A version the purl cannot carry names nothing.
    }
  }
  return out;
}

/** The impact statement of a not_affected analysis: its detail, else what the mapping onto OpenVEX's names loses. */
function impactOf(state: CdxState, justification: CdxJustification | undefined, detail: string | undefined) {
  if (detail !== undefined) return detail;
  const lost: string[] = [];
  if (state === 'false_positive') lost.push('CycloneDX state false_positive');
  if (justification !== undefined && !ONE_TO_ONE.has(justification)) {
    lost.push(`CycloneDX justification ${justification}`);
  }
  return lost.length > 0 ? lost.join('; ') : undefined;
}

/** One vulnerability's statement, or undefined when it states nothing or names no product with a purl. */
function statementOf(
  v: Vulnerability,
  vi: number,
  label: string,
  now: Date,
  context: {
    refs: Map<string, string>;
    serialNumber: string | undefined;
    version: number | undefined;
    root: string | undefined;
    /** The BOM describes a product (`metadata.component`) that no purl names. */
    unnamedRoot: boolean;
    timestamp: string | undefined;
    /** The document's reading budget (parseBudget). */
    spend: (n?: number) => void;
  },
): Omit<VexStatement, 'index'> | undefined {
  const a = v.analysis;
  if (a?.state === undefined) return undefined;
  const at = (...rest: (string | number)[]) => vexPath('vulnerabilities', vi, ...rest);
  const vulnerability = someText(v.id);
  if (vulnerability === undefined) throw vexInvalid(label, at('id'), 'an analysed vulnerability must give its id');
  const lastUpdated = a.lastUpdated && checkVexTimestamp(label, at('analysis', 'lastUpdated'), a.lastUpdated, now);
  const firstIssued = a.firstIssued && checkVexTimestamp(label, at('analysis', 'firstIssued'), a.firstIssued, now);
  const status = STATUS_OF[a.state];
  // A version the BOM lists as unaffected is what a not_affected or fixed analysis speaks of; any other, the rest.
  const settles = status === 'not_affected' || status === 'fixed';
  const listed = (s: string) => (s === 'unaffected') === settles;
  const named = new Set<string>();
  for (const { ref, versions } of v.affects ?? []) {
    context.spend();
    const purl = resolveRef(ref, context.refs, context);
    if (purl === undefined) continue;
    const purls = versions && versions.length > 0 ? versionedPurls(purl, versions, listed, context.spend) : [purl];
    for (const p of purls) named.add(p);
  }
  const justification = status === 'not_affected' && a.justification ? JUSTIFICATION_OF[a.justification] : undefined;
  // A BOM about a product no purl names: its components stand alone only where the analysis is about the build.
  if (context.unnamedRoot) for (const p of named) if (!aloneHolds(p, status, justification)) named.delete(p);
  if (named.size === 0) return undefined;
  // A BOM about a product speaks of its components inside that product: what the analysis says (a mitigation of the
  // product, say) does not travel with the component to wherever else it ships.
  const root = context.root;
  const inside = [...named].filter((p) => p !== root);
  const products: VexProduct[] =
    root === undefined
      ? inside.map((purl) => ({ purl, subcomponents: [] }))
      : [
          ...(named.has(root) ? [{ purl: root, subcomponents: [] }] : []),
          ...(inside.length ? [{ purl: root, subcomponents: inside }] : []),
        ];
  const detail = someText(a.detail);
  const impactStatement = status === 'not_affected' ? impactOf(a.state, a.justification, detail) : undefined;
  const response = (a.response ?? []).join(', ');
  const actionStatement =
    status === 'affected'
      ? someText([response, detail].filter((t) => t !== undefined && t !== '').join(': '))
      : undefined;
  if (status === 'not_affected' && justification === undefined && impactStatement === undefined) {
    throw vexInvalid(label, at('analysis'), 'a not_affected analysis must give a justification or a detail');
  }
  if (status === 'affected' && actionStatement === undefined) {
    throw vexInvalid(label, at('analysis'), 'an exploitable analysis must give a response or a detail');
  }
  const timestamp = lastUpdated || firstIssued || context.timestamp;
  const orderedAt = lastUpdated || firstIssued;
  return {
    vulnerability,
    aliases: otherIds(
      vulnerability,
      (v.references ?? []).map((r) => r.id),
    ),
    products,
    status,
    ...(justification !== undefined && { justification }),
    ...(impactStatement !== undefined && { impactStatement }),
    ...(actionStatement !== undefined && { actionStatement }),
    ...(timestamp !== undefined && { timestamp }),
    ...(orderedAt ? { orderedAt } : {}),
  };
}

/** A CycloneDX BOM's VEX statements read into the model; VEX_INVALID, naming the field, where it breaks the format. */
export function parseCycloneDxVex(json: unknown, label: string, now: Date): VexDocument {
  if (!isJsonObject(json)) throw vexInvalid(label, '$', 'a CycloneDX BOM is a JSON object');
  if (Array.isArray(json.vulnerabilities) && json.vulnerabilities.length > MAX_VEX_STATEMENTS) {
    throw vexInvalid(label, vexPath('vulnerabilities'), `more than ${MAX_VEX_STATEMENTS} vulnerabilities`);
  }
  if (nestedDeeperThan(json.components, 'components', MAX_VEX_DEPTH)) {
    throw vexInvalid(label, vexPath('components'), `nested deeper than ${MAX_VEX_DEPTH} levels`);
  }
  const described = isJsonObject(json.metadata) ? json.metadata.component : undefined;
  if (nestedDeeperThan([described], 'components', MAX_VEX_DEPTH)) {
    throw vexInvalid(label, vexPath('metadata', 'component'), `nested deeper than ${MAX_VEX_DEPTH} levels`);
  }
  const parsed = safeParseBounded(bomSchema, json, { reportInput: true });
  if (!parsed.success) throw vexSchemaError(label, 'a CycloneDX 1.4-1.7 BOM', parsed.error);
  const bom = parsed.data;
  const metaTime = bom.metadata?.timestamp;
  const timestamp =
    metaTime === undefined ? undefined : checkVexTimestamp(label, vexPath('metadata', 'timestamp'), metaTime, now);
  const component = bom.metadata?.component;
  const refs = bomRefs([...(component ? [component] : []), ...(bom.components ?? [])], label);
  const context = {
    refs,
    serialNumber: bom.serialNumber,
    version: bom.version,
    root: someText(component?.purl),
    unnamedRoot: component !== undefined && someText(component.purl) === undefined,
    timestamp,
    spend: parseBudget(label),
  };
  const statements: VexStatement[] = [];
  (bom.vulnerabilities ?? []).forEach((v, vi) => {
    const s = statementOf(v, vi, label, now, context);
    if (s) statements.push({ ...s, index: statements.length });
  });
  const authors = (bom.metadata?.authors ?? []).map((a) => someText(a.name)).filter((n) => n !== undefined);
  return {
    format: 'cyclonedx',
    id: someText(bom.serialNumber) ?? label,
    ...(authors.length > 0 && { author: authors.join(', ') }),
    ...(timestamp !== undefined && { timestamp }),
    statements,
  };
}
