import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteIndex } from '../../src/fs/release-index-sqlite.js';
import { indexedRelease, undoSchema6, undoSchema9 } from '../helpers/index-rows.js';
import { INDEX_SCHEMA_VERSION } from '../../src/release-index/sql.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * An index of an earlier schema that this process may only read (an auditor's copy, a file of another user) is
 * queried as it is: not migrated, what a later schema adds (schema 4's signature columns) answered as NULL, the file
 * unchanged. Only a user other than the file's owner is refused the writes a migration needs, and the tests run as
 * root, so the question is asked by `nobody` (runuser) through the compiled command line, on node:sqlite (the
 * WebAssembly engine of Node 20 cannot open a file in a folder it cannot write, which is older than this).
 */
const tmp = useTmp();
const BIN = join(process.cwd(), 'dist', 'bin', 'evidence.js');
let builtin = true;
try {
  createRequire(import.meta.url)('node:sqlite');
} catch {
  builtin = false;
}
const runuser = spawnSync('runuser', ['--help'], { stdio: 'ignore' }).status === 0;
const reason = !existsSync(BIN)
  ? `${BIN} is absent (npm test builds it)`
  : process.getuid?.() !== 0 || !runuser
    ? 'it needs root and runuser, to ask as another user'
    : !builtin
      ? `node:sqlite is not in Node ${process.version}`
      : undefined;
if (reason) console.log(`skipping the read-only index test: ${reason}`);

describe.skipIf(reason !== undefined)('an index of schema 3 that can only be read', () => {
  it('is queried as it is, the signature columns NULL, and left unchanged', async () => {
    const dir = await tmp();
    const file = join(dir, 'index.db');
    const store = openSqliteIndex(file, 'node:sqlite');
    await store.put(indexedRelease('1.2.0', '4.17.20'), '2026-12-01T00:00:00Z');
    await store.close();
    // Back to schema 3, as an earlier evidence wrote it.
    const { DatabaseSync } = createRequire(import.meta.url)('node:sqlite') as {
      DatabaseSync: new (p: string) => { exec(sql: string): void; close(): void };
    };
    const db = new DatabaseSync(file);
    for (const statement of [...undoSchema9(), ...undoSchema6()]) db.exec(statement);
    db.exec(`ALTER TABLE releases DROP COLUMN signature_location; ALTER TABLE releases DROP COLUMN signature_digest;
      UPDATE index_meta SET value = '3' WHERE name = 'schema'`);
    db.close();
    chmodSync(dir, 0o755);
    chmodSync(file, 0o644);
    const before = readFileSync(file);
    const asked = spawnSync(
      'runuser',
      ['-u', 'nobody', '--', process.execPath, BIN, 'query', '--db', file, '--missing', 'junit', '--json'],
      { encoding: 'utf8' },
    );
    expect(asked.status, asked.stderr).toBe(0);
    const parsed = JSON.parse(asked.stdout) as { answers: Record<string, unknown>[]; index: unknown };
    expect(parsed.index).toMatchObject({ schema: 3, current: INDEX_SCHEMA_VERSION });
    const answers = parsed.answers;
    expect(answers).toMatchObject([{ version: '1.2.0', signature_location: null, signature_digest: null }]);
    // A licence id is found whatever its case there too (the index of schema 6 keeps it lower-cased; this one not).
    const licence = spawnSync(
      'runuser',
      ['-u', 'nobody', '--', process.execPath, BIN, 'query', '--db', file, '--license', 'mit', '--json'],
      { encoding: 'utf8' },
    );
    expect(licence.status, licence.stderr).toBe(0);
    expect((JSON.parse(licence.stdout) as { answers: unknown[] }).answers).toMatchObject([
      { version: '1.2.0', license: 'MIT', expression: null },
    ]);
    expect(readFileSync(file).equals(before)).toBe(true);
    // evidence index, which writes, refuses it at once, naming both schemas, rather than fail on its first release.
    const writing = spawnSync(
      'runuser',
      ['-u', 'nobody', '--', process.execPath, BIN, 'index', dir, '--db', file, '--key', file],
      { encoding: 'utf8' },
    );
    expect(writing.status, writing.stderr).toBe(2);
    expect(writing.stderr).toContain('[INDEX_UNREADABLE]');
    expect(writing.stderr).toMatch(new RegExp(`schema 3, which cannot be brought to ${INDEX_SCHEMA_VERSION}`));
    expect(readFileSync(file).equals(before)).toBe(true);
    // Its owner, who may write it, migrates it on the next open.
    const owner = openSqliteIndex(file, 'node:sqlite');
    expect(await owner.query({ kind: 'missing', evidenceKind: 'junit' })).toMatchObject([{ signature_digest: null }]);
    await owner.close();
  });
});
