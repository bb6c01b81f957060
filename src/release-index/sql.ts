import { DATED_BY, kindCount, RELEASE_DATE, toTheSecond, unansweredSql } from './unanswered.js';
import { appendAll } from '../core/objects.js';
/**
 * The evidence index's schema and questions, as SQL both stores run (docs/index.md): the embedded SQLite file and
 * PostgreSQL. Only what both read the same way is used (TEXT and INTEGER columns, `?` placeholders that the
 * PostgreSQL store numbers), and every row names the bundle (`bundle_digest`) it comes from, so any answer can be
 * fetched and verified again.
 */
import { PurlReader } from '../formats/purl.js';
import { expressionIds } from '../formats/sbom.js';
import type { IndexedRelease } from './rows.js';

/** The schema's version: a store refuses a file or database of a later one, and migrates an earlier one. */
export const INDEX_SCHEMA_VERSION = 9;

/** The SQL each store speaks where the two differ (an index's operator class, a comparison of bytes). */
export type Dialect = 'sqlite' | 'postgresql';

/** A migration's statement: the same on both stores, or each its own (null: none on that store). */
export type MigrationStatement = string | Readonly<Record<Dialect, string | null>>;

/** A migration statement as `dialect` runs it; undefined when that store has none. */
export const statementFor = (s: MigrationStatement, dialect: Dialect): string | undefined =>
  typeof s === 'string' ? s : (s[dialect] ?? undefined);

/**
 * Schema 9 on SQLite: a component row's id is its release's number (`releases.seq`) shifted by this many bits, plus
 * the component's place in its SBOMs' list, so that the (package_key, purl) index, which holds each row's id, names
 * the release without reading the row. A release may therefore list fewer than 2^24 components (releaseInserts).
 */
export const COMPONENT_ID_BITS = 24;

/** Each version's statements, in order: version N's are run on a store at N - 1. */
export const MIGRATIONS: readonly (readonly MigrationStatement[])[] = [
  [
    'CREATE TABLE index_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)',
    `CREATE TABLE releases (
      bundle_digest TEXT PRIMARY KEY, location TEXT NOT NULL, source TEXT NOT NULL, product TEXT NOT NULL,
      version TEXT NOT NULL, created TEXT NOT NULL, signed_at TEXT, signer TEXT NOT NULL, policy TEXT NOT NULL,
      policy_digest TEXT, indexed_at TEXT NOT NULL)`,
    'CREATE INDEX releases_product ON releases (product, version)',
    'CREATE TABLE subjects (bundle_digest TEXT NOT NULL, name TEXT NOT NULL, digest TEXT NOT NULL)',
    'CREATE INDEX subjects_digest ON subjects (digest)',
    'CREATE INDEX subjects_release ON subjects (bundle_digest)',
    `CREATE TABLE components (bundle_digest TEXT NOT NULL, purl TEXT NOT NULL, package_key TEXT NOT NULL,
      name TEXT NOT NULL, version TEXT NOT NULL)`,
    'CREATE INDEX components_purl ON components (purl)',
    'CREATE INDEX components_package ON components (package_key)',
    'CREATE TABLE licenses (bundle_digest TEXT NOT NULL, purl TEXT NOT NULL, license TEXT NOT NULL)',
    'CREATE INDEX licenses_license ON licenses (license)',
    `CREATE TABLE findings (bundle_digest TEXT NOT NULL, finding_id TEXT NOT NULL, purl TEXT NOT NULL,
      severity TEXT NOT NULL, status TEXT NOT NULL, justification TEXT NOT NULL, fix_versions TEXT NOT NULL,
      status_from TEXT NOT NULL)`,
    'CREATE INDEX findings_release ON findings (bundle_digest, finding_id)',
    `CREATE TABLE finding_ids (bundle_digest TEXT NOT NULL, vuln_id TEXT NOT NULL, finding_id TEXT NOT NULL,
      purl TEXT NOT NULL)`,
    'CREATE INDEX finding_ids_vuln ON finding_ids (vuln_id)',
    'CREATE TABLE kinds (bundle_digest TEXT NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL)',
    'CREATE INDEX kinds_release ON kinds (bundle_digest, kind)',
    `CREATE TABLE controls (bundle_digest TEXT NOT NULL, control TEXT NOT NULL, check_name TEXT NOT NULL,
      status TEXT NOT NULL, evidence INTEGER NOT NULL)`,
    'CREATE INDEX controls_control ON controls (control)',
    `CREATE TABLE rejected (location TEXT PRIMARY KEY, source TEXT NOT NULL, bundle_digest TEXT, reason TEXT NOT NULL,
      seen_at TEXT NOT NULL)`,
  ],
  // 2: what a CRA notification needs of each finding (rows indexed under 1 have NULL: not recorded, rebuild).
  [
    'ALTER TABLE findings ADD COLUMN impact_statement TEXT',
    'ALTER TABLE findings ADD COLUMN action_statement TEXT',
    'ALTER TABLE findings ADD COLUMN known_exploited INTEGER',
    'ALTER TABLE releases ADD COLUMN components_read INTEGER',
    'ALTER TABLE releases ADD COLUMN findings_read INTEGER',
  ],
  // 3: an exact purl is found through its package's index (a package has few versions per release), and the index of
  // every purl, which cost each release's 500 components more to write than verifying the release, is dropped.
  ['DROP INDEX components_purl'],
  // 4: which signature verified a release when it was not the bundle's own (a Sigstore bundle asset beside it, or one
  // GitHub's attestations API offered): where it was read and its sha256. NULL: the bundle's own, or indexed before 4.
  ['ALTER TABLE releases ADD COLUMN signature_location TEXT', 'ALTER TABLE releases ADD COLUMN signature_digest TEXT'],
  // 5: a control's row holds verify's verdict over everything citing it. Rows indexed before held one rule's or
  // requirement's status each, without the cross-checks (a rule's `pass` beside a failed cross-check): their status is
  // not the control's, so it becomes `not-recorded` (what the check said is kept in check_name; rebuild for verdicts).
  [`UPDATE controls SET check_name = check_name || ': ' || status, status = 'not-recorded'`],
  // 6: what an answer needs so as not to say more than the evidence. Who stated a finding's status, when, and the
  // statements that said otherwise (a contested disposition); how many entries of a kind hold nothing (a test report
  // without tests is not test evidence); how many components have no purl (a --purl question cannot see them) and
  // how many name no licence id (a --license question cannot either); a
  // licence id is found whatever its case (SPDX ids are matched so), with the expression it was one term of. Rows
  // indexed before 6 have NULL for each: not recorded (rebuild).
  [
    'ALTER TABLE findings ADD COLUMN status_author TEXT',
    'ALTER TABLE findings ADD COLUMN status_at TEXT',
    'ALTER TABLE findings ADD COLUMN conflicts TEXT',
    'ALTER TABLE findings ADD COLUMN conflicts_total INTEGER',
    'ALTER TABLE kinds ADD COLUMN empty INTEGER',
    'ALTER TABLE releases ADD COLUMN components_without_purl INTEGER',
    'ALTER TABLE releases ADD COLUMN components_without_license INTEGER',
    'ALTER TABLE licenses ADD COLUMN license_key TEXT',
    'ALTER TABLE licenses ADD COLUMN expression TEXT',
    'UPDATE licenses SET license_key = LOWER(license)',
    'DROP INDEX licenses_license',
    'CREATE INDEX licenses_key ON licenses (license_key)',
  ],
  // 7: what a policy that passed showed (evidence, partial, nothing), as verify heads it: a policy whose rules ranged
  // over no evidence holds and shows nothing, and is no pass to print. NULL: none applied, it failed, or a release
  // indexed before 7 (its pass reads as not recorded what it showed: rebuild).
  ['ALTER TABLE releases ADD COLUMN policy_shows TEXT'],
  // 8: a component's package and purl in one index, so that a package at one version (`pkg:npm/lodash@4.17.20`, and
  // that followed by qualifiers) is a range read of it: --cve's lookup of the releases that ship what its findings
  // name read every version's rows of each package before (100,000 rows at 10,000 releases; docs/performance.md). It
  // replaces the index of the package alone, which its first column serves. PostgreSQL compares the purls as bytes
  // (text_pattern_ops), as SQLite does: under a database's linguistic collation a range of bytes is not a prefix.
  [
    'DROP INDEX components_package',
    {
      sqlite: 'CREATE INDEX components_package_purl ON components (package_key, purl)',
      postgresql: 'CREATE INDEX components_package_purl ON components (package_key, purl text_pattern_ops)',
    },
  ],
  // 9, SQLite only: each release numbered (`seq`) and each component row's id its release's number and its place
  // (COMPONENT_ID_BITS), so that the (package_key, purl) index names a component's release itself: --cve's lookup read
  // each of 8,000 component rows from the table only for its bundle's digest (docs/performance.md). Explicit columns,
  // not SQLite's implicit rowids, which VACUUM may renumber. The components table is written anew (29 s for the
  // bench's five million rows); a component row of no release, which no question could reach, is not carried over.
  // PostgreSQL's tables are as at 8.
  [
    { sqlite: 'ALTER TABLE releases ADD COLUMN seq INTEGER', postgresql: null },
    { sqlite: 'UPDATE releases SET seq = rowid', postgresql: null },
    { sqlite: 'CREATE UNIQUE INDEX releases_seq ON releases (seq)', postgresql: null },
    {
      sqlite: `CREATE TABLE components_9 (id INTEGER PRIMARY KEY, bundle_digest TEXT NOT NULL, purl TEXT NOT NULL,
        package_key TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL)`,
      postgresql: null,
    },
    {
      sqlite: `INSERT INTO components_9 (id, bundle_digest, purl, package_key, name, version)
        SELECT (r.seq << ${COMPONENT_ID_BITS}) + ROW_NUMBER() OVER (PARTITION BY c.bundle_digest ORDER BY c.rowid) - 1,
          c.bundle_digest, c.purl, c.package_key, c.name, c.version
        FROM components c JOIN releases r ON r.bundle_digest = c.bundle_digest`,
      postgresql: null,
    },
    { sqlite: 'DROP TABLE components', postgresql: null },
    { sqlite: 'ALTER TABLE components_9 RENAME TO components', postgresql: null },
    { sqlite: 'CREATE INDEX components_package_purl ON components (package_key, purl)', postgresql: null },
  ],
];

/** The tables a release's rows are in, in the order they are deleted (a release indexed again is replaced whole). */
export const RELEASE_TABLES = ['subjects', 'components', 'licenses', 'findings', 'finding_ids', 'kinds', 'controls'];

/** One statement and its parameters. */
export interface Sql {
  text: string;
  params: (string | number | null)[];
}

/**
 * The statements that store one release; `replace` when the index holds the bundle already (its rows are deleted
 * first: without it, the deletes would scan every table for nothing on each new release). On SQLite the release is
 * numbered one past the highest number held, and its components' ids made from it (COMPONENT_ID_BITS), in SQL, within
 * the release's transaction.
 */
export function releaseInserts(rows: IndexedRelease, indexedAt: string, replace: boolean, dialect: Dialect): Sql[] {
  const d = rows.release.bundleDigest;
  const r = rows.release;
  // The embedded store refuses a release of 2^COMPONENT_ID_BITS components or more before it asks for these.
  const numbered = dialect === 'sqlite';
  const out: Sql[] = [
    ...(replace
      ? [...RELEASE_TABLES, 'releases'].map((t) => ({ text: `DELETE FROM ${t} WHERE bundle_digest = ?`, params: [d] }))
      : []),
    { text: 'DELETE FROM rejected WHERE location = ?', params: [r.location] },
    {
      text: `INSERT INTO releases (${numbered ? 'seq, ' : ''}bundle_digest, location, source, product, version, created,
        signed_at, signer, policy, policy_digest, indexed_at, components_read, findings_read, signature_location,
        signature_digest, components_without_purl, components_without_license, policy_shows)
        VALUES (${numbered ? '(SELECT COALESCE(MAX(seq), 0) + 1 FROM releases), ' : ''}?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [
        d,
        r.location,
        r.source,
        r.product,
        r.version,
        r.created,
        r.signedAt ?? null,
        r.signer,
        r.policy,
        r.policyDigest ?? null,
        indexedAt,
        r.componentsRead ? 1 : 0,
        r.findingsRead ? 1 : 0,
        r.signature?.location ?? null,
        r.signature?.digest ?? null,
        r.componentsWithoutPurl,
        r.componentsWithoutLicense,
        r.policyShows ?? null,
      ],
    },
  ];
  appendAll(out, [
    ...insertMany(
      'subjects',
      ['bundle_digest', 'name', 'digest'],
      rows.subjects.map((x) => [d, x.name, x.digest]),
    ),
    ...(numbered
      ? numberedComponents(d, rows.components)
      : insertMany(
          'components',
          ['bundle_digest', 'purl', 'package_key', 'name', 'version'],
          rows.components.map((c) => [d, c.purl, c.packageKey, c.name, c.version]),
        )),
    ...insertMany(
      'licenses',
      ['bundle_digest', 'purl', 'license', 'license_key', 'expression'],
      rows.components.flatMap((c) =>
        c.licenses.map((l) => [d, c.purl, l, l.toLowerCase(), expressionOf(c.expressions, l)]),
      ),
    ),
    ...insertMany(
      'findings',
      [
        'bundle_digest',
        'finding_id',
        'purl',
        'severity',
        'status',
        'justification',
        'fix_versions',
        'status_from',
        'impact_statement',
        'action_statement',
        'known_exploited',
        'status_author',
        'status_at',
        'conflicts',
        'conflicts_total',
      ],
      rows.findings.map((f) => [
        d,
        f.id,
        f.purl,
        f.severity,
        f.status,
        f.justification,
        f.fixVersions.join(' '),
        f.statusFrom,
        f.impactStatement,
        f.actionStatement,
        f.knownExploited ? 1 : 0,
        f.statusAuthor,
        f.statusAt,
        f.conflicts,
        f.conflictsTotal,
      ]),
    ),
    ...insertMany(
      'finding_ids',
      ['bundle_digest', 'vuln_id', 'finding_id', 'purl'],
      rows.findings.flatMap((f) => f.ids.map((id) => [d, id, f.id, f.purl])),
    ),
    ...insertMany(
      'kinds',
      ['bundle_digest', 'kind', 'count', 'empty'],
      rows.kinds.map((k) => [d, k.kind, k.count, k.empty]),
    ),
    ...insertMany(
      'controls',
      ['bundle_digest', 'control', 'check_name', 'status', 'evidence'],
      rows.controls.map((c) => [d, c.control, c.check, c.status, c.evidence]),
    ),
  ]);
  return out;
}

/** The expression among `expressions` that names `license` (its text, as the SBOM wrote it); '' when none does. */
function expressionOf(expressions: readonly string[] | undefined, license: string): string {
  return expressions?.find((e) => expressionIds(e).includes(license)) ?? '';
}

/**
 * A release's components on SQLite (schema 9): each row's id its release's number shifted by COMPONENT_ID_BITS plus
 * its place in the list, the number read once a statement from the release's row written just before.
 */
function numberedComponents(digest: string, components: IndexedRelease['components']): Sql[] {
  const per = Math.floor((MAX_PARAMS - 1) / 5);
  const out: Sql[] = [];
  for (let i = 0; i < components.length; i += per) {
    const chunk = components.slice(i, i + per);
    const params: (string | number)[] = [];
    chunk.forEach((c, j) => params.push(i + j, c.purl, c.packageKey, c.name, c.version));
    params.push(digest);
    out.push({ text: numberedText(chunk.length), params });
  }
  return out;
}

/** numberedComponents' INSERT of `n` rows, made once per row count (madeOnce). */
const numberedText = (n: number): string =>
  madeOnce(
    `numbered components ${n}`,
    () =>
      `INSERT INTO components (id, bundle_digest, purl, package_key, name, version) SELECT (r.seq << ${COMPONENT_ID_BITS}) + v.column1, r.bundle_digest, v.column2, v.column3, v.column4, v.column5 FROM (VALUES ${tuples(5, n)}) v JOIN releases r ON r.bundle_digest = ?`,
  );

/** The most parameters one statement binds: SQLite's historical limit (999), which every engine here accepts. */
const MAX_PARAMS = 999;

/**
 * Rows of one table as multi-row INSERTs of at most MAX_PARAMS parameters each: one statement (one round trip on
 * PostgreSQL) per many rows rather than per row. The table and column names are this file's, never input.
 */
function insertMany(table: string, columns: readonly string[], rows: readonly (string | number | null)[][]): Sql[] {
  const per = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const out: Sql[] = [];
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    out.push({ text: insertText(table, columns, chunk.length), params: chunk.flat() });
  }
  return out;
}

/** An INSERT of `n` rows into `table`, made once per table and row count (madeOnce). */
const insertText = (table: string, columns: readonly string[], n: number): string =>
  madeOnce(
    `${table} ${columns.join(',')} ${n}`,
    () => `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples(columns.length, n)}`,
  );

/** `n` rows of `width` placeholders each, for a multi-row VALUES. */
const tuples = (width: number, n: number): string => {
  const tuple = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return Array.from({ length: n }, () => tuple).join(', ');
};

/**
 * A statement's text by `key`, made once: every release writes the same few statements (a full chunk of each table and
 * its remainder), and building them again took a twentieth of the index's writer thread (profiled). At most 512 kept.
 */
const texts = new Map<string, string>();
function madeOnce(key: string, make: () => string): string {
  let text = texts.get(key);
  if (text === undefined) {
    text = make();
    if (texts.size < 512) texts.set(key, text);
  }
  return text;
}

/**
 * `--rebuild`'s sweep, once every source was read: the rows of releases not seen in this run (`keep`) and the
 * rejections not seen again since `before` are deleted. Rows are never dropped before the sources answered.
 */
export function sweepStatements(indexed: readonly string[], keep: ReadonlySet<string>, before: string): Sql[] {
  const out: Sql[] = [];
  for (const d of indexed)
    if (!keep.has(d))
      for (const t of [...RELEASE_TABLES, 'releases'])
        out.push({ text: `DELETE FROM ${t} WHERE bundle_digest = ?`, params: [d] });
  out.push({ text: 'DELETE FROM rejected WHERE seen_at < ?', params: [before] });
  return out;
}

/** A bundle that did not verify: listed, never indexed as fact (a later good bundle at the location replaces it). */
export function rejectedInsert(
  r: { location: string; source: string; bundleDigest?: string; reason: string },
  at: string,
): Sql[] {
  return [
    { text: 'DELETE FROM rejected WHERE location = ?', params: [r.location] },
    {
      text: 'INSERT INTO rejected (location, source, bundle_digest, reason, seen_at) VALUES (?, ?, ?, ?, ?)',
      params: [r.location, r.source, r.bundleDigest ?? null, r.reason, at],
    },
  ];
}

/** A question to the index (`evidence query`); `product` narrows any of them. */
export type IndexQuery =
  /**
   * A purl with a version, exactly (`within`, its package key, finds it through the package's index), or without one
   * every version of the package (`packageKey`).
   */
  | { kind: 'purl'; purl: string; packageKey?: string; within?: string; anyQualifiers?: boolean }
  | { kind: 'cve'; id: string }
  /** A vulnerability with everything a CRA notification draft needs of each finding (release-index/cra.ts). */
  | { kind: 'vulnerability'; id: string }
  /** Every release, with how many vulnerabilities documents its bundle holds (`scanned`). */
  | { kind: 'releases' }
  /**
   * The components of these packages (their keys), each with its release and whether that release's scans could
   * speak (`scanned`, `findings_read`): what release-index/shipped.ts compares with a vulnerability's findings.
   */
  | { kind: 'components'; packageKeys: readonly string[]; purlPrefixes?: readonly string[] }
  | { kind: 'digest'; digest: string }
  | { kind: 'license'; license: string }
  | { kind: 'missing'; evidenceKind: string }
  /** The releases in scope that cannot answer a question (release-index/unanswered.ts), each with `why`. */
  | { kind: 'unanswered'; of: IndexQuery }
  /** How many releases are in scope (`n`). */
  | { kind: 'count' }
  | { kind: 'control'; control: string; since?: string; until?: string };

/**
 * The release's columns in every answer; an index of an earlier schema (opened read-only, not migrated) has NULL for
 * what it did not record (the signature kept outside the bundle before 4, what a policy showed before 7).
 */
const releaseColumns = (schema: number): string =>
  `r.product, r.version, r.bundle_digest, r.location, r.created, r.signed_at, r.signer, r.indexed_at, r.policy, ${
    schema >= 7 ? 'r.policy_shows' : 'NULL AS policy_shows'
  }, ${schema >= 4 ? 'r.signature_location, r.signature_digest' : 'NULL AS signature_location, NULL AS signature_digest'}`;

/**
 * A component's rows joined to its release's: on SQLite from schema 9 by the release's number in the component's id,
 * which the (package_key, purl) index holds (no table row read for it); else by the bundle's digest.
 */
const componentsJoin = (schema: number, dialect: Dialect): string =>
  schema >= 9 && dialect === 'sqlite'
    ? `FROM components c JOIN releases r ON r.seq = (c.id >> ${COMPONENT_ID_BITS})`
    : 'FROM components c JOIN releases r ON r.bundle_digest = c.bundle_digest';

/** What schema 6 adds to a finding's row: who stated its status, when, and the statements that said otherwise. */
const provenanceColumns = (schema: number): string =>
  schema >= 6
    ? 'f.status_author, f.status_at, f.conflicts, f.conflicts_total'
    : 'NULL AS status_author, NULL AS status_at, NULL AS conflicts, NULL AS conflicts_total';

/**
 * The purls that start with each prefix, as ranges of the (package_key, purl) index: `purl >= prefix` and below the
 * prefix with its last character one higher, both stores comparing bytes (UTF-8 orders as code points do). Three
 * parameters a prefix (PURL_RANGE_PARAMS); undefined when a prefix has no package key or is empty, so that the caller
 * asks as before schema 8.
 */
function purlRanges(prefixes: readonly string[], dialect: Dialect): Sql | undefined {
  const purls = new PurlReader();
  const [ge, lt] = dialect === 'postgresql' ? ['~>=~', '~<~'] : ['>=', '<'];
  const params: string[] = [];
  for (const prefix of prefixes) {
    const key = purls.packageKey(prefix);
    const above = prefixCeiling(prefix);
    if (key === undefined || above === undefined) return undefined;
    params.push(key, prefix, above);
  }
  if (params.length === 0) return undefined;
  const one = `(c.package_key = ? AND c.purl ${ge} ? AND c.purl ${lt} ?)`;
  return { text: prefixes.map(() => one).join(' OR '), params };
}

/** How many parameters one prefix of a `components` question binds at schema 8 (its package, its range). */
export const PURL_RANGE_PARAMS = 3;

/**
 * The least string above every string that starts with `prefix`, in code point order: the prefix with its last code
 * point one higher. Undefined for an empty prefix, or one ending in U+10FFFF or a lone surrogate.
 */
export function prefixCeiling(prefix: string): string | undefined {
  const points = [...prefix];
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff || (last >= 0xd800 && last <= 0xdfff)) return undefined;
  // The next code point, past the surrogates (which are no characters of a UTF-8 string).
  const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
  return points.join('') + String.fromCodePoint(next);
}

/**
 * The statement that answers a question: every row names the release (product, version) and the bundle (digest,
 * location) behind it. A purl with a version is matched exactly; without one (`packageKey` given), every version of
 * the package. A CVE is looked up among every id and alias of each finding.
 */
export function querySql(
  q: IndexQuery & { product?: string },
  schema = INDEX_SCHEMA_VERSION,
  dialect: Dialect = 'sqlite',
): Sql {
  const RELEASE_COLUMNS = releaseColumns(schema);
  const COMPONENTS = componentsJoin(schema, dialect);
  const product = q.product === undefined ? '' : ' AND r.product = ?';
  const p = q.product === undefined ? [] : [q.product];
  const order = ' ORDER BY r.product, r.created, r.version';
  // An exact purl is found through its package's index (schema 3 has no index of purls): its key, given or worked out
  // as rows.ts stores it.
  const within =
    q.kind === 'purl' && q.packageKey === undefined ? (q.within ?? new PurlReader().packageKey(q.purl)) : undefined;
  switch (q.kind) {
    case 'purl':
      return q.packageKey !== undefined
        ? {
            text: `SELECT ${RELEASE_COLUMNS}, c.purl, c.version AS component_version ${COMPONENTS} WHERE c.package_key = ?${product}${order}`,
            params: [q.packageKey, ...p],
          }
        : within !== undefined
          ? q.anyQualifiers
            ? {
                // The purl itself, or it followed by its qualifiers (`?`) or subpath (`#`).
                text: `SELECT ${RELEASE_COLUMNS}, c.purl, c.version AS component_version ${COMPONENTS} WHERE c.package_key = ? AND (c.purl = ? OR substr(c.purl, 1, ?) IN (?, ?))${product}${order}`,
                params: [within, q.purl, q.purl.length + 1, `${q.purl}?`, `${q.purl}#`, ...p],
              }
            : {
                text: `SELECT ${RELEASE_COLUMNS}, c.purl, c.version AS component_version ${COMPONENTS} WHERE c.package_key = ? AND c.purl = ?${product}${order}`,
                params: [within, q.purl, ...p],
              }
          : {
              text: `SELECT ${RELEASE_COLUMNS}, c.purl, c.version AS component_version ${COMPONENTS} WHERE c.purl = ?${product}${order}`,
              params: [q.purl, ...p],
            };
    case 'cve':
      return {
        text: `SELECT DISTINCT ${RELEASE_COLUMNS}, f.finding_id, f.purl, f.severity, f.status, f.justification, f.fix_versions, f.status_from, ${provenanceColumns(schema)} FROM finding_ids i JOIN findings f ON f.bundle_digest = i.bundle_digest AND f.finding_id = i.finding_id AND f.purl = i.purl JOIN releases r ON r.bundle_digest = i.bundle_digest WHERE i.vuln_id = ?${product}${order}`,
        params: [q.id.toLowerCase(), ...p],
      };
    case 'vulnerability':
      return {
        text: `SELECT DISTINCT ${RELEASE_COLUMNS}, r.policy_digest, f.finding_id, f.purl, f.severity, f.status, f.justification, f.fix_versions, f.status_from, f.impact_statement, f.action_statement, f.known_exploited, ${provenanceColumns(schema)} FROM finding_ids i JOIN findings f ON f.bundle_digest = i.bundle_digest AND f.finding_id = i.finding_id AND f.purl = i.purl JOIN releases r ON r.bundle_digest = i.bundle_digest WHERE i.vuln_id = ?${product}${order}`,
        params: [q.id.toLowerCase(), ...p],
      };
    case 'releases':
      return {
        text: `SELECT ${RELEASE_COLUMNS}, r.findings_read, ${kindCount('vulnerabilities')} AS scanned, ${kindCount('kev')} AS kev_catalogs FROM releases r WHERE 1 = 1${product}${order}`,
        params: [...p],
      };
    case 'components': {
      // How many vulnerabilities documents each release holds, summed once for all releases rather than once a row.
      const columns = `SELECT ${RELEASE_COLUMNS}, c.purl, c.package_key, r.findings_read, COALESCE(k.n, 0) AS scanned ${COMPONENTS} LEFT JOIN (SELECT bundle_digest, SUM(count) AS n FROM kinds WHERE kind = 'vulnerabilities' GROUP BY bundle_digest) k ON k.bundle_digest = r.bundle_digest`;
      const ranges = q.purlPrefixes && schema >= 8 ? purlRanges(q.purlPrefixes, dialect) : undefined;
      if (ranges)
        // Schema 8: each package at its version a range of (package_key, purl), read from that index alone.
        return { text: `${columns} WHERE (${ranges.text})${product}${order}`, params: [...ranges.params, ...p] };
      return {
        // Each prefix's length is a number made here, never input; the prefixes themselves are parameters.
        text: `${columns} WHERE c.package_key IN (${q.packageKeys.map(() => '?').join(', ') || 'NULL'})${
          q.purlPrefixes
            ? ` AND (${q.purlPrefixes.map((x) => `substr(c.purl, 1, ${x.length}) = ?`).join(' OR ') || 'NULL'})`
            : ''
        }${product}${order}`,
        params: [...q.packageKeys, ...(q.purlPrefixes ?? []), ...p],
      };
    }
    case 'digest':
      return {
        text: `SELECT ${RELEASE_COLUMNS}, s.name AS subject FROM releases r LEFT JOIN subjects s ON s.bundle_digest = r.bundle_digest AND s.digest = ? WHERE (s.digest IS NOT NULL OR r.bundle_digest = ?)${product}${order}`,
        params: [q.digest, q.digest, ...p],
      };
    case 'license':
      // SPDX licence ids match whatever their case: schema 6 keeps each lower-cased; an index read as an earlier schema
      // is searched lower-cased row by row.
      return schema >= 6
        ? {
            text: `SELECT DISTINCT ${RELEASE_COLUMNS}, l.purl, l.license, l.expression FROM licenses l JOIN releases r ON r.bundle_digest = l.bundle_digest WHERE l.license_key = ?${product}${order}`,
            params: [q.license.toLowerCase(), ...p],
          }
        : {
            text: `SELECT DISTINCT ${RELEASE_COLUMNS}, l.purl, l.license, NULL AS expression FROM licenses l JOIN releases r ON r.bundle_digest = l.bundle_digest WHERE LOWER(l.license) = ?${product}${order}`,
            params: [q.license.toLowerCase(), ...p],
          };
    case 'missing':
      // Entries that hold nothing (schema 6: a test report without tests) are not the evidence: a release with only
      // those is missing it, and the answer says how many it has (`hollow`).
      return {
        // An integer on both stores (PostgreSQL's SUM is a bigint, which its client gives as text).
        text: `SELECT ${RELEASE_COLUMNS}, CAST(COALESCE((SELECT SUM(h.count) FROM kinds h WHERE h.bundle_digest = r.bundle_digest AND h.kind = ?), 0) AS INTEGER) AS hollow FROM releases r WHERE NOT EXISTS (SELECT 1 FROM kinds k WHERE k.bundle_digest = r.bundle_digest AND k.kind = ? AND k.count - ${
          schema >= 6 ? 'COALESCE(k.empty, 0)' : '0'
        } > 0)${product}${order}`,
        params: [q.evidenceKind, q.evidenceKind, ...p],
      };
    case 'unanswered':
      return (
        unansweredSql(q.of, RELEASE_COLUMNS, q.product === undefined ? {} : { product: q.product }, schema) ?? {
          text: `SELECT ${RELEASE_COLUMNS}, '' AS why FROM releases r WHERE 1 = 0`,
          params: [],
        }
      );
    case 'count':
      return { text: `SELECT COUNT(*) AS n FROM releases r WHERE 1 = 1${product}`, params: [...p] };
    case 'control':
      return {
        // Before schema 5 (read as it is, not migrated) a row is one check's status, not the control's: not recorded.
        text: `SELECT ${RELEASE_COLUMNS}, c.control, ${
          schema >= 5
            ? 'c.check_name, c.status'
            : `c.check_name || ': ' || c.status AS check_name, 'not-recorded' AS status`
        }, c.evidence, ${DATED_BY} FROM controls c JOIN releases r ON r.bundle_digest = c.bundle_digest WHERE c.control = ?${q.since ? ` AND ${RELEASE_DATE} >= ?` : ''}${q.until ? ` AND ${RELEASE_DATE} <= ?` : ''}${product}${order}`,
        params: [
          q.control,
          ...(q.since ? [toTheSecond(q.since)] : []),
          ...(q.until ? [toTheSecond(q.until)] : []),
          ...p,
        ],
      };
  }
}
