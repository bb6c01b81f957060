import { createHash } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectError } from '../../src/collector/errors.js';
import { analyzeSql, migrationsCollector } from '../../src/collector/migrations.js';
import { canonicalize } from '../../src/core/canonical-json.js';
import { migrationsSummarySchema } from '../../src/core/summaries.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const err = (p: Promise<unknown>): Promise<CollectError> =>
  p.then(
    () => {
      throw new Error('accepted');
    },
    (e: CollectError) => e,
  );
const tmp = useTmp();

async function dirWith(files: Record<string, string | Buffer>): Promise<string> {
  const dir = join(await tmp(), 'migrations');
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return dir;
}

// Worked out by reading test/fixtures/migrations/app (see its README.md; lines checked with grep -n).
const FIXTURE_DESTRUCTIVE = [
  { file: '0002_cleanup.sql', line: 4, kind: 'DELETE WITHOUT WHERE', statement: 'DELETE FROM audit_log' },
  {
    file: '0002_cleanup.sql',
    line: 6,
    kind: 'ALTER TABLE DROP COLUMN',
    statement: 'ALTER TABLE users DROP COLUMN legacy_flag',
  },
  {
    file: '0002_cleanup.sql',
    line: 11,
    kind: 'ALTER TABLE DROP CONSTRAINT',
    statement:
      'ALTER TABLE IF EXISTS ONLY public.orders ADD COLUMN currency char(3), DROP CONSTRAINT orders_total_check',
  },
  { file: '0002_cleanup.sql', line: 15, kind: 'TRUNCATE', statement: 'TRUNCATE TABLE import_batches RESTART IDENTITY' },
  { file: '0002_cleanup.sql', line: 17, kind: 'DROP TABLE', statement: 'DROP TABLE IF EXISTS old_invoices CASCADE' },
  {
    file: '0002_cleanup.sql',
    line: 19,
    kind: 'DROP INDEX',
    statement: 'DROP INDEX CONCURRENTLY IF EXISTS orders_user_id_idx',
  },
  { file: '0003_functions.sql', line: 31, kind: 'DROP TABLE', statement: 'DROP TABLE tmp_import' },
  {
    file: 'reporting/0004_reporting.sql',
    line: 1,
    kind: 'DROP MATERIALIZED VIEW',
    statement: 'DROP MATERIALIZED VIEW IF EXISTS reporting.daily_sales',
  },
  {
    file: 'reporting/0004_reporting.sql',
    line: 8,
    kind: 'DELETE WITHOUT WHERE',
    statement: 'WITH stale AS ( DELETE FROM reporting.snapshots RETURNING id ) SELECT count(*) FROM stale',
  },
  {
    file: 'reporting/0004_reporting.sql',
    line: 18,
    kind: 'DELETE WITHOUT WHERE',
    statement:
      'DELETE FROM reporting.scratch USING (SELECT id FROM reporting.runs WHERE failed) r RETURNING reporting.scratch.id',
  },
];

describe('migrations collector', () => {
  it('summarises the fixture directory and stores the files as canonical JSON', async () => {
    const dir = fixture('migrations/app');
    const out = await migrationsCollector.collect({ file: dir, label: 'app' });
    // 5 + 8 + 5 + 5 top-level statements; README.txt is not a .sql file.
    expect(out.summary).toEqual({ files: 4, statements: 23, destructive: FIXTURE_DESTRUCTIVE });
    expect(migrationsSummarySchema.safeParse(out.summary).success).toBe(true);
    expect(out.kind).toBe('migrations');
    expect(out.mediaType).toBe('application/vnd.evidence.migrations+json');
    expect(out.name).toBe('app.json');
    const paths = ['0001_init.sql', '0002_cleanup.sql', '0003_functions.sql', 'reporting/0004_reporting.sql'];
    const files = await Promise.all(
      paths.map(async (path) => {
        const bytes = await readFile(join(dir, path));
        return {
          path,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          size: bytes.length,
          content: bytes.toString('utf8'),
        };
      }),
    );
    const expected = Buffer.from(canonicalize({ files, destructive: FIXTURE_DESTRUCTIVE }), 'utf8');
    expect(out.bytes?.equals(expected)).toBe(true);
    expect(out.size).toBe(expected.length);
    expect(out.hex).toBe(createHash('sha256').update(expected).digest('hex'));
  });

  it('does not follow symbolic links and sorts by relative path', async () => {
    const dir = await dirWith({ 'b.sql': 'SELECT 1;', 'a/z.sql': 'DROP TABLE t;', 'A.SQL': 'select 2' });
    const outside = await dirWith({ 'x.sql': 'TRUNCATE t;' });
    await symlink(join(outside, 'x.sql'), join(dir, 'link.sql'));
    await symlink(outside, join(dir, 'linked-dir'));
    const out = await migrationsCollector.collect({ file: dir, label: 'm' });
    expect(out.summary).toEqual({
      files: 3,
      statements: 3,
      destructive: [{ file: 'a/z.sql', line: 1, kind: 'DROP TABLE', statement: 'DROP TABLE t' }],
    });
    expect(
      (JSON.parse(out.bytes?.toString('utf8') ?? '') as { files: { path: string }[] }).files.map((f) => f.path),
    ).toEqual(['A.SQL', 'a/z.sql', 'b.sql']);
    expect(out.name).toBe('migrations.json');
  });

  it('refuses SQL with an unterminated string, identifier, dollar quote or comment, naming file and line', async () => {
    const dir = await dirWith({
      '1.sql': "SELECT 1;\nINSERT INTO t VALUES ('oops);\nDROP TABLE t;",
      '2.sql': 'SELECT 1;\n\nCREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1 $$;',
      '3.sql': '/* a /* nested */ comment never closed\nDROP TABLE t;',
      '4.sql': 'SELECT "unclosed FROM t;',
      '5.sql': Buffer.from([0x53, 0xff, 0x3b]),
    });
    const e = await err(migrationsCollector.collect({ file: dir, label: 'm' }));
    expect(e.code).toBe('MIGRATIONS_INVALID');
    expect(e.file).toBe('m');
    expect(e.issues.map((i) => i.path)).toEqual([
      '1.sql line 2',
      '2.sql line 3',
      '3.sql line 1',
      '4.sql line 1',
      '5.sql',
    ]);
  });

  it('refuses a file, an empty directory and a missing path', async () => {
    const dir = await dirWith({ 'notes.txt': 'DROP TABLE t;' });
    expect((await err(migrationsCollector.collect({ file: dir, label: 'm' }))).code).toBe('MIGRATIONS_INVALID');
    expect((await err(migrationsCollector.collect({ file: join(dir, 'notes.txt'), label: 'm' }))).code).toBe(
      'MIGRATIONS_INVALID',
    );
    expect((await err(migrationsCollector.collect({ file: join(dir, 'nope'), label: 'm' }))).code).toBe(
      'INPUT_NOT_FOUND',
    );
  });
});

describe('SQL statement scanning', () => {
  const kinds = (sql: string) => analyzeSql(sql).destructive.map((d) => `${d.line}:${d.kind}`);

  it('ignores destructive words in strings, identifiers, comments and function bodies', () => {
    expect(kinds("SELECT 'a;DROP TABLE x' ; SELECT E'\\';DROP TABLE y;' ; SELECT \"x;DROP\" FROM t")).toEqual([]);
    expect(kinds('/* /* DROP TABLE a; */ TRUNCATE b; */ SELECT 1; -- DELETE FROM c;\nSELECT 2')).toEqual([]);
    expect(
      kinds('CREATE FUNCTION f() RETURNS void AS $a$ DROP TABLE t; $b$ TRUNCATE u; $b$ $a$ LANGUAGE sql;'),
    ).toEqual([]);
    expect(kinds('PREPARE p AS SELECT $1, a$b$c FROM t; DELETE FROM t WHERE id = $1')).toEqual([]);
    expect(
      kinds('ALTER TABLE t ALTER COLUMN c DROP DEFAULT, ALTER COLUMN d DROP NOT NULL, ALTER COLUMN e DROP IDENTITY'),
    ).toEqual([]);
    expect(
      kinds(
        'CREATE TABLE c (p int REFERENCES p ON DELETE CASCADE); GRANT DELETE ON t TO u; CREATE TEMP TABLE s (a int) ON COMMIT DROP;',
      ),
    ).toEqual([]);
  });

  it('finds destructive statements with the line their first token is on', () => {
    const sql =
      '-- header\n\n  /* c */ DROP\n  SCHEMA legacy CASCADE;\nALTER TABLE t DROP x, DROP CONSTRAINT k;\nDELETE\nFROM t;\nTRUNCATE a, b;\nDROP VIEW v; DROP FOREIGN DATA WRAPPER w';
    expect(kinds(sql)).toEqual([
      '3:DROP SCHEMA',
      '5:ALTER TABLE DROP COLUMN',
      '5:ALTER TABLE DROP CONSTRAINT',
      '6:DELETE WITHOUT WHERE',
      '8:TRUNCATE',
      '9:DROP VIEW',
      '9:DROP FOREIGN DATA WRAPPER',
    ]);
    expect(analyzeSql(sql).statements).toBe(6);
    expect(analyzeSql(sql).destructive[0]?.statement).toBe('DROP SCHEMA legacy CASCADE');
  });

  it('looks inside DO blocks, which run at once', () => {
    expect(
      kinds('DO $$\nDECLARE n int;\nBEGIN\n  TRUNCATE t;\n  IF true THEN DELETE FROM u; END IF;\nEND $$;'),
    ).toEqual(['4:TRUNCATE', '5:DELETE WITHOUT WHERE']);
  });

  it('cuts the statement to 200 characters on one line', () => {
    const long = `DROP TABLE ${Array.from({ length: 60 }, (_, i) => `t${i}`).join(',\n  ')};`;
    const s = analyzeSql(long).destructive[0]?.statement ?? '';
    expect(s).toHaveLength(200);
    expect(s.endsWith('…')).toBe(true);
    expect(s).not.toContain('\n');
  });
});

/**
 * Class: SQL whose analysis grew with the square of its size. Each PL/pgSQL statement start in a DO block copied the
 * rest of the statement (600 KB of `BEGIN`: 25 s), and each DO statement filtered every dollar-quoted body of the file
 * (100,000 DO blocks: 17 s). Both are one pass now; starts that must each be read to the end are bounded.
 */
describe('migrations analysis of hostile SQL', () => {
  it('reads 100,000 BEGINs in one DO block, and 50,000 DO blocks, in one pass each', () => {
    expect(analyzeSql(`DO $$ ${'BEGIN '.repeat(100_000)} $$;`).issues).toEqual([]);
    const many = analyzeSql(`${'DO $$ x $$;\n'.repeat(50_000)}DO $$ BEGIN DROP TABLE t; END $$;`);
    expect(many.statements).toBe(50_001);
    expect(many.destructive.map((d) => [d.line, d.kind])).toEqual([[50_001, 'DROP TABLE']]);
  });

  it('finds a DELETE without WHERE after BEGIN as before, reading the statement to its end (a CASE inside it)', () => {
    const r = analyzeSql(
      'DO $$ BEGIN DELETE FROM t USING (SELECT CASE WHEN a THEN 1 ELSE 2 END AS c) s WHERE t.c = s.c; DELETE FROM u; END $$;',
    );
    expect(r.destructive.map((d) => d.kind)).toEqual(['DELETE WITHOUT WHERE']);
    expect(r.destructive[0]?.statement).toBe('DELETE FROM u');
  });

  it('refuses a PL/pgSQL statement with more than 1,000 starts that must each be read to its end', () => {
    const r = analyzeSql(`DO $$\n${'BEGIN DELETE FROM t WHERE x '.repeat(1_001)} $$;`);
    expect(r.issues).toEqual([{ line: 2, message: expect.stringMatching(/more than 1000 statements .* split it/) }]);
    expect(analyzeSql(`DO $$\n${'BEGIN DELETE FROM t WHERE x '.repeat(1_000)} $$;`).issues).toEqual([]);
  });
});
