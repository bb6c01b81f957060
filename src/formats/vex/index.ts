/**
 * VEX documents in three formats (OpenVEX 0.2.0, CSAF 2.0's VEX profile, CycloneDX 1.4-1.7 `vulnerabilities`) read
 * into one model (`../findings.ts`), and applied to vulnerability findings by the specifications' matching rules.
 *
 * Which statement applies to which finding:
 * 1. the same vulnerability: the two share an id (the statement's vulnerability and aliases, the finding's id and
 *    aliases; compared case-insensitively), and the CVEs each names do not disagree: when both name CVEs, they name
 *    the same ones. So a statement about one CVE never settles an advisory covering several (an umbrella), a
 *    statement about an umbrella never settles one of its CVEs, and two ids each side calls the same are one;
 * 2. the same package: the finding has a purl, and either
 *    a. a product of the statement is that package (`PurlReader.matches(product, finding)`) and names no
 *       subcomponents: the statement is about the package wherever it ships; or
 *    b. a product of the statement is the release and one of its subcomponents is the finding's package, or it
 *       names no subcomponents (then it covers every finding of that vulnerability in the release). A product is the
 *       release when it matches a purl the release is known as: a `--product` purl by the purl specification (a
 *       versionless product covers every version), the `pkg:generic/NAME@VERSION` evidence makes up only when the
 *       product names that version too (anyone may call a product by a generic name); an image (`oci`, `docker`)
 *       named without a version or its registry (`repository_url`) is nobody's, and never the release.
 *
 * VEX speaks of packages (purls), so findings without a purl (web alerts, `npm audit`'s advisories) get no
 * disposition. Which of the statements that apply wins:
 * - when every one carries its own date (`orderedAt`), the latest; statements of that same latest date that
 *   disagree are settled as below;
 * - when any one does not (a CSAF statement, dated only by its document; an undated statement; a date of the whole
 *   document), they cannot be put in order: the one that claims least wins (affected, then under_investigation,
 *   then fixed, then not_affected), whatever the files' or statements' order.
 * Every statement that applies with another status than the winner's is listed as a conflict. A statement about
 * another product, or another version of the release, changes nothing.
 *
 * The work is bounded: statements are indexed by vulnerability and package, and an application that would take more
 * than MAX_VEX_WORK steps (index entries, statements, products and subcomponents compared) is refused
 * (VEX_TOO_COMPLEX) rather than left to run.
 */
import { jsonStringBytes } from '../../core/canonical-json.js';
import { parseRfc3339 } from '../../core/time.js';
import { FormatError } from '../errors.js';
import type { Finding, VexDocument, VexFormat, VexStatement, VexStatus } from '../findings.js';
import { PurlReader, isImageDigest } from '../purl.js';
import { parseCsaf } from './csaf.js';
import { parseCycloneDxVex } from './cyclonedx.js';
import { OPENVEX_CONTEXT_PREFIX, isJsonObject, parseOpenVex } from './openvex.js';

/** Which VEX format a parsed JSON document is in, by its markers; undefined when none of the three. */
export function detectVexFormat(json: unknown): VexFormat | undefined {
  if (!isJsonObject(json)) return undefined;
  const context = json['@context'];
  if (typeof context === 'string' && context.startsWith(OPENVEX_CONTEXT_PREFIX)) return 'openvex';
  if (isJsonObject(json.document) && json.document.csaf_version !== undefined) return 'csaf';
  if (json.bomFormat === 'CycloneDX') return 'cyclonedx';
  return undefined;
}

/**
 * A VEX document in any of the three formats, read into the model. VEX_UNKNOWN_FORMAT when it is none of them;
 * VEX_INVALID, naming the field, when it breaks its format's specification. Timestamps more than 24 h after `now` are
 * refused as in the future.
 */
export function parseVexDocument(json: unknown, label: string, now: Date = new Date()): VexDocument {
  const format = detectVexFormat(json);
  switch (format) {
    case 'openvex':
      return parseOpenVex(json, label, now);
    case 'csaf':
      return parseCsaf(json, label, now);
    case 'cyclonedx':
      return parseCycloneDxVex(json, label, now);
    case undefined:
      throw new FormatError(
        'VEX_UNKNOWN_FORMAT',
        `${label}: $: not a VEX document read here (OpenVEX needs "@context" https://openvex.dev/ns/…, CSAF ` +
          '"document.csaf_version", CycloneDX "bomFormat": "CycloneDX")',
        { file: label },
      );
  }
}

/** What the VEX documents say of one finding: the winning statement's status, texts and source, and conflicts. */
export interface Disposition {
  status?: VexStatus;
  justification?: string;
  impactStatement?: string;
  actionStatement?: string;
  timestamp?: string;
  /** The statement's own date (what orders it), when it carries one; `timestamp` may be its document's. */
  orderedAt?: string;
  source?: { document: string /* the label */; documentId: string; index: number; author?: string };
  /**
   * Statements that apply too, with another status than the winner's: at most MAX_CONFLICTS_LISTED, in document order,
   * each status among them at least once.
   */
  conflicts?: { document: string; index: number; status: VexStatus }[];
  /** How many statements contradict the winner, when more than `conflicts` lists. */
  conflictsTotal?: number;
}

/** A statement with where it comes from, and its own date in milliseconds (undefined when it has none). */
interface Candidate {
  statement: VexStatement;
  label: string;
  documentId: string;
  author: string | undefined;
  position: number;
  at: number | undefined;
  cves: ReadonlySet<string>;
}

/**
 * The most contradicting statements a finding lists. Every one of many statements about a vulnerability across the
 * release contradicts the winner for every finding of that vulnerability: listed in full, statements × findings.
 */
export const MAX_CONFLICTS_LISTED = 16;

/**
 * The first MAX_CONFLICTS_LISTED of the contradicting statements, in document order, choosing the first of each status
 * before any second: a reader learns every status that contradicts the winner, and how many statements do.
 */
function listedConflicts(all: readonly Candidate[]): Candidate[] {
  if (all.length <= MAX_CONFLICTS_LISTED) return [...all];
  const chosen = new Set<Candidate>();
  const statuses = new Set<VexStatus>();
  for (const c of all)
    if (!statuses.has(c.statement.status)) {
      statuses.add(c.statement.status);
      chosen.add(c);
    }
  for (const c of all) {
    if (chosen.size >= MAX_CONFLICTS_LISTED) break;
    chosen.add(c);
  }
  return all.filter((c) => chosen.has(c));
}

/** The most index entries and comparisons one application of VEX may make before it is refused. */
export const MAX_VEX_WORK = 4_000_000;

/**
 * The most bytes one application may copy from statements into findings, counted as canonical JSON writes them
 * (escapes included): impact and action statements, the document's id, author and path, dates, and the paths of
 * contradicting statements. Each finding a statement settles carries them, into the findings document and the OpenVEX
 * document, so one long string settling many findings would multiply. Half of what verify holds of the findings
 * document (MAX_VULNERABILITY_DOCUMENT_BYTES).
 */
export const MAX_VEX_TEXT = 8 * 1024 * 1024;

/** How little a status claims, least first: when statements cannot be ordered, the one that claims least wins. */
const CAUTION: Record<VexStatus, number> = { affected: 0, under_investigation: 1, fixed: 2, not_affected: 3 };

/** Of statements that cannot be told apart in time: the one that claims less, then the later one given (texts). */
function cautious(a: Candidate, b: Candidate): boolean {
  const ca = CAUTION[a.statement.status];
  const cb = CAUTION[b.statement.status];
  if (ca !== cb) return ca < cb;
  if (a.position !== b.position) return a.position > b.position;
  return a.statement.index > b.statement.index;
}

/** The winner among statements that apply (none empty): see the module's comment. */
function winnerOf(applicable: readonly Candidate[]): Candidate {
  const ordered = applicable.every((c) => c.at !== undefined);
  let latest: number | undefined;
  if (ordered) for (const c of applicable) if (latest === undefined || (c.at as number) > latest) latest = c.at;
  let winner: Candidate | undefined;
  for (const c of applicable) {
    if (latest !== undefined && c.at !== latest) continue;
    if (winner === undefined || cautious(c, winner)) winner = c;
  }
  return winner as Candidate;
}

const CVE = /^cve-\d{4}-\d+$/;

/** Ids lower-cased and distinct, and the CVEs among them. */
export function vulnerabilityIds(ids: Iterable<string>): { ids: string[]; cves: Set<string> } {
  const all = new Set<string>();
  for (const id of ids) if (id !== '') all.add(id.toLowerCase());
  return { ids: [...all], cves: new Set([...all].filter((id) => CVE.test(id))) };
}

/** Whether two sets of CVEs let two ids that share a name be one vulnerability: not when both name CVEs that differ. */
function cvesAgree(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size === 0 || b.size === 0) return true;
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Whether a release purl stands for the release only when a statement's product names the version too. */
const isGeneric = (purl: string) => purl.toLowerCase().startsWith('pkg:generic/');

/**
 * Each finding's disposition (index-aligned with `findings`) from the statements of `documents` that apply to it;
 * `release` are the purls the release is known as (its generic purl first, then the project's `--product` purls).
 * Findings without a purl, and findings no statement applies to, get an empty disposition. VEX_TOO_COMPLEX when the
 * documents and findings together need more than MAX_VEX_WORK steps.
 */
export function applyVex(
  findings: Finding[],
  documents: { label: string; doc: VexDocument }[],
  release: string[],
): Disposition[] {
  const purls = new PurlReader();
  let work = 0;
  let text = 0;
  // What a winner copies into each finding it settles, in JSON bytes: worked out once per statement and per label.
  const copied = new Map<Candidate, number>();
  const labels = new Map<string, number>();
  const labelBytes = (label: string): number => {
    let n = labels.get(label);
    if (n === undefined) labels.set(label, (n = jsonStringBytes(label)));
    return n;
  };
  const copiedBytes = (c: Candidate): number => {
    let n = copied.get(c);
    if (n === undefined) {
      const s = c.statement;
      n = [s.impactStatement, s.actionStatement, s.timestamp, c.documentId, c.author].reduce(
        (k, x) => k + (x === undefined ? 0 : jsonStringBytes(x)),
        labelBytes(c.label),
      );
      copied.set(c, n);
    }
    return n;
  };
  const spend = (label: string, n = 1) => {
    work += n;
    if (work > MAX_VEX_WORK)
      throw new FormatError(
        'VEX_TOO_COMPLEX',
        `${label}: the VEX documents and findings together need more than ${MAX_VEX_WORK} comparisons; ` +
          'split the documents or name fewer products',
        { file: label },
      );
  };
  const releaseOf = new Map<string, boolean>();
  const isRelease = (product: string, label: string): boolean => {
    let known = releaseOf.get(product);
    if (known === undefined) {
      spend(label, release.length);
      const parsed = purls.read(product);
      const version = parsed?.version ?? '';
      // An image is someone's only by its digest, or (every version of it) by its registry (`repository_url`) without
      // a version: a name alone is every registry's (Docker Hub's acme/web is not ghcr.io's), and a tag moves.
      const image = ['oci', 'docker'].includes(parsed?.type.toLowerCase() ?? '');
      // A `tag` qualifier names a tag as much as a tagged version does.
      const owned =
        !image ||
        (isImageDigest(version) && parsed?.qualifiers?.tag === undefined) ||
        (version === '' && parsed?.qualifiers?.repository_url !== undefined && parsed.qualifiers.tag === undefined);
      // Without a version, a product names every release of its name: a generic name is nobody's in particular.
      known = release.some((r) => owned && purls.matches(product, r) && (version !== '' || !isGeneric(r)));
      releaseOf.set(product, known);
    }
    return known;
  };

  // Statements by vulnerability id and the package they speak of, and those about the whole release by id alone.
  // Keyed by id, then package: one key of both would build a string of each id (up to MAX_VEX_NAME) per package.
  const byPackage = new Map<string, Map<string, Candidate[]>>();
  const releaseWide = new Map<string, Candidate[]>();
  const add = (index: Map<string, Candidate[]>, key: string, c: Candidate) => {
    const list = index.get(key);
    if (!list) index.set(key, [c]);
    else if (list[list.length - 1] !== c) list.push(c);
  };
  documents.forEach(({ label, doc }, position) => {
    for (const statement of doc.statements) {
      const { ids, cves } = vulnerabilityIds([statement.vulnerability, ...statement.aliases]);
      const candidate: Candidate = {
        statement,
        label,
        documentId: doc.id,
        author: doc.author,
        position,
        at: statement.orderedAt === undefined ? undefined : parseRfc3339(statement.orderedAt),
        cves,
      };
      const packages = new Set<string>();
      let wide = false;
      for (const p of statement.products) {
        spend(label, 1 + p.subcomponents.length);
        if (p.subcomponents.length === 0) {
          const key = purls.packageKey(p.purl);
          if (key !== undefined) packages.add(key);
        }
        if (!isRelease(p.purl, label)) continue;
        if (p.subcomponents.length === 0) wide = true;
        for (const s of p.subcomponents) {
          const key = purls.packageKey(s);
          if (key !== undefined) packages.add(key);
        }
      }
      spend(label, ids.length * (packages.size + (wide ? 1 : 0)));
      for (const id of ids) {
        if (packages.size > 0) {
          let ofId = byPackage.get(id);
          if (!ofId) byPackage.set(id, (ofId = new Map<string, Candidate[]>()));
          for (const key of packages) add(ofId, key, candidate);
        }
        if (wide) add(releaseWide, id, candidate);
      }
    }
  });

  /** Whether the statement is about the finding's package, directly or as a component of the release. */
  const covers = (c: Candidate, purl: string): boolean =>
    c.statement.products.some((p) => {
      spend(c.label, 1 + p.subcomponents.length);
      if (p.subcomponents.length === 0 && purls.matches(p.purl, purl)) return true;
      if (!isRelease(p.purl, c.label)) return false;
      return p.subcomponents.length === 0 || p.subcomponents.some((s) => purls.matches(s, purl));
    });

  return findings.map((finding): Disposition => {
    const purl = finding.purl;
    const key = purl === undefined || purl === '' ? undefined : purls.packageKey(purl);
    if (purl === undefined || key === undefined) return {};
    const own = vulnerabilityIds([finding.id, ...finding.aliases]);
    const seen = new Set<Candidate>();
    const applicable: Candidate[] = [];
    for (const id of own.ids) {
      for (const list of [byPackage.get(id)?.get(key), releaseWide.get(id)]) {
        for (const c of list ?? []) {
          if (seen.has(c)) continue;
          seen.add(c);
          spend(c.label);
          if (cvesAgree(c.cves, own.cves) && covers(c, purl)) applicable.push(c);
        }
      }
    }
    if (applicable.length === 0) return {};
    const winner = winnerOf(applicable);
    const s = winner.statement;
    const contradicting = applicable
      .filter((c) => c.statement.status !== s.status)
      .sort((a, b) => a.position - b.position || a.statement.index - b.statement.index);
    const conflicts = listedConflicts(contradicting).map((c) => ({
      document: c.label,
      index: c.statement.index,
      status: c.statement.status,
    }));
    // Everything the disposition copies from its statements counts: texts, but also the document's id, author, path
    // and dates, and each contradicting statement's path.
    text += copiedBytes(winner) + conflicts.reduce((n, c) => n + labelBytes(c.document) + 32, 0);
    if (text > MAX_VEX_TEXT)
      throw new FormatError(
        'VEX_TOO_COMPLEX',
        `${winner.label}: what its statements give every finding they settle (texts, ids, authors, dates, ` +
          `contradictions) comes to more than ${MAX_VEX_TEXT} bytes`,
        { file: winner.label },
      );
    return {
      status: s.status,
      ...(s.justification !== undefined && { justification: s.justification }),
      ...(s.impactStatement !== undefined && { impactStatement: s.impactStatement }),
      ...(s.actionStatement !== undefined && { actionStatement: s.actionStatement }),
      ...(s.timestamp !== undefined && { timestamp: s.timestamp }),
      ...(s.orderedAt !== undefined && { orderedAt: s.orderedAt }),
      source: {
        document: winner.label,
        documentId: winner.documentId,
        index: s.index,
        ...(winner.author !== undefined && { author: winner.author }),
      },
      ...(conflicts.length > 0 && { conflicts }),
      ...(contradicting.length > conflicts.length && { conflictsTotal: contradicting.length }),
    };
  });
}
