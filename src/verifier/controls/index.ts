import type { Policy } from '../policy/schema.js';
import { HOLLOW_WHY } from '../policy/hollow.js';
import type { PolicyResult } from '../policy-result.js';
import { CATALOGS, type ControlCatalog } from './catalogs.js';
import { needsOf, SIGNATURE_KIND } from './needs.js';

export { CONTROL_NEEDS, needsOf, SIGNATURE_KIND, type ControlNeed } from './needs.js';

export { CATALOGS, type ControlCatalog };

/** What a control id cited in a policy is. */
export type ControlLookup =
  | {
      known: true;
      id: string;
      catalog: ControlCatalog;
      control: { id: string; title: string };
      /** The cited task of the control, when one was cited (SSDF-PS.2.1). */ task?: string;
    }
  /**
   * A prefix of a shipped catalog: `typo` when the id is in the range the catalog lists in full but not listed
   * (refused); else a control we ship no title for.
   */
  | { known: false; id: string; catalog: ControlCatalog; typo: boolean; suggestion?: string }
  /** A control of the policy's own (no shipped catalog's prefix): shown as written. */
  | { known: false; id: string; catalog?: undefined };

export function lookupControl(id: string): ControlLookup {
  const dash = id.indexOf('-');
  const prefix = dash > 0 ? id.slice(0, dash) : '';
  const catalog = CATALOGS.find((c) => c.prefix.toUpperCase() === prefix.toUpperCase());
  if (!catalog) return { known: false, id };
  const rest = id.slice(dash + 1);
  // A shipped prefix written in another case is a typo, whatever follows.
  if (prefix !== catalog.prefix)
    return { known: false, id, catalog, typo: true, suggestion: `${catalog.prefix}-${rest}` };
  const exact = catalog.controls.find((c) => c.id === rest);
  if (exact) return { known: true, id, catalog, control: exact };
  if (catalog.tasks) {
    const parent = catalog.controls.find(
      (c) => rest.startsWith(`${c.id}.`) && /^\d{1,2}$/.test(rest.slice(c.id.length + 1)),
    );
    if (parent) return { known: true, id, catalog, control: parent, task: rest };
  }
  // A listed id written in another case or punctuation (SOC2-cc8.1, ISO27001-A8.32) is a typo too.
  const loose = (x: string): string => x.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const near = catalog.controls.find((c) => loose(c.id) === loose(rest));
  if (near) return { known: false, id, catalog, typo: true, suggestion: `${catalog.prefix}-${near.id}` };
  return { known: false, id, catalog, typo: catalog.scope.test(rest) };
}

/** Control ids as OSCAL and the reports need them: a token (letters, digits, `.`, `-`, `_`). */
export const CONTROL_ID = /^[A-Za-z_][A-Za-z0-9._-]{0,127}$/;

/** Where in a policy a control is cited: what evidence a requirement, rule or cross-check of it reads. */
export interface ControlCitation {
  type: 'requirement' | 'rule' | 'cross-check';
  /** The requirement's kind, the rule's or the cross-check's name. */
  name: string;
  /** The evidence kinds it reads. */
  kinds: string[];
}

export interface ControlCoverage {
  id: string;
  title?: string;
  catalog?: ControlCatalog['id'];
  citations: ControlCitation[];
  /** Every evidence kind the citations read, sorted. */
  kinds: string[];
}

const CROSS_CHECK_KINDS: Record<string, string[]> = {
  'sbom-version': ['sbom'],
  'sarif-commit': ['sarif'],
  'junit-commit': ['junit'],
};

/** The evidence kinds a rule's expression reads: the policy's list names it mentions. */
export function kindsOfExpression(expr: string, kinds: readonly string[]): string[] {
  const words = new Set(expr.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
  return kinds.filter((k) => words.has(k));
}

/** Every control a policy cites, with what covers it; sorted by catalog order, then the policy's own. */
export function controlCoverage(policy: Policy, kinds: readonly string[]): ControlCoverage[] {
  const by = new Map<string, ControlCitation[]>();
  const cite = (ids: readonly string[], c: ControlCitation): void => {
    for (const id of new Set(ids)) by.set(id, [...(by.get(id) ?? []), c]);
  };
  for (const r of policy.require) cite(r.controls, { type: 'requirement', name: r.kind, kinds: [r.kind] });
  for (const r of policy.rules)
    cite(r.controls, { type: 'rule', name: r.name, kinds: kindsOfExpression(r.expr, kinds) });
  for (const c of policy.crossChecks) {
    if (typeof c === 'string') continue;
    cite(c.controls, { type: 'cross-check', name: c.name, kinds: CROSS_CHECK_KINDS[c.name] ?? [] });
  }
  return [...by.entries()]
    .map(([id, citations]) => {
      const found = lookupControl(id);
      return {
        id,
        ...(found.known ? { title: found.control.title + (found.task ? ` (task ${found.task})` : '') } : {}),
        ...(found.catalog ? { catalog: found.catalog.id } : {}),
        citations,
        kinds: [...new Set(citations.flatMap((c) => c.kinds))].sort(),
      };
    })
    .sort(compareControls);
}

function catalogRank(c: { catalog?: string }): number {
  const i = CATALOGS.findIndex((x) => x.id === c.catalog);
  return i === -1 ? CATALOGS.length : i;
}

export function compareControls(a: { id: string; catalog?: string }, b: { id: string; catalog?: string }): number {
  return catalogRank(a) - catalogRank(b) || a.id.localeCompare(b.id, 'en', { numeric: true });
}

/**
 * How a control fared in one evaluation, never more than its evidence shows:
 * - `held`: everything citing it passed on evidence the bundle holds, and
 *   everything the catalog says it needs at least was shown;
 * - `waived`: as `held`, but a failing rule citing it was waived;
 * - `partly-shown`: something passed on evidence, but a need is not shown, or
 *   a rule citing it ranged over an empty list, or a cross-check did not apply;
 * - `not-shown`: nothing citing it passed on evidence (no evidence);
 * - `failed`: something citing it failed.
 */
export type ControlState = 'held' | 'waived' | 'partly-shown' | 'not-shown' | 'failed';

/**
 * What one requirement, rule or cross-check citing a control showed: evidence, evidence of some of the kinds it reads,
 * or nothing.
 */
export type ItemShows = 'evidence' | 'partial' | 'nothing';

export interface ControlResult {
  id: string;
  title?: string;
  catalog?: ControlCatalog['id'];
  state: ControlState;
  /** What cites it and how each fared. */
  items: { type: ControlCitation['type']; name: string; status: string; message: string; shows: ItemShows }[];
  /** What the control needs that this evaluation did not show, each in a sentence (empty when held). */
  missing: string[];
}

type Item = ControlResult['items'][number];

function requirementShows(r: PolicyResult['requirements'][number]): {
  shows: ItemShows;
  kinds: string[];
  why?: string;
} {
  if (r.status !== 'pass') return { shows: 'nothing', kinds: [] };
  if (r.count === 0) return { shows: 'nothing', kinds: [], why: `no ${r.kind} evidence` };
  // Entries that are there but hold nothing (a test report without tests) show nothing.
  const empty = r.empty ?? 0;
  if (empty === 0) return { shows: 'evidence', kinds: [r.kind] };
  const why = hollowWhy(r.kind, empty, r.count);
  return empty >= r.count ? { shows: 'nothing', kinds: [], why } : { shows: 'partial', kinds: [r.kind], why };
}

/** Why entries of a kind that hold nothing to judge show nothing, in a sentence's words. */
function hollowWhy(kind: string, empty: number, count: number): string {
  const what = HOLLOW_WHY[kind] ?? `an empty ${kind} entry`;
  return empty >= count
    ? `its ${kind} evidence holds nothing (${what})`
    : `${empty} of its ${count} ${kind} entries hold nothing (${what})`;
}

function ruleShows(r: PolicyResult['rules'][number]): { shows: ItemShows; kinds: string[]; why?: string } {
  if (r.status !== 'pass') return { shows: 'nothing', kinds: [] };
  const reads = Array.isArray(r.reads) ? r.reads : undefined;
  // A report without what the rule read (from before 0.2) cannot show evidence.
  if (!reads) return { shows: 'nothing', kinds: [], why: 'what it read is not recorded' };
  // Each evidence list the rule read shows evidence, part of it, or nothing; so does a list inside its entries (a
  // licence list, the SLOs), which counts for the evidence list it belongs to.
  const byKind = new Map<string, ItemShows>();
  const emptyKinds: string[] = [];
  const whys: string[] = [];
  for (const x of reads) {
    const kind = x.kind.split('.')[0] as string;
    let shows: ItemShows;
    if (x.kind === kind) {
      const hollow = x.empty ?? 0;
      shows = x.count === 0 || hollow >= x.count ? 'nothing' : hollow > 0 ? 'partial' : 'evidence';
      if (x.count === 0) emptyKinds.push(kind);
      else if (hollow > 0) whys.push(hollowWhy(kind, hollow, x.count));
    } else {
      const inner = x.kind.slice(kind.length + 1);
      const empty = x.empty ?? 0;
      shows = x.count === 0 ? 'nothing' : empty > 0 ? 'partial' : 'evidence';
      if (x.count === 0) whys.push(`it found no ${inner} in the ${kind} evidence it read`);
      else if (empty > 0) whys.push(`${empty} of the ${x.lists ?? empty} ${kind} items it read list no ${inner}`);
    }
    byKind.set(kind, worse(byKind.get(kind), shows));
  }
  if (emptyKinds.length) whys.unshift(`it ranged over no ${emptyKinds.join(' or ')} evidence`);
  const states = [...byKind.values()];
  const kinds = [...byKind.entries()].filter(([, s]) => s !== 'nothing').map(([k]) => k);
  // A rule that reads no evidence list (`true`, or the manifest alone) shows nothing for its controls.
  if (states.length === 0) return { shows: 'nothing', kinds: [], why: 'it reads no evidence list' };
  if (states.every((s) => s === 'evidence')) return { shows: 'evidence', kinds };
  const why = whys.join('; ');
  return kinds.length ? { shows: 'partial', kinds, why } : { shows: 'nothing', kinds: [], why };
}

/** The less of two: nothing < partial < evidence. */
function worse(a: ItemShows | undefined, b: ItemShows): ItemShows {
  if (a === undefined) return b;
  if (a === 'nothing' || b === 'nothing') return 'nothing';
  return a === 'partial' || b === 'partial' ? 'partial' : 'evidence';
}

const CROSS_CHECK_READS: Record<string, string> = {
  'sbom-version': 'sbom',
  'sarif-commit': 'sarif',
  'junit-commit': 'junit',
  'changes-commit': 'changes',
  'changes-rules-time': 'changes',
};

function crossCheckShows(c: PolicyResult['crossChecks'][number]): { shows: ItemShows; kinds: string[]; why?: string } {
  if (c.status === 'pass')
    return { shows: 'evidence', kinds: CROSS_CHECK_READS[c.name] ? [CROSS_CHECK_READS[c.name] as string] : [] };
  return {
    shows: 'nothing',
    kinds: [],
    ...(c.status === 'not-applicable' ? { why: `not applicable: ${c.message}` } : {}),
    ...(c.status === 'not-checked' ? { why: `not checked: ${c.message}` } : {}),
  };
}

/**
 * The controls of one policy evaluation: each control's items (requirements,
 * rules, cross-checks citing it), what they showed, what the control needs
 * that was not shown, and its state (see ControlState).
 */
export function controlResults(result: PolicyResult): ControlResult[] {
  const by = new Map<string, { item: Item; kinds: string[]; why?: string }[]>();
  const add = (
    ids: readonly string[] | undefined,
    item: Omit<Item, 'shows'>,
    s: { shows: ItemShows; kinds: string[]; why?: string },
  ): void => {
    for (const id of new Set(Array.isArray(ids) ? ids.map(String) : []))
      by.set(id, [
        ...(by.get(id) ?? []),
        { item: { ...item, shows: s.shows }, kinds: s.kinds, ...(s.why ? { why: s.why } : {}) },
      ]);
  };
  for (const r of result.requirements)
    add(r.controls, { type: 'requirement', name: r.kind, status: r.status, message: r.message }, requirementShows(r));
  for (const r of result.rules)
    add(r.controls, { type: 'rule', name: r.name, status: r.status, message: r.message }, ruleShows(r));
  for (const c of result.crossChecks)
    add(c.controls, { type: 'cross-check', name: c.name, status: c.status, message: c.message }, crossCheckShows(c));
  const signed = result.evidence?.signed === true;
  return [...by.entries()]
    .map(([id, cited]): ControlResult => {
      const found = lookupControl(id);
      const items = cited.map((c) => c.item);
      const missing = cited
        .filter((c) => c.why && c.item.shows !== 'evidence')
        .map((c) => `${c.item.type} ${c.item.name}: ${c.why}`);
      const shown = new Set(cited.flatMap((c) => c.kinds));
      if (signed) shown.add(SIGNATURE_KIND);
      const needs = found.known ? (needsOf(found.catalog.prefix, found.control.id) ?? []) : [];
      for (const n of needs) {
        if (n.kinds.some((k) => shown.has(k))) continue;
        missing.push(
          n.kinds.length
            ? `needs ${n.what} (${n.kinds.join(' or ')}), not shown (${n.basis})`
            : `needs ${n.what}, which release evidence cannot show (${n.basis})`,
        );
      }
      const failed = items.some((i) => i.status === 'fail' || i.status === 'error');
      const waived = items.some((i) => i.status === 'waived');
      const anyShown = items.some((i) => i.shows !== 'nothing');
      const state: ControlState = failed
        ? 'failed'
        : !anyShown && !waived
          ? 'not-shown'
          : missing.length
            ? 'partly-shown'
            : waived
              ? 'waived'
              : 'held';
      return {
        id,
        ...(found.known ? { title: found.control.title } : {}),
        ...(found.catalog ? { catalog: found.catalog.id } : {}),
        state,
        items,
        missing: state === 'failed' ? [] : missing,
      };
    })
    .sort(compareControls);
}

/** How each state reads in reports. */
export const CONTROL_STATE_WORDS: Record<ControlState, string> = {
  held: 'held',
  waived: 'held under a waiver',
  'partly-shown': 'partly shown',
  'not-shown': 'not shown (no evidence)',
  failed: 'failed',
};

/**
 * What a policy's requirements, rules and cross-checks showed, each as its controls count it (requirementShows,
 * ruleShows, crossCheckShows): those that showed nothing (a rule over an empty list, a requirement met by empty
 * entries, a cross-check with nothing to compare, a waived rule), with why. A policy whose every item shows nothing
 * holds and shows nothing (docs/policy.md); its signer rules are not among the items.
 */
export function policyShown(result: PolicyResult): {
  items: number;
  nothing: { type: Item['type']; name: string; why?: string }[];
} {
  const all: { type: Item['type']; name: string; s: { shows: ItemShows; why?: string } }[] = [
    ...result.requirements.map((r) => ({ type: 'requirement' as const, name: r.kind, s: requirementShows(r) })),
    // A waived rule did not hold: it shows nothing, and says so. Said here, not in ruleShows: a control counts a waived
    // rule in a state of its own (held under a waiver, ControlState) and lists it nowhere as missing, whereas a why
    // from ruleShows would list it as missing and leave every control a waiver touches partly shown.
    ...result.rules.map((r) => ({
      type: 'rule' as const,
      name: r.name,
      s: r.status === 'pass' ? ruleShows(r) : { shows: 'nothing' as const, why: `${r.status}: ${r.message}` },
    })),
    ...result.crossChecks.map((c) => ({ type: 'cross-check' as const, name: c.name, s: crossCheckShows(c) })),
  ];
  return {
    items: all.length,
    nothing: all
      .filter((x) => x.s.shows === 'nothing')
      .map((x) => ({ type: x.type, name: x.name, ...(x.s.why ? { why: x.s.why } : {}) })),
  };
}
