import { appendAll } from '../core/objects.js';
import { readSbom, type SbomComponent } from '../formats/sbom.js';
import { digestHex } from '../core/digest.js';
import { MAX_ATTESTATION_BYTES } from '../core/layout.js';
import type { Manifest, ManifestEntry } from '../core/manifest.js';
import {
  entryKind,
  summariesOf,
  type CollectedKind,
  type DoraSummary,
  type SloSummary,
  type SummaryOf,
} from '../core/summaries.js';
import { hollowWhy } from '../verifier/policy/hollow.js';
import type { VerifyReport } from '../verifier/report.js';
import { releaseFindings } from '../verifier/vulnerability-check.js';
import {
  LEVELS,
  SEVERITIES,
  TEST_COUNTS,
  type Change,
  type DiffBundleInfo,
  type DiffComponent,
  type DiffComponentChange,
  type DiffFinding,
  type DiffResult,
  type DiffSideCheck,
} from './result.js';

/** At most this many bytes of one bundle's SBOMs are held in memory to be compared. */
export const MAX_SBOM_BYTES_IN_MEMORY = 4 * MAX_ATTESTATION_BYTES;

/** One bundle as read for a diff: its verified manifest and the blobs kept to compare. */
export interface DiffSide {
  label: 'old' | 'new';
  path: string;
  manifest: Manifest;
  manifestDigest: string;
  /** Verified blob contents of the SBOM and SARIF entries, by hex. */
  kept: Map<string, Buffer>;
  checked: DiffSideCheck;
}

/** What a side is when only its integrity was checked. */
export const INTEGRITY_ONLY: DiffSideCheck = {
  authenticity: 'not-checked',
  method: 'integrity-only',
  summary: 'integrity only: signature not checked',
};

/**
 * Which blobs a side keeps while its integrity is checked: its SBOM and SARIF
 * blobs, as long as they fit MAX_SBOM_BYTES_IN_MEMORY together (the reader
 * keeps no blob above MAX_ATTESTATION_BYTES; this bounds them together).
 */
export function keepForDiff(): (hex: string, manifest: Manifest) => boolean {
  let budget = MAX_SBOM_BYTES_IN_MEMORY;
  return (hex, manifest) => {
    const entry = manifest.entries.find(
      (e) => ['sbom', 'sarif', 'vulnerabilities'].includes(entryKind(e)) && digestHex(e.digest) === hex,
    );
    if (!entry || entry.size > budget) return false;
    budget -= entry.size;
    return true;
  };
}

/**
 * How a side was checked, from its signature check's report and the digest of
 * the bytes then compared: a file that changed in between is `failed`.
 */
export function sideCheck(report: Pick<VerifyReport, 'bundle' | 'assessment'>, digest: string): DiffSideCheck {
  const a = report.assessment?.authenticity;
  return report.bundle.digest !== digest
    ? {
        authenticity: 'failed',
        method: a?.method ?? 'identity',
        summary:
          'the file changed between its signature check and the comparison: signature not verified for what was compared',
      }
    : a?.status === 'authentic'
      ? { authenticity: 'authentic', method: a.method, summary: a.summary }
      : {
          authenticity: 'failed',
          method: a?.method ?? 'identity',
          summary: `signature not verified: ${a?.summary ?? 'no verdict'}`,
        };
}

/**
 * What changed between two releases' bundles, already read and verified for
 * integrity. Components come from the SBOM blobs themselves, the other
 * figures from the entries' typed summaries.
 */
export function computeDiff(oldSide: DiffSide, newSide: DiffSide): DiffResult {
  const warnings: string[] = [];
  // Entries that hold nothing (hollow.ts) are left out of every part, as if absent: an SBOM without components is no
  // removal of every component, a report in which no test ran no drop in failures.
  const [o, n] = held(oldSide, newSide, warnings);
  const oldComponents = sideComponents(o, warnings);
  const newComponents = sideComponents(n, warnings);
  // What one side lacks, or could not read in full, is not compared: its absence is not a removal.
  const components =
    oldComponents && newComponents
      ? diffComponents(oldComponents, newComponents)
      : notRead(warnings, 'components', [o, n], 'sbom', 'SBOM');
  const oldRules = sarifRules(o, warnings);
  const newRules = sarifRules(n, warnings);
  const entries = diffEntries(oldSide.manifest, newSide.manifest);
  const subjects = diffSubjects(oldSide.manifest, newSide.manifest);
  return {
    old: info(oldSide),
    new: info(newSide),
    components,
    licenses: components ? diffSets(licensesOf(o.manifest), licensesOf(n.manifest)) : null,
    vulnerabilities: {
      rules:
        oldRules && newRules
          ? diffSets(oldRules, newRules)
          : notRead(warnings, 'finding rules', [o, n], 'sarif', 'SARIF log'),
      ...diffSarif(o.manifest, n.manifest),
    },
    findings: diffFindings(oldSide, newSide, warnings),
    tests: diffJunit(o.manifest, n.manifest),
    coverage: diffCoverage(o.manifest, n.manifest),
    slo: diffSlo(o.manifest, n.manifest),
    dora: diffDora(oldSide, newSide, warnings),
    entries,
    subjects,
    warnings,
    // Entries and subjects by digest, so a part not compared never passes for unchanged: its entries differ, or are
    // the same bytes on both sides.
    differs:
      entries.added.length +
        entries.removed.length +
        entries.changed.length +
        subjects.added.length +
        subjects.removed.length >
      0,
  };
}

/** The parts compared from entries of one kind, and how a warning names them. */
const PARTS = [
  { kind: 'sbom', what: 'components and licenses', noun: 'SBOM' },
  { kind: 'sarif', what: 'findings (SARIF)', noun: 'SARIF log' },
  { kind: 'junit', what: 'tests', noun: 'JUnit report' },
  { kind: 'coverage', what: 'coverage', noun: 'coverage report' },
  { kind: 'slo', what: 'SLOs', noun: 'SLO snapshot' },
  // No hollow rule (a scan without findings is not one: hollow.ts), only absence.
  { kind: 'vulnerabilities', what: 'vulnerabilities', noun: 'vulnerabilities document' },
] as const satisfies readonly { kind: CollectedKind; what: string; noun: string }[];

/**
 * Both sides without the entries of a compared kind that hold nothing (hollowWhy: the rule verify, policy and the
 * reports apply), and what that leaves out, said: a side left with none of a kind the other side has (absent, or all
 * hollow) has that part not compared (null figures), a side with some hollow entries has the others compared.
 */
function held(oldSide: DiffSide, newSide: DiffSide, warnings: string[]): [DiffSide, DiffSide] {
  const hollow = new Set<ManifestEntry>();
  for (const { kind, what, noun } of PARTS) {
    const split = [oldSide, newSide].map((s) => {
      const all = entriesOf(s.manifest, kind);
      const empty = all.flatMap((e) => {
        const why = hollowWhy(e);
        return why === undefined ? [] : [{ e, why }];
      });
      for (const { e } of empty) hollow.add(e);
      return { side: s, real: all.length - empty.length, empty };
    });
    const someReal = split.some((x) => x.real > 0);
    for (const { side, real, empty } of split) {
      const paths = empty.map((x) => x.e.path).join(', ');
      const why = empty[0]?.why;
      if (why !== undefined && real === 0)
        warnings.push(`${what} not compared: the ${side.label} bundle's ${noun}s hold nothing (${why}): ${paths}`);
      else if (why !== undefined)
        warnings.push(
          `${what} compared without the ${side.label} bundle's ${noun}s that hold nothing (${why}): ${paths}`,
        );
      else if (real === 0 && someReal) warnings.push(`${what} not compared: the ${side.label} bundle has no ${noun}`);
    }
  }
  const keep = (s: DiffSide): DiffSide => ({
    ...s,
    manifest: { ...s.manifest, entries: s.manifest.entries.filter((e) => !hollow.has(e)) },
  });
  return [keep(oldSide), keep(newSide)];
}

/** A side's findings by vulnerability and package; undefined without a vulnerabilities document (or unread). */
function sideFindings(side: DiffSide, warnings: string[]): Map<string, DiffFinding> | undefined {
  const entry = entriesOf(side.manifest, 'vulnerabilities')[0];
  if (!entry) return undefined;
  if (!side.kept.has(digestHex(entry.digest))) {
    warnings.push(`${side.label}: ${entry.path} is too large to compare its findings`);
    return undefined;
  }
  const out = new Map<string, DiffFinding>();
  for (const f of releaseFindings(side.manifest, side.kept)) {
    const key = `${f.id}\0${f.purl ?? f.package?.name ?? f.locations[0] ?? ''}`;
    out.set(key, { id: f.id, ...(f.purl ? { purl: f.purl } : {}), severity: f.severity, status: f.status ?? 'none' });
  }
  return out;
}

function diffFindings(a: DiffSide, b: DiffSide, warnings: string[]): DiffResult['findings'] {
  const o = sideFindings(a, warnings);
  const n = sideFindings(b, warnings);
  if (!o || !n) return notRead(warnings, 'vulnerabilities', [a, b], 'vulnerabilities', 'vulnerabilities document');
  const old = o;
  const now = n;
  return {
    added: [...now].filter(([k]) => !old.has(k)).map(([, f]) => f),
    removed: [...old].filter(([k]) => !now.has(k)).map(([, f]) => f),
    dispositionChanged: [...now].flatMap(([k, f]) => {
      const was = old.get(k);
      return was && was.status !== f.status ? [{ ...f, from: was.status }] : [];
    }),
  };
}

/**
 * Null, for a part not compared: one side has none of it that holds something (held() said so), or one side could not
 * be read in full (its own warning says why), when the other side's items would read as added or removed.
 */
function notRead(
  warnings: string[],
  what: string,
  sides: [DiffSide, DiffSide],
  kind: 'sbom' | 'sarif' | 'vulnerabilities',
  noun: string,
): null {
  if (sides.every((s) => entriesOf(s.manifest, kind).length > 0))
    warnings.push(`${what} not compared: not every ${noun} of both bundles could be read (above)`);
  return null;
}

function info(s: DiffSide): DiffBundleInfo {
  return {
    path: s.path,
    name: s.manifest.name,
    version: s.manifest.version,
    created: s.manifest.created,
    manifestDigest: s.manifestDigest,
    checked: s.checked,
  };
}
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function change(a: number | null | undefined, b: number | null | undefined): Change {
  const o = a ?? null;
  const n = b ?? null;
  return { old: o, new: n, delta: o === null || n === null ? null : tidy(n - o) };
}

/** Rounds away binary noise (0.30000000000000004) in deltas of ratios. */
function tidy(x: number): number {
  return Number.isInteger(x) ? x : Math.round(x * 1e12) / 1e12;
}

function diffSets(a: Set<string>, b: Set<string>): { added: string[]; removed: string[] } {
  return {
    added: [...b].filter((x) => !a.has(x)).sort(byString),
    removed: [...a].filter((x) => !b.has(x)).sort(byString),
  };
}

function entriesOf(m: Manifest, kind: string): ManifestEntry[] {
  return m.entries.filter((e) => e.kind === kind);
}

/** Typed summaries of one kind; the manifest schema has checked them already, this only narrows the type. */
function summaries<K extends CollectedKind>(m: Manifest, kind: K): SummaryOf<K>[] {
  return summariesOf(m.entries, kind).map((x) => x.summary);
}

// --- Components --------------------------------------------------------------

/** A side's components; undefined when it has no SBOM, or one of its SBOMs could not be read (a warning says why). */
function sideComponents(side: DiffSide, warnings: string[]): SbomComponent[] | undefined {
  const out: SbomComponent[] = [];
  const sboms = entriesOf(side.manifest, 'sbom');
  let whole = sboms.length > 0;
  for (const e of sboms) {
    const bytes = side.kept.get(digestHex(e.digest));
    if (!bytes) {
      const why =
        e.size > MAX_ATTESTATION_BYTES
          ? `larger than the ${MAX_ATTESTATION_BYTES} bytes one SBOM may take in memory`
          : `beyond the ${MAX_SBOM_BYTES_IN_MEMORY} bytes all SBOMs of a bundle may take in memory`;
      warnings.push(`${side.label} ${e.path}: SBOM ${why}; its components are not compared`);
      whole = false;
      continue;
    }
    try {
      appendAll(out, readSbom(bytes, e.mediaType, e.path).components);
    } catch (err) {
      warnings.push(
        `${side.label} ${e.path}: SBOM cannot be read (${(err as Error).message.replace(`${e.path}: `, '')}); its components are not compared`,
      );
      whole = false;
    }
  }
  return whole ? out : undefined;
}

/**
 * Components are grouped by key; each key has a set of versions per side. One
 * version replaced by one other is a change; anything else (a second version
 * appearing next to the first, two becoming one) is reported as versions
 * added and removed.
 */
function diffComponents(a: SbomComponent[], b: SbomComponent[]): DiffResult['components'] {
  const group = (list: SbomComponent[]): Map<string, Map<string, SbomComponent>> => {
    const map = new Map<string, Map<string, SbomComponent>>();
    for (const c of list) {
      let versions = map.get(c.key);
      if (!versions) map.set(c.key, (versions = new Map<string, SbomComponent>()));
      const v = c.version ?? '\0none';
      if (!versions.has(v)) versions.set(v, c);
    }
    return map;
  };
  const olds = group(a);
  const news = group(b);
  const added: DiffComponent[] = [];
  const removed: DiffComponent[] = [];
  const changed: DiffComponentChange[] = [];
  const out = (c: SbomComponent): DiffComponent => ({
    name: c.name,
    version: c.version,
    ...(c.purl ? { purl: c.purl } : {}),
  });
  for (const key of new Set([...olds.keys(), ...news.keys()])) {
    const o = olds.get(key) ?? new Map<string, SbomComponent>();
    const n = news.get(key) ?? new Map<string, SbomComponent>();
    const gone = [...o.entries()].filter(([v]) => !n.has(v)).map(([, c]) => c);
    const came = [...n.entries()].filter(([v]) => !o.has(v)).map(([, c]) => c);
    const [from] = gone;
    const [to] = came;
    if (gone.length === 1 && came.length === 1 && from && to) {
      changed.push({ name: to.name, from: from.version, to: to.version, ...(to.purl ? { purl: to.purl } : {}) });
    } else {
      appendAll(removed, gone.map(out));
      appendAll(added, came.map(out));
    }
  }
  const order = (x: { name: string; version?: string | null }, y: { name: string; version?: string | null }): number =>
    byString(x.name, y.name) || byString(x.version ?? '', y.version ?? '');
  return {
    added: added.sort(order),
    removed: removed.sort(order),
    changed: changed.sort((x, y) => byString(x.name, y.name)),
  };
}

function licensesOf(m: Manifest): Set<string> {
  return new Set(summaries(m, 'sbom').flatMap((s) => s.licenses));
}

// --- Summaries -----------------------------------------------------------------

/** Sums a figure over a side's summaries; null when the side has none. */
function total<T>(list: T[], pick: (s: T) => number): number | null {
  return list.length === 0 ? null : list.reduce((n, s) => n + pick(s), 0);
}

/**
 * The rule ids that have results in a side's SARIF logs: `ruleId`, else
 * `rule.id`, else the driver's rule at `rule.index` (SARIF 2.1.0 §3.27.5–7).
 */
/** A side's rule ids; undefined when it has no SARIF log, or one could not be read (a warning says why). */
function sarifRules(side: DiffSide, warnings: string[]): Set<string> | undefined {
  const ids = new Set<string>();
  const logs = entriesOf(side.manifest, 'sarif');
  let whole = logs.length > 0;
  for (const e of logs) {
    const bytes = side.kept.get(digestHex(e.digest));
    if (!bytes) {
      warnings.push(`${side.label}: ${e.path} is too large to compare its rules`);
      whole = false;
      continue;
    }
    let log: { runs?: unknown };
    try {
      log = JSON.parse(bytes.toString('utf8')) as { runs?: unknown };
    } catch {
      warnings.push(`${side.label}: ${e.path} cannot be read for its rules`);
      whole = false;
      continue;
    }
    for (const run of Array.isArray(log.runs)
      ? (log.runs as { results?: unknown; tool?: { driver?: { rules?: { id?: unknown }[] } } }[])
      : []) {
      const rules = Array.isArray(run?.tool?.driver?.rules) ? run.tool.driver.rules : [];
      for (const r of Array.isArray(run?.results)
        ? (run.results as { ruleId?: unknown; rule?: { id?: unknown; index?: unknown } }[])
        : []) {
        const id =
          r?.ruleId ?? r?.rule?.id ?? (typeof r?.rule?.index === 'number' ? rules[r.rule.index]?.id : undefined);
        if (typeof id === 'string' && id !== '') ids.add(id);
      }
    }
  }
  return whole ? ids : undefined;
}

function diffSarif(a: Manifest, b: Manifest): Omit<DiffResult['vulnerabilities'], 'rules'> {
  const o = summaries(a, 'sarif');
  const n = summaries(b, 'sarif');
  const both = (pick: (s: (typeof o)[number]) => number): Change => change(total(o, pick), total(n, pick));
  return {
    results: both((s) => s.results),
    severities: Object.fromEntries(
      SEVERITIES.map((k) => [k, both((s) => s.severities[k])]),
    ) as DiffResult['vulnerabilities']['severities'],
    levels: Object.fromEntries(
      LEVELS.map((k) => [k, both((s) => s.levels[k])]),
    ) as DiffResult['vulnerabilities']['levels'],
  };
}

function diffJunit(a: Manifest, b: Manifest): DiffResult['tests'] {
  const o = summaries(a, 'junit');
  const n = summaries(b, 'junit');
  return Object.fromEntries(
    TEST_COUNTS.map((k) => [
      k,
      change(
        total(o, (s) => s[k]),
        total(n, (s) => s[k]),
      ),
    ]),
  ) as DiffResult['tests'];
}

function diffCoverage(a: Manifest, b: Manifest): DiffResult['coverage'] {
  const ratio = (m: Manifest, which: 'lines' | 'branches'): number | null => {
    const list = summaries(m, 'coverage')
      .map((s) => s[which])
      .filter((c) => c.ratio !== null);
    if (list.length === 0) return null;
    // One report: its own ratio. Several: covered over total, summed.
    if (list.length === 1) return list[0]?.ratio ?? null;
    const t = list.reduce((x, c) => x + c.total, 0);
    return t === 0 ? null : list.reduce((x, c) => x + c.covered, 0) / t;
  };
  return {
    lines: change(ratio(a, 'lines'), ratio(b, 'lines')),
    branches: change(ratio(a, 'branches'), ratio(b, 'branches')),
  };
}

function diffSlo(a: Manifest, b: Manifest): DiffResult['slo'] {
  const byName = (m: Manifest): Map<string, SloSummary['slos'][number]> => {
    const map = new Map<string, SloSummary['slos'][number]>();
    for (const s of summaries(m, 'slo')) for (const o of s.slos) if (!map.has(o.name)) map.set(o.name, o);
    return map;
  };
  const o = byName(a);
  const n = byName(b);
  const out: DiffResult['slo'] = {};
  for (const name of [...new Set([...o.keys(), ...n.keys()])].sort(byString)) {
    const x = o.get(name);
    const y = n.get(name);
    out[name] = {
      sli: change(x?.sli, y?.sli),
      errorBudgetRemaining: change(x?.errorBudget.remaining, y?.errorBudget.remaining),
    };
  }
  return out;
}

function diffDora(a: DiffSide, b: DiffSide, warnings: string[]): DiffResult['dora'] {
  const first = (s: DiffSide): DoraSummary | undefined => {
    const list = summaries(s.manifest, 'dora');
    if (list.length > 1) warnings.push(`${s.label}: ${list.length} DORA entries; only the first (by path) is compared`);
    return list[0];
  };
  const o = first(a);
  const n = first(b);
  return {
    deploymentsPerDay: change(o?.deploymentsPerDay, n?.deploymentsPerDay),
    leadTimeMedianSeconds: change(o?.leadTimeSeconds.median, n?.leadTimeSeconds.median),
    changeFailureRate: change(o?.changeFailureRate, n?.changeFailureRate),
    timeToRestoreMedianSeconds: change(o?.timeToRestoreSeconds.median, n?.timeToRestoreSeconds.median),
  };
}

function diffEntries(a: Manifest, b: Manifest): DiffResult['entries'] {
  const o = new Map(a.entries.map((e) => [e.path, e.digest]));
  const n = new Map(b.entries.map((e) => [e.path, e.digest]));
  return {
    added: [...n.keys()].filter((p) => !o.has(p)).sort(byString),
    removed: [...o.keys()].filter((p) => !n.has(p)).sort(byString),
    changed: [...n.entries()]
      .filter(([p, d]) => o.has(p) && o.get(p) !== d)
      .map(([p]) => p)
      .sort(byString),
  };
}

function diffSubjects(a: Manifest, b: Manifest): DiffResult['subjects'] {
  const id = (s: { name: string; digest: string }): string => `${s.name}\n${s.digest}`;
  const o = new Set(a.subjects.map(id));
  const n = new Set(b.subjects.map(id));
  const pick = (s: { name: string; digest: string }): { name: string; digest: string } => ({
    name: s.name,
    digest: s.digest,
  });
  return {
    added: b.subjects.filter((s) => !o.has(id(s))).map(pick),
    removed: a.subjects.filter((s) => !n.has(id(s))).map(pick),
  };
}
