import { SEVERITIES } from '../core/summaries.js';
/**
 * What changed between two releases' bundles, as data: what `evidence diff`
 * computes (src/diff/compute.ts) and the reports show (src/present).
 */
export interface Change {
  old: number | null;
  new: number | null;
  delta: number | null;
}

export interface DiffBundleInfo {
  /** The path as given. */
  path: string;
  name: string;
  version: string;
  created: string;
  manifestDigest: string;
  /**
   * How this side was checked, so no output implies more than was shown:
   * `not-checked` (integrity only: its content matches its digests, but the
   * signature was not checked, so what it says is its own claim), `authentic`
   * (signature and signer verified), or `failed` (the signature or signer did
   * not verify; its figures are still compared, as claims).
   */
  checked: DiffSideCheck;
}

export interface DiffSideCheck {
  authenticity: 'authentic' | 'not-checked' | 'failed';
  method: 'integrity-only' | 'identity' | 'key';
  /** `integrity only: signature not checked`, or who signed it and how that was verified. */
  summary: string;
}

export interface DiffComponent {
  name: string;
  /** Null when the SBOM gives no version. */
  version: string | null;
  purl?: string;
}

export interface DiffComponentChange {
  name: string;
  from: string | null;
  to: string | null;
  /** The new side's purl, when it has one. */
  purl?: string;
}

/** A finding as diff shows it; `status` is the VEX disposition, `none` without one. */
export interface DiffFinding {
  id: string;
  purl?: string;
  severity: string;
  status: string;
}

export { SEVERITIES };
export const LEVELS = ['error', 'warning', 'note', 'none'] as const;
export const TEST_COUNTS = ['tests', 'passed', 'failed', 'errored', 'skipped'] as const;

export interface DiffResult {
  old: DiffBundleInfo;
  new: DiffBundleInfo;
  /**
   * From the SBOM blobs of all SBOM entries; a component is known by its purl without version, else by its name. Null
   * when a side has no SBOM, or none that holds anything (hollow.ts: without components), or not all of them could be
   * read (a warning says which): absence is not removal. Entries that hold nothing are left out of every part, said.
   */
  components: { added: DiffComponent[]; removed: DiffComponent[]; changed: DiffComponentChange[] } | null;
  /** Distinct SPDX license ids over all SBOMs (their manifest summaries); null when components are not compared. */
  licenses: { added: string[]; removed: string[] } | null;
  /** Summed over all SARIF entries that hold something; a side without one (none, or no runs) is null. */
  vulnerabilities: {
    /** SARIF rule ids with results in one release and not the other (from the SARIF blobs); null as components. */
    rules: { added: string[]; removed: string[] } | null;
    results: Change;
    severities: Record<(typeof SEVERITIES)[number], Change>;
    levels: Record<(typeof LEVELS)[number], Change>;
  };
  /**
   * The releases' findings from their vulnerabilities documents (scanners' reports with VEX applied), by
   * vulnerability and package: new, gone, and those whose disposition changed. Null unless both sides have one, read.
   */
  findings: {
    added: DiffFinding[];
    removed: DiffFinding[];
    dispositionChanged: (DiffFinding & { from: string })[];
  } | null;
  /**
   * Summed over all JUnit entries in which a test ran; a side without one (no JUnit, or no test run: none, or all
   * skipped) is null.
   */
  tests: Record<(typeof TEST_COUNTS)[number], Change>;
  /** Ratios 0–1 over all coverage entries that measured something (covered and total summed); null when not measured. */
  coverage: { lines: Change; branches: Change };
  /** Per SLO name, over all SLO entries. */
  slo: Record<string, { sli: Change; errorBudgetRemaining: Change }>;
  /** From the first DORA entry (by path); seconds for the times. */
  dora: {
    deploymentsPerDay: Change;
    leadTimeMedianSeconds: Change;
    changeFailureRate: Change;
    timeToRestoreMedianSeconds: Change;
  };
  /** Evidence entries by logical path; changed = same path, another digest. */
  entries: { added: string[]; removed: string[]; changed: string[] };
  /** Release subjects by name and digest: a rebuilt artifact of one name is removed and added. */
  subjects: { added: { name: string; digest: string }[]; removed: { name: string; digest: string }[] };
  /**
   * What could not be compared, and why (a side without a kind the other has, entries that hold nothing, an SBOM too
   * large or unreadable, several DORA entries, …).
   */
  warnings: string[];
  /**
   * True when the evidence or the subjects differ (entries or subjects added, removed or changed, by digest): `--exit-code`
   * exits 4 (cli/exit-codes.ts). False only when every entry and subject is the same bytes on both sides, so a part not
   * compared is never taken for unchanged.
   */
  differs: boolean;
}
