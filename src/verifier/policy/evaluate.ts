import { maxOf } from '../../core/objects.js';
import { celError, isCelError, parse, type CelResult } from '@bufbuild/cel';
import { parseYamlDocument } from '../../formats/yaml.js';
import { digestHex, sha256Hex } from '../../core/digest.js';
import { readSbom } from '../../formats/sbom.js';
import { attr, children, parseXml, type XmlNode } from '../../formats/xml.js';
import { durationSeconds } from '../../formats/time.js';
import { endBound, parseRfc3339 } from '../../core/time.js';
import { zodIssues, safeParseBounded } from '../../core/issues.js';
import type { Manifest } from '../../core/manifest.js';
import { HOST_CHANGE_FACTS, entryKind, summariesOf } from '../../core/summaries.js';
import { anchored, matchesSigner } from '../identity-policy.js';
import type { CrossCheckResult, PolicyResult, RequirementResult, RuleResult } from '../policy-result.js';
import { PolicyError } from './errors.js';
import { CONTROL_ID, kindsOfExpression, lookupControl } from '../controls/index.js';
import { CHANGE_APPROVALS_KIND } from '../controls/needs.js';
import { Meter, meteredBindings, meteredEnv, meteredProgram } from './metered.js';
import { releaseFindings } from '../vulnerability-check.js';
import type { ReleaseFinding } from '../../formats/vulnerability-evidence.js';
import { policySchema, type Policy } from './schema.js';
import { HOLLOW_WHY, hollowCounts } from './hollow.js';

/** The lists a rule can read, one per evidence kind, named after it (docs/policy.md). */
export const POLICY_KINDS = [
  'sbom',
  'sarif',
  'junit',
  'coverage',
  'k6',
  'terraform',
  'migrations',
  'dora',
  'slo',
  'attestation',
  'changes',
  'vulns',
  'scan',
  'vex',
  'kev',
  'file',
] as const;

type CrossCheckName = Extract<Policy['crossChecks'][number], string>;

export interface LoadedPolicy {
  policy: Policy;
  path: string;
  digest: string;
}

/** Parses and checks a policy (YAML or JSON): every rule must compile, every waiver name a rule. */
/** A policy is a short document a person writes; anything larger is refused before it is parsed (exit 2). */
export const MAX_POLICY_BYTES = 1024 * 1024;
export const MAX_POLICY_RULES = 2000;

export function loadPolicy(bytes: Buffer, path: string): LoadedPolicy {
  if (bytes.length > MAX_POLICY_BYTES)
    throw new PolicyError(
      'POLICY_TOO_LARGE',
      `${path}: ${bytes.length} bytes; a policy may have at most ${MAX_POLICY_BYTES}`,
      { path },
    );
  let raw: unknown;
  try {
    raw = parseYamlDocument(bytes.toString('utf8'));
  } catch (e) {
    throw new PolicyError(
      'POLICY_INVALID',
      `${path}: not valid YAML or JSON (${(e as Error).message.split('\n')[0]})`,
      { path },
    );
  }
  const parsed = safeParseBounded(policySchema, raw);
  if (!parsed.success)
    throw new PolicyError('POLICY_INVALID', `${path}: not a valid policy`, { path, issues: zodIssues(parsed.error) });
  const policy = parsed.data;
  if (policy.rules.length > MAX_POLICY_RULES)
    throw new PolicyError(
      'POLICY_TOO_LARGE',
      `${path}: ${policy.rules.length} rules; a policy may have at most ${MAX_POLICY_RULES}`,
      { path },
    );
  const names = new Set<string>();
  for (const rule of policy.rules) {
    if (names.has(rule.name))
      throw new PolicyError('POLICY_INVALID', `${path}: two rules are named '${rule.name}'`, { path });
    names.add(rule.name);
    try {
      parse(rule.expr);
    } catch (e) {
      throw new PolicyError(
        'POLICY_RULE_INVALID',
        `${path}: rule '${rule.name}' does not compile: ${(e as Error).message}`,
        { path },
      );
    }
  }
  for (const w of policy.waivers) {
    if (!names.has(w.rule))
      throw new PolicyError(
        'POLICY_INVALID',
        `${path}: a waiver names the rule '${w.rule}', which the policy does not have`,
        { path },
      );
  }
  for (const id of citedControls(policy)) {
    const found = lookupControl(id);
    if (!CONTROL_ID.test(id))
      throw new PolicyError(
        'POLICY_INVALID',
        `${path}: control '${id}' is not an identifier (letters, digits, '.', '-' and '_', starting with a letter or '_'; docs/audit.md)`,
        { path },
      );
    if (!found.known && found.catalog && found.typo) {
      throw new PolicyError(
        'POLICY_INVALID',
        `${path}: control '${id}' is not in the ${found.catalog.title} catalog${found.suggestion ? ` (did you mean '${found.suggestion}'?)` : ''} (docs/audit.md lists its ids)`,
        { path },
      );
    }
  }
  for (const i of policy.identity ?? []) {
    for (const re of [i.issuerRegexp, i.subjectRegexp]) {
      if (re === undefined) continue;
      try {
        anchored(re);
      } catch (e) {
        throw new PolicyError(
          'POLICY_INVALID',
          `${path}: identity regexp '${re}' does not compile (${(e as Error).message})`,
          { path },
        );
      }
    }
  }
  return { policy, path, digest: `sha256:${sha256Hex(bytes)}` };
}

export interface PolicyContext {
  manifest: Manifest;
  /** Blobs kept in memory for the cross-checks, by hex. */
  blobs: ReadonlyMap<string, Buffer>;
  mode: 'integrity-only' | 'signed';
  /** The verified certificate signer, if any. */
  signer?: { identity: string; issuer: string };
  /** Waivers expire by this clock. */
  now: Date;
}

/** How much a policy may spend (docs/policy.md, "Limits"). */
export interface PolicyLimits {
  /** List elements one rule may visit; default DEFAULT_RULE_COST. */
  ruleCost?: number;
  /** Milliseconds the whole policy may take; default DEFAULT_POLICY_TIME_MS. */
  timeMs?: number;
  /** Milliseconds now (tests). */
  clock?: () => number;
}

/** How far from the bundle's creation the branch rules may have been read (changes-rules-time). */
export const RULES_TIME_TOLERANCE_MS = 24 * 3600 * 1000;
export const DEFAULT_RULE_COST = 1_000_000;
export const DEFAULT_POLICY_TIME_MS = 10_000;

export function evaluatePolicy(loaded: LoadedPolicy, ctx: PolicyContext, limits: PolicyLimits = {}): PolicyResult {
  const { policy } = loaded;
  const clock = limits.clock ?? (() => performance.now());
  const meter = new Meter(clock() + (limits.timeMs ?? DEFAULT_POLICY_TIME_MS), clock);
  // Entries that are there but hold nothing to judge (a test report without tests): they show nothing for controls.
  const hollow = hollowCounts(ctx.manifest);
  const requirements = policy.require.map((r) => withHollow(checkRequirement(r, ctx.manifest), hollow));
  // Built once for all rules, with every list metered.
  const bindings = meteredBindings(celBindings(ctx.manifest, ctx.blobs), meter);
  // Every comprehension of every rule iterates a metered list, the lists a rule writes itself included.
  const env = meteredEnv(meter);
  const evaluate = (expr: string): CelResult => {
    try {
      return meteredProgram(env, expr)(bindings);
    } catch (e) {
      return celError(e);
    }
  };
  // Counted once: every rule records what it read against the same counts the report states.
  const counts = kindCounts(ctx.manifest);
  // A rule over `changes` reads the changes, not the entries that hold them: zero changes is no evidence.
  const changes = changeList(ctx.manifest);
  const readCounts = {
    ...counts,
    changes: changes.length,
    // A rule over `vulns` reads the findings of the scans: no findings from a scan is evidence, no scan (or a
    // findings document that could not be held) is none.
    vulns: releaseFindingsRead(ctx.manifest, ctx.blobs) ? (counts.scan ?? 0) : 0,
    [CHANGE_APPROVALS_KIND]: summariesOf(ctx.manifest.entries, 'changes')
      .flatMap((s) => s.summary.changes)
      .filter((c) => c.approvedByOther !== null).length,
  };
  const rules = policy.rules.map((rule) =>
    evaluateRule(
      rule,
      policy,
      ctx,
      loaded.path,
      evaluate,
      meter,
      limits.ruleCost ?? DEFAULT_RULE_COST,
      readCounts,
      hollow,
    ),
  );
  const crossChecks = policy.crossChecks
    .map((c) => (typeof c === 'string' ? { name: c, controls: [] } : c))
    .map((c) => ({ ...crossCheck(c.name, ctx), controls: c.controls }));
  const identity = checkPolicyIdentity(policy, ctx);
  const ok =
    requirements.every((r) => r.status === 'pass') &&
    rules.every((r) => r.status === 'pass' || r.status === 'waived') &&
    // A cross-check that could not be made does not hold: the policy asked for it.
    crossChecks.every((c) => c.status === 'pass' || c.status === 'not-applicable') &&
    identity.status !== 'fail';
  const evidence = { kinds: counts, signed: ctx.mode === 'signed' };
  return {
    ok,
    policy: { path: loaded.path, digest: loaded.digest },
    evaluatedAt: ctx.now.toISOString(),
    requirements,
    rules,
    crossChecks,
    identity,
    evidence,
  };
}

/** Entries per kind, and per CEL list (`file` gathers what the file collector took). */
function kindCounts(manifest: Manifest): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of manifest.entries) {
    const kind = entryKind(e);
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (e.collector.name === 'file' && kind !== 'file') counts.file = (counts.file ?? 0) + 1;
  }
  return counts;
}

/** A maxAge the schema already checked (`12h`, `7d`). */
function seconds(d: string): number {
  return durationSeconds(d) ?? Number.NaN;
}

function checkRequirement(r: Policy['require'][number], manifest: Manifest): RequirementResult {
  const entries = manifest.entries.filter((e) => entryKind(e) === r.kind);
  const min = r.min ?? 1;
  const base = { kind: r.kind, count: entries.length, ...(r.maxAge ? { maxAge: r.maxAge } : {}), controls: r.controls };
  if (entries.length < min)
    return {
      ...base,
      status: 'fail',
      message: `${entries.length} ${r.kind} entr${entries.length === 1 ? 'y' : 'ies'}; at least ${min} required`,
    };
  if (r.conformant) {
    for (const { entry: e, summary } of summariesOf(entries, 'sbom')) {
      const c = summary.conformance;
      if (c) {
        const first = c.findings[0];
        return {
          ...base,
          status: 'fail',
          message: `${e.path} deviates from its specification in ${c.count} place${c.count === 1 ? '' : 's'}${first ? `, first ${first.path}: ${JSON.stringify(first.value)}` : ''}; strict conformance is required`,
        };
      }
    }
  }
  if (r.maxAge) {
    const created = parseRfc3339(manifest.created) ?? Number.NaN;
    const limit = seconds(r.maxAge);
    for (const e of entries) {
      const asOf = typeof e.summary.asOf === 'string' ? (parseRfc3339(e.summary.asOf) ?? Number.NaN) : Number.NaN;
      if (Number.isNaN(asOf))
        return {
          ...base,
          status: 'fail',
          message: `${e.path} states no time (asOf), so its age cannot be checked against maxAge ${r.maxAge}`,
        };
      const age = (created - asOf) / 1000;
      if (age > limit)
        return {
          ...base,
          status: 'fail',
          message: `${e.path} was taken ${formatAge(age)} before the bundle was created; at most ${r.maxAge} allowed`,
        };
    }
    return {
      ...base,
      status: 'pass',
      message: `${entries.length} present, each at most ${r.maxAge} older than the bundle`,
    };
  }
  return { ...base, status: 'pass', message: `${entries.length} present` };
}

/** A requirement met by entries of which some hold nothing to judge: how many, said in its message. */
function withHollow(r: RequirementResult, hollow: Readonly<Record<string, number>>): RequirementResult {
  const empty = hollow[r.kind];
  if (!empty || r.status !== 'pass') return r;
  return { ...r, empty, message: `${r.message}; ${empty} of them hold nothing (${HOLLOW_WHY[r.kind] ?? r.kind})` };
}

function formatAge(s: number): string {
  return s >= 86400 ? `${(s / 86400).toFixed(1)} d` : s >= 3600 ? `${(s / 3600).toFixed(1)} h` : `${Math.round(s)} s`;
}

/**
 * Every change of every `changes` entry, as a rule reads it: a fact that was not checked (null in the summary: what
 * only the code host can show, when it was not asked) reads as false, so a rule that requires it fails rather than
 * passes or breaks (docs/changes.md).
 */
export function changeList(manifest: Manifest): Record<string, unknown>[] {
  return summariesOf(manifest.entries, 'changes').flatMap(({ entry, summary }) =>
    summary.changes.map((c) => ({
      ...Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v === null && k !== 'pullRequest' ? false : v])),
      // Whether a code host was asked: a rule that relies on a host fact (`!c.directPush`) should require it.
      hostChecked: summary.host !== undefined,
      path: entry.path,
    })),
  );
}

/**
 * The CEL variables: `manifest`, and one list per kind of that kind's entry summaries (with `path`); `changes` lists
 * the changes themselves (changeList).
 */
export function celBindings(manifest: Manifest, blobs?: ReadonlyMap<string, Buffer>): Record<string, unknown> {
  const lists: Record<string, unknown[]> = Object.fromEntries(POLICY_KINDS.map((k) => [k, []]));
  lists.changes = changeList(manifest);
  lists.vulns = blobs ? releaseFindings(manifest, blobs).map(celFinding) : [];
  for (const e of manifest.entries) {
    if ((e.kind === 'changes' || e.kind === 'vulnerabilities') && e.collector.name !== 'file') continue;
    const key = e.collector.name === 'file' ? 'file' : e.kind;
    (lists[key] ??= []).push(
      e.collector.name === 'file'
        ? { path: e.path, kind: e.kind, mediaType: e.mediaType, digest: e.digest, size: e.size }
        : { ...e.summary, path: e.path },
    );
  }
  return { manifest: JSON.parse(JSON.stringify(manifest)) as unknown, ...lists };
}

/** Whether the bundle's findings were read (its vulnerabilities entry's blob was at hand). */
function releaseFindingsRead(manifest: Manifest, blobs: ReadonlyMap<string, Buffer>): boolean {
  const entry = manifest.entries.find((e) => entryKind(e) === 'vulnerabilities');
  return entry !== undefined && blobs.has(digestHex(entry.digest));
}

/**
 * A finding as a CEL rule reads it (docs/policy.md, `vulns`): every field present, so a rule never trips on a missing
 * key; `status` is `none` where no VEX statement covers the finding, `cvss` the highest score given (0 if none).
 */
function celFinding(f: ReleaseFinding): Record<string, unknown> {
  return {
    id: f.id,
    aliases: f.aliases,
    ids: [f.id, ...f.aliases],
    purl: f.purl ?? '',
    package: f.package?.name ?? '',
    version: f.package?.version ?? '',
    ecosystem: f.package?.ecosystem ?? '',
    severity: f.severity,
    cvss: maxOf([0, ...f.cvss.map((c) => c.score ?? 0)]),
    fixVersions: f.fixVersions,
    fixAvailable: f.fixVersions.length > 0,
    status: f.status ?? 'none',
    justification: f.justification ?? '',
    impactStatement: f.impactStatement ?? '',
    actionStatement: f.actionStatement ?? '',
    statusFrom: f.statusFrom?.path ?? '',
    statusAuthor: f.statusFrom?.author ?? '',
    statusTimestamp: f.statusTimestamp ?? '',
    conflicts: (f.conflicts ?? []).map((c) => c.status),
    knownExploited: f.knownExploited,
    kevDateAdded: f.kev?.dateAdded ?? '',
    scanners: [...new Set(f.sources.map((x) => x.scanner))],
    title: f.title ?? '',
  };
}

const HOST_FACT_NAME = new RegExp(`\\b(${HOST_CHANGE_FACTS.join('|')})\\b`);

function evaluateRule(
  rule: Policy['rules'][number],
  policy: Policy,
  ctx: PolicyContext,
  path: string,
  evaluate: (expr: string) => CelResult,
  meter: Meter,
  budget: number,
  counts: Readonly<Record<string, number>>,
  hollow: Readonly<Record<string, number>>,
): RuleResult {
  const kinds: string[] = kindsOfExpression(rule.expr, POLICY_KINDS);
  // A rule that reads a fact only a code host records (approvals, checks, direct pushes) reads the changes a host was
  // asked about: none, for changes from git alone, so such a rule shows nothing there whatever it yields.
  if (kinds.includes('changes') && HOST_FACT_NAME.test(rule.expr)) kinds.push(CHANGE_APPROVALS_KIND);
  // A rule about known exploitation reads the KEV catalog too: without one, no finding is shown not to be exploited.
  if (kinds.includes('vulns') && /\b(knownExploited|kevDateAdded)\b/.test(rule.expr) && !kinds.includes('kev'))
    kinds.push('kev');
  const reads = kinds.map((kind) => ({
    kind,
    count: counts[kind] ?? 0,
    ...(hollow[kind] ? { empty: hollow[kind] } : {}),
  }));
  const base: Pick<RuleResult, 'name' | 'expr' | 'controls' | 'reads'> = {
    name: rule.name,
    expr: rule.expr,
    controls: rule.controls,
    reads,
  };
  const timedOut = (): RuleResult => ({
    ...base,
    status: 'error',
    code: 'POLICY_TIME_EXCEEDED',
    message: 'not evaluated to the end: the policy ran out of time (--policy-timeout)',
  });
  if (meter.overDeadline()) return timedOut();
  meter.start(budget);
  const value = evaluate(rule.expr);
  // What it read inside the entries, as it ran: a list of licences or SLOs it ranged over may have been empty.
  base.reads = [...reads, ...meter.innerReads()];
  if (meter.stopped === 'cost')
    return {
      ...base,
      status: 'error',
      code: 'POLICY_RULE_COST_EXCEEDED',
      message: `stopped after visiting ${budget} list elements, this rule's budget (--policy-max-cost)`,
    };
  if (meter.stopped === 'time') return timedOut();
  if (isCelError(value))
    throw new PolicyError('POLICY_RULE_INVALID', `${path}: rule '${rule.name}' cannot be evaluated: ${value.message}`, {
      path,
    });
  if (typeof value !== 'boolean')
    throw new PolicyError(
      'POLICY_RULE_INVALID',
      `${path}: rule '${rule.name}' yields a ${typeof value}, not a boolean`,
      { path },
    );
  if (value) return { ...base, status: 'pass', message: 'holds' };
  const message = rule.message ?? `${rule.expr} is false`;
  const waiver = policy.waivers.find((w) => w.rule === rule.name);
  if (!waiver) return { ...base, status: 'fail', message };
  // A date alone runs to the end of that day, UTC (core/time.ts); one that cannot be read has expired.
  const until = endBound(waiver.expires);
  const expired = until === undefined || ctx.now.getTime() > until;
  return {
    ...base,
    status: expired ? 'fail' : 'waived',
    message: expired
      ? `${message} (its waiver expired ${waiver.expires})`
      : `${message}; waived until ${waiver.expires}: ${waiver.reason}`,
    waiver: { reason: waiver.reason, expires: waiver.expires, expired },
  };
}

function checkPolicyIdentity(policy: Policy, ctx: PolicyContext): PolicyResult['identity'] {
  if (!policy.identity || policy.identity.length === 0)
    return { status: 'none', message: 'the policy names no signers' };
  if (ctx.mode === 'integrity-only')
    return { status: 'not-checked', message: 'not checked: integrity only, the signature was not verified' };
  if (!ctx.signer)
    return { status: 'fail', message: 'the bundle is not signed by a certificate identity the policy could match' };
  const { identity, issuer } = ctx.signer;
  const match = policy.identity.some((i) => matchesSigner(i, identity, issuer));
  return match
    ? { status: 'pass', message: `signed by ${identity} (${issuer}), an allowed signer` }
    : { status: 'fail', message: `signed by ${identity} (${issuer}), which no identity of the policy allows` };
}

/** Blobs the cross-checks read: SBOMs, SARIF and JUnit (bounded by the reader). */
export function crossCheckBlob(hex: string, manifest: Manifest): boolean {
  return manifest.entries.some((e) => ['sbom', 'sarif', 'junit'].includes(entryKind(e)) && digestHex(e.digest) === hex);
}

function crossCheck(name: CrossCheckName, ctx: PolicyContext): Omit<CrossCheckResult, 'controls'> {
  const { manifest } = ctx;
  // What could not be read (a blob verify did not hold in memory, or one its reader refuses) is not checked, and said.
  const unread: string[] = [];
  const blobsOf = (kind: string): { path: string; mediaType: string; bytes: Buffer }[] =>
    manifest.entries
      .filter((e) => e.kind === kind)
      .flatMap((e) => {
        const b = ctx.blobs.get(digestHex(e.digest));
        if (!b) unread.push(`${e.path} (${e.size} bytes, more than verify holds in memory to read)`);
        return b ? [{ path: e.path, mediaType: e.mediaType, bytes: b }] : [];
      });
  const commit = manifest.source.commit;
  const problems: string[] = [];
  let stated = 0;
  if (name === 'sbom-version') {
    for (const b of blobsOf('sbom')) {
      const version = describedVersion(b, unread);
      if (version === undefined) continue;
      stated++;
      if (version !== manifest.version)
        problems.push(`${b.path} describes version ${version}, the bundle is ${manifest.version}`);
    }
  } else if (name === 'changes-rules-time') {
    // The branch rules must be those in force when the release was made: read within a day of the bundle's creation.
    const created = Date.parse(manifest.created);
    for (const { entry, summary } of summariesOf(manifest.entries, 'changes')) {
      if (!summary.host) continue;
      stated++;
      const gap = Math.abs(Date.parse(summary.host.askedAt) - created);
      if (!(gap <= RULES_TIME_TOLERANCE_MS))
        problems.push(
          `${entry.path}: the branch rules were read at ${summary.host.askedAt}, more than a day from the bundle's creation (${manifest.created})`,
        );
    }
  } else if (name === 'changes-commit') {
    if (!commit) return { name, status: 'not-applicable', message: 'the bundle states no source commit' };
    // The changes must end at the released commit: a range that ends elsewhere describes another release.
    for (const { entry, summary } of summariesOf(manifest.entries, 'changes')) {
      stated++;
      if (summary.range.to !== commit.toLowerCase())
        problems.push(`${entry.path} ends at ${summary.range.to}, the bundle's source is ${commit}`);
    }
  } else {
    if (!commit) return { name, status: 'not-applicable', message: 'the bundle states no source commit' };
    for (const b of blobsOf(name === 'sarif-commit' ? 'sarif' : 'junit')) {
      const revisions = name === 'sarif-commit' ? sarifRevisions(b, unread) : junitRevisions(b, unread);
      if (revisions.length === 0) continue;
      stated++;
      for (const r of revisions)
        if (!commit.startsWith(r.toLowerCase()) || r.length < 7)
          problems.push(`${b.path} was made from ${r}, the bundle's source is ${commit}`);
    }
  }
  if (problems.length > 0) return { name, status: 'fail', message: [...problems, ...notChecked(unread)].join('; ') };
  if (unread.length > 0) return { name, status: 'not-checked', message: notChecked(unread).join('; ') };
  if (stated === 0) return { name, status: 'not-applicable', message: 'no evidence of that kind states it' };
  return { name, status: 'pass', message: `${stated} entr${stated === 1 ? 'y agrees' : 'ies agree'} with the bundle` };
}

/** What a cross-check could not read, as its message says it. */
const notChecked = (unread: readonly string[]): string[] =>
  unread.length ? [`not checked against ${unread.join(', ')}`] : [];

/** Notes a blob its reader refused, with the reader's first line. */
const unreadable = (unread: string[], path: string, e: unknown): void => {
  unread.push(`${path} (it cannot be read: ${(e as Error).message.split('\n')[0]})`);
};

/** The product version an SBOM states, read by the one SBOM reader; an SBOM that cannot be read is noted unread. */
function describedVersion(
  blob: { bytes: Buffer; mediaType: string; path: string },
  unread: string[],
): string | undefined {
  try {
    return readSbom(blob.bytes, blob.mediaType, blob.path).describedVersion;
  } catch (e) {
    unreadable(unread, blob.path, e);
    return undefined;
  }
}

function sarifRevisions(blob: { bytes: Buffer; path: string }, unread: string[]): string[] {
  try {
    const log = JSON.parse(blob.bytes.toString('utf8')) as {
      runs?: { versionControlProvenance?: { revisionId?: string }[] }[];
    };
    return (log.runs ?? []).flatMap((r) =>
      (r.versionControlProvenance ?? []).flatMap((v) => (v.revisionId ? [v.revisionId] : [])),
    );
  } catch (e) {
    unreadable(unread, blob.path, e);
    return [];
  }
}

const REVISION_PROPERTY = /^(?:git[._-]?commit|commit|sha|git[._-]?sha|GIT_COMMIT|revision)$/;

/** The commits a JUnit report names in `<properties>` (of any suite, at any depth), read by the one XML reader. */
function junitRevisions(blob: { bytes: Buffer; path: string }, unread: string[]): string[] {
  let doc: XmlNode;
  try {
    doc = parseXml(blob.path, blob.bytes);
  } catch (e) {
    unreadable(unread, blob.path, e);
    return [];
  }
  const out: string[] = [];
  let deep = false;
  const walk = (node: XmlNode, depth: number): void => {
    if (depth > 64) {
      deep = true;
      return;
    }
    for (const [name, value] of Object.entries(node)) {
      if (name.startsWith('@') || name === '#text' || !Array.isArray(value)) continue;
      for (const child of children(node, name)) {
        if (name === 'property') {
          const key = attr(child, 'name');
          const v = attr(child, 'value');
          if (key && v && REVISION_PROPERTY.test(key) && /^[0-9a-fA-F]{7,64}$/.test(v)) out.push(v);
        } else walk(child, depth + 1);
      }
    }
  };
  walk(doc, 0);
  if (deep) unread.push(`${blob.path} (below 64 levels of elements, where its properties are not read)`);
  return out;
}

/** Every control id a policy cites, once. */
export function citedControls(policy: Policy): string[] {
  return [
    ...new Set([
      ...policy.require.flatMap((r) => r.controls),
      ...policy.rules.flatMap((r) => r.controls),
      ...policy.crossChecks.flatMap((c) => (typeof c === 'string' ? [] : c.controls)),
    ]),
  ];
}
