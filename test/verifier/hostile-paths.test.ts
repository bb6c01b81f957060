import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, posix, win32 } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collect } from '../../src/commands/collect.js';
import { destinationWithin } from '../../src/fs/destination.js';
import { logicalPathProblem } from '../../src/core/manifest.js';
import { verifyBundleIntegrity } from '../../src/verifier/verify-bundle.js';
import { baselineManifest, bundleOf, membersOf, parts } from '../helpers/craft.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/**
 * Class: logical paths that are harmless on Linux and dangerous elsewhere.
 * One portable rule (docs/bundle-format.md §2.1) is enforced when verifying
 * and when collecting, and extract's containment check holds under Windows'
 * path rules too. Each kind of name is tried in the first, a middle and the
 * last segment.
 */
const BAD_SEGMENTS: [string, string][] = [
  ['drive letter', 'C:'],
  ['drive-relative', 'C:x'],
  ['colon (NTFS stream)', 'report.xml:evil'],
  ['backslash', 'a\\b'],
  ['reserved CON', 'CON'],
  ['reserved con.txt', 'con.txt'],
  ['reserved Nul.tar.gz', 'Nul.tar.gz'],
  ['reserved COM1', 'COM1'],
  ['reserved lpt9.xml', 'lpt9.xml'],
  ['reserved COM¹', 'COM¹'],
  ['reserved AUX with a space', 'AUX .txt'],
  ['trailing dot', 'notes.'],
  ['trailing space', 'notes '],
  ['C0 control', 'a\u0001b'],
  ['escape', 'a\u001b[2Jb'],
  ['DEL', 'a\u007fb'],
  ['C1 control', 'a\u0085b'],
  ['C1 CSI', 'a\u009bb'],
  ['bidi override RLO', 'evil\u202Egpj.exe'],
  ['bidi isolate', 'a\u2066b'],
  ['right-to-left mark', 'a\u200fb'],
  ['not NFC (e + combining acute)', 'caf\u0065\u0301'],
  ['Windows-forbidden ?', 'what?'],
  ['Windows-forbidden *', 'a*b'],
  ['Windows-forbidden <', 'a<b'],
  ['Windows-forbidden "', 'a"b'],
  ['Windows-forbidden |', 'a|b'],
  ['dot-dot', '..'],
  ['dot', '.'],
  ['empty', ''],
];

const placements = (seg: string): string[] => [`${seg}/x.xml`, `junit/${seg}/x.xml`, `junit/${seg}`];

describe('logical paths: one portable rule', () => {
  it.each(BAD_SEGMENTS)('refuses %s in any segment', (_name, seg) => {
    for (const path of placements(seg)) expect(logicalPathProblem(path), JSON.stringify(path)).toBeDefined();
  });

  it.each([
    'junit/report.xml',
    'sbom/acme-web.cdx.json',
    'a/b/c.d.e',
    'release-notes/CHANGELOG.md',
    'reports/café.xml',
    'console/conf.txt',
    'com10/lpt.txt',
    'x/CONSOLE',
  ])('accepts %s', (path) => {
    expect(logicalPathProblem(path)).toBeUndefined();
  });

  it.each(BAD_SEGMENTS.filter(([, seg]) => seg !== ''))(
    'a bundle with %s in an entry path fails verification',
    async (_name, seg) => {
      const m = baselineManifest();
      const path = `test-report/${seg}`;
      (m.entries[2] as { path: string }).path = path;
      m.entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const { report } = await verifyBundleIntegrity(Readable.from([bundleOf(membersOf(parts({ manifest: m })))]));
      expect(report.ok).toBe(false);
      expect(report.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.code)).toContain('MANIFEST_SCHEMA');
    },
  );

  it('a bundle whose paths differ only in case fails verification (one file on Windows and macOS)', async () => {
    const m = baselineManifest();
    (m.entries[1] as { path: string }).path = 'release-notes/changes.md';
    m.entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const { report } = await verifyBundleIntegrity(Readable.from([bundleOf(membersOf(parts({ manifest: m })))]));
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c) => !c.ok && !c.skipped);
    expect(failed.map((c) => c.code)).toContain('MANIFEST_SCHEMA');
    expect(failed.map((c) => c.message).join(' ')).toMatch(/differ only in case/);
  });
});

describe('extract: containment holds under Windows path rules too (path.win32 on any system)', () => {
  const escaping = [
    'a/C:/x',
    'a/C:x',
    'C:x',
    'C:/Windows/x',
    '..\\x',
    'a\\..\\..\\x',
    'a/../../x',
    '//server/share/x',
    '\\\\server\\share\\x',
    'a/\\\\?\\C:\\x',
  ];
  it.each(escaping)('%j cannot leave the output folder on Windows', (path) => {
    expect(destinationWithin('C:\\out', path, win32)).toBeUndefined();
  });

  it.each(['a/b.xml', 'junit/report.xml'])('%j lands inside, on both systems', (path) => {
    expect(destinationWithin('C:\\out', path, win32)?.startsWith('C:\\out\\')).toBe(true);
    expect(destinationWithin('/out', path, posix)?.startsWith('/out/')).toBe(true);
  });

  it('every path the rule lets through lands inside on both systems', () => {
    const alphabet = ['a', 'C', ':', '\\', '/', '.', ' ', '..', 'CON', 'x'];
    let accepted = 0;
    for (const a of alphabet)
      for (const b of alphabet)
        for (const c of alphabet) {
          const path = `${a}${b}/${c}`;
          if (logicalPathProblem(path)) continue;
          accepted++;
          expect(destinationWithin('C:\\out', path, win32), path).toBeDefined();
          expect(destinationWithin('/out', path, posix), path).toBeDefined();
        }
    expect(accepted).toBeGreaterThan(20);
  });
});

describe('collect refuses to write such a path', () => {
  it.each([['aux.junit.xml'], ['report.xml.'], ['nul']])(
    'an input named %s: ENTRY_PATH_INVALID, nothing written',
    async (name) => {
      const dir = await tmp();
      await writeFile(join(dir, name), '<testsuites><testcase name="a"/></testsuites>');
      await expect(
        collect({ cwd: dir, output: 'o.tar.gz', name: 'a', version: '1', junit: [name] }),
      ).rejects.toMatchObject({ code: 'ENTRY_PATH_INVALID' });
      expect(await readdir(dir)).toEqual([name]);
    },
  );

  it('two inputs that differ only in case: DUPLICATE_ENTRY_PATH', async () => {
    const dir = await tmp();
    await mkdir(join(dir, 'r'));
    await writeFile(join(dir, 'r', 'Report.xml'), '<testsuites><testcase name="a"/></testsuites>');
    await writeFile(join(dir, 'r', 'report.xml'), '<testsuites><testcase name="b"/></testsuites>');
    await expect(
      collect({ cwd: dir, output: 'o.tar.gz', name: 'a', version: '1', junit: ['r/Report.xml', 'r/report.xml'] }),
    ).rejects.toMatchObject({ code: 'DUPLICATE_ENTRY_PATH' });
  });
});

describe('an entry this system cannot write', () => {
  it('extract names the entry (a name over 255 bytes, which the format allows), leaving nothing', async () => {
    const dir = await tmp();
    const m = baselineManifest();
    const long = `release-notes/${'a'.repeat(300)}.md`;
    const entries = m.entries.map((e) => (e.path === 'release-notes/COPY.md' ? { ...e, path: long } : e));
    entries.sort((a, b) => (a.path < b.path ? -1 : 1));
    await writeFile(join(dir, 'b.tar.gz'), bundleOf(membersOf(parts({ manifest: { ...m, entries } }))));
    const { runCli } = await import('../helpers/io.js');
    const r = await runCli(['extract', 'b.tar.gz', '--integrity-only', '-o', 'out'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`out: entry '${long}' cannot be written (ENAMETOOLONG) [EXTRACT_WRITE_FAILED]`);
    expect((await readdir(dir)).filter((f) => f !== 'b.tar.gz')).toEqual([]);
  });
});
