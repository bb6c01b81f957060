/**
 * Drafts of what the EU Cyber Resilience Act asks a manufacturer to report of an actively exploited vulnerability
 * (Article 14: an early warning within 24 hours, a notification within 72 hours, a final report within 14 days), from
 * the evidence index's rows. Pure. A draft states what the index holds and what it does not know; the rest is listed
 * for a person to complete. Not legal advice.
 */
import { EvidenceError } from '../core/error.js';
import type { ShippedScan } from './shipped.js';

/** What every draft says first. */
export const CRA_DRAFT_NOTICE =
  'DRAFT for a person to check, complete and file; not legal advice. It states only what the evidence index holds: ' +
  'releases indexed (each verified), the findings of the scanners whose reports their bundles carry, and the VEX ' +
  'statements applied to them. Which releases are on the market, and where, is not known to the index.';

/** A release's standing on the vulnerability, from what its bundle shows. */
export type CraAssessment =
  | 'affected'
  | 'no_disposition'
  | 'under_investigation'
  /** No finding of its own names the component, but its SBOM lists one (same package and version) another's does. */
  | 'ships_named_component'
  | 'fixed'
  | 'not_affected'
  | 'not_found_by_scans'
  | 'findings_not_read'
  | 'not_scanned';

/** The order in which a release's findings decide its standing: the one that claims least wins. */
const CLAIM_ORDER: CraAssessment[] = [
  'affected',
  'no_disposition',
  'under_investigation',
  'ships_named_component',
  'fixed',
  'not_affected',
];

export interface CraFinding {
  id: string;
  purl: string;
  severity: string;
  status: string;
  justification?: string;
  impactStatement?: string;
  actionStatement?: string;
  fixVersions: string[];
  /** A KEV catalog in the bundle lists it; null where the index did not record it (schema 1). */
  knownExploited: boolean | null;
  /** The VEX document in the bundle that set the status. */
  statusFrom?: string;
  /** Who stated the status, as the VEX document names its author (absent: it names none, or not recorded). */
  statedBy?: string;
  /** When, as the statement or its document dates it (absent: undated, or not recorded). */
  statedAt?: string;
  /**
   * Statements that applied too and said another status, which lost to the one that set it (a later one, or the more cautious where dates cannot order them) (`path#index:
   * status`), and how many there are in all: the status is contested, for a person to weigh.
   */
  contested?: { statements: string[]; total: number };
  /** False for rows indexed before the index recorded statements (schema 1): rebuild the index to have them. */
  statementsRecorded: boolean;
  /** False for rows indexed before the index recorded who stated a status and what contradicted it (schema 6). */
  provenanceRecorded: boolean;
}

export interface CraRelease {
  product: string;
  version: string;
  created: string;
  signedAt?: string;
  /**
   * When it was released as far as the index can say: `signedAt` (a time its signature's verification relied on), else
   * `created`, which only the signer vouches for (`datedBy: 'signer'`).
   */
  releasedAt: string;
  datedBy: 'verified-time' | 'signer';
  policy: string;
  /**
   * For a policy that passed, what it showed (verify's `policy.shows`): `nothing` is a pass that says nothing of the
   * release; `not-recorded` when it was indexed before schema 7.
   */
  policyShows?: IndexedPolicyShows;
  bundle: { digest: string; location: string };
  assessment: CraAssessment;
  findings: CraFinding[];
  /**
   * Components its SBOMs list that a finding of the vulnerability names (same package and version), which no finding
   * of its own reports (release-index/shipped.ts): the releases whose findings name each, and what its own scans said.
   */
  componentsNamed?: { purl: string; namedBy: string; scan: ShippedScan }[];
}

export interface CraNotificationDraft {
  kind: 'evidence-cra-notification-draft';
  version: 1;
  draft: true;
  notice: string;
  vulnerability: string;
  product?: string;
  generatedAt: string;
  index: string;
  summary: {
    releases: number;
    byAssessment: Record<CraAssessment, number>;
    /** Whether a KEV catalog in any bundle lists it as known exploited. */
    /**
     * `listed`: a KEV catalog in a bundle lists it; `not-listed`: every release with a finding of it carries a KEV
     * catalog and none lists it; `unknown`: otherwise (no catalog in some bundle, or not recorded).
     */
    knownExploited: 'listed' | 'not-listed' | 'unknown';
    /**
     * When the first release that is affected or not shown otherwise (affected, no disposition, under investigation,
     * ships a component a finding of it names) was released (its `releasedAt`); `exposedSinceDatedBy` is `signer` when that date, or the date of any release it
     * was compared with, only its signer vouches for (which release was first then rests on a signer's word).
     */
    exposedSince?: string;
    exposedSinceDatedBy?: CraRelease['datedBy'];
    /** When the first release of unknown standing (no scan, or findings not read) was released: not shown either way. */
    unknownSince?: string;
    unknownSinceDatedBy?: CraRelease['datedBy'];
    /** Releases with at least one finding of it whose VEX status is contested (`findings[].contested`). */
    contested: number;
    /**
     * Releases with findings set by a VEX statement indexed before the index recorded what contradicted one (schema
     * 6): whether they are contested is not known, and `contested` does not count them.
     */
    contestedNotRecorded: number;
    /** `PACKAGE VERSION` for each version that fixes the package of a finding not cleared, as its scanner gives it. */
    fixVersions: string[];
    mitigations: string[];
  };
  releases: CraRelease[];
  /**
   * Bundles the index listed as not verifying (of any product: a bundle that did not verify names none the index
   * trusts): considered nowhere above, since nothing they say was shown authentic. Each may be a release on the market.
   */
  notVerified: { location: string; reason: string }[];
  /** What the index cannot say, by the part of Article 14 that asks it. */
  toComplete: { article: string; what: string }[];
}

/** The stores give text, numbers and nulls only. */
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** What a policy that passed showed, as the index holds it, or `not-recorded` (indexed before schema 7). */
export type IndexedPolicyShows = 'evidence' | 'partial' | 'nothing' | 'not-recorded';

/** A release row's `policy_shows`, for a policy that passed: absent for a failed policy or none. */
function policyShowsOf(r: Record<string, unknown>): { policyShows?: IndexedPolicyShows } {
  if (r.policy !== 'pass') return {};
  const shows = r.policy_shows;
  return { policyShows: shows === 'evidence' || shows === 'partial' || shows === 'nothing' ? shows : 'not-recorded' };
}

/** The part of Article 14 each item belongs to, and what a person must add. */
const TO_COMPLETE: { article: string; what: string }[] = [
  {
    article: '14(2)(a) early warning, within 24 hours',
    what: 'whether the vulnerability is actively exploited, and whether the exploitation is suspected to be caused by unlawful or malicious acts',
  },
  {
    article: '14(2)(a) early warning, within 24 hours',
    what: 'the Member States on whose territory the product has been made available',
  },
  {
    article: '14(2)(b) notification, within 72 hours',
    what: 'the general nature of the exploit and of the vulnerability, and how sensitive the notified information is',
  },
  {
    article: '14(2)(b) notification, within 72 hours',
    what: 'the corrective or mitigating measures taken, and those users can take (the fixed versions and VEX statements below are a start)',
  },
  {
    article: '14(2)(c) final report, within 14 days of a corrective measure',
    what: 'a description of the vulnerability with its severity and impact, any information on a malicious actor, and the security update or other corrective measures',
  },
  {
    article: 'scope',
    what: 'which of the releases below are on the market and within their support period; releases not indexed are not listed',
  },
];

/**
 * The notification draft for `vulnerability` from the index's rows: `findings` are the rows of the `vulnerability`
 * question, `releases` those of the `releases` question (every release, with whether its bundle holds scans).
 */
export function craNotificationDraft(input: {
  vulnerability: string;
  product?: string;
  generatedAt: string;
  index: string;
  findings: readonly Record<string, unknown>[];
  releases: readonly Record<string, unknown>[];
  /** The index's list of bundles that did not verify. */
  rejected?: readonly Record<string, unknown>[];
  /** Releases whose SBOMs list a component a finding of it names, their own scans not reporting it (shippedAnswers). */
  shipped?: readonly Record<string, unknown>[];
}): CraNotificationDraft {
  // A product the index holds no release of (a misspelt name, another case) would draft every standing as 0.
  if (input.product !== undefined && input.releases.length === 0)
    throw new CraError(
      'CRA_PRODUCT_NOT_INDEXED',
      `--product ${JSON.stringify(input.product)}: the index ${input.index} holds no release of that product (names are compared exactly)`,
    );
  const byBundle = new Map<string, CraFinding[]>();
  for (const r of input.findings) {
    const digest = text(r.bundle_digest);
    const recorded = r.action_statement !== null && r.action_statement !== undefined;
    const provenance = r.status_author !== null && r.status_author !== undefined;
    const total = Number(r.conflicts_total ?? 0);
    const f: CraFinding = {
      id: text(r.finding_id),
      purl: text(r.purl),
      severity: text(r.severity),
      status: text(r.status),
      ...(text(r.justification) ? { justification: text(r.justification) } : {}),
      ...(text(r.impact_statement) ? { impactStatement: text(r.impact_statement) } : {}),
      ...(text(r.action_statement) ? { actionStatement: text(r.action_statement) } : {}),
      fixVersions: text(r.fix_versions).split(' ').filter(Boolean),
      knownExploited:
        r.known_exploited === null || r.known_exploited === undefined ? null : Number(r.known_exploited) === 1,
      ...(text(r.status_from) ? { statusFrom: text(r.status_from) } : {}),
      ...(text(r.status_author) ? { statedBy: text(r.status_author) } : {}),
      ...(text(r.status_at) ? { statedAt: text(r.status_at) } : {}),
      ...(total > 0 ? { contested: { statements: text(r.conflicts).split('; ').filter(Boolean), total } } : {}),
      statementsRecorded: recorded,
      provenanceRecorded: provenance,
    };
    const list = byBundle.get(digest);
    if (list) list.push(f);
    else byBundle.set(digest, [f]);
  }
  const named = new Map<string, NonNullable<CraRelease['componentsNamed']>>();
  for (const r of input.shipped ?? []) {
    const list = named.get(text(r.bundle_digest)) ?? [];
    list.push({ purl: text(r.purl), namedBy: text(r.named_by), scan: text(r.scan) as ShippedScan });
    named.set(text(r.bundle_digest), list);
  }
  const releases: CraRelease[] = input.releases.map((r) => {
    const digest = text(r.bundle_digest);
    const findings = byBundle.get(digest) ?? [];
    const componentsNamed = named.get(digest);
    const standing = (f: CraFinding): CraAssessment =>
      f.status === 'none' || f.status === '' ? 'no_disposition' : (f.status as CraAssessment);
    // A component a finding names that its own scans did not report is not shown unaffected by them: it counts with
    // its findings, and the one that claims least decides.
    const standings = [...findings.map(standing), ...(componentsNamed ? ['ships_named_component' as const] : [])];
    const assessment: CraAssessment =
      standings.length > 0
        ? (CLAIM_ORDER.find((a) => standings.includes(a)) ?? 'no_disposition')
        : Number(r.scanned ?? 0) === 0
          ? 'not_scanned'
          : // NULL: indexed before the index recorded whether the findings were read (schema 2), so not known either.
            r.findings_read !== null && r.findings_read !== undefined && Number(r.findings_read) === 1
            ? 'not_found_by_scans'
            : 'findings_not_read';
    return {
      product: text(r.product),
      version: text(r.version),
      created: text(r.created),
      ...(text(r.signed_at) ? { signedAt: text(r.signed_at) } : {}),
      releasedAt: text(r.signed_at) || text(r.created),
      datedBy: text(r.signed_at) ? 'verified-time' : 'signer',
      policy: text(r.policy),
      ...policyShowsOf(r),
      bundle: { digest, location: text(r.location) },
      assessment,
      findings,
      ...(componentsNamed ? { componentsNamed } : {}),
    };
  });
  const byAssessment = Object.fromEntries(
    [...CLAIM_ORDER, 'not_found_by_scans', 'findings_not_read', 'not_scanned'].map((a) => [
      a,
      releases.filter((r) => r.assessment === a).length,
    ]),
  ) as Record<CraAssessment, number>;
  // The first of them by date; which one that is rests on a signer's word when any of them is dated by its signer only.
  const first = (among: CraAssessment[]) => {
    const them = releases.filter((r) => among.includes(r.assessment));
    const earliest = them.sort((a, b) => (a.releasedAt < b.releasedAt ? -1 : a.releasedAt > b.releasedAt ? 1 : 0))[0];
    return (
      earliest && {
        releasedAt: earliest.releasedAt,
        datedBy: them.some((r) => r.datedBy === 'signer') ? ('signer' as const) : earliest.datedBy,
      }
    );
  };
  const exposed = first(['affected', 'no_disposition', 'under_investigation', 'ships_named_component']);
  const unknown = first(['not_scanned', 'findings_not_read']);
  const all = releases.flatMap((r) => r.findings);
  const catalogs = new Map(input.releases.map((r) => [text(r.bundle_digest), Number(r.kev_catalogs ?? 0)]));
  const knownExploited = all.some((f) => f.knownExploited === true)
    ? 'listed'
    : all.length > 0 &&
        all.every((f) => f.knownExploited === false) &&
        releases.every((r) => r.findings.length === 0 || (catalogs.get(r.bundle.digest) ?? 0) > 0)
      ? 'not-listed'
      : 'unknown';
  return {
    kind: 'evidence-cra-notification-draft',
    version: 1,
    draft: true,
    notice: CRA_DRAFT_NOTICE,
    vulnerability: input.vulnerability,
    ...(input.product !== undefined ? { product: input.product } : {}),
    generatedAt: input.generatedAt,
    index: input.index,
    summary: {
      releases: releases.length,
      byAssessment,
      knownExploited,
      ...(exposed ? { exposedSince: exposed.releasedAt, exposedSinceDatedBy: exposed.datedBy } : {}),
      ...(unknown ? { unknownSince: unknown.releasedAt, unknownSinceDatedBy: unknown.datedBy } : {}),
      contested: releases.filter((r) => r.findings.some((f) => f.contested)).length,
      contestedNotRecorded: releases.filter((r) => r.findings.some((f) => !f.provenanceRecorded && f.statusFrom))
        .length,
      // Of the findings not cleared (a not_affected or fixed one needs no fix), each with its package, as the scanners
      // give them: `pkg:npm/dual 1.0.1`.
      fixVersions: [
        ...new Set(
          all
            .filter((f) => f.status !== 'not_affected' && f.status !== 'fixed')
            .flatMap((f) =>
              f.fixVersions.map((v) => `${f.purl.replace(/@[^@?#]*(?=[?#]|$)/, '') || '(no purl)'} ${v}`),
            ),
        ),
      ].sort(),
      mitigations: [...new Set(all.flatMap((f) => (f.actionStatement ? [f.actionStatement] : [])))],
    },
    releases,
    notVerified: (input.rejected ?? []).map((r) => ({ location: text(r.location), reason: text(r.reason) })),
    toComplete: TO_COMPLETE,
  };
}

/**
 * The points of the CRA's Annex VII (Regulation (EU) 2024/2847, contents of the technical documentation), paraphrased,
 * with the kinds of evidence that document each. Points no evidence kind documents are for a person to write.
 */
const ANNEX_VII: {
  point: string;
  title: string;
  kinds: string[];
  beyond?: string;
  /** The parts of the point evidence can show, each by its own kinds: one kind does not document the whole point. */
  parts?: { what: string; kinds: string[] }[];
}[] = [
  {
    point: '1',
    title: 'General description of the product: its intended purpose, the software versions affecting compliance',
    kinds: [],
  },
  {
    point: '2(a)',
    title: 'Design and development: system architecture, how software components build on or feed into each other',
    kinds: ['attestation'],
    beyond: 'the system architecture and how the components build on or feed into each other',
  },
  {
    point: '2(b)',
    title:
      'Vulnerability handling: the software bill of materials, vulnerabilities found and how each is handled, the coordinated vulnerability disclosure policy, a contact address, secure distribution of updates',
    kinds: ['sbom', 'scan', 'vex', 'kev', 'vulnerabilities', 'openvex'],
    parts: [
      { what: 'the software bill of materials', kinds: ['sbom'] },
      { what: 'the vulnerabilities found (a vulnerability scan)', kinds: ['scan', 'vulnerabilities'] },
      { what: 'how each is handled (VEX statements)', kinds: ['vex', 'openvex'] },
    ],
    beyond:
      'the coordinated vulnerability disclosure policy, the contact address for reporting vulnerabilities, and how updates are distributed securely',
  },
  {
    point: '2(c)',
    title: 'Production and monitoring processes, and their validation',
    kinds: ['changes', 'terraform', 'migrations', 'dora', 'slo'],
    beyond: 'a description of the production and monitoring processes these records come from',
  },
  { point: '3', title: 'Assessment of the cybersecurity risks (Article 13)', kinds: [] },
  { point: '4', title: 'What determined the support period (Article 13(8))', kinds: [] },
  { point: '5', title: 'Harmonised standards, common specifications or certification schemes applied', kinds: [] },
  {
    point: '6',
    title:
      'Reports of the tests carried out to verify conformity with the essential requirements of Annex I, Parts I and II',
    kinds: ['junit', 'coverage', 'k6', 'sarif'],
    beyond: 'which essential requirement each test verifies, and the tests of the vulnerability handling processes',
  },
  { point: '7', title: 'A copy of the EU declaration of conformity', kinds: [] },
  {
    point: '8',
    title: 'The software bill of materials, on a reasoned request of a market surveillance authority',
    kinds: ['sbom'],
  },
];

export interface AnnexViiSection {
  point: string;
  title: string;
  /**
   * The bundle's entries of the kinds that document it, by their paths in the bundle (and the extracted folder); one
   * that holds nothing (a test report without tests) says why, and documents nothing.
   */
  files: { path: string; kind: string; holdsNothing?: string }[];
  /** Nothing in the bundle documents it (no entry, or only entries that hold nothing): a person writes it. */
  toComplete: boolean;
  /** What the point asks beyond what evidence can show, for a person to add even where files are listed. */
  beyond?: string;
  /** The parts of the point evidence could show that no entry of the bundle shows. */
  notShown: string[];
}

/**
 * The Annex VII table of contents for a release's entries (`holdsNothing`: why one holds nothing to show); entries no
 * point names are listed under `other`.
 */
export function annexViiSections(entries: readonly { path: string; kind: string; holdsNothing?: string }[]): {
  sections: AnnexViiSection[];
  other: { path: string; kind: string }[];
} {
  const named = new Set(ANNEX_VII.flatMap((p) => p.kinds));
  const sections = ANNEX_VII.map((p) => {
    const files = entries
      .filter((e) => p.kinds.includes(e.kind))
      .map((e) => ({ path: e.path, kind: e.kind, ...(e.holdsNothing ? { holdsNothing: e.holdsNothing } : {}) }));
    const shown = files.filter((f) => !f.holdsNothing);
    return {
      point: p.point,
      title: p.title,
      files,
      toComplete: shown.length === 0,
      ...(p.beyond !== undefined ? { beyond: p.beyond } : {}),
      notShown:
        shown.length === 0
          ? []
          : (p.parts ?? []).filter((x) => !shown.some((f) => x.kinds.includes(f.kind))).map((x) => x.what),
    };
  });
  return { sections, other: entries.filter((e) => !named.has(e.kind)).map((e) => ({ path: e.path, kind: e.kind })) };
}

export type CraErrorCode =
  /** No release of that product and version in the index. */
  | 'CRA_RELEASE_NOT_INDEXED'
  /** No release of the product named (--product) in the index: a draft of it would say nothing, as if all clear. */
  | 'CRA_PRODUCT_NOT_INDEXED'
  /** The release's bundle cannot be read from where the index says it is (give it with --bundle). */
  | 'CRA_BUNDLE_UNREACHABLE'
  /** The bundle given or found is not the one the index holds (another sha256). */
  | 'CRA_BUNDLE_MISMATCH'
  /** Several indexed bundles of that product and version: choose one with --digest. */
  | 'CRA_RELEASE_AMBIGUOUS'
  | 'CRA_INPUT_INVALID';

export class CraError extends EvidenceError<CraErrorCode> {
  constructor(code: CraErrorCode, message: string, cause?: unknown) {
    super('CraError', code, message, cause);
  }
}

/**
 * The one indexed release of `product` `version` (of the `releases` question's rows), narrowed to `digest` when given:
 * CRA_RELEASE_NOT_INDEXED when there is none, CRA_RELEASE_AMBIGUOUS (naming each bundle) when there are several.
 */
export function chosenRelease(
  rows: readonly Record<string, unknown>[],
  want: { product: string; version: string; digest?: string; index: string },
): {
  digest: string;
  location: string;
  signature?: { location: string; digest: string };
  policy: string;
  policyShows?: IndexedPolicyShows;
} {
  const found = rows.filter(
    (r) =>
      r.product === want.product && r.version === want.version && (!want.digest || r.bundle_digest === want.digest),
  );
  const name = `${want.product} ${want.version}${want.digest ? ` (${want.digest})` : ''}`;
  if (found.length === 0) throw new CraError('CRA_RELEASE_NOT_INDEXED', `${name}: no such release in ${want.index}`);
  if (found.length > 1)
    throw new CraError(
      'CRA_RELEASE_AMBIGUOUS',
      `${name}: ${found.length} bundles are indexed (${found.map((r) => `${text(r.bundle_digest)} at ${text(r.location)}`).join(', ')}); choose one with --digest`,
    );
  const [r] = found as [Record<string, unknown>];
  // The signature the index verified it with, when kept outside the bundle (schema 4): the bundle alone does not verify.
  const kept = typeof r.signature_digest === 'string';
  const signature = kept
    ? { signature: { location: text(r.signature_location), digest: text(r.signature_digest) } }
    : {};
  return {
    digest: text(r.bundle_digest),
    location: text(r.location),
    ...signature,
    policy: text(r.policy),
    ...policyShowsOf(r),
  };
}
