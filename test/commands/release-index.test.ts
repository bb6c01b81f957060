import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INDEX_SCHEMA_VERSION } from '../../src/release-index/sql.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';
import { threeReleases } from '../helpers/release-bundles.js';

/**
 * evidence index and evidence query through the CLI, on a folder of bundles: two releases of acme-web signed with a
 * key, one bundle signed by another key (not indexed: listed), then asked by component, vulnerability, digest,
 * licence and missing evidence. The same file is opened again (incremental) and rebuilt.
 */
const tmp = useTmp();
describe('evidence index and evidence query (CLI)', () => {
  it('indexes what verifies, lists what does not, and answers each question naming the bundle', async () => {
    const dir = await tmp();
    await threeReleases(dir);
    await writeFile(join(dir, 'bundles/broken.tar.gz'), 'not a bundle at all');

    const index = (...extra: string[]) =>
      runCli(['index', 'bundles', '--db', 'evidence.db', '--key', 'key.pub.pem', '--json', '-q', ...extra], {
        cwd: dir,
      });
    const first = await index();
    // A bundle that did not verify: exit 1, listed, the others indexed.
    expect(first.code, first.stderr).toBe(1);
    const r = JSON.parse(first.stdout) as {
      indexed: number;
      unchanged: number;
      rejected: { location: string; reason: string }[];
    };
    expect(r.indexed).toBe(2);
    expect(r.rejected.map((x) => x.location)).toEqual([
      join(dir, 'bundles/acme-web-1.4.4.evidence.tar.gz'),
      join(dir, 'bundles/broken.tar.gz'),
    ]);
    expect(r.rejected[0]?.reason).toMatch(/^did not verify/);
    expect(r.rejected[1]?.reason).toMatch(/^(did not verify|could not be verified)/);

    const query = async (...args: string[]) => {
      const q = await runCli(['query', '--db', 'evidence.db', '--json', ...args], { cwd: dir });
      expect(q.code, q.stderr).toBe(0);
      return (JSON.parse(q.stdout) as { answers: Record<string, unknown>[] }).answers;
    };
    // The SBOM's deep-extend, in both releases; the package across versions too.
    const deepExtend = await query('--purl', 'pkg:npm/deep-extend@0.6.0');
    expect(deepExtend.map((a) => a.version)).toEqual(['1.4.2', '1.4.3']);
    expect(deepExtend[0]).toMatchObject({
      product: 'acme-web',
      location: join(dir, 'bundles/acme-web-1.4.2.evidence.tar.gz'),
    });
    expect(String(deepExtend[0]?.bundle_digest)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await query('--purl', 'pkg:npm/deep-extend')).map((a) => a.component_version)).toEqual(['0.6.0', '0.6.0']);
    // A CVE with its disposition where a scan found it; 1.4.3 holds no scan, but its SBOM lists deep-extend 0.6.0,
    // which 1.4.2's finding names: it answers too, from its SBOM, never as unaffected.
    const cve = await query('--cve', 'CVE-2018-3750');
    expect(cve.map((a) => [a.version, a.found_by, a.status ?? a.scan])).toEqual([
      ['1.4.2', 'scan', 'not_affected'],
      ['1.4.3', 'sbom', 'not-scanned'],
    ]);
    // A vulnerability no finding names: 1.4.3 holds no scan, so its absence from the answers shows nothing, and the
    // answer says so; so do the bundles that did not verify (in no answer).
    const asked = JSON.parse(
      (await runCli(['query', '--db', 'evidence.db', '--json', '--cve', 'CVE-1999-0001'], { cwd: dir })).stdout,
    ) as {
      releasesInScope: number;
      unanswered: Record<string, unknown>[];
      notVerified: { location: string }[];
      index: Record<string, unknown>;
      answers: Record<string, unknown>[];
    };
    expect(asked.releasesInScope).toBe(2);
    // How the answers were checked: the index's record of a verification made when each release was indexed, by whom
    // it was signed, from which index and schema; the query verified nothing again.
    expect(asked.index).toMatchObject({
      db: 'evidence.db',
      schema: INDEX_SCHEMA_VERSION,
      current: INDEX_SCHEMA_VERSION,
      verified: expect.stringMatching(/not again/),
    });
    expect(asked.answers).toEqual([]);
    const named = JSON.parse(
      (await runCli(['query', '--db', 'evidence.db', '--json', '--cve', 'CVE-2018-3750'], { cwd: dir })).stdout,
    ) as { answers: Record<string, unknown>[]; unanswered: unknown[] };
    expect(named.unanswered).toEqual([]);
    expect(named.answers[0]).toMatchObject({
      signer: expect.stringMatching(/^key /),
      indexed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(asked.unanswered.map((a) => [a.version, a.why])).toEqual([['1.4.3', 'no vulnerability scan']]);
    expect(asked.notVerified.map((x) => x.location)).toEqual(r.rejected.map((x) => x.location));
    expect(await query('--missing', 'scan')).toMatchObject([{ version: '1.4.3' }]);
    expect((await query('--license', 'MIT')).length).toBeGreaterThan(0);
    const subject = await query('--digest', cve[0]?.bundle_digest as string);
    expect(subject.map((a) => a.version)).toEqual(['1.4.2']);
    expect(await query('--purl', 'pkg:npm/deep-extend@0.6.0', '--product', 'other')).toEqual([]);

    // Text and CSV name the bundle behind every answer.
    const text = await runCli(['query', '--db', 'evidence.db', '--cve', 'CVE-2018-3750'], { cwd: dir });
    expect(text.stdout).toContain(`acme-web 1.4.2: `);
    expect(text.stdout).toContain(`; bundle ${String(cve[0]?.bundle_digest)} at `);
    expect(text.stdout).toContain('acme-web 1.4.3: purl=pkg:npm/deep-extend@0.6.0 found_by=sbom');
    const unknown = await runCli(['query', '--db', 'evidence.db', '--cve', 'CVE-1999-0001'], { cwd: dir });
    expect(unknown.stdout).toContain(
      '1 release could not answer, so its absence above shows nothing:\n  acme-web 1.4.3: no vulnerability scan',
    );
    expect(text.stdout).toContain('2 bundles did not verify and are in no answer:');
    expect(text.stdout).toMatch(/\(signed by key [^;]+, verified \d{4}-[^;]+; bundle sha256:/);
    expect(text.stdout).toMatch(
      new RegExp(
        `\\nAnswered from evidence\\.db \\([^,]+, schema ${INDEX_SCHEMA_VERSION}\\)\\. .*this query verified nothing again`,
      ),
    );
    const csv = await runCli(['query', '--db', 'evidence.db', '--missing', 'scan', '--format', 'csv'], { cwd: dir });
    expect(csv.stdout.split('\n')[0]).toBe(
      'product,version,bundle_digest,location,created,signed_at,signer,indexed_at,policy,policy_shows,signature_location,signature_digest,hollow,answered,why',
    );
    // Signed in place: no signature outside the bundle, and the text says none.
    expect(csv.stdout.split('\n')[1]).toMatch(/,,0,yes,$/);
    // The bundles that did not verify are rows too, never left for a reader to take as answers of "no".
    expect(csv.stdout.split('\n').filter((l) => l.includes(',not-verified,'))).toHaveLength(2);
    expect(text.stdout).not.toContain('; signature');

    // Incremental: nothing indexed twice. Rebuild: everything again.
    const again = JSON.parse((await index()).stdout) as { indexed: number; unchanged: number };
    expect(again).toMatchObject({ indexed: 0, unchanged: 2 });
    const rebuilt = JSON.parse((await index('--rebuild')).stdout) as { indexed: number; unchanged: number };
    expect(rebuilt).toMatchObject({ indexed: 2, unchanged: 0 });
    // The same bundles in a second folder: each release indexed once, the copies counted as held, --rebuild or not.
    await mkdir(join(dir, 'copies'));
    // 1.4.4 too, which does not verify: its copy is neither verified again nor counted as indexed.
    for (const v of ['1.4.2', '1.4.3', '1.4.4'])
      await copyFile(join(dir, `bundles/acme-web-${v}.evidence.tar.gz`), join(dir, `copies/${v}.tar.gz`));
    for (const extra of [[], ['--rebuild']]) {
      const both = await runCli(
        ['index', 'bundles', 'copies', '--db', 'evidence.db', '--key', 'key.pub.pem', '--json', '-q', ...extra],
        { cwd: dir },
      );
      const run = JSON.parse(both.stdout) as { rejected: { location: string }[] };
      expect(run, extra.join(' ')).toMatchObject({ indexed: extra.length ? 2 : 0, unchanged: extra.length ? 2 : 4 });
      expect(run.rejected.map((r) => r.location)).not.toContain(join(dir, 'copies/1.4.4.tar.gz'));
    }
    // Rebuilt trusting another signer: what no longer verifies is dropped, not kept because the sources hold it.
    const other = await runCli(
      ['index', 'bundles', '--db', 'evidence.db', '--key', 'other.pub.pem', '--json', '-q', '--rebuild'],
      { cwd: dir },
    );
    expect(JSON.parse(other.stdout)).toMatchObject({ indexed: 1, swept: true });
    expect((await query('--missing', 'junit')).map((a) => a.version)).toEqual(['1.4.4']);
    expect((await readFile(join(dir, 'evidence.db'))).subarray(0, 15).toString()).toBe('SQLite format 3');
  });

  it('a question that is none, two, or malformed is a usage error naming the option (exit 2)', async () => {
    const dir = await tmp();
    const ask = (...args: string[]) => runCli(['query', '--db', 'x.db', ...args], { cwd: dir });
    for (const [args, named] of [
      [[], 'ask one question'],
      [['--cve', 'CVE-1', '--purl', 'pkg:npm/a@1'], '--purl and --cve'],
      [['--purl', 'npm/a'], '--purl'],
      [['--digest', 'abc'], '--digest'],
      [['--missing', 'scan', '--since', '2026-01-01'], '--since'],
      [['--control', 'X', '--since', 'soon'], '--since'],
      // A kind no entry is counted under would list every release as lacking it.
      [['--missing', 'junti'], '--missing'],
      [['--missing', 'raw'], '--missing'],
    ] as const) {
      const r = await ask(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('[INDEX_QUERY_INVALID]');
      expect(r.stderr).toContain(named);
    }
  });

  it('a folder or file source that is not there is named, FILE_NOT_FOUND, exit 2', async () => {
    const dir = await tmp();
    const r = await runCli(['index', '--db', 'x.db', 'no-such-folder'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-folder: no such file or folder \[FILE_NOT_FOUND\]/);
  });
});
