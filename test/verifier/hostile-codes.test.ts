import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { verifyBundleIntegrity } from '../../src/verifier/verify-bundle.js';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import { baselineManifest, bundleOf, membersOf, parts } from '../helpers/craft.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/** Class: right codes. What is wrong with a manifest is a manifest code; a bad XML input names the file. */
async function codesFor(manifestBytes: Buffer): Promise<string[]> {
  const { report } = await verifyBundleIntegrity(Readable.from([bundleOf(membersOf(parts({ manifestBytes })))]));
  return report.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.code as string);
}

describe('manifest problems have manifest codes', () => {
  it('a lone surrogate in a string or a key', async () => {
    const text = canonicalBytes(baselineManifest()).toString('utf8');
    for (const bad of [
      text.replace('"hostile-fixture"', '"hostile\\ud800fixture"'),
      text.replace('"name":', '"n\\udc00ame":"x","name":'),
    ]) {
      const codes = await codesFor(Buffer.from(bad));
      expect(codes).toContain('MANIFEST_INVALID_JSON');
      expect(codes).not.toContain('ARCHIVE_CORRUPT');
    }
  });

  it.each([200_000, 2_000, 300])('nesting %i deep', async (depth) => {
    const text = canonicalBytes(baselineManifest())
      .toString('utf8')
      .replace('"source":{', `"x":${'['.repeat(depth)}${']'.repeat(depth)},"source":{`);
    const codes = await codesFor(Buffer.from(text));
    expect(codes.some((c) => c.startsWith('MANIFEST_'))).toBe(true);
    expect(codes).not.toContain('ARCHIVE_CORRUPT');
  });
});

describe('XML with a document type or entities is refused, naming the file', () => {
  const docs: [string, string][] = [
    [
      'an external entity',
      '<?xml version="1.0"?>\n<!DOCTYPE t [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<testsuites><testcase name="&xxe;"/></testsuites>\n',
    ],
    [
      'internal entities (billion laughs)',
      '<?xml version="1.0"?>\n<!DOCTYPE t [ <!ENTITY a "aaaaaaaaaa"> <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> ]>\n<testsuites><testcase name="&b;"/></testsuites>\n',
    ],
    [
      'an internal subset without entities',
      '<?xml version="1.0"?>\n<!doctype testsuites [ <!ELEMENT testsuites ANY> ]>\n<testsuites><testcase name="a"/></testsuites>\n',
    ],
    [
      'an entity declared outside a document type',
      '<?xml version="1.0"?>\n<testsuites><!ENTITY x "y"><testcase name="a"/></testsuites>\n',
    ],
  ];
  for (const flag of ['--junit', '--coverage', '--sbom'] as const) {
    it.each(docs)(`${flag}: %s → XML_DOCTYPE_NOT_ALLOWED, exit 2`, async (_name, xml) => {
      const dir = await tmp();
      await writeFile(join(dir, 'report.xml'), xml);
      const r = await runCli(['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', flag, 'report.xml'], {
        cwd: dir,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/report\.xml: line \d+ declares a <!(DOCTYPE|ENTITY)>.*\[XML_DOCTYPE_NOT_ALLOWED\]/);
    });
  }

  it('a bare document type naming an external DTD, as Cobertura writes it, is read (and the DTD never loaded)', async () => {
    const dir = await tmp();
    await writeFile(
      join(dir, 'cov.xml'),
      '<?xml version="1.0" ?>\n<!DOCTYPE coverage SYSTEM "http://127.0.0.1:9/coverage-04.dtd">\n<coverage lines-valid="2" lines-covered="1" line-rate="0.5" branches-valid="0" branches-covered="0" branch-rate="0" timestamp="1" complexity="0" version="0.1"><packages/></coverage>\n',
    );
    const r = await runCli(
      ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--coverage', 'cov.xml', '-q'],
      { cwd: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
