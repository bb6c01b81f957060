import type { IndexedRelease } from '../../src/release-index/rows.js';
import { MIGRATIONS, type MigrationStatement } from '../../src/release-index/sql.js';

/** The columns a migration adds, dropped again: what undoes it (both stores drop a column so). */
const addedColumns = (migration: readonly MigrationStatement[] | undefined): string[] =>
  (migration ?? []).flatMap((statement) => {
    const added = typeof statement === 'string' ? /^ALTER TABLE (\w+) ADD COLUMN (\w+)/.exec(statement) : null;
    return added ? [`ALTER TABLE ${added[1]} DROP COLUMN ${added[2]}`] : [];
  });

/**
 * The statements that take an embedded index written by schema 9 back to what schema 8 wrote: components without
 * their ids (in their order), releases without their numbers. PostgreSQL's tables are the same at 8 and 9.
 */
export function undoSchema9(): string[] {
  // The components table as schema 1 made it, under another name until the old one is dropped.
  const created = MIGRATIONS[0]?.find((x) => typeof x === 'string' && x.startsWith('CREATE TABLE components '));
  if (typeof created !== 'string') throw new Error('schema 1 creates no components table');
  return [
    created.replace('CREATE TABLE components ', 'CREATE TABLE components_8 '),
    'INSERT INTO components_8 SELECT bundle_digest, purl, package_key, name, version FROM components ORDER BY id',
    'DROP TABLE components',
    'ALTER TABLE components_8 RENAME TO components',
    'CREATE INDEX components_package_purl ON components (package_key, purl)',
    'DROP INDEX releases_seq',
    'ALTER TABLE releases DROP COLUMN seq',
  ];
}

/** The statements that take an index written by schema 8 back to what schema 7 wrote (migration 8 undone). */
export function undoSchema8(): string[] {
  return ['DROP INDEX components_package_purl', 'CREATE INDEX components_package ON components (package_key)'];
}

/** The statements that take an index written by the current schema back to what schema 6 wrote (8 and 7 undone). */
export function undoSchema7(): string[] {
  return [...undoSchema8(), ...addedColumns(MIGRATIONS[6])];
}

/**
 * The statements that take an index written by the current schema back to what schema 5 wrote (migrations 7 and 6
 * undone), for the migration tests: both stores run them.
 */
export function undoSchema6(): string[] {
  return [
    ...undoSchema7(),
    'DROP INDEX licenses_key',
    ...addedColumns(MIGRATIONS[5]),
    'CREATE INDEX licenses_license ON licenses (license)',
  ];
}

/**
 * The rows of one release of acme-web for the index's store tests: lodash at `lodash` (CVE-2021-23337 affected at
 * 4.17.20, not affected after), left-pad 1.3.0, one subject, and a control; no junit evidence in 1.2.0.
 */
export function indexedRelease(version: string, lodash: string, extra: Partial<IndexedRelease> = {}): IndexedRelease {
  const digest = `sha256:${version.replace(/\./g, '').padStart(64, '0')}`;
  return {
    release: {
      bundleDigest: digest,
      location: `oci://registry.example/acme/web@${digest}`,
      source: 'oci://registry.example/acme/web',
      product: 'acme-web',
      version,
      created: `2026-0${version.split('.')[1]}-01T00:00:00Z`,
      signedAt: `2026-0${version.split('.')[1]}-01T00:01:00Z`,
      signer:
        'https://github.com/acme/web/.github/workflows/release.yml@refs/heads/main (https://token.actions.githubusercontent.com)',
      policy: 'pass',
      componentsRead: true,
      findingsRead: true,
      componentsWithoutPurl: 0,
      componentsWithoutLicense: 0,
    },
    subjects: [{ name: `web-${version}.tgz`, digest: `sha256:${'e'.repeat(63)}${version.split('.')[1]}` }],
    components: [
      {
        purl: `pkg:npm/lodash@${lodash}`,
        packageKey: 'npm//lodash',
        name: 'lodash',
        version: lodash,
        licenses: ['MIT'],
      },
      {
        purl: 'pkg:npm/left-pad@1.3.0',
        packageKey: 'npm//left-pad',
        name: 'left-pad',
        version: '1.3.0',
        licenses: ['WTFPL'],
      },
    ],
    findings: [
      {
        id: 'CVE-2021-23337',
        ids: ['cve-2021-23337', 'ghsa-35jh-r3h4-6jhm'],
        purl: `pkg:npm/lodash@${lodash}`,
        severity: 'high',
        status: lodash === '4.17.20' ? 'affected' : 'not_affected',
        justification: lodash === '4.17.20' ? '' : 'vulnerable_code_not_in_execute_path',
        fixVersions: ['4.17.21'],
        statusFrom: 'vex/acme.openvex.json',
        statusAuthor: 'Acme PSIRT',
        statusAt: `2026-0${version.split('.')[1]}-01T00:00:00Z`,
        conflicts: '',
        conflictsTotal: 0,
        impactStatement: lodash === '4.17.20' ? '' : 'template() is never called',
        actionStatement: lodash === '4.17.20' ? 'upgrade to 4.17.21' : '',
        knownExploited: false,
      },
    ],
    kinds: [
      { kind: 'sbom', count: 1, empty: 0 },
      { kind: 'scan', count: 1, empty: 0 },
      ...(version === '1.2.0' ? [] : [{ kind: 'junit', count: 1, empty: 0 }]),
    ],
    controls: [{ control: 'SSDF-RV.1.2', check: 'rule critical-handled: pass', status: 'held', evidence: 1 }],
    ...extra,
  };
}
