/**
 * `evidence query`'s answers as people and tools read them: text (one line per answer, the release first, the bundle
 * last), CSV (RFC 4180's quoting, a header row, every column of every answer; lines end in LF, as the terminal-safe
 * output passes no carriage return) and JSON. Every answer names the release
 * (product, version) and the bundle behind it (its sha256 and where it lives), and the signature that verified it when
 * that was kept outside the bundle, so it can be fetched and verified again.
 */
import { escapeValue } from './terminal.js';

export type QueryFormat = 'text' | 'json' | 'csv';

/**
 * The store gives text, numbers and nulls only. NULL (not recorded, or not asked) is an empty cell; an empty text is
 * `""`, as PostgreSQL's COPY reads the two apart.
 */
const csvCell = (v: unknown): string => {
  if (v === '') return '""';
  const raw = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
  // A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with ' (OWASP's advice).
  const s = typeof v === 'string' && /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** What `evidence query` found: the answers, and what they cannot speak for. */
export interface QueryAnswer {
  question: Record<string, unknown>;
  rows: Record<string, unknown>[];
  /** Releases in the question's scope (its --product), answering or not. */
  releases?: number;
  /** Releases in scope whose evidence cannot answer (no SBOM, findings not read, no policy check...), each with `why`. */
  unanswered?: Record<string, unknown>[];
  /** Bundles the index listed as not verifying: in no answer. */
  rejected?: { location: unknown; reason: unknown }[];
  /** The index answered from: where (without a password), its engine, the schema it was read as and the current one. */
  index?: { db: string; engine: string; schema: number; current: number };
}

/**
 * How the answers were checked, in one sentence: what the index recorded when it verified each release, not verified
 * again by the query; an index of an earlier schema read as it is records less.
 */
export function indexStatement(index: NonNullable<QueryAnswer['index']>): string {
  const older =
    index.schema < index.current
      ? `; an index of schema ${index.schema}, read as it is (not migrated): what schema ${index.current} records reads as not recorded`
      : '';
  return `from ${index.db} (${index.engine}, schema ${index.schema})${older}. Each answer is what the index recorded when it verified the release (indexed_at, signer); this query verified nothing again: run evidence verify on a bundle to check it now`;
}

const RELEASE_COLUMNS = [
  'product',
  'version',
  'bundle_digest',
  'location',
  'created',
  'signed_at',
  'signer',
  'indexed_at',
  'policy',
  'policy_shows',
];

/**
 * The policy verdict the index holds for a release, in words, never more than it showed: a pass whose requirements,
 * rules and cross-checks read no evidence (`policy_shows` nothing) is said to show nothing, as verify heads it (POLICY
 * SHOWS NOTHING); a pass indexed before schema 7 did not record what it showed, and says so. '' without a policy.
 */
export function indexedPolicyWords(policy: unknown, shows: unknown): string {
  if (policy === 'fail') return 'policy fail';
  if (policy !== 'pass') return '';
  if (shows === 'evidence') return 'policy pass';
  if (shows === 'partial') return 'policy pass, partly shown: some of its checks read no evidence';
  if (shows === 'nothing') return 'policy holds but SHOWS NOTHING: none of its checks read evidence';
  return 'policy pass; what it showed is not recorded (indexed before schema 7: rebuild the index)';
}

const quoted = (v: string): string => (/[\s="]/.test(v) ? JSON.stringify(v) : v);

/** Counts that only matter when there are some: a finding's conflicts, a release's entries that hold nothing. */
const zeroCount = (column: string, v: unknown): boolean =>
  (column === 'conflicts_total' || column === 'hollow') && Number(v) === 0;

/** The answers to a question in a format. */
export function renderQueryAnswers(format: QueryFormat, answer: QueryAnswer): string {
  const unanswered = answer.unanswered ?? [];
  const rejected = answer.rejected ?? [];
  if (format === 'json')
    return `${JSON.stringify(
      {
        question: answer.question,
        ...(answer.index
          ? {
              index: {
                ...answer.index,
                // The answers are the index's record of verifications made when each release was indexed.
                verified: 'when indexed (indexed_at); not again by this query',
              },
            }
          : {}),
        answers: answer.rows,
        ...(answer.releases !== undefined ? { releasesInScope: answer.releases } : {}),
        unanswered,
        notVerified: rejected,
      },
      null,
      2,
    )}\n`;
  const columns = [...new Set([...RELEASE_COLUMNS, ...answer.rows.flatMap((r) => Object.keys(r))])];
  if (format === 'csv') {
    // One table: each answer, then each release that could not answer (answered=no, why) and each bundle that did not
    // verify (answered=not-verified), so that a spreadsheet does not read their absence as "no".
    const all = [...columns, 'answered', 'why'];
    const rows = [
      ...answer.rows.map((r) => ({ ...r, answered: 'yes' })),
      ...unanswered.map((r) => ({ ...r, answered: 'no' })),
      ...rejected.map((r) => ({ location: r.location, answered: 'not-verified', why: r.reason })),
    ];
    return [all, ...rows.map((r: Record<string, unknown>) => all.map((c) => r[c]))]
      .map((row) => row.map(csvCell).join(','))
      .join('\n')
      .concat('\n');
  }
  const release = new Set([...RELEASE_COLUMNS, 'signature_location', 'signature_digest']);
  // A release verified by a signature kept outside its bundle names it too: the bundle alone does not verify.
  const signature = (r: Record<string, unknown>) =>
    typeof r.signature_digest === 'string'
      ? `; signature ${r.signature_digest} at ${escapeValue(String(r.signature_location))}`
      : '';
  const policy = (r: Record<string, unknown>) => {
    const words = indexedPolicyWords(r.policy, r.policy_shows);
    return words ? `${words}; ` : '';
  };
  const verified = (r: Record<string, unknown>) =>
    typeof r.signer === 'string'
      ? `signed by ${escapeValue(r.signer)}${typeof r.indexed_at === 'string' ? `, verified ${escapeValue(r.indexed_at)}` : ''}; `
      : '';
  const lines = answer.rows.map((r) => {
    const detail = columns
      .filter((c) => !release.has(c) && r[c] !== null && r[c] !== undefined && r[c] !== '' && !zeroCount(c, r[c]))
      // A value with a space or `=` is quoted, so that a text from the evidence (a VEX author) cannot pose as a field.
      .map((c) => `${c}=${escapeValue(quoted(String(r[c])))}`)
      .join(' ');
    return `${escapeValue(String(r.product))} ${escapeValue(String(r.version))}${detail ? `: ${detail}` : ''} (${policy(r)}${verified(r)}bundle ${String(r.bundle_digest)} at ${escapeValue(String(r.location))}${signature(r)})`;
  });
  const n = answer.rows.length;
  const out = [
    ...lines,
    n === 0
      ? 'no release in the index answers this'
      : `${n} answer${n === 1 ? '' : 's'}${answer.releases !== undefined ? ` from ${answer.releases} release${answer.releases === 1 ? '' : 's'} in the index` : ''}`,
  ];
  if (unanswered.length > 0) {
    out.push(
      `${unanswered.length} release${unanswered.length === 1 ? '' : 's'} could not answer, so ${unanswered.length === 1 ? 'its' : 'their'} absence above shows nothing:`,
    );
    for (const r of unanswered)
      out.push(
        `  ${escapeValue(String(r.product))} ${escapeValue(String(r.version))}: ${escapeValue(String(r.why))} (bundle ${String(r.bundle_digest)} at ${escapeValue(String(r.location))})`,
      );
  }
  if (rejected.length > 0) {
    out.push(
      `${rejected.length} bundle${rejected.length === 1 ? '' : 's'} did not verify and ${rejected.length === 1 ? 'is' : 'are'} in no answer:`,
    );
    for (const r of rejected) out.push(`  ${escapeValue(String(r.location))}: ${escapeValue(String(r.reason))}`);
  }
  const stated = answer.rows.filter((r) => typeof r.status_from === 'string' && r.status_from !== '');
  if (stated.some((r) => r.status_author === null || r.status_author === undefined))
    out.push(
      'status_from names the VEX document that set a status; for releases indexed before schema 6, who stated it and any statement contradicting it are not in the index (evidence verify the bundle shows both, or rebuild the index).',
    );
  if (stated.some((r) => typeof r.status_author === 'string'))
    out.push(
      'status_from names the VEX document that set a status; status_author and status_at are who stated it and when, as the document names its author and dates the statement (empty: it does not say); conflicts lists statements that applied too and said otherwise, which lost to it (a later statement wins, or the more cautious status where dates cannot order them): a status with conflicts is contested, for a person to read in the bundle (evidence verify).',
    );
  if (answer.rows.some((r) => r.found_by === 'sbom'))
    out.push(
      "found_by sbom: the release's SBOM lists the package at the version (its purl's type, namespace, name and version; not its qualifiers) that a finding of this vulnerability names in the scans of named_by, and no finding of its own reports it: not shown unaffected; found_by scan: its own scan reported it.",
    );
  if (answer.rows.some((r) => r.dated_by === 'signer'))
    out.push(
      "dated_by signer: the release is placed in the period by its manifest's created, which only its signer vouches for (no timestamp or log time was verified for its signature).",
    );
  if (answer.rows.some((r) => 'expression' in r && r.expression === null))
    out.push(
      'expression empty (not recorded): indexed before schema 6, so whether the licence was one term of an expression naming several is not known; rebuild the index to record it.',
    );
  if (answer.rows.some((r) => Number(r.hollow) > 0))
    out.push(
      'hollow counts entries of the kind that the release has but that hold nothing (a test report in which no test ran, an SBOM without components): they are not that evidence.',
    );
  if (answer.rows.some((r) => typeof r.expression === 'string' && r.expression !== ''))
    out.push(
      'expression is the SPDX expression the licence is one term of, as the SBOM wrote it: under OR, the licence may be one choice among others.',
    );
  if (answer.index) out.push(`Answered ${escapeValue(indexStatement(answer.index))}.`);
  return `${out.join('\n')}\n`;
}
