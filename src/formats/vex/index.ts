/**
 * VEX documents in three formats (OpenVEX 0.2.0, CSAF 2.0's VEX profile, CycloneDX 1.4-1.7 `vulnerabilities`) read
 * into one model (`../findings.ts`), and applied to vulnerability findings by the specifications' matching rules.
 *
 * Which statement applies to which finding:
 * 1. the same vulnerability: the statement's vulnerability or one of its aliases is the finding's id or one of its
 *    aliases (ids compared case-insensitively);
 * 2. the same package: the finding has a purl, and either
 *    a. a product of the statement is that package (`purlMatches(product, finding)`) and names no subcomponents:
 *       the statement is about the package wherever it ships; or
 *    b. a product of the statement is the release (`purlMatches(product, releasePurl)` for one of the purls the
 *       release is known as) and one of its subcomponents is the finding's package, or it names no subcomponents
 *       (then it covers every finding of that vulnerability in the release).
 *
 * VEX speaks of packages (purls), so findings without a purl (web alerts, `npm audit`'s advisories) get no
 * disposition. Among the statements that apply, the latest wins (by timestamp; a statement without one counts as
 * older than any with one; on a tie, the later document in the order given, then the later statement); statements
 * that apply with another status than the winner's are listed as conflicts. A statement about another product, or
 * another version of the release, changes nothing.
 */
import { parseRfc3339 } from '../../core/time.js';
import { FormatError } from '../errors.js';
import type { Finding, VexDocument, VexFormat, VexStatement, VexStatus } from '../findings.js';
import { purlMatches } from '../purl.js';
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
  source?: { document: string /* the label */; documentId: string; index: number };
  /** Statements that apply too, with another status than the winner's. */
  conflicts?: { document: string; index: number; status: VexStatus }[];
}

/** A statement with where it comes from, and its timestamp in milliseconds (-Infinity when it has none). */
interface Candidate {
  statement: VexStatement;
  label: string;
  documentId: string;
  position: number;
  at: number;
}

/** Whether `a` wins over `b`: later timestamp, then later document, then later statement. */
function later(a: Candidate, b: Candidate): boolean {
  if (a.at !== b.at) return a.at > b.at;
  if (a.position !== b.position) return a.position > b.position;
  return a.statement.index > b.statement.index;
}

/** Whether the statement is about the finding's package, directly or as a component of the release. */
function coversPackage(statement: VexStatement, purl: string, isRelease: (product: string) => boolean): boolean {
  return statement.products.some((p) => {
    if (p.subcomponents.length === 0 && purlMatches(p.purl, purl)) return true;
    if (!isRelease(p.purl)) return false;
    return p.subcomponents.length === 0 || p.subcomponents.some((s) => purlMatches(s, purl));
  });
}

/**
 * Each finding's disposition (index-aligned with `findings`) from the statements of `documents` that apply to it;
 * `release` are the purls the release is known as. Findings without a purl, and findings no statement applies to, get
 * an empty disposition.
 */
export function applyVex(
  findings: Finding[],
  documents: { label: string; doc: VexDocument }[],
  release: string[],
): Disposition[] {
  const byId = new Map<string, Candidate[]>();
  documents.forEach(({ label, doc }, position) => {
    for (const statement of doc.statements) {
      const at = statement.timestamp === undefined ? undefined : parseRfc3339(statement.timestamp);
      const candidate = { statement, label, documentId: doc.id, position, at: at ?? -Infinity };
      for (const id of new Set([statement.vulnerability, ...statement.aliases].map((i) => i.toLowerCase()))) {
        const list = byId.get(id);
        if (list) list.push(candidate);
        else byId.set(id, [candidate]);
      }
    }
  });
  const releaseOf = new Map<string, boolean>();
  const isRelease = (product: string): boolean => {
    let known = releaseOf.get(product);
    if (known === undefined) {
      known = release.some((r) => purlMatches(product, r));
      releaseOf.set(product, known);
    }
    return known;
  };

  return findings.map((finding): Disposition => {
    const purl = finding.purl;
    if (purl === undefined || purl === '') return {};
    const applicable = new Set<Candidate>();
    for (const id of [finding.id, ...finding.aliases]) {
      for (const c of byId.get(id.toLowerCase()) ?? []) {
        if (!applicable.has(c) && coversPackage(c.statement, purl, isRelease)) applicable.add(c);
      }
    }
    let winner: Candidate | undefined;
    for (const c of applicable) if (winner === undefined || later(c, winner)) winner = c;
    if (winner === undefined) return {};
    const s = winner.statement;
    const conflicts = [...applicable]
      .filter((c) => c.statement.status !== s.status)
      .sort((a, b) => a.position - b.position || a.statement.index - b.statement.index)
      .map((c) => ({ document: c.label, index: c.statement.index, status: c.statement.status }));
    return {
      status: s.status,
      ...(s.justification !== undefined && { justification: s.justification }),
      ...(s.impactStatement !== undefined && { impactStatement: s.impactStatement }),
      ...(s.actionStatement !== undefined && { actionStatement: s.actionStatement }),
      ...(s.timestamp !== undefined && { timestamp: s.timestamp }),
      source: { document: winner.label, documentId: winner.documentId, index: s.index },
      ...(conflicts.length > 0 && { conflicts }),
    };
  });
}
