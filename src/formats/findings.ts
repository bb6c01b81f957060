/**
 * One model of vulnerability findings (docs/vulnerabilities.md), whatever scanner reported them: the scanners' own
 * reports (`scanners.ts`) are read into it, VEX statements (`vex/`) set each finding's disposition, and the release's
 * findings document and OpenVEX document are written from it.
 */

/** Severities, most severe first; `unknown` when the scanner gives none we can read. */
export const FINDING_SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** The scanners' reports read here. */
export const SCAN_FORMATS = ['grype', 'trivy', 'osv-scanner', 'npm-audit', 'zap'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

/** A CVSS rating as the report gives it. */
export interface Cvss {
  /** `2.0`, `3.0`, `3.1`, `4.0`. */
  version: string;
  vector?: string;
  score?: number;
  /** Who rated it (`nvd`, `ghsa`, a vendor), where the report says. */
  source?: string;
}

/** One finding as one scanner reported it, normalised. */
export interface Finding {
  /**
   * The advisory id the scanner reports (`CVE-2021-44228`, `GHSA-…`, `GO-…`, `RUSTSEC-…`); for a web alert without a
   * package (ZAP), `zap:<pluginId>`.
   */
  id: string;
  /** Other ids the report gives for the same vulnerability (the CVE of a GHSA, say): distinct, sorted, without `id`. */
  aliases: string[];
  /** The affected package's purl, with its version, when the report gives one or enough to write one. */
  purl?: string;
  /** The package as the report names it; absent for web alerts. */
  package?: { name: string; version?: string; ecosystem?: string };
  severity: FindingSeverity;
  cvss: Cvss[];
  /** Versions that fix it, as the report lists them; empty when none is known. */
  fixVersions: string[];
  /** CWE ids (`CWE-79`), where given. */
  cwes: string[];
  title?: string;
  /** Where it was found: a lockfile or target for packages, a URL for web alerts. */
  location?: string;
  /** The report itself says it is known to be exploited (Grype's `knownExploited`). */
  knownExploited?: boolean;
}

/** A scanner's report, read. */
export interface ScanReport {
  format: ScanFormat;
  scanner: { name: string; version?: string };
  findings: Finding[];
}

/** VEX statuses (OpenVEX 0.2.0's names; CSAF's and CycloneDX's are mapped onto them). */
export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

/** VEX documents read here. */
export const VEX_FORMATS = ['openvex', 'csaf', 'cyclonedx'] as const;
export type VexFormat = (typeof VEX_FORMATS)[number];

/** A product a VEX statement speaks of: a purl, and the components inside it the statement is about. */
export interface VexProduct {
  purl: string;
  /** Purls of components of `purl`; empty when the statement is about the product as a whole. */
  subcomponents: string[];
}

/** One VEX statement: a vulnerability, the products it is about, and their status. */
export interface VexStatement {
  vulnerability: string;
  /** Other ids of the vulnerability the document gives. */
  aliases: string[];
  products: VexProduct[];
  status: VexStatus;
  /** OpenVEX's justification names (`component_not_present`, …); CSAF flags and CycloneDX justifications mapped. */
  justification?: string;
  impactStatement?: string;
  actionStatement?: string;
  /** When the statement was made (its own timestamp, else its document's), RFC 3339: what reports show. */
  timestamp?: string;
  /**
   * The statement's own date, when it carries one (OpenVEX's `last_updated` or `timestamp` on the statement,
   * CycloneDX's `analysis.lastUpdated` or `firstIssued`): what orders it against other statements. A date of the
   * whole document (re-issued for any reason) says nothing of when this statement was made, so it orders nothing.
   */
  orderedAt?: string;
  /** Which statement of which document: its index in the document's statements as read. */
  index: number;
}

export interface VexDocument {
  format: VexFormat;
  /** The document's id (`@id`, CSAF's tracking id, CycloneDX's serialNumber), or its file name. */
  id: string;
  author?: string;
  timestamp?: string;
  statements: VexStatement[];
}

/** CISA's Known Exploited Vulnerabilities catalog, as read. */
export interface KevCatalog {
  catalogVersion: string;
  dateReleased: string;
  /** CVE id → the date it was added (YYYY-MM-DD) and whether it is known to be used in ransomware campaigns. */
  entries: Map<string, { dateAdded: string; ransomware: boolean }>;
}
